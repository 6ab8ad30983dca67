// The long-range experiment's result, measured: the accuracy of the language named after
// 流利的 against the gap (in characters) since the country, one curve per cell, read from each
// model's metadata (`accuracy_by_gap`, written by `nnplay train-longrange`), with chance.

import { t } from "../../i18n.js";
import { el } from "../../dom.js";
import { COLORS } from "../../palette.js";

const SVG = "http://www.w3.org/2000/svg";
const svg = (tag, attrs) => {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
};
const COLOR = { rnn: COLORS.slate, gru: COLORS.blue, lstm: COLORS.orange };
// The GRU dashed, drawn over the LSTM: where both are right every time their lines coincide.
const DASH = { gru: "7 5" };

/** The chart for `models` ([[name, LanguageModel]]); null if none carries a curve. */
export function gapCurves(models) {
  const curves = models.map(([name, lm]) => {
    try {
      return { name, cell: lm.cell, points: JSON.parse(lm.meta("accuracy_by_gap") ?? "null"), chance: Number(lm.meta("chance")) };
    } catch {
      return null; // a file whose curve does not parse has none to show
    }
  });
  const chart = gapChart(curves);
  return chart && el("div", { class: "lm-gap" }, el("h3", { text: t("lm.curves") }), chart.svg, chart.legend);
}

/** The chart of `curves` ([{name, cell, points: [{from, to, accuracy}], chance}]) as
 *  {svg, legend}; null if none has points. */
export function gapChart(all) {
  const curves = all.filter((c) => Array.isArray(c?.points) && c.points.length);
  if (!curves.length) return null;
  const [w, h, left, bottom] = [560, 220, 44, 34];
  const maxGap = Math.max(...curves.flatMap((c) => c.points.map((p) => p.to)));
  const X = (gap) => left + ((w - left - 12) * gap) / maxGap;
  const Y = (acc) => 10 + (h - bottom - 10) * (1 - acc);
  const chart = svg("svg", { viewBox: `0 0 ${w} ${h}`, width: w, height: h, class: "lm-curves", role: "img", "aria-label": t("lm.curvesLabel", { summary: curves.map((c) => `${c.name}: ${c.points.map((p) => Math.round(p.accuracy * 100) + "%").join(", ")}`).join("; ") }) });
  for (const a of [0, 0.25, 0.5, 0.75, 1]) {
    chart.append(svg("line", { x1: left, x2: w - 12, y1: Y(a), y2: Y(a), stroke: COLORS.line }));
    const label = svg("text", { x: left - 6, y: Y(a) + 4, "text-anchor": "end", "font-size": 11, fill: COLORS.muted });
    label.textContent = `${a * 100}%`;
    chart.append(label);
  }
  const axis = svg("text", { x: (left + w) / 2, y: h - 6, "text-anchor": "middle", "font-size": 11, fill: COLORS.muted });
  axis.textContent = t("lm.curvesGap");
  chart.append(axis);
  const chance = curves[0].chance;
  if (Number.isFinite(chance)) chart.append(svg("line", { x1: left, x2: w - 12, y1: Y(chance), y2: Y(chance), stroke: COLORS.muted, "stroke-dasharray": "4 4" }));
  // Elman, LSTM, then GRU on top (dashed).
  for (const c of [...curves].sort((a, b) => "rnn lstm gru".indexOf(a.cell) - "rnn lstm gru".indexOf(b.cell))) {
    const mid = c.points.map((p) => [X((p.from + p.to) / 2), Y(p.accuracy)]);
    chart.append(svg("polyline", { points: mid.map((q) => q.join(",")).join(" "), fill: "none", stroke: COLOR[c.cell] ?? COLORS.ink, "stroke-width": 2.5, "stroke-dasharray": DASH[c.cell] ?? "none" }));
  }
  const legend = el("p", { class: "hint" }, ...curves.map((c) => el("span", { class: `lm-legend lm-legend-${c.cell}`, text: c.name })), " " + t("lm.curvesChance"));
  return { svg: chart, legend };
}
