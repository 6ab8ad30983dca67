// ImageNet and the ILSVRC as context for the course: the facts the slides give, and the
// winners' top-5 classification error from 2010 to 2017 as a bar chart (SVG, drawn here,
// no library), with its sources written on the page.

import { t } from "../i18n.js";
import { el, svg } from "../dom.js";

// Winners of the ILSVRC classification task, top-5 error on the test set.
const WINNERS = [
  { year: 2010, team: "NEC-UIUC", net: "SIFT+SVM", error: 28.2 },
  { year: 2011, team: "XRCE", net: "Fisher+SVM", error: 25.8 },
  { year: 2012, team: "SuperVision", net: "AlexNet", error: 16.4 },
  { year: 2013, team: "Clarifai", net: "ZFNet", error: 11.7 },
  { year: 2014, team: "Google", net: "GoogLeNet", error: 6.7 },
  { year: 2015, team: "MSRA", net: "ResNet", error: 3.57 },
  { year: 2016, team: "Trimps-Soushen", net: "ensemble", error: 2.99 },
  { year: 2017, team: "WMW", net: "SENet", error: 2.25 },
];
// 2016's winner was a fusion of several networks, not one architecture: named in the UI language.
const netName = (w) => (w.net === "ensemble" ? t("ilsvrc.ensemble") : w.net);
const HUMAN = 5.1; // Russakovsky et al. 2015, §6.4: a trained annotator's top-5 error

export const schema = {};



export function mount(root) {
  const view = el("section", { class: "view ilsvrc", "aria-labelledby": "ilsvrc-title" });
  view.append(el("h2", { id: "ilsvrc-title", text: t("ilsvrc.title") }));
  const facts = el("ul", { class: "facts" });
  for (const k of ["images", "classes", "leader", "challenge"]) facts.append(el("li", { text: t(`ilsvrc.${k}`) }));
  view.append(facts);

  const [W, H, left, bottom, top] = [760, 340, 48, 56, 16];
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-labelledby": "ilsvrc-chart-title" });
  chart.append(svg("title", { id: "ilsvrc-chart-title" }, t("ilsvrc.chart")));
  const y = (e) => top + (H - top - bottom) * (1 - e / 30);
  for (const tick of [0, 5, 10, 15, 20, 25, 30]) {
    chart.append(svg("line", { x1: left, x2: W - 8, y1: y(tick), y2: y(tick), class: "grid-line" }));
    chart.append(svg("text", { x: left - 6, y: y(tick) + 4, class: "tick", "text-anchor": "end" }, `${tick}%`));
  }
  const slot = (W - left - 8) / WINNERS.length;
  WINNERS.forEach((w, i) => {
    const x = left + i * slot + slot * 0.18;
    const bar = svg("rect", { x, y: y(w.error), width: slot * 0.64, height: y(0) - y(w.error), class: w.year >= 2012 ? "bar cnn" : "bar", tabindex: 0 });
    bar.append(svg("title", {}, t("ilsvrc.bar", { year: w.year, team: w.team, net: netName(w), e: w.error })));
    chart.append(bar);
    chart.append(svg("text", { x: x + slot * 0.32, y: y(w.error) - 5, class: "val", "text-anchor": "middle" }, `${w.error}%`));
    chart.append(svg("text", { x: x + slot * 0.32, y: H - bottom + 16, class: "tick", "text-anchor": "middle" }, String(w.year)));
    // Every other name may drop a line (projector mode's large type would run neighbours together).
    chart.append(svg("text", { x: x + slot * 0.32, y: H - bottom + 32, class: i % 2 ? "net alt" : "net", "text-anchor": "middle" }, netName(w)));
  });
  chart.append(svg("line", { x1: left, x2: W - 8, y1: y(HUMAN), y2: y(HUMAN), class: "human" }));
  chart.append(svg("text", { x: W - 10, y: y(HUMAN) - 5, class: "human-label", "text-anchor": "end" }, t("ilsvrc.human", { e: HUMAN })));
  view.append(el("figure", { class: "chart-fig" }, chart, el("figcaption", { text: t("ilsvrc.caption") })));

  // The same numbers as a table, for screen readers and for copying into notes.
  const table = el("table", { class: "probs winners" });
  table.append(el("tr", {}, ...["year", "team", "net", "error"].map((k) => el("th", { text: t(`ilsvrc.col.${k}`) }))));
  for (const w of WINNERS) table.append(el("tr", {}, el("td", { text: String(w.year) }), el("td", { text: w.team }), el("td", { text: netName(w) }), el("td", { text: `${w.error}%` })));
  // In a frame of its own, which scrolls sideways on a phone instead of the page.
  view.append(el("div", { class: "scroll-x" }, table), el("p", { class: "sources", text: t("ilsvrc.sources") }));
  root.append(view);
  return { update() {}, destroy: () => view.remove() };
}
