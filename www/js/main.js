// Boots the page: waits for wasm, reads the URL hash, draws the header and the chosen view,
// and keeps the hash in step with every change (so any state can be linked or embedded).

import { wasmReady, seqModule } from "./wasm.js";
import { t, loadLang, setLang, browserLang, translateDom, LANGS } from "./i18n.js";
import { readHash, writeHash } from "./state.js";
import { lessonSchema, unlocked, applyLesson } from "./lesson.js";
import { setProjector } from "./projector.js";
import { startHost, emit } from "./host.js";
import { watchFrameHeight } from "./framesize.js";
// Each view's module loads when it is first shown, so the first load carries one view only.
const VIEW_NAMES = ["conv", "pool", "lenet", "train", "rnn", "lm", "seg", "ilsvrc", "course"];
const VIEWS = {};
async function loadView(name) {
  VIEWS[name] ??= await import(`./views/${name}.js`);
  if (VIEWS[name].needs === "seq") await seqModule();
  return VIEWS[name];
}

const COMMON = {
  view: { kind: "enum", values: VIEW_NAMES, default: "conv", always: true },
  lang: { kind: "enum", values: LANGS, default: browserLang() },
};

// Lesson / embed mode (lesson.js): `hide=header,intro,controls` hides those parts of the page
// (as TensorFlow Playground's _hide flags do), `hide=stride` one control, `lock=pad` keeps a
// setting, `note=` puts a teacher's sentence above the figure.
const schemaOf = (view) => ({ ...COMMON, ...lessonSchema(Object.keys(VIEWS[view].schema)), ...VIEWS[view].schema });

let state = null;
let mounted = null; // { name, lang, handle }

function setState(partial) {
  // While another view is loading, the outgoing view's late events (a pointer still over it)
  // must not write its state over the new hash.
  if (loading) return;
  const before = location.hash;
  // A locked setting stays at the link's value, whichever control or key asked to change it.
  state = { ...state, ...unlocked(partial, state.lock) };
  writeHash(schemaOf(state.view), state);
  // All of a view's state is in the hash: an unchanged hash is an unchanged view. Skipping
  // it keeps the DOM (and the focus in it) when a cell is focused again or re-entered as is.
  if (location.hash === before) return;
  render();
}

// A view rebuilds what a change touches (grids, rows of buttons), which drops the keyboard
// focus to <body>. These put it back on the element at the same place in the new DOM, so
// arrow keys and Tab carry on where they were.
function focusPlace(root) {
  const was = document.activeElement;
  if (!was || was === root || !root.contains(was)) return null;
  const path = [];
  for (let e = was; e !== root; e = e.parentElement) path.unshift(Array.prototype.indexOf.call(e.parentElement.children, e));
  return { was, path };
}

function restoreFocus(root, place) {
  // Only where the focus was lost: a view may have moved it on purpose.
  const now = document.activeElement;
  if (!place || place.was.isConnected || (now && now !== document.body && now.isConnected)) return;
  let e = root;
  for (const i of place.path) if (!(e = e.children[i])) return;
  if (e.tagName !== place.was.tagName) return;
  // A re-ranked list may now hold a disabled control there: the next enabled one of its kind.
  if (e.disabled) {
    const kind = e.classList.length ? [...root.querySelectorAll(`${e.tagName}.${[...e.classList].join(".")}`)].filter((x) => !x.disabled) : [];
    e = kind.find((x) => e.compareDocumentPosition(x) & Node.DOCUMENT_POSITION_FOLLOWING) ?? kind.at(-1);
    if (!e) return;
  }
  // A grid or list keeps one element in the tab order (roving tabindex): make it this one.
  if (e.tabIndex < 0) {
    const group = e.closest("[role=grid], [role=group], [role=listbox]");
    for (const other of group?.querySelectorAll("[tabindex='0']") ?? []) other.tabIndex = -1;
    e.tabIndex = 0;
  }
  e.focus({ preventScroll: true });
  if (e.tagName === "INPUT" && e.type === "text") e.select();
}

function render() {
  setLang(state.lang);
  document.title = t("app.title");
  translateDom();
  const langBtn = document.getElementById("lang-switch");
  langBtn.textContent = t("lang.switch");
  // The visible word is the accessible name (WCAG 2.5.3); the explanation is a tooltip, and
  // the button's text is in the language it switches to.
  langBtn.title = t("lang.switchLabel");
  langBtn.lang = state.lang === "zh" ? "en" : "zh-CN";
  for (const a of document.querySelectorAll("nav a[data-view]")) {
    a.setAttribute("aria-current", a.dataset.view === state.view ? "page" : "false");
    a.href = `#view=${a.dataset.view}&lang=${state.lang}`;
  }
  const main = document.getElementById("main");
  // Before the view draws: a canvas chart reads the mode as it draws its labels.
  setProjector(main, state.projector === 1);
  if (mounted && mounted.name === state.view && mounted.lang === state.lang) {
    const place = focusPlace(main);
    mounted.handle.update(state);
    applyLesson(main, state.view, state, document.getElementById("lesson-note"));
    restoreFocus(main, place);
    emit("statechange", { state });
    return;
  }
  mounted?.handle.destroy();
  main.replaceChildren();
  mounted = { name: state.view, lang: state.lang, handle: VIEWS[state.view].mount(main, state, setState) };
  applyLesson(main, state.view, state, document.getElementById("lesson-note"));
  emit("statechange", { state });
  announceReady(mounted);
}

/** Tells a host page that the view `shown` can take its actions: once it has mounted, or for
 *  a view that loads something first (LeNet-5's network), once that has come (`handle.ready`). */
async function announceReady(shown) {
  await shown.handle.ready;
  if (mounted === shown) emit("ready", { view: shown.name, state, actions: Object.keys(shown.handle.actions ?? {}) });
}

// Each hash change loads its view's module (and its language's strings) first; a later change
// that lands meanwhile wins, so a slow import can never apply one view's settings to another.
let navigation = 0;
let loading = false;
let navigating = Promise.resolve(); // the last fromHash(), for the host protocol to wait on
async function fromHash() {
  const mine = ++navigation;
  const { view, lang } = readHash(COMMON);
  loading = true;
  try {
    await Promise.all([loadView(view), loadLang(lang)]);
  } catch (e) {
    // The view's code or module could not load (a dropped connection): say so, keep the page.
    if (mine === navigation) document.getElementById("status").textContent = t("app.wasmFailed", { msg: e.message });
    return;
  } finally {
    if (mine === navigation) loading = false;
  }
  document.getElementById("status").textContent = "";
  if (mine !== navigation || readHash(COMMON).view !== view) return;
  state = readHash(schemaOf(view));
  writeHash(schemaOf(view), state);
  render();
}

async function boot() {
  const { lang } = readHash(COMMON);
  await loadLang(lang);
  setLang(lang);
  translateDom();
  document.getElementById("status").textContent = t("app.loading");
  try {
    await wasmReady();
  } catch (e) {
    document.getElementById("status").textContent = t("app.wasmFailed", { msg: e.message });
    return;
  }
  document.getElementById("status").textContent = "";
  // The other language's strings load on the first press (render() speaks only loaded ones).
  // The share / embed dialog loads when first opened: it is no view's first load.
  document.getElementById("share-open").addEventListener("click", async () => {
    const { openShare } = await import("./share.js");
    openShare(state, schemaOf(state.view));
  });
  document.getElementById("lang-switch").addEventListener("click", async () => {
    const lang = state.lang === "zh" ? "en" : "zh";
    await loadLang(lang);
    setState({ lang });
  });
  addEventListener("hashchange", () => (navigating = fromHash()));
  await (navigating = fromHash());
  document.body.dataset.ready = "true"; // end-to-end tests wait for this
}

/** Applies fields the host protocol has checked against the view's schema (host.js): like a
 *  click, or, for another view, like following a link to it (the common fields carry over). */
async function applyFields(fields) {
  const lang = fields.lang ?? state.lang;
  await loadLang(lang);
  if (!fields.view || fields.view === state.view) return setState(fields);
  const next = { hide: state.hide, lang, ...fields };
  writeHash(schemaOf(next.view), next);
  await (navigating = fromHash());
}

const booted = boot();
// A host page may write before the page has booted: its commands wait for it.
startHost({
  async settled() {
    await booted;
    if (!state) throw new Error("the page could not start");
    // A hash change may begin while the last one loads: wait until none is loading.
    for (let last; last !== navigating; ) await (last = navigating);
  },
  state: () => state,
  schema: async (view) => (view ? (await loadView(view), schemaOf(view)) : COMMON),
  apply: applyFields,
  actions: () => mounted?.handle.actions ?? {},
});
watchFrameHeight();
