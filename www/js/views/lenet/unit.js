// The LeNet-5 view's unit panel: where the selected unit sits (its map, row, column and
// receptive field), its value written out as the course's arithmetic, and the weights it
// applies. The numbers are wasm's (`Lenet.explain`).

import { t } from "../../i18n.js";
import { el } from "../../dom.js";
import { fmt } from "../../format.js";
import { diverging } from "../../palette.js";
import { layerOf, position, receptiveField } from "./geometry.js";

/** `net.explain(layer, unit)` read once: { bias, pre, value, terms: [{ index, x, w }] }. */
export function explainUnit(net, { layer, unit }) {
  const e = net.explain(layer, unit); // [bias, pre, value, (index, x, w)...]
  const terms = [];
  for (let i = 3; i < e.length; i += 3) terms.push({ index: e[i], x: e[i + 1], w: e[i + 2] });
  return { bias: e[0], pre: e[1], value: e[2], terms };
}

const isPool = (layer) => layer === "s2" || layer === "s4";

/** "Map m, row y, column x", with the size of its receptive field; or the dense unit's number. */
function where(sel) {
  const l = layerOf(sel.layer);
  if (!l.maps) return sel.layer === "logits" ? t("lenet.logitUnit", { d: sel.unit }) : t("lenet.denseUnit", { u: sel.unit + 1 });
  const [m, y, x] = position(l, sel.unit);
  const rf = receptiveField(l.key, y, x);
  return t("lenet.mapUnit", { m: m + 1, y: y + 1, x: x + 1, h: rf[1] - rf[0], w: rf[3] - rf[2] });
}

/** The arithmetic: max / mean of a pooling window, or the products, bias and activation. */
function arithmetic(net, sel, { bias, pre, value, terms }) {
  if (isPool(sel.layer)) return `${net.pooling === "max" ? "max" : "mean"}(${terms.map((q) => fmt(q.x)).join(", ")}) = ${fmt(value)}`;
  const shown = terms.slice(0, 12).map((q) => `${fmt(q.x, true)}*${fmt(q.w, true)}`).join("+");
  const more = terms.length > 12 ? `+…(${t("lenet.moreTerms", { n: terms.length - 12 })})` : "";
  const act = sel.layer === "logits" ? "" : ` → ${net.activation}: ${fmt(value)}`;
  return `${shown}${more} + ${fmt(bias)} = ${fmt(pre)}${act}`;
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

/** The panel, drawn into `info`. */
export function unitPanel(info) {
  let weightsEl = null;
  return {
    /** Makes the weights' picture: only for a new selection (or net), canvases are costly. */
    weights(sel, terms) {
      weightsEl = isPool(sel.layer) ? null : layerOf(sel.layer).maps ? kernels(terms, sel.layer === "c3" ? 6 : 1) : denseWeights(terms);
    },
    show(net, sel, unit) {
      const pool = isPool(sel.layer);
      const head = el("p", { class: "unit-head" }, el("strong", { text: t(`lenet.layer.${sel.layer}`) }), ` ${where(sel)}`);
      if (pool && net.pooling === "max") head.append(" ", t("lenet.winner", { v: fmt(unit.terms.reduce((a, b) => (b.x > a.x ? b : a)).x) }));
      const sum = el("p", { class: "arith", id: "lenet-arith" }, arithmetic(net, sel, unit));
      const count = el("p", { class: "hint", text: pool ? t("lenet.poolHint") : t(sel.layer === "logits" ? "lenet.termsLogits" : "lenet.terms", { n: unit.terms.length }) });
      info.replaceChildren(head, sum, count);
      if (weightsEl) info.append(weightsEl);
    },
  };
}
