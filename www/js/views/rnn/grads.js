// The RNN view's gradient chart: ‖dLoss/dx_t‖ against steps back from the loss, log scale,
// for Elman, GRU and LSTM (wasm's `gradientNorms`): why gates matter.

import { t } from "../../i18n.js";
import { svg } from "../../dom.js";
import { seqWasm } from "../../wasm.js";

const KINDS = ["elman", "gru", "lstm"];

/** Draws the chart for `seed` into `host` (an element whose data-first gets each series'
 *  first value, for the tests). */
export function drawGrads(host, seed) {
  const T = 30;
  const series = KINDS.map((k) => Array.from(seqWasm().gradientNorms(k, T, 16, seed)));
  const [W, H, left, bottom] = [640, 240, 52, 34];
  const lg = (v) => Math.log10(Math.max(v, 1e-12));
  const all = series.flat().map(lg);
  const [lo, hi] = [Math.floor(Math.min(...all)), Math.ceil(Math.max(...all))];
  const X = (k) => left + ((W - left - 10) * k) / (T - 1);
  const Y = (v) => 10 + (H - bottom - 10) * (1 - (lg(v) - lo) / Math.max(1, hi - lo));
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart grads", role: "img", "aria-label": t("rnn.gradTitle") });
  for (let e = lo; e <= hi; e++) {
    const yy = Y(10 ** e);
    chart.append(svg("line", { x1: left, x2: W - 10, y1: yy, y2: yy, class: "grid-line" }));
    chart.append(svg("text", { x: left - 6, y: yy + 4, "text-anchor": "end", class: "tick" }, `1e${e}`));
  }
  for (const k of [0, 9, 19, 29]) chart.append(svg("text", { x: X(k), y: H - 12, "text-anchor": "middle", class: "tick" }, String(T - 1 - k)));
  chart.append(svg("text", { x: W / 2, y: H - 1, "text-anchor": "middle", class: "tick" }, t("rnn.gradAxis")));
  series.forEach((v, q) => {
    const d = v.map((n, k) => `${k ? "L" : "M"}${X(k).toFixed(1)},${Y(n).toFixed(1)}`).join(" ");
    chart.append(svg("path", { d, class: `series s${q}`, "data-kind": KINDS[q] }));
  });
  // Each label just above where its curve starts, one line (15 units, for 12px text) below
  // the one above it where curves start together (Elman's and the GRU's often do); then,
  // from the bottom up, kept above the axis.
  const LINE = 15;
  const labels = series.map((v, q) => ({ q, y: Y(v[0]) - 5 })).sort((a, b) => a.y - b.y);
  for (let i = 1; i < labels.length; i++) labels[i].y = Math.max(labels[i].y, labels[i - 1].y + LINE);
  for (let i = labels.length - 1; i >= 0; i--) labels[i].y = Math.min(labels[i].y, i === labels.length - 1 ? H - bottom - 4 : labels[i + 1].y - LINE);
  for (const l of labels) chart.append(svg("text", { x: X(0) + 4, y: l.y, class: `series-label s${l.q}` }, t(`rnn.cell.${KINDS[l.q]}`)));
  host.replaceChildren(chart);
  host.dataset.first = series.map((v) => v[0].toExponential(2)).join(",");
}
