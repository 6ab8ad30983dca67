// Chinese word segmentation as sequence tagging, live: a bidirectional LSTM (trained by
// nnplay on People's Daily 1998) gives every character a tag — B begins a word, M is inside
// one, E ends it, S stands alone — and the words follow. Pick any character to see its tag
// probabilities and both LSTMs' states there: one has read the sentence from the left, the
// other from the right.

import { t } from "../i18n.js";
import { el } from "../dom.js";
import { seqWasm } from "../wasm.js";
import { fmt } from "../format.js";
import { diverging } from "../palette.js";
import { fetchBytes } from "../fetch.js";

const PRESETS = ["人们常说生活是一部教科书", "我从小生长在美国", "有一朵云飘在天空中", "南京市长江大桥"];
const TAGS = ["B", "M", "E", "S"];

/** The sequence views' wasm module (www/js/wasm.js, seqModule) is loaded before mounting. */
export const needs = "seq";

export const schema = {
  text: { kind: "text", max: 200, default: PRESETS[0] },
  at: { kind: "int", min: 0, max: 199, default: 0 },
};

let loaded = null;
function segmenter() {
  loaded ??= fetchBytes("weights/bmes.safetensors").then((bytes) => seqWasm().Segmenter.fromBytes(bytes));
  return loaded;
}


export function mount(root, state, setState) {
  const view = el("section", { class: "view seg", "aria-labelledby": "seg-title" });
  view.append(el("h2", { id: "seg-title", text: t("seg.title") }), el("p", { class: "intro", text: t("seg.intro") }));
  const input = el("input", { type: "text", id: "seg-text", maxlength: "200", lang: "zh-CN", "aria-label": t("seg.inputLabel") });
  const presets = el("div", { class: "presets" });
  for (const p of PRESETS) {
    const b = el("button", { type: "button", text: p });
    b.addEventListener("click", () => setState({ text: p, at: 0 }));
    presets.append(b);
  }
  const chars = el("div", { class: "seg-chars", role: "listbox", "aria-label": t("seg.chars") });
  const wordsEl = el("p", { class: "seg-words", id: "seg-words", "aria-live": "polite" });
  const detail = el("div", { class: "seg-detail", "aria-live": "polite" });
  view.append(el("label", { for: "seg-text", text: t("seg.inputLabel") }), input, presets, chars, wordsEl, detail, el("p", { class: "hint", text: t("seg.source") }));
  root.append(view);
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => setState({ text: input.value, at: 0 }), 120);
  });
  chars.addEventListener("keydown", (e) => {
    const d = { ArrowLeft: -1, ArrowRight: 1 }[e.key];
    if (d === undefined) return;
    e.preventDefault();
    const n = chars.children.length;
    if (n) setState({ at: Math.max(0, Math.min(n - 1, cur.at + d)) });
  });

  let seg = null;
  let cur = { text: "", at: 0 };

  function strip(values, h) {
    const s = el("div", { class: "state-strip" });
    for (let j = 0; j < h; j++) {
      const c = el("span", { class: "state-cell", title: fmt(values[j]) });
      c.style.backgroundColor = diverging(values[j]);
      s.append(c);
    }
    return s;
  }

  function render(s) {
    if (input.value !== s.text) input.value = s.text;
    const tags = Array.from(seg.tag(s.text));
    const text = Array.from(s.text);
    const at = Math.min(s.at, Math.max(0, text.length - 1));
    cur = { text: s.text, at };
    const focused = chars.contains(document.activeElement);
    chars.replaceChildren(
      ...text.map((c, i) => {
        const b = el("button", { type: "button", role: "option", class: `seg-char tag-${TAGS[tags[i]]}`, "aria-selected": String(i === at), tabindex: i === at ? "0" : "-1", "aria-label": t("seg.charLabel", { c, tag: TAGS[tags[i]] }) }, el("span", { class: "c", text: c }), el("span", { class: "t", text: TAGS[tags[i]] }));
        b.addEventListener("click", () => setState({ at: i }));
        return b;
      }),
    );
    // Arrow keys move the selection; the focus goes with it.
    if (focused) chars.children[at]?.focus({ preventScroll: true });
    wordsEl.textContent = text.length ? seg.words().join(" / ") : "";
    if (!text.length) {
      detail.replaceChildren();
      return;
    }
    const H = seg.hidden;
    const probs = Array.from(seg.probs().subarray(at * 4, at * 4 + 4));
    const fwd = Array.from(seg.forwardStates().subarray(at * H, (at + 1) * H));
    const bwd = Array.from(seg.backwardStates().subarray(at * H, (at + 1) * H));
    const known = seg.known(at);
    const bars = el("table", { class: "probs seg-probs" }, el("tr", {}, ...TAGS.map((g) => el("th", { text: g }))), el("tr", {}, ...probs.map((p) => el("td", { text: `${(p * 100).toFixed(1)}%` }))));
    detail.replaceChildren(
      el("p", { class: "unit-head" }, el("strong", { text: t("seg.at", { c: text[at], n: at + 1 }) }), known ? "" : ` ${t("seg.unknown")}`),
      bars,
      el("p", { class: "hint", text: t("seg.fwd", { read: text.slice(0, at + 1).join("") }) }), strip(fwd, H),
      el("p", { class: "hint", text: t("seg.bwd", { read: text.slice(at).join("") }) }), strip(bwd, H),
    );
  }

  segmenter()
    .then((s) => {
      seg = s;
      render(state);
      view.dataset.ready = "true";
    })
    .catch((e) => detail.replaceChildren(el("p", { class: "error", role: "alert", text: e.message })));
  return {
    update(s) {
      if (seg) render(s);
    },
    destroy: () => view.remove(),
  };
}
