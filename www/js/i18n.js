// Every string the page shows, in Chinese and English: one module per language under i18n/,
// loaded when that language is first needed, so a page carries only the strings it shows.
// Chinese is the default for browsers that prefer Chinese; the header button (or #lang=en /
// #lang=zh) switches. t() stays synchronous: main.js loads a language before rendering in it.

export const LANGS = ["zh", "en"];

const TABLES = {};
let lang = "zh";

/** The browser's preference: Chinese if any preferred language is Chinese, else English. */
export function browserLang() {
  const prefs = navigator.languages?.length ? navigator.languages : [navigator.language || ""];
  return prefs.some((l) => /^zh\b/i.test(l)) ? "zh" : "en";
}

/** Loads language `l`'s strings (once); resolves when t() can speak it. */
export async function loadLang(l) {
  TABLES[l] ??= (await import(`./i18n/${l}.js`)).default;
}

export function setLang(l) {
  lang = LANGS.includes(l) ? l : "zh";
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
}

/** The string for `key` in the current language, with {name} placeholders filled. */
export function t(key, vars = {}) {
  const s = TABLES[lang]?.[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : `{${k}}`));
}

/** Fills every element carrying data-i18n (text) or data-i18n-label (aria-label). */
export function translateDom(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
}
