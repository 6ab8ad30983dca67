// The convolution lab: an editable input and kernel, stride and padding controls, the
// SAME and VALID feature maps side by side, and — for any output cell hovered or focused —
// its window on the input and its arithmetic in the course's notation
// (1*1+1*0+1*1+0*0+1*1+1*0+0*1+0*0+1*1 = 4). All numbers come from wasm (ConvLayer).

import { codePanel } from "../codepanel.js";
import { convCode } from "../pytorch.js";
import { t } from "../i18n.js";
import { el } from "../dom.js";
import { wasm } from "../wasm.js";
import { makeGrid } from "../grid.js";
import { fmt } from "../format.js";
import { diverging, inputShade } from "../palette.js";

// A hand-drawn 7 (strokes rasterised with a soft pen), rows of 0–9 ink levels.
const DIGIT_7 = [
  "0000000000000000000000000000", "0000000000000000000000000000", "0000000000000000000000000000",
  "0000000000000000000000000000", "0000000000001122221100000000", "0000003456788999999887100000",
  "0000039999999999999999400000", "0000039999877665566998200000", "0000003322100000006995000000",
  "0000000000000000039981000000", "0000000000000000069940000000", "0000000000000000399700000000",
  "0000000003445556799610000000", "0000000039999999999940000000", "0000000039999999998720000000",
  "0000000003433239971000000000", "0000000000000079930000000000", "0000000000000299700000000000",
  "0000000000000599400000000000", "0000000000001898100000000000", "0000000000004995000000000000",
  "0000000000007992000000000000", "0000000000007970000000000000", "0000000000001410000000000000",
  "0000000000000000000000000000", "0000000000000000000000000000", "0000000000000000000000000000",
  "0000000000000000000000000000",
];
const digit = () => DIGIT_7.join("").split("").map((c) => Math.round((Number(c) / 9) * 100) / 100);

// The course's slide: input rows 11100/01110/00111/00110/01100, kernel 101/010/101.
const PRESETS = {
  course: {
    h: 5, w: 5, x: [1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0],
    kh: 3, kw: 3, k: [1, 0, 1, 0, 1, 0, 1, 0, 1], stride: 1, pad: "valid",
  },
  digit: { h: 28, w: 28, x: digit, kh: 3, kw: 3, k: [-1, 0, 1, -2, 0, 2, -1, 0, 1], stride: 1, pad: "same" },
  pool28: { h: 28, w: 28, x: digit, kh: 2, kw: 2, k: [0.25, 0.25, 0.25, 0.25], stride: 2, pad: "same" },
  pad2x3: { h: 2, w: 3, x: [1, 2, 3, 4, 5, 6], kh: 2, kw: 2, k: [1, 1, 1, 1], stride: 2, pad: "same" },
};

const PADS = ["same", "valid"];

export const schema = {
  preset: { kind: "enum", values: Object.keys(PRESETS), default: "course", always: true },
  stride: { kind: "int", min: 1, max: 4, default: 1, always: true },
  pad: { kind: "enum", values: PADS, default: "valid", always: true },
  // Grids a student edited (small ones only, so links stay short).
  x: { kind: "list", max: 64, default: null },
  k: { kind: "list", max: 49, default: null },
};

/** The state a preset starts from (stride and padding as the course shows it). */
function presetState(name) {
  const p = PRESETS[name];
  return { preset: name, stride: p.stride, pad: p.pad, x: null, k: null };
}

function values(p, state) {
  const x = state.x?.length === p.h * p.w ? state.x : typeof p.x === "function" ? p.x() : p.x;
  const k = state.k?.length === p.kh * p.kw ? state.k : p.k;
  return { x: Float32Array.from(x), k: Float32Array.from(k) };
}

export function mount(root, state, setState) {
  const view = el("section", { class: "view conv", "aria-labelledby": "conv-title" });
  view.append(el("h2", { id: "conv-title", text: t("conv.title") }), el("p", { class: "intro", text: t("conv.intro") }));

  // Controls
  const preset = el("select", { id: "conv-preset" });
  for (const name of Object.keys(PRESETS)) preset.append(el("option", { value: name, text: t(`preset.${name}`) }));
  const stride = el("select", { id: "conv-stride" });
  for (let s = 1; s <= 4; s++) stride.append(el("option", { value: String(s), text: String(s) }));
  const padBox = el("fieldset", { class: "pad-choice", "data-field": "pad" }, el("legend", { text: t("conv.padding") }));
  const padRadios = {};
  for (const p of PADS) {
    const r = el("input", { type: "radio", name: "conv-pad", value: p, id: `conv-pad-${p}` });
    padRadios[p] = r;
    padBox.append(el("label", { for: `conv-pad-${p}` }, r, ` ${p.toUpperCase()}`));
  }
  view.append(
    el("div", { class: "controls" },
      el("label", { for: "conv-preset" }, t("conv.preset") + " ", preset),
      el("label", { for: "conv-stride" }, t("conv.stride") + " ", stride),
      padBox),
  );
  preset.addEventListener("change", () => setState(presetState(preset.value)));
  stride.addEventListener("change", () => setState({ stride: Number(stride.value) }));
  for (const p of PADS) padRadios[p].addEventListener("change", () => setState({ pad: p }));

  // Panels
  const inputCap = el("figcaption");
  const inputHost = el("div", { class: "grid-host" });
  const kernelCap = el("figcaption");
  const kernelHost = el("div", { class: "grid-host" });
  const hint = el("p", { class: "hint" });
  const outs = {};
  const outRow = el("div", { class: "outputs" });
  for (const p of PADS) {
    const fig = el("figure", { class: `out out-${p}`, "data-pad": p });
    const cap = el("figcaption");
    const host = el("div", { class: "grid-host" });
    const info = el("div", { class: "pad-info" });
    fig.append(cap, host, info);
    outRow.append(fig);
    outs[p] = { fig, cap, host, info, layer: null, grid: null, y: null };
  }
  const arith = el("p", { class: "arith", id: "conv-arith", "aria-live": "polite" });
  const sharing = el("p", { class: "sharing" });
  const code = codePanel("conv-code");
  view.append(
    el("div", { class: "lab" },
      el("figure", { class: "in-panel" }, inputCap, inputHost),
      el("figure", { class: "k-panel" }, kernelCap, kernelHost),
      outRow),
    hint, arith, sharing, code.node,
  );
  root.append(view);

  let cur = null; // { p, x, k, state, pads: {same, valid}, active }

  function showArith(pad, oy, ox) {
    const o = outs[pad];
    if (!o.layer) return;
    cur.active = pad;
    paintPaddingRing();
    const f = o.layer.terms(0, 0, oy, ox); // [channel, row, col, x, w] per term
    const y = o.y[oy * o.shape[3] + ox];
    arith.replaceChildren(el("span", { class: "at", text: t("conv.arithAt", { pad: pad.toUpperCase(), r: oy + 1, c: ox + 1 }) + " " }));
    const win = [];
    for (let i = 0; i < f.length; i += 5) {
      const [row, col, xv, wv] = [f[i + 1], f[i + 2], f[i + 3], f[i + 4]];
      win.push([row, col]);
      const term = el("span", { class: "term", "data-row": row, "data-col": col, "data-tap": i / 5, text: `${fmt(xv, true)}*${fmt(wv, true)}` });
      if (i > 0) arith.append("+");
      arith.append(term);
    }
    arith.append(el("span", { class: "result", text: ` = ${fmt(y)}` }));
    cur.xGrid.highlight(win.map(([r, c]) => [r, c]), "win");
    cur.kGrid.highlightAll("win");
    for (const q of PADS) outs[q].grid?.highlight(q === pad ? [[oy, ox]] : [], "sel");
  }

  function paintPaddingRing() {
    const pl = cur.pads[cur.active];
    cur.xGrid.showPadding(pl ? pl : { top: 0, bottom: 0, left: 0, right: 0 });
    for (const q of PADS) outs[q].fig.classList.toggle("active", q === cur.active);
  }

  // Hovering a term of the sum lights its input cell and kernel tap.
  arith.addEventListener("pointerover", (e) => {
    const term = e.target.closest(".term");
    if (!term || !cur) return;
    const tap = Number(term.dataset.tap);
    cur.xGrid.highlight([[Number(term.dataset.row), Number(term.dataset.col)]], "tap");
    cur.kGrid.highlight([[Math.floor(tap / cur.p.kw), tap % cur.p.kw]], "tap");
  });

  function update(s) {
    const p = PRESETS[s.preset];
    const { x, k } = values(p, s);
    preset.value = s.preset;
    stride.value = String(s.stride);
    padRadios[s.pad].checked = true;
    const w = wasm();
    // The SAME ring as wasm plans it (TensorFlow's rule), drawn around the input.
    const pads = {};
    for (const pad of PADS) {
      try {
        const r = w.planAxis(p.h, p.kh, s.stride, pad);
        const c = w.planAxis(p.w, p.kw, s.stride, pad);
        pads[pad] = { top: r.pad_before, bottom: r.pad_after, left: c.pad_before, right: c.pad_after, oh: r.out, ow: c.out };
        r.free();
        c.free();
      } catch {
        pads[pad] = null;
      }
    }
    const ring = pads.same ?? { top: 0, bottom: 0, left: 0, right: 0 };
    const small = p.h * p.w <= 64;
    inputCap.textContent = `${t("conv.input")} ${p.h}×${p.w}`;
    kernelCap.textContent = `${t("conv.kernel")} ${p.kh}×${p.kw}`;
    hint.textContent = small ? t("conv.editHint") : t("conv.drawHint");

    const edit = (key, arr) => (i, v) => {
      const next = Array.from(arr);
      next[i] = v;
      if (key === "x" && !small) {
        arr[i] = v; // large grids are drawn on; not stored in the URL
        cur.xGrid.repaint(arr);
        recompute();
      } else setState({ [key]: next.map((n) => Math.round(n * 1e4) / 1e4) });
    };
    const xGrid = makeGrid({
      rows: p.h, cols: p.w, values: x, ring, editable: small ? "type" : "draw",
      label: (r, c, v) => t("conv.cellInput", { r: r + 1, c: c + 1, v: fmt(v) }),
      padLabel: t("conv.padCell"), color: inputShade,
      dark: (v) => v > 0.55, onEdit: edit("x", x),
    });
    const kmax = Math.max(...k.map(Math.abs), 1e-9);
    const kGrid = makeGrid({
      rows: p.kh, cols: p.kw, values: k, editable: "type",
      label: (r, c, v) => t("conv.cellKernel", { r: r + 1, c: c + 1, v: fmt(v) }),
      color: (v) => diverging(v / kmax), dark: () => false, onEdit: edit("k", k),
    });
    inputHost.replaceChildren(xGrid.el);
    kernelHost.replaceChildren(kGrid.el);
    cur = { p, x, k, state: s, pads, active: s.pad, xGrid, kGrid };
    recompute();
    paintPaddingRing();
    arith.textContent = t("conv.arithHint");
    const positions = pads[s.pad] ? pads[s.pad].oh * pads[s.pad].ow : 0;
    sharing.textContent = t("conv.sharing", { k: p.kh * p.kw, n: positions, fc: positions * p.h * p.w });
  }

  function recompute() {
    const { p, x, k, state: s } = cur;
    code.set(convCode({ x, xShape: [1, 1, p.h, p.w], weight: k, wShape: [1, 1, p.kh, p.kw], bias: [0], stride: [s.stride, s.stride], padding: s.pad }, t));
    const w = wasm();
    let ymax = 1e-9;
    for (const pad of PADS) {
      const o = outs[pad];
      o.layer?.free();
      o.layer = null;
      try {
        o.layer = new w.ConvLayer(x, [1, 1, p.h, p.w], k, [1, 1, p.kh, p.kw], [0], [s.stride, s.stride], pad);
        o.shape = Array.from(o.layer.outputShape());
        o.y = Float32Array.from(o.layer.output()); // copy out of wasm memory at once
        for (const v of o.y) ymax = Math.max(ymax, Math.abs(v));
      } catch (e) {
        o.y = null;
        o.error = e.message;
      }
    }
    for (const pad of PADS) {
      const o = outs[pad];
      const pl = cur.pads[pad];
      o.cap.replaceChildren(
        el("strong", { text: t(`conv.${pad}`) }),
        el("br"),
        el("span", { class: "rule", text: t(`conv.${pad}Rule`) }),
      );
      if (!o.y) {
        o.host.replaceChildren(el("p", { class: "error", role: "alert", text: t("conv.noOutput", { msg: o.error }) }));
        o.info.textContent = "";
        o.grid = null;
        continue;
      }
      const [, , oh, ow] = o.shape;
      o.info.replaceChildren(
        el("span", { class: "shape", "data-shape": `${oh}x${ow}`, text: t("conv.shape", { h: p.h, w: p.w, oh, ow }) }),
        el("br"),
        t("conv.pads", { t: pl.top, b: pl.bottom, l: pl.left, r: pl.right }),
      );
      o.grid = makeGrid({
        rows: oh, cols: ow, values: o.y, editable: false,
        label: (r, c, v) => t("conv.cellOutput", { pad: pad.toUpperCase(), r: r + 1, c: c + 1, v: fmt(v) }),
        color: (v) => diverging(v / ymax), dark: () => false, // dark ink reads on every shade of the palette (contrast ≥ 4.5)
        onFocus: (r, c) => showArith(pad, r, c),
      });
      o.grid.el.dataset.pad = pad;
      o.host.replaceChildren(o.grid.el);
    }
  }

  update(state);
  return {
    update,
    destroy() {
      for (const p of PADS) outs[p].layer?.free();
      view.remove();
    },
  };
}
