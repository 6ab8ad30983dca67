// A character language model, live: the course's two fill-in-the-blank sentences (有一朵云飘在
// （ ）, 我从小生长在美国……我可以说一口流利的（ ）) as a network that reads the context one
// character at a time and gives the next character's distribution; pick a character to append
// it and go on, or let the model write on (temperature, top-k, seed — all in the URL, so a link
// reproduces the text).

import { t } from "../i18n.js";
import { el } from "../dom.js";
import { MODELS, model, family, setTrained, setLocal } from "./lm/models.js";
import { trainPanel } from "./lm/train.js";
import { longRangePanel } from "./lm/longrange-train.js";
import { pastTable } from "./lm/past.js";
import { reachStrips } from "./lm/reach.js";
import { gapCurves } from "./lm/curves.js";

const PRESETS = [
  { key: "cloud", text: "有一朵云飘在" },
  { key: "english", text: "我从小生长在美国。。。我可以说一口流利的" },
  { key: "gap", text: "我从小生长在德国，这是我们国家经济建设的重要任务，我可以说一口流利的" },
  { key: "poem", text: "床前明月光，" },
];
const TOP = 10;

/** The sequence views' wasm module (www/js/wasm.js, seqModule) is loaded before mounting. */
export const needs = "seq";

export const schema = {
  model: { kind: "enum", values: Object.keys(MODELS), default: "modern-lstm" },
  text: { kind: "text", max: 200, default: PRESETS[0].text },
  len: { kind: "int", min: 1, max: 200, default: 40 },
  temp: { kind: "int", min: 5, max: 300, default: 80 }, // hundredths
  k: { kind: "int", min: 0, max: 100, default: 0 }, // 0: every character
  seed: { kind: "int", min: 0, max: 999999999, default: 1 },
};

export function mount(root, state, setState) {
  const view = el("section", { class: "view lm", "aria-labelledby": "lm-title" });
  view.append(el("h2", { id: "lm-title", text: t("lm.title") }), el("p", { class: "intro", text: t("lm.intro") }));

  const pick = el("select", { id: "lm-model" });
  for (const id of Object.keys(MODELS)) pick.append(el("option", { value: id, text: t(`lm.model.${id}`) }));
  pick.addEventListener("change", () => setState({ model: pick.value }));
  const file = el("input", { type: "file", id: "lm-file", accept: ".safetensors" });
  file.addEventListener("change", async () => {
    const f = file.files[0];
    if (!f) return;
    try {
      await setLocal(f);
      show("local");
    } catch (e) {
      about.replaceChildren(el("span", { class: "error", role: "alert", text: t("lm.file.bad", { name: f.name, msg: e.message }) }));
    }
  });
  const about = el("p", { class: "hint lm-about" });

  const input = el("input", { type: "text", id: "lm-text", maxlength: "200", lang: "zh-CN" });
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      setState({ text: input.value });
    }, 150);
  });
  const presets = el("div", { class: "presets" });
  for (const p of PRESETS) {
    const b = el("button", { type: "button", text: t(`lm.preset.${p.key}`), title: p.text });
    b.addEventListener("click", () => setState({ text: p.text }));
    presets.append(b);
  }
  const next = el("ol", { class: "lm-next", "aria-label": t("lm.next") });
  const note = el("p", { class: "lm-note", "aria-live": "polite" });
  const past = el("div");
  const reach = el("div");

  const num = (id, min, max, step) => el("input", { type: "number", id, min: String(min), max: String(max), step: String(step) });
  const len = num("lm-len", 1, 200, 1);
  const temp = el("input", { type: "range", id: "lm-temp", min: "5", max: "300", step: "5" });
  const tempOut = el("output", { for: "lm-temp" });
  const k = num("lm-k", 0, 100, 1);
  const seed = num("lm-seed", 0, 999999999, 1);
  const reseed = el("button", { type: "button", text: t("lm.reseed") });
  const written = el("p", { class: "lm-written", lang: "zh-CN", "aria-live": "polite" });
  // A number field's value is taken when it holds a whole number in range; otherwise the
  // field shows the state's value again.
  const field = (inputEl, key) =>
    inputEl.addEventListener("change", () => {
      const v = Number(inputEl.value);
      const spec = schema[key];
      if (Number.isInteger(v) && v >= spec.min && v <= spec.max) setState({ [key]: v });
      else inputEl.value = String(cur[key]);
    });
  field(len, "len");
  field(k, "k");
  field(seed, "seed");
  temp.addEventListener("input", () => setState({ temp: Number(temp.value) }));
  reseed.addEventListener("click", () => setState({ seed: (cur.seed * 1103515245 + 12345) % 1000000000 }));

  const label = (forId, key) => el("label", { for: forId, text: t(key) });
  view.append(
    el("div", { class: "controls lm-controls" }, label("lm-model", "lm.model"), pick, label("lm-file", "lm.file.pick"), file),
    about,
    label("lm-text", "lm.context"),
    input,
    presets,
    el("h3", { text: t("lm.next") }),
    note,
    next,
    reach,
    past,
    el("h3", { text: t("lm.write") }),
    el(
      "div",
      { class: "controls lm-write" },
      label("lm-len", "lm.length"), len,
      label("lm-temp", "lm.temperature"), temp, tempOut,
      label("lm-k", "lm.topk"), k,
      label("lm-seed", "lm.seed"), seed, reseed,
    ),
    written,
  );
  /** Shows model `id` (trained here or loaded from a file), which may be new under an id
   *  already shown. */
  function show(id) {
    want = null;
    setState({ model: id });
    if (cur.model === id) load(id);
  }
  const useTrained = async (bytes) => {
    await setTrained(bytes);
    show("trained");
  };
  const training = trainPanel(useTrained);
  const longRange = longRangePanel(useTrained);
  view.append(training.node, longRange.node);
  root.append(view);

  let cur = { ...state };
  let lm = null; // the model shown
  let writtenKey = null; // what `written` shows: the settings it was written with

  function showNext(s) {
    const chars = Array.from(s.text);
    if (!chars.length) {
      note.textContent = t("lm.empty");
      next.replaceChildren();
      return false;
    }
    const unknown = Array.from(lm.read(s.text), (i) => chars[i]);
    note.textContent = unknown.length ? t("lm.unknown", { chars: [...new Set(unknown)].join(" ") }) : "";
    // A copy: the view of wasm memory moves when `top` or `symbol` allocate.
    const probs = lm.probs().slice();
    next.replaceChildren(
      ...Array.from(lm.top(TOP), (id) => {
        // Id 0 is every character rarer than the vocabulary's, together: shown, not appendable.
        const rare = id === 0;
        const c = rare ? "□" : lm.symbol(id);
        // The end of a line (a poem's, a sentence's) is a character the models predict too.
        const glyph = c === "\n" ? "↵" : c;
        const p = probs[id];
        const pct = (p * 100).toFixed(1);
        const fill = el("span", { class: "fill" });
        fill.style.width = `${pct}%`;
        // The visible character and percentage are the button's name; what pressing does
        // is its description.
        const b = el("button", { type: "button", class: "bar lm-choice", title: t(rare ? "lm.rare" : "lm.append", { p: pct }) }, el("span", { class: "c", lang: "zh-CN", text: glyph }), el("span", { class: "track" }, fill), el("span", { class: "val", text: `${pct}%` }));
        if (rare) b.disabled = true;
        // Characters that fit: a pasted text may already be at the limit.
        else b.addEventListener("click", () => chars.length < schema.text.max && setState({ text: s.text + c }));
        return el("li", {}, b);
      }),
    );
    return true;
  }

  function showWriting(s, readable) {
    const key = JSON.stringify([s.model, s.text, s.len, s.temp, s.k, s.seed]);
    if (key === writtenKey) return;
    writtenKey = key;
    if (!readable) {
      written.replaceChildren();
      return;
    }
    try {
      // Writing continues from the state `read` left; read again so it starts from the context.
      lm.read(s.text);
      const k = Math.min(s.k, lm.vocabSize - 1);
      const text = lm.write(s.len, s.temp / 100, k, s.seed);
      written.replaceChildren(el("span", { class: "lm-context", text: s.text }), el("span", { class: "lm-continued", text }));
    } catch (e) {
      written.replaceChildren(el("span", { class: "error", role: "alert", text: e.message }));
    }
  }

  // The strips need every model of the family: they come as the models load.
  let reachKey = null;
  function showReach(s, readable) {
    const top = readable ? Array.from(lm.top(TOP)).find((id) => id !== 0) : undefined;
    const key = JSON.stringify([s.model, s.text]);
    if (key === reachKey) return;
    reachKey = key;
    reach.replaceChildren();
    if (top === undefined) return;
    const next = lm.symbol(top);
    Promise.all(family(s.model).map(async (id) => [t(`lm.model.${id}`), await model(id)]))
      .then((models) => {
        if (reachKey === key) reach.replaceChildren(...[gapCurves(models), reachStrips(models, s.text, next)].filter(Boolean));
      })
      .catch((e) => reachKey === key && reach.replaceChildren(el("p", { class: "error", role: "alert", text: t("lm.loadFailed", { msg: e.message }) })));
  }

  function render(s) {
    cur = { ...s };
    // The field follows the state unless the student is typing (their text is on its way).
    if (input.value !== s.text && timer === null) input.value = s.text;
    pick.value = s.model;
    len.value = String(s.len);
    temp.value = String(s.temp);
    tempOut.textContent = (s.temp / 100).toFixed(2);
    k.value = String(s.k);
    seed.value = String(s.seed);
    if (!lm) return;
    const readable = showNext(s);
    showReach(s, readable);
    past.replaceChildren(...(readable ? [pastTable(lm, s.text)].filter(Boolean) : []));
    showWriting(s, readable);
  }

  let want = null;
  function load(id) {
    if (want === id) return;
    want = id;
    view.dataset.ready = "false";
    about.textContent = t("lm.loading");
    model(id)
      .then((m) => {
        if (want !== id) return;
        lm = m;
        writtenKey = null;
        // How well it predicts text it did not learn, beside the count baseline when the file
        // carries both (nnplay train-lm writes them).
        const [bpc, base] = [m.meta("held_out_bpc"), m.meta("baseline_bpc")];
        const measured = bpc ? " " + t(base ? "lm.bpcBaseline" : "lm.bpc", { bpc, base }) : "";
        const tied = m.meta("tie_weights") === "true" ? " " + t("lm.tied") : "";
        about.textContent = t("lm.about", { cell: m.cell.toUpperCase(), hidden: m.hidden, layers: m.layers, vocab: m.vocabSize - 1 }) + tied + measured;
        render(cur);
        view.dataset.ready = "true";
      })
      .catch((e) => {
        if (want !== id) return;
        want = null; // choosing the model again tries again
        about.replaceChildren(el("span", { class: "error", role: "alert", text: t("lm.loadFailed", { msg: e.message }) }));
      });
  }

  render(state);
  load(state.model);
  return {
    update(s) {
      if (s.model !== cur.model) {
        lm = null;
        cur = { ...s };
        load(s.model);
      }
      render(s);
    },
    destroy() {
      training.destroy();
      longRange.destroy();
      view.remove();
    },
  };
}
