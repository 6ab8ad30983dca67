// The share / embed dialog: a teacher picks which parts and settings of the view on screen to
// hide or lock and writes a note (lesson mode, lesson.js), and gets the link and the <iframe>
// snippet of exactly that, each with a copy button, beside a live preview. Loaded on first use,
// so it is never part of a view's first load.

import { t } from "./i18n.js";
import { el } from "./dom.js";
import { hashOf } from "./state.js";
import { PARTS, NOTE_MAX } from "./lesson.js";

/** Settings that are the page's, not lesson choices. */
const PAGE = ["view", "lang", "hide", "lock", "note"];

/** A checkbox labelled `text`, checked if `on`. */
function box(text, on, attrs = {}) {
  const input = el("input", { type: "checkbox", ...attrs });
  input.checked = on;
  return { input, label: el("label", {}, input, ` ${text}`) };
}

/** A read-only field showing `value`, and a button copying it. */
function copyable(labelKey, tag) {
  const field = el(tag, { readonly: "", class: "share-out", "aria-label": t(labelKey) });
  if (tag === "textarea") field.rows = 3;
  const button = el("button", { type: "button", text: t("share.copy") });
  const said = el("span", { class: "hint", "aria-live": "polite" });
  button.addEventListener("click", async () => {
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
      said.textContent = t("share.copied");
    } catch {
      // No clipboard permission (an insecure origin, a frame): the text is selected to copy.
      said.textContent = t("share.selected");
    }
  });
  return { field, node: el("div", { class: "share-row" }, el("strong", { text: t(labelKey) }), field, button, said) };
}

/** Opens the dialog for `state` (the view on screen) whose hash schema is `schema`. */
export function openShare(state, schema) {
  const fields = Object.keys(schema).filter((k) => !PAGE.includes(k));
  const parts = PARTS.map((p) => ({ p, ...box(t(`share.part.${p}`), state.hide.includes(p)) }));
  const rows = fields.map((f) => ({ f, hide: box(t("share.hide"), state.hide.includes(f)), lock: box(t("share.lock"), state.lock.includes(f)) }));
  const note = el("textarea", { id: "share-note", maxlength: String(NOTE_MAX), rows: "2" });
  note.value = state.note;
  const link = copyable("share.link", "input");
  const snippet = copyable("share.snippet", "textarea");
  const preview = el("iframe", { class: "share-preview", title: t("share.preview") });
  const close = el("button", { type: "button", text: t("share.close") });
  const table = el("table", { class: "share-fields" },
    el("tr", {}, el("th", { text: t("share.setting") }), el("th", { text: t("share.value") }), el("th", {}), el("th", {})),
    ...rows.map(({ f, hide, lock }) => el("tr", {}, el("td", {}, el("code", { text: f })), el("td", { text: String(state[f] ?? "") }), el("td", {}, hide.label), el("td", {}, lock.label))));
  const dialog = el("dialog", { class: "share", "aria-labelledby": "share-title" },
    el("h2", { id: "share-title", text: t("share.title") }),
    el("p", { class: "hint", text: t("share.intro") }),
    el("fieldset", {}, el("legend", { text: t("share.parts") }), ...parts.map((x) => x.label)),
    table,
    el("label", { for: "share-note" }, t("share.note"), note),
    link.node, snippet.node, preview, close);

  let timer = null;
  function build() {
    const hide = [...parts.filter((x) => x.input.checked).map((x) => x.p), ...rows.filter((r) => r.hide.input.checked).map((r) => r.f)];
    const lock = rows.filter((r) => r.lock.input.checked).map((r) => r.f);
    const url = new URL(location.href);
    url.hash = hashOf(schema, { ...state, hide, lock, note: note.value.slice(0, NOTE_MAX) });
    link.field.value = url.href;
    // The snippet's attributes are escaped: the link carries the teacher's note.
    const src = url.href.replaceAll("&", "&amp;").replaceAll('"', "&quot;");
    snippet.field.value = `<iframe src="${src}" width="1100" height="760" style="border:0" title="nnplay" data-nnplay></iframe>`;
    clearTimeout(timer);
    timer = setTimeout(() => (preview.src = url.href), 300);
  }
  dialog.addEventListener("input", build);
  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  build();
  dialog.showModal();
}
