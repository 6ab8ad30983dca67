// The LeNet-5 view's layer canvases: every layer's maps (or units) one pixel per unit, scaled
// up by CSS; boxes over the selected unit, over the inputs one layer down that feed it and
// over its receptive field on the input. Pointing at a unit, or arrow-keying to it, selects it.

import { el } from "../../dom.js";
import { LAYERS, UNITS, BELOW, layerOf, position, receptiveField } from "./geometry.js";
import { paint } from "./paint.js";

/** Places a highlight box over cells [y0, y1) × [x0, x1) of a map. */
function box(wrap, w, h, [y0, y1, x0, x1], cls) {
  const b = el("span", { class: `box ${cls}` });
  b.style.left = `${(x0 / w) * 100}%`;
  b.style.top = `${(y0 / h) * 100}%`;
  b.style.width = `${((x1 - x0) / w) * 100}%`;
  b.style.height = `${((y1 - y0) / h) * 100}%`;
  wrap.append(b);
}

/** CSS size of one map (or a dense layer's strip) of a student's network: every layer
 *  about as large on screen as LeNet-5's C1 (6 maps of 84 px), a cell at least 2 px. */
function displaySize(l, w, h) {
  const cell = l.units ? Math.max(2, Math.min(14, Math.floor(170 / w))) : Math.max(2, Math.min(4, Math.floor(Math.sqrt(42000 / (l.maps * w * h)))));
  return { width: `${w * cell}px`, height: `${h * cell}px` };
}

/** `selection()` is the selected { layer, unit }, `select(layer, unit)` changes it; pointing
 *  selects only once `ready()` (a net is loaded). */
export function layerCanvases({ selection, select, ready }) {
  const canvases = {}; // layer -> [{ canvas, wrap, w, h }] one per map
  const layersEl = el("div", { class: "layers" });
  for (const l of LAYERS) {
    const group = el("div", { class: `layer layer-${l.key}`, "data-layer": l.key, tabindex: l.key === "input" ? "-1" : "0", role: "group", "aria-label": l.name });
    const shape = l.units ? `${l.units}` : `${l.maps}@${l.h}×${l.w}`;
    group.append(el("h3", {}, l.name, el("span", { class: "shape", text: ` ${shape}` })));
    const maps = el("div", { class: "maps" });
    canvases[l.key] = [];
    for (let m = 0; m < (l.maps ?? 1); m++) {
      const w = l.units ? l.cols : l.w;
      const h = l.units ? Math.ceil(l.units / l.cols) : l.h;
      const c = el("canvas", { width: String(w), height: String(h), "data-map": String(m) });
      // LeNet-5's layers have their sizes in style.css; a student's are sized here.
      if (l.stage !== undefined || (l.key === "input" && l.h !== 28)) Object.assign(c.style, displaySize(l, w, h));
      const wrap = el("div", { class: "map" }, c);
      maps.append(wrap);
      canvases[l.key].push({ canvas: c, wrap, w, h });
    }
    group.append(maps);
    layersEl.append(group);
  }

  // Pointing at a unit selects it.
  layersEl.addEventListener("pointermove", (e) => {
    const c = e.target.closest("canvas");
    const g = e.target.closest(".layer");
    if (!c || !g || g.dataset.layer === "input" || !ready()) return;
    const sel = selection();
    const l = layerOf(g.dataset.layer);
    const r = c.getBoundingClientRect();
    const [cx, cy] = [Math.floor(((e.clientX - r.left) / r.width) * c.width), Math.floor(((e.clientY - r.top) / r.height) * c.height)];
    const unit = l.maps ? Number(c.dataset.map) * l.h * l.w + cy * l.w + cx : cy * l.cols + cx;
    if (unit < UNITS[l.key] && (l.key !== sel.layer || unit !== sel.unit)) select(l.key, unit);
  });
  // Keyboard: Tab to a layer, arrows move within a map, PageUp / PageDown change map.
  layersEl.addEventListener("keydown", (e) => {
    const g = e.target.closest(".layer");
    if (!g || g.dataset.layer === "input") return;
    const l = layerOf(g.dataset.layer);
    const sel = selection();
    const u = g.dataset.layer === sel.layer ? sel.unit : 0;
    const row = l.w ?? l.cols;
    const per = l.maps ? l.h * l.w : UNITS[l.key];
    const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -row, ArrowDown: row, PageUp: -per, PageDown: per, Home: -u, End: UNITS[l.key] - 1 - u };
    if (!(e.key in moves)) return;
    e.preventDefault();
    select(l.key, u + moves[e.key]);
  });
  layersEl.addEventListener("focusin", (e) => {
    const g = e.target.closest(".layer");
    if (g && g.dataset.layer !== "input" && g.dataset.layer !== selection().layer) select(g.dataset.layer, 0);
  });

  return {
    el: layersEl,

    /** Repaints every layer: the input from `ink`, the rest from `net`, each scaled to its
     *  largest magnitude. */
    paint(net, ink) {
      paint(canvases.input[0].canvas, ink, 1);
      for (const l of LAYERS.slice(1)) {
        const v = net[l.key](); // a view into wasm memory: read at once
        let scale = 1e-6;
        for (const x of v) scale = Math.max(scale, Math.abs(x));
        const per = l.units ?? l.h * l.w;
        canvases[l.key].forEach(({ canvas }, m) => paint(canvas, v.subarray(m * per, (m + 1) * per), scale));
      }
    },

    /** The unit, its inputs one layer down (one box per map around the window), and its
     *  receptive field on the input. Redrawn only when the selection changes. */
    drawBoxes(sel, terms) {
      const l = layerOf(sel.layer);
      for (const b of layersEl.querySelectorAll(".box")) b.remove();
      for (const g of layersEl.querySelectorAll(".layer")) g.classList.toggle("selected", g.dataset.layer === sel.layer);
      if (l.maps) {
        const [m, y, x] = position(l, sel.unit);
        const c = canvases[l.key][m];
        box(c.wrap, c.w, c.h, [y, y + 1, x, x + 1], "sel");
        const input = canvases.input[0];
        box(input.wrap, input.w, input.h, receptiveField(l.key, y, x), "rf");
      } else {
        const c = canvases[l.key][0];
        box(c.wrap, c.w, c.h, [Math.floor(sel.unit / c.w), Math.floor(sel.unit / c.w) + 1, sel.unit % c.w, (sel.unit % c.w) + 1], "sel");
      }
      const below = layerOf(BELOW[sel.layer]);
      if (!below.maps) return;
      const spans = new Map(); // map -> [y0, y1, x0, x1] around the cells read there
      for (const { index } of terms) {
        const [m, y, x] = position(below, index);
        const r = spans.get(m) ?? [y, y + 1, x, x + 1];
        spans.set(m, [Math.min(r[0], y), Math.max(r[1], y + 1), Math.min(r[2], x), Math.max(r[3], x + 1)]);
      }
      for (const [m, r] of spans) box(canvases[below.key][m].wrap, below.w, below.h, r, "feed");
    },
  };
}
