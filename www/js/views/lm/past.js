// "Change the past": the course's second example asks whether a network carries 美国 across a
// long gap to 英语. With a context that names a country, this table reads the same context
// once per country and shows, for each, how likely the next character is each language's
// first character — the outlined cells darkest in their rows means the model used the
// country; rows alike mean it did not (honestly shown either way).

import { t } from "../../i18n.js";
import { el } from "../../dom.js";
import { activationShade } from "../../palette.js";

/** Countries and their languages when a model's file names none (the long-range models'
 *  carry their own `pairs`). 英国 and 美国 share 英语. */
export const COUNTRIES = [
  ["美国", "英语"],
  ["英国", "英语"],
  ["法国", "法语"],
  ["德国", "德语"],
  ["日本", "日语"],
  ["俄罗斯", "俄语"],
  ["西班牙", "西班牙语"],
  ["韩国", "韩语"],
];

/** The model's [country, language] pairs, or the list above. */
function pairsOf(lm) {
  try {
    const pairs = JSON.parse(lm.meta("pairs") ?? "null");
    if (Array.isArray(pairs) && pairs.every((p) => Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === "string" && x))) return pairs;
  } catch {
    // a file whose pairs do not parse: the list above
  }
  return COUNTRIES;
}

/** The table for `text` read by `lm` (a LanguageModel), or null if `text` names no country
 *  of the model's list. Leaves `lm` having read the last variant. */
export function pastTable(lm, text) {
  const pairs = pairsOf(lm);
  // The longest name first, so that 墨西哥 is not read as 西哥.
  const named = [...pairs].sort((a, b) => b[0].length - a[0].length).find(([c]) => text.includes(c));
  if (!named) return null;
  // Each language by its first character: what is predicted right after 流利的.
  const languages = [...new Set(pairs.map(([, l]) => l[0]))];
  const ids = languages.map((l) => idOf(lm, l));
  const head = el("tr", {}, el("th", { scope: "col", text: t("lm.pastCountry") }), ...languages.map((l) => el("th", { scope: "col", lang: "zh-CN", text: `${l}…` })));
  const rows = pairs.map(([country, language]) => {
    lm.read(text.replaceAll(named[0], country));
    const probs = lm.probs().slice();
    const cells = ids.map((id, j) => {
      const p = id === null ? null : probs[id];
      const td = el("td", { text: p === null ? "—" : `${(p * 100).toFixed(1)}%`, class: languages[j] === language[0] ? "match" : "" });
      if (p !== null) td.style.backgroundColor = activationShade(Math.min(1, p * 4));
      return td;
    });
    return el("tr", {}, el("th", { scope: "row", lang: "zh-CN", text: country }), ...cells);
  });
  return el("div", { class: "lm-past" }, el("h3", { text: t("lm.past") }), el("p", { class: "hint", text: t("lm.pastHint", { country: named[0] }) }), el("table", { class: "lm-past-table" }, head, ...rows));
}

/** The id of character `c` in `lm`'s vocabulary, or null if it has none. */
function idOf(lm, c) {
  const id = lm.id(c);
  return id === 0 ? null : id;
}
