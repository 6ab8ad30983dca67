// The LeNet-5 view's unit panel: where the selected unit sits (its map, row, column and
// receptive field), its value written out as the course's arithmetic, and the weights it
// applies. The numbers are wasm's (`Lenet.explain`).

import { t } from "../../i18n.js";
import { el } from "../../dom.js";
import { fmt } from "../../format.js";
import { diverging } from "../../palette.js";
import { BELOW, layerOf, position, receptiveField } from "./geometry.js";

/** `net.explain(layer, unit)` read once: { bias, pre, value, terms: [{ index, x, w }] }. */
export function explainUnit(net, { layer, unit }) {
  const e = net.explain(layer, unit); // [bias, pre, value, (index, x, w)...]
  const terms = [];
  for (let i = 3; i < e.length; i += 3) terms.push({ index: e[i], x: e[i + 1], w: e[i + 2] });
  return { bias: e[0], pre: e[1], value: e[2], terms };
}

const isPool = (layer) => layerOf(layer).kind === "pool";

/** "Map m, row y, column x", with the size of its receptive field; or the dense unit's number. */
function where(sel) {
  const l = layerOf(sel.layer);
  if (!l.maps) return sel.layer === "logits" ? t("lenet.logitUnit", { d: l.classes?.[sel.unit] ?? sel.unit }) : t("lenet.denseUnit", { u: sel.unit + 1 });
  const [m, y, x] = position(l, sel.unit);
  const rf = receptiveField(l.key, y, x);
  return t("lenet.mapUnit", { m: m + 1, y: y + 1, x: x + 1, h: rf[1] - rf[0], w: rf[3] - rf[2] });
}

/** The arithmetic: max / mean of a pooling window, or the products, bias and activation. */
function arithmetic(sel, { bias, pre, value, terms }) {
  const l = layerOf(sel.layer);
  const act = l.activation ? ` → ${l.activation}: ${fmt(value)}` : "";
  if (isPool(sel.layer)) return `${l.pool === "max" ? "max" : "mean"}(${terms.map((q) => fmt(q.x)).join(", ")}) = ${fmt(pre)}${act}`;
  const shown = terms.slice(0, 12).map((q) => `${fmt(q.x, true)}*${fmt(q.w, true)}`).join("+");
  const more = terms.length > 12 ? `+…(${t("lenet.moreTerms", { n: terms.length - 12 })})` : "";
  return `${shown}${more} + ${fmt(bias)} = ${fmt(pre)}${act}`;
}

/** A fully connected unit's weights, laid out like the layer they read (F5 reads S4's 16
 *  maps of 5×5: 8 maps a row), a strip of 12 a row when that layer is not maps. */
function denseWeights(terms, below) {
  const w = el("div", { class: "kernels" }, el("span", { class: "hint", text: t("lenet.denseWeights", { n: terms.length }) + " " }));
  const max = Math.max(...terms.map((q) => Math.abs(q.w)), 1e-6);
  const maps = below.maps && below.maps * below.h * below.w === terms.length;
  const [per, across] = maps ? [below.h * below.w, Math.min(8, below.maps)] : [0, 0];
  const width = maps ? across * below.w : 12;
  const height = maps ? Math.ceil(below.maps / across) * below.h : Math.ceil(terms.length / 12);
  const c = el("canvas", { width: String(width), height: String(height), class: "dense-weights" });
  const ctx = c.getContext("2d");
  terms.forEach((q, i) => {
    ctx.fillStyle = diverging(q.w / max);
    const m = Math.floor(i / per);
    const [x, y] = maps ? [(m % across) * below.w + ((i % per) % below.w), Math.floor(m / across) * below.h + Math.floor((i % per) / below.w)] : [i % 12, Math.floor(i / 12)];
    ctx.fillRect(x, y, 1, 1);
  });
  w.append(c);
  return w;
}

/** The weights this unit applies, one kh × kw kernel per input map (5×5 for C1 / C3). */
function kernels(terms, maps, kh, kw) {
  const w = el("div", { class: "kernels" }, el("span", { class: "hint", text: t("lenet.weights") + " " }));
  const max = Math.max(...terms.map((q) => Math.abs(q.w)), 1e-6);
  // Padding-clipped windows (C1's edges) have fewer taps: show what exists.
  const per = Math.ceil(terms.length / maps);
  for (let m = 0; m < maps; m++) {
    const c = el("canvas", { width: String(kw), height: String(kh), class: "kernel" });
    const ctx = c.getContext("2d");
    terms.slice(m * per, (m + 1) * per).forEach((q, i) => {
      ctx.fillStyle = diverging(q.w / max);
      ctx.fillRect(i % kw, Math.floor(i / kw), 1, 1);
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
      const [l, below] = [layerOf(sel.layer), layerOf(BELOW[sel.layer])];
      weightsEl = isPool(sel.layer) ? null : l.maps ? kernels(terms, below.maps, l.kh, l.kw) : denseWeights(terms, below);
    },
    show(sel, unit) {
      const pool = isPool(sel.layer);
      const head = el("p", { class: "unit-head" }, el("strong", { text: layerOf(sel.layer).name }), ` ${where(sel)}`);
      if (pool && layerOf(sel.layer).pool === "max") head.append(" ", t("lenet.winner", { v: fmt(unit.terms.reduce((a, b) => (b.x > a.x ? b : a)).x) }));
      const sum = el("p", { class: "arith", id: "lenet-arith" }, arithmetic(sel, unit));
      const count = el("p", { class: "hint", text: pool ? t("lenet.poolHint") : t(sel.layer === "logits" ? "lenet.termsLogits" : "lenet.terms", { n: unit.terms.length }) });
      info.replaceChildren(head, sum, count);
      if (weightsEl) info.append(weightsEl);
    },
  };
}
