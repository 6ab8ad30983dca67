// LeNet-5, drawn like Adam Harley's visualizer: draw a digit (or pick a test digit), and
// every layer's feature maps repaint from wasm; point at (or arrow-key to) any unit to see
// which inputs feed it, its receptive field on the 28×28 input, its weights, and its value
// written out as the course's arithmetic. The numbers all come from the wasm `Lenet`.

import { t } from "../i18n.js";
import { el } from "../dom.js";
import { loadShippedLenet, trainedLenet, session } from "../lenet.js";
import { fmt } from "../grid.js";
import { diverging, IMAGE } from "../palette.js";
import { create as create3d } from "../lenet3d.js";

const LAYERS = [
  { key: "input", maps: 1, side: 28 },
  { key: "c1", maps: 6, side: 28 },
  { key: "s2", maps: 6, side: 14 },
  { key: "c3", maps: 16, side: 10 },
  { key: "s4", maps: 16, side: 5 },
  { key: "f5", units: 120, cols: 12 },
  { key: "f6", units: 84, cols: 12 },
  { key: "logits", units: 10, cols: 10 },
];
const UNITS = Object.fromEntries(LAYERS.map((l) => [l.key, l.units ?? l.maps * l.side * l.side]));
const BELOW = { c1: "input", s2: "c1", c3: "s2", s4: "c3", f5: "s4", f6: "f5", logits: "f6" };

export const schema = {
  digit: { kind: "int", min: 0, max: 99, default: 0, always: true },
  layer: { kind: "enum", values: LAYERS.slice(1).map((l) => l.key), default: "c3" },
  unit: { kind: "int", min: 0, max: 4703, default: 0 },
  // "trained": the net being trained in the training view, refreshed while it learns.
  net: { kind: "enum", values: ["shipped", "trained"], default: "shipped" },
  mode: { kind: "enum", values: ["flat", "3d"], default: "flat" },
};

/** Input rows/cols [from, to) that unit (y, x) of `layer` can see, through every layer below. */
export function receptiveField(layer, y, x) {
  // Each step maps an output range back to the input range of the layer below.
  const back = { c1: [1, -2, 5], s2: [2, 0, 2], c3: [1, 0, 5], s4: [2, 0, 2] }; // stride, offset, window
  let [y0, y1, x0, x1] = [y, y + 1, x, x + 1];
  for (const l of ["s4", "c3", "s2", "c1"].slice(["s4", "c3", "s2", "c1"].indexOf(layer))) {
    const [s, o, k] = back[l];
    [y0, y1, x0, x1] = [y0 * s + o, (y1 - 1) * s + o + k, x0 * s + o, (x1 - 1) * s + o + k];
  }
  const clip = (v) => Math.max(0, Math.min(28, v));
  return [clip(y0), clip(y1), clip(x0), clip(x1)];
}

const samples = {};
/** Test digits: the first 10 come with the view; the first 100 load when first needed. */
async function testDigits(i) {
  const n = i < 10 ? 10 : 100;
  samples[n] ??= fetch(new URL(`data/mnist/test-${n}.bin`, document.baseURI)).then(async (r) => {
    if (!r.ok) throw new Error(`test digits: HTTP ${r.status}`);
    return new Uint8Array(await r.arrayBuffer());
  });
  return samples[n];
}

// The palette's image colours as per-channel falls from white (255) at value 1.
const [POS, NEG, INK] = [IMAGE.pos, IMAGE.neg, IMAGE.ink].map((c) => c.map((v) => 255 - v));

/** Paints `values` (side × side, or a strip of units) into a canvas, one pixel per unit:
 *  white to ink for the pad, or the palette's orange/blue diverging map for activations. */
function paint(canvas, values, scale, ink = false) {
  // One context and one ImageData per canvas, kept: allocating them per frame cost more than
  // the forward pass.
  canvas.ctx ??= canvas.getContext("2d");
  const ctx = canvas.ctx;
  canvas.img ??= ctx.createImageData(canvas.width, canvas.height);
  const img = canvas.img;
  const d = img.data;
  const n = Math.min(values.length, canvas.width * canvas.height);
  // Direct byte writes, no arrays per pixel: this loop runs for ~9,000 units a frame.
  for (let i = 0; i < n; i++) {
    let v = values[i] / scale;
    v = v > 1 ? 1 : v < -1 ? -1 : v;
    const o = i * 4;
    const f = ink ? INK : v >= 0 ? POS : NEG;
    const a = v < 0 && !ink ? -v : v;
    d[o] = 255 - f[0] * a;
    d[o + 1] = 255 - f[1] * a;
    d[o + 2] = 255 - f[2] * a;
    d[o + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

// A drawing is not in the URL (784 values), so it outlives a remount (the language switch
// rebuilds the view) here: the ink and the test digit it was drawn over.
let kept = null; // { digit, ink }

export function mount(root, state, setState) {
  const view = el("section", { class: "view lenet", "aria-labelledby": "lenet-title" });
  view.append(el("h2", { id: "lenet-title", text: t("lenet.title") }), el("p", { class: "intro", text: t("lenet.intro") }));

  // The pad: 28×28 ink values, drawn with a soft round pen like MNIST's strokes.
  const ink = new Float32Array(784);
  const pad = el("canvas", { width: "28", height: "28", class: "pad", role: "img", "aria-label": t("lenet.padLabel") });
  const clear = el("button", { type: "button", text: t("lenet.clear") });
  const next = el("button", { type: "button", text: t("lenet.next") });
  const pick = el("select", { id: "lenet-digit", "aria-label": t("lenet.pick") });
  for (let i = 0; i < 100; i++) pick.append(el("option", { value: String(i), text: `${t("lenet.testDigit")} #${i + 1}` }));
  const truth = el("p", { class: "truth", "aria-live": "polite" });
  const predBig = el("div", { class: "pred-big", "aria-live": "polite" });
  const bars = el("div", { class: "bars" });
  const barEls = [];
  for (let d = 0; d < 10; d++) {
    const fill = el("span", { class: "fill" });
    const val = el("span", { class: "val" });
    bars.append(el("div", { class: "bar" }, el("span", { class: "digit", text: String(d) }), el("span", { class: "track" }, fill), val));
    barEls.push({ fill, val });
  }
  const source = el("select", { id: "lenet-net" });
  for (const v of ["shipped", "trained"]) source.append(el("option", { value: v, text: t(`lenet.net.${v}`) }));
  source.addEventListener("change", () => setState({ net: source.value }));
  const sourceNote = el("p", { class: "hint", id: "lenet-net-note" });
  const left = el("div", { class: "pad-col" },
    el("label", { for: "lenet-net" }, t("lenet.net") + " ", source), sourceNote,
    el("h3", { text: t("lenet.draw") }), pad,
    el("div", { class: "pad-buttons" }, clear, next), el("label", { for: "lenet-digit", text: t("lenet.pick") + " " }, pick), truth,
    el("h3", { text: t("lenet.prediction") }), predBig, bars);

  // Every layer: its maps (or units) as canvases, one pixel per unit, scaled up by CSS.
  const canvases = {};
  const layersEl = el("div", { class: "layers" });
  for (const l of LAYERS) {
    const group = el("div", { class: `layer layer-${l.key}`, "data-layer": l.key, tabindex: l.key === "input" ? "-1" : "0", role: "group", "aria-label": t(`lenet.layer.${l.key}`) });
    const shape = l.units ? `${l.units}` : `${l.maps}@${l.side}×${l.side}`;
    group.append(el("h3", {}, t(`lenet.layer.${l.key}`), el("span", { class: "shape", text: ` ${shape}` })));
    const maps = el("div", { class: "maps" });
    canvases[l.key] = [];
    for (let m = 0; m < (l.maps ?? 1); m++) {
      const w = l.units ? l.cols : l.side;
      const h = l.units ? Math.ceil(l.units / l.cols) : l.side;
      const c = el("canvas", { width: String(w), height: String(h), "data-map": String(m) });
      const wrap = el("div", { class: "map" }, c);
      maps.append(wrap);
      canvases[l.key].push({ canvas: c, wrap, w, h });
    }
    group.append(maps);
    layersEl.append(group);
  }
  const info = el("div", { class: "unit-info", "aria-live": "polite" });
  // The 3D node-link mode, made on first use.
  const modes = el("div", { class: "mode-switch", role: "group", "aria-label": t("lenet.mode") });
  const modeBtn = {};
  for (const m of ["flat", "3d"]) {
    modeBtn[m] = el("button", { type: "button", id: `lenet-mode-${m}`, text: t(`lenet.mode.${m}`), "aria-pressed": "false" });
    modeBtn[m].addEventListener("click", () => setState({ mode: m }));
    modes.append(modeBtn[m]);
  }
  const canvas3d = el("canvas", { class: "net3d", tabindex: "0", role: "img", "aria-label": t("lenet.3dLabel") });
  const hint3d = el("p", { class: "hint", text: t("lenet.3dHint") });
  const box3d = el("div", { class: "view3d" }, canvas3d, hint3d);
  box3d.hidden = true;
  let r3d = null;
  const right = el("div", { class: "right-col" }, modes, layersEl, box3d);
  view.append(el("div", { class: "lenet-grid" }, left, right), info);
  root.append(view);

  let net = null;
  let sel = { layer: state.layer, unit: Math.min(state.unit, UNITS[state.layer] - 1) };
  let pending = false;

  // How long each repaint took (forward pass + every layer drawn), for the page benchmark.
  const paintMs = [];
  view.paintMs = paintMs;
  function run() {
    pending = false;
    if (!net) return;
    const t0 = performance.now();
    const digit = net.forward(ink);
    const probs = Array.from(net.probs());
    predBig.textContent = String(digit);
    predBig.setAttribute("aria-label", t("lenet.predicted", { d: digit }));
    probs.forEach((p, d) => {
      barEls[d].fill.style.width = `${(p * 100).toFixed(1)}%`;
      barEls[d].val.textContent = `${(p * 100).toFixed(1)}%`;
      barEls[d].fill.classList.toggle("top", d === digit);
    });
    paint(pad, ink, 1, true);
    paint(canvases.input[0].canvas, ink, 1);
    for (const l of LAYERS.slice(1)) {
      const v = net[l.key](); // a view into wasm memory: read at once
      let scale = 1e-6;
      for (const x of v) scale = Math.max(scale, Math.abs(x));
      const per = l.units ?? l.side * l.side;
      canvases[l.key].forEach(({ canvas }, m) => paint(canvas, v.subarray(m * per, (m + 1) * per), scale));
    }
    if (r3d && !box3d.hidden) r3d.setActivations(Object.fromEntries(LAYERS.map((l) => [l.key, l.key === "input" ? ink : net[l.key]()])));
    explain();
    if (paintMs.push(performance.now() - t0) > 1000) paintMs.shift();
  }
  const schedule = () => {
    if (!pending) {
      pending = true;
      requestAnimationFrame(run);
    }
  };

  /** Places a highlight box over cells [y0, y1) × [x0, x1) of a map. */
  function box(wrap, w, h, [y0, y1, x0, x1], cls) {
    const b = el("span", { class: `box ${cls}` });
    b.style.left = `${(x0 / w) * 100}%`;
    b.style.top = `${(y0 / h) * 100}%`;
    b.style.width = `${((x1 - x0) / w) * 100}%`;
    b.style.height = `${((y1 - y0) / h) * 100}%`;
    wrap.append(b);
  }

  let boxesFor = null; // the selection the highlight boxes were drawn for
  let kernelEl = null;
  function explain() {
    const l = LAYERS.find((q) => q.key === sel.layer);
    const e = net.explain(sel.layer, sel.unit); // [bias, pre, value, (index, x, w)...]
    const [bias, pre, value] = [e[0], e[1], e[2]];
    const terms = [];
    for (let i = 3; i < e.length; i += 3) terms.push({ index: e[i], x: e[i + 1], w: e[i + 2] });
    const key = `${sel.layer}:${sel.unit}`;
    const pool = sel.layer === "s2" || sel.layer === "s4";
    const logits = sel.layer === "logits";
    const where = l.maps ? mapWhere(l) : logits ? t("lenet.logitUnit", { d: sel.unit }) : t("lenet.denseUnit", { u: sel.unit + 1 });
    if (boxesFor !== key) {
      boxesFor = key;
      drawBoxes(l, terms);
      // The kernels change only with the selection (or a new net): canvases are costly to make.
      kernelEl = pool ? null : l.maps ? kernels(terms, sel.layer === "c3" ? 6 : 1) : denseWeights(terms);
      if (r3d && !box3d.hidden) r3d.setEdges(sel.layer, sel.unit, BELOW[sel.layer], terms);
    }
    const head = el("p", { class: "unit-head" }, el("strong", { text: t(`lenet.layer.${sel.layer}`) }), ` ${where}`);
    let sum;
    if (pool) {
      const best = terms.reduce((a, b) => (b.x > a.x ? b : a));
      sum = el("p", { class: "arith", id: "lenet-arith" }, `${net.pooling === "max" ? "max" : "mean"}(${terms.map((q) => fmt(q.x)).join(", ")}) = ${fmt(value)}`);
      if (net.pooling === "max") head.append(" ", t("lenet.winner", { v: fmt(best.x) }));
    } else {
      const shown = terms.slice(0, 12).map((q) => `${fmt(q.x, true)}*${fmt(q.w, true)}`).join("+");
      const more = terms.length > 12 ? `+…(${t("lenet.moreTerms", { n: terms.length - 12 })})` : "";
      const act = logits ? "" : ` → ${net.activation}: ${fmt(value)}`;
      sum = el("p", { class: "arith", id: "lenet-arith" }, `${shown}${more} + ${fmt(bias)} = ${fmt(pre)}${act}`);
    }
    const count = el("p", { class: "hint", text: pool ? t("lenet.poolHint") : t(logits ? "lenet.termsLogits" : "lenet.terms", { n: terms.length }) });
    info.replaceChildren(head, sum, count);
    if (kernelEl) info.append(kernelEl);
  }

  function mapWhere(l) {
    const per = l.side * l.side;
    const [m, y, x] = [Math.floor(sel.unit / per), Math.floor((sel.unit % per) / l.side), sel.unit % l.side];
    const rf = receptiveField(l.key, y, x);
    return t("lenet.mapUnit", { m: m + 1, y: y + 1, x: x + 1, h: rf[1] - rf[0], w: rf[3] - rf[2] });
  }

  /** The unit, its inputs one layer down (one box per map around the window), and its
   *  receptive field on the input. Redrawn only when the selection changes. */
  function drawBoxes(l, terms) {
    for (const b of view.querySelectorAll(".box")) b.remove();
    for (const g of view.querySelectorAll(".layer")) g.classList.toggle("selected", g.dataset.layer === sel.layer);
    if (l.maps) {
      const per = l.side * l.side;
      const [m, y, x] = [Math.floor(sel.unit / per), Math.floor((sel.unit % per) / l.side), sel.unit % l.side];
      const c = canvases[l.key][m];
      box(c.wrap, c.w, c.h, [y, y + 1, x, x + 1], "sel");
      box(canvases.input[0].wrap, 28, 28, receptiveField(l.key, y, x), "rf");
    } else {
      const c = canvases[l.key][0];
      box(c.wrap, c.w, c.h, [Math.floor(sel.unit / c.w), Math.floor(sel.unit / c.w) + 1, sel.unit % c.w, (sel.unit % c.w) + 1], "sel");
    }
    const below = LAYERS.find((q) => q.key === BELOW[sel.layer]);
    if (!below.maps) return;
    const per = below.side * below.side;
    const spans = new Map(); // map -> [y0, y1, x0, x1] around the cells read there
    for (const { index } of terms) {
      const m = Math.floor(index / per);
      const [y, x] = [Math.floor((index % per) / below.side), index % below.side];
      const r = spans.get(m) ?? [y, y + 1, x, x + 1];
      spans.set(m, [Math.min(r[0], y), Math.max(r[1], y + 1), Math.min(r[2], x), Math.max(r[3], x + 1)]);
    }
    for (const [m, r] of spans) box(canvases[below.key][m].wrap, below.side, below.side, r, "feed");
  }

  /** A fully connected unit's weights, laid out like the layer they read (S4's 16 maps of
   *  5×5 for F5, a strip otherwise). */
  function denseWeights(terms) {
    const w = el("div", { class: "kernels" }, el("span", { class: "hint", text: t("lenet.denseWeights", { n: terms.length }) + " " }));
    const max = Math.max(...terms.map((q) => Math.abs(q.w)), 1e-6);
    const fromS4 = terms.length === 400;
    const c = el("canvas", { width: String(fromS4 ? 40 : 12), height: String(fromS4 ? 10 : Math.ceil(terms.length / 12)), class: "dense-weights" });
    const ctx = c.getContext("2d");
    terms.forEach((q, i) => {
      ctx.fillStyle = diverging(q.w / max);
      // S4 is [16, 5, 5]: maps side by side, 8 per row of 5×5 blocks.
      const [x, y] = fromS4 ? [(Math.floor(i / 25) % 8) * 5 + (i % 5), Math.floor(i / 200) * 5 + Math.floor((i % 25) / 5)] : [i % 12, Math.floor(i / 12)];
      ctx.fillRect(x, y, 1, 1);
    });
    w.append(c);
    return w;
  }

  /** The weights this unit applies, one 5×5 kernel per input map (for C1 / C3). */
  function kernels(terms, maps) {
    const w = el("div", { class: "kernels" }, el("span", { class: "hint", text: t("lenet.weights") + " " }));
    const max = Math.max(...terms.map((q) => Math.abs(q.w)), 1e-6);
    // Padding-clipped windows (C1's edges) have fewer than 25 taps: show what exists.
    const per = Math.ceil(terms.length / maps);
    for (let m = 0; m < maps; m++) {
      const c = el("canvas", { width: "5", height: "5", class: "kernel" });
      const ctx = c.getContext("2d");
      terms.slice(m * per, (m + 1) * per).forEach((q, i) => {
        ctx.fillStyle = diverging(q.w / max);
        ctx.fillRect(i % 5, Math.floor(i / 5), 1, 1);
      });
      w.append(c);
    }
    return w;
  }

  function select(layer, unit) {
    sel = { layer, unit: Math.max(0, Math.min(UNITS[layer] - 1, unit)) };
    boxesFor = null;
    setState({ layer, unit: sel.unit });
  }

  // Pointing at a unit selects it.
  layersEl.addEventListener("pointermove", (e) => {
    const c = e.target.closest("canvas");
    const g = e.target.closest(".layer");
    if (!c || !g || g.dataset.layer === "input" || !net) return;
    const l = LAYERS.find((q) => q.key === g.dataset.layer);
    const r = c.getBoundingClientRect();
    const [cx, cy] = [Math.floor(((e.clientX - r.left) / r.width) * c.width), Math.floor(((e.clientY - r.top) / r.height) * c.height)];
    const unit = l.maps ? Number(c.dataset.map) * l.side * l.side + cy * l.side + cx : cy * l.cols + cx;
    if (unit < UNITS[l.key] && (l.key !== sel.layer || unit !== sel.unit)) select(l.key, unit);
  });
  // Keyboard: Tab to a layer, arrows move within a map, PageUp / PageDown change map.
  layersEl.addEventListener("keydown", (e) => {
    const g = e.target.closest(".layer");
    if (!g || g.dataset.layer === "input") return;
    const l = LAYERS.find((q) => q.key === g.dataset.layer);
    const u = g.dataset.layer === sel.layer ? sel.unit : 0;
    const side = l.side ?? l.cols;
    const per = l.maps ? side * side : UNITS[l.key];
    const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -side, ArrowDown: side, PageUp: -per, PageDown: per, Home: -u, End: UNITS[l.key] - 1 - u };
    if (!(e.key in moves)) return;
    e.preventDefault();
    select(l.key, u + moves[e.key]);
  });
  layersEl.addEventListener("focusin", (e) => {
    const g = e.target.closest(".layer");
    if (g && g.dataset.layer !== "input" && g.dataset.layer !== sel.layer) select(g.dataset.layer, 0);
  });

  // Drawing: a round pen of radius 1.4 pixels with a soft edge.
  let drawing = null;
  function stroke(e) {
    const r = pad.getBoundingClientRect();
    const [px, py] = [((e.clientX - r.left) / r.width) * 28, ((e.clientY - r.top) / r.height) * 28];
    const from = drawing.last ?? [px, py];
    const steps = Math.max(1, Math.ceil(Math.hypot(px - from[0], py - from[1]) * 2));
    for (let s = 1; s <= steps; s++) {
      const [x, y] = [from[0] + ((px - from[0]) * s) / steps, from[1] + ((py - from[1]) * s) / steps];
      for (let yy = Math.floor(y - 2); yy <= y + 2; yy++) {
        for (let xx = Math.floor(x - 2); xx <= x + 2; xx++) {
          if (xx < 0 || yy < 0 || xx > 27 || yy > 27) continue;
          const d = Math.hypot(xx + 0.5 - x, yy + 0.5 - y);
          const v = Math.max(0, Math.min(1, (2.0 - d) / 1.2));
          const i = yy * 28 + xx;
          ink[i] = drawing.erase ? Math.min(ink[i], 1 - v) : Math.max(ink[i], v);
        }
      }
    }
    drawing.last = [px, py];
    schedule();
  }
  pad.addEventListener("pointerdown", (e) => {
    drawing = { erase: e.shiftKey || e.button === 2, last: null };
    kept = { digit: shownDigit, ink };
    pad.setPointerCapture(e.pointerId);
    truth.textContent = t("lenet.drawn");
    stroke(e);
    e.preventDefault();
  });
  pad.addEventListener("pointermove", (e) => drawing && stroke(e));
  const stop = () => (drawing = null);
  pad.addEventListener("pointerup", stop);
  pad.addEventListener("pointercancel", stop);
  pad.addEventListener("contextmenu", (e) => e.preventDefault());
  clear.addEventListener("click", () => {
    kept = { digit: shownDigit, ink };
    ink.fill(0);
    truth.textContent = "";
    schedule();
  });

  async function showDigit(i) {
    const bytes = await testDigits(i);
    const at = i * 785;
    for (let p = 0; p < 784; p++) ink[p] = bytes[at + 1 + p] / 255;
    truth.textContent = t("lenet.label", { n: i + 1, d: bytes[at] });
    truth.dataset.label = String(bytes[at]);
    pick.value = String(i);
    schedule();
  }
  next.addEventListener("click", () => setState({ digit: (Number(pick.value) + 1) % 100 }));
  pick.addEventListener("change", () => setState({ digit: Number(pick.value) }));

  // Which network: the shipped one, or a snapshot of the one training, renewed every 2 s.
  let which = null;
  let refresh = null;
  async function useNet(kind) {
    which = kind;
    source.value = kind;
    clearInterval(refresh);
    let n = kind === "trained" ? await trainedLenet() : null;
    const note = () => (kind !== "trained" ? "" : !n ? t("lenet.net.none") : session.status === "done" ? t("lenet.net.finished") : t("lenet.net.live"));
    sourceNote.textContent = note();
    if (n) {
      refresh = setInterval(async () => {
        sourceNote.textContent = note();
        if (session.status !== "running") return;
        const fresh = await trainedLenet();
        if (fresh && which === "trained") {
          if (net !== shipped) net?.free();
          net = fresh;
          boxesFor = null;
          schedule();
        }
      }, 2000);
    }
    n ??= shipped;
    if (net && net !== shipped && net !== n) net.free();
    net = n;
    boxesFor = null;
    schedule();
  }
  let shipped = null;

  let shownDigit = -1;
  function setMode(mode) {
    if (box3d.hidden !== (mode !== "3d")) boxesFor = null;
    box3d.hidden = mode !== "3d";
    layersEl.hidden = mode === "3d";
    for (const m of ["flat", "3d"]) modeBtn[m].setAttribute("aria-pressed", String(m === mode));
    if (mode === "3d" && !r3d) {
      r3d = create3d(canvas3d);
      if (r3d) {
        wire3d();
      } else {
        // No WebGL 2 (a blocklisted GPU, Firefox headless): say so, with no blank box to tab into.
        canvas3d.hidden = true;
        hint3d.textContent = t("lenet.no3d");
      }
    }
  }

  function wire3d() {
    let drag = null;
    canvas3d.addEventListener("pointerdown", (e) => {
      drag = { x: e.clientX, y: e.clientY, moved: false };
      canvas3d.setPointerCapture(e.pointerId);
    });
    canvas3d.addEventListener("pointermove", (e) => {
      if (!drag) return;
      const [dx, dy] = [e.clientX - drag.x, e.clientY - drag.y];
      if (Math.abs(dx) + Math.abs(dy) > 2) drag.moved = true;
      r3d.orbit(dx * 0.01, dy * 0.01);
      [drag.x, drag.y] = [e.clientX, e.clientY];
    });
    canvas3d.addEventListener("pointerup", (e) => {
      if (drag && !drag.moved) {
        const r = canvas3d.getBoundingClientRect();
        const hit = r3d.pick(e.clientX - r.left, e.clientY - r.top);
        if (hit && hit[0] !== "input") select(hit[0], hit[1]);
      }
      drag = null;
    });
    canvas3d.addEventListener("wheel", (e) => {
      e.preventDefault();
      r3d.orbit(0, 0, e.deltaY > 0 ? 1.1 : 1 / 1.1);
    }, { passive: false });
    // Keyboard: arrows orbit, + and - zoom, [ and ] step through the selected layer's units.
    canvas3d.addEventListener("keydown", (e) => {
      const keys = { ArrowLeft: [-0.1, 0, 1], ArrowRight: [0.1, 0, 1], ArrowUp: [0, -0.1, 1], ArrowDown: [0, 0.1, 1], "+": [0, 0, 1 / 1.1], "=": [0, 0, 1 / 1.1], "-": [0, 0, 1.1] };
      if (keys[e.key]) {
        e.preventDefault();
        r3d.orbit(...keys[e.key]);
      } else if (e.key === "[" || e.key === "]") {
        e.preventDefault();
        select(sel.layer, sel.unit + (e.key === "]" ? 1 : -1));
      }
    });
  }

  async function update(s) {
    setMode(s.mode);
    if (s.net !== which && shipped) await useNet(s.net);
    sel = { layer: s.layer, unit: Math.min(s.unit, UNITS[s.layer] - 1) };
    if (s.digit !== shownDigit) {
      const drawn = shownDigit === -1 && kept?.digit === s.digit ? kept.ink : null;
      shownDigit = s.digit;
      if (drawn) {
        ink.set(drawn);
        kept = { digit: s.digit, ink };
        truth.textContent = t("lenet.drawn");
        schedule();
      } else {
        kept = null;
        await showDigit(s.digit);
      }
    } else if (net) explain();
  }

  loadShippedLenet()
    .then(async (n) => {
      shipped = n;
      await update(state);
      run();
      view.dataset.ready = "true";
    })
    .catch((e) => info.replaceChildren(el("p", { class: "error", role: "alert", text: e.message })));

  return {
    update,
    destroy() {
      clearInterval(refresh);
      if (net && net !== shipped) net.free();
      view.remove();
    },
  };
}
