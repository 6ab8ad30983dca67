// The RNN view's wiring diagram of the selected cell (layouts in shapes.js): one hidden unit's
// values at the step just computed on every wire, unit and junction, coloured always and
// written as numbers (visible, and in each part's <title> for hover); vectors as strips of
// coloured cells. The SVG is built once per kind of cell and then only repainted, so a step
// changes colours in place and the CSS transitions (delayed by each part's place in the
// computation order, --order) show the values flowing through the cell.

import { t } from "../../i18n.js";
import { el, svg } from "../../dom.js";
import { fmt } from "../../format.js";
import { diverging } from "../../palette.js";
import { shape } from "./shapes.js";
import { ORDER, shapeOf, stepValues } from "./stepvalues.js";
import { describe, termName } from "./diagramtext.js";

// The state strips whose cells are units of this layer: a click follows that unit.
const STATES = new Set(["hprev", "cprev", "hvec"]);

/** A label with a subscript ("c", "t−1"), as <text> (dy, not baseline-shift, which Firefox
 *  does not apply to SVG text). */
function symbol(x, y, label, attrs = {}) {
  const text = svg("text", { x, y, ...attrs });
  if (typeof label === "string") {
    text.textContent = label;
    return text;
  }
  text.append(label[0]);
  text.append(svg("tspan", { dy: 4, "font-size": "75%" }, label[1]));
  return text;
}

/** Draws one part into `g`; returns what paint() updates: { fill, text } elements. */
function drawPart(p, g) {
  switch (p.type) {
    case "strip": {
      const label = p.label ? symbol(p.x, p.y - 5, p.label, { class: "dia-label" }) : null;
      if (label) g.append(label);
      const cells = svg("g", { class: "cells" });
      g.append(svg("rect", { x: p.x, y: p.y, width: p.w, height: p.small ? 14 : p.h, class: "frame" }), cells);
      return { cells, label };
    }
    case "chip": {
      const fill = svg("rect", { x: p.x, y: p.y, width: p.w, height: p.h, rx: 4, class: "fill" });
      const text = svg("text", { x: p.x + p.w / 2, y: p.y + 16, "text-anchor": "middle", class: "value" });
      g.append(symbol(p.x + (p.out ? p.w / 2 : 0), p.y - 6, p.label, { class: "dia-label", "text-anchor": p.out ? "middle" : "start" }), fill, text);
      return { fill, text };
    }
    case "unit": {
      const fill = svg("rect", { x: p.cx - 31, y: p.cy - 21, width: 62, height: 42, rx: 6, class: "fill" });
      const text = svg("text", { x: p.cx, y: p.cy + 14, "text-anchor": "middle", class: "value" });
      const name = p.fnName ? t(`rnn.hact.${p.name}`) : p.name;
      g.append(fill, symbol(p.cx, p.cy - 3, name, { "text-anchor": "middle", class: "name" }), text);
      g.append(svg("text", { x: p.cx - 31, y: p.cy - 25, class: "fn" }, p.fn));
      return { fill, text };
    }
    case "junction": {
      const fill = svg("circle", { cx: p.cx, cy: p.cy, r: 13, class: "fill" });
      g.append(fill, svg("text", { x: p.cx, y: p.cy + 5, "text-anchor": "middle", class: p.op === "1−" ? "op small" : "op" }, p.op));
      const at = { above: [p.cx, p.cy - 18, "middle"], below: [p.cx, p.cy + 30, "middle"], left: [p.cx - 8, p.cy - 22, "end"], right: [p.cx + 18, p.cy + 4, "start"] }[p.at];
      const text = at ? svg("text", { x: at[0], y: at[1], "text-anchor": at[2], class: "value" }) : null;
      if (text) g.append(text);
      return { fill, text };
    }
    case "wire": {
      if (p.hop) g.append(svg("path", { d: p.d, class: "halo" }));
      const core = svg("path", { d: p.d, class: "core" });
      // A bus ends where its last riser leaves it: no arrowhead there.
      if (!p.bus) core.setAttribute("marker-end", "url(#dia-arrow)");
      if (!p.vec) g.append(svg("path", { d: p.d, class: "case" }));
      g.append(core);
      return { stroke: p.vec ? null : core };
    }
    case "dot":
      g.append(svg("circle", { cx: p.cx, cy: p.cy, r: 3.5 }));
      return {};
    case "note":
      g.append(svg("text", { x: p.x, y: p.y, "text-anchor": p.anchor ?? "middle" }, t(p.key)));
      return {};
  }
}

/** The <svg> of layout `lay`, and its parts each with what to repaint. */
function build(lay, shapeName) {
  const root = svg("svg", { viewBox: `0 0 ${lay.w} ${lay.h}`, class: "diagram-svg", role: "img", tabindex: 0 });
  const defs = svg("defs");
  // In user units: sized by the stroke (the default), a 3.5-wide wire's head was 17 units long.
  const marker = svg("marker", { id: "dia-arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 9, markerHeight: 9, markerUnits: "userSpaceOnUse", orient: "auto-start-reverse" });
  marker.append(svg("path", { d: "M0,0 L10,5 L0,10 z" }));
  defs.append(marker);
  root.append(defs);
  const order = ORDER[shapeName];
  const parts = [];
  // Wires first, so units and junctions sit on top of their ends.
  const rank = (p) => (p.type === "wire" ? 0 : p.type === "dot" ? 1 : 2);
  for (const p of [...lay.parts].sort((a, b) => rank(a) - rank(b))) {
    const cls = [`dia-${p.type}`, p.vec && "vec", p.diff && "diff", p.dashed && "dashed", p.out && "out"].filter(Boolean).join(" ");
    const g = svg("g", { class: cls });
    if (p.term) {
      // h_t's strip lights with h_t: formulas.js has one term for both.
      g.dataset.term = p.term === "hvec" ? "h" : p.term;
      // Parts of the same term change together, in the order the cell computes them.
      g.style.setProperty("--order", String(Math.max(0, order.indexOf(p.term === "hvec" ? "h" : p.term))));
      g.append(svg("title"));
    }
    parts.push({ p, g, ...drawPart(p, g) });
    root.append(g);
  }
  return { root, parts };
}

/** A strip's cells for `values` (rebuilt only when their number changes). */
function paintStrip(part, values, unit, H) {
  const { p, cells } = part;
  const n = values ? values.length : 0;
  if (cells.querySelectorAll("rect").length !== n) {
    cells.replaceChildren();
    for (let k = 0; k < n; k++) {
      const c = svg("rect", { x: p.x + 1 + (k * (p.w - 2)) / n, y: p.y + 1, width: Math.max(1, (p.w - 2) / n - 1), height: (p.small ? 14 : p.h) - 2 });
      c.append(svg("title"));
      cells.append(c);
      // Elman's and Jordan's two outputs have room for their numbers.
      if (p.numbers) cells.append(svg("text", { x: p.x + ((k + 0.5) * p.w) / n, y: p.y + 14, "text-anchor": "middle", class: "value" }));
    }
  }
  const followable = STATES.has(p.term) && n === H;
  const texts = cells.querySelectorAll("text");
  texts.forEach((x, k) => (x.textContent = fmt(values[k])));
  const name = termName(p.term);
  cells.querySelectorAll("rect").forEach((c, k) => {
    // A trained network's strips have hundreds of cells, most unchanged from the step
    // before: only what changed is written.
    const v = fmt(values[k]);
    if (c.shown !== v) {
      c.shown = v;
      c.style.fill = diverging(values[k]);
      c.firstChild.textContent = `${name}[${k + 1}] = ${v}`;
    }
    c.classList.toggle("followed", followable && k === unit);
    if (followable) c.dataset.unit = String(k);
  });
  if (values) part.g.dataset.values = values.map((v) => v.toPrecision(6)).join(",");
  else delete part.g.dataset.values;
  part.g.querySelector("title").textContent = values ? `${termName(p.term)} = [${values.map((v) => fmt(v)).join(", ")}]` : termName(p.term);
}

/** One scalar part: its colour, number, title and data-value (the tests read it). */
function paintScalar(part, v) {
  const { p, g, fill, text, stroke } = part;
  const known = v !== undefined;
  if (fill) fill.style.fill = known ? diverging(v) : "";
  if (stroke) stroke.style.stroke = known ? diverging(v) : "";
  if (text) text.textContent = known ? fmt(v) : "";
  if (known) g.dataset.value = v.toPrecision(6);
  else delete g.dataset.value;
  g.querySelector("title").textContent = known ? `${termName(p.term)} = ${fmt(v)}` : termName(p.term);
}

/** Above layer 1 the input strip carries the layer below's h_t, and says so. */
function inputLabel(drawn, l) {
  const label = drawn.parts.find((q) => q.p.term === "x" && q.label)?.label;
  if (!label || label.dataset.layer === String(l)) return;
  label.dataset.layer = String(l);
  label.replaceChildren(l ? "h" : "x", svg("tspan", { dy: 4, "font-size": "75%" }, "t"));
  if (l) label.append(svg("tspan", { dy: -4 }, ` ${t("rnn.dia.fromBelow", { l })}`));
}

/** The diagram panel: `node` for the page, `show(run, unit)` at every update. */
export function cellDiagram() {
  const frame = el("div", { class: "diagram-frame" });
  const node = el("figure", { class: "diagram", id: "rnn-diagram" },
    el("figcaption", {}, el("strong", { text: t("rnn.dia.title") }), " ", el("span", { class: "hint" })), frame);
  let key = "";
  let drawn = null;
  return {
    node,
    /** The <svg> (focusable: ↑ ↓ follow another unit there). */
    get svg() {
      return drawn?.root;
    },
    show(run, unit) {
      const { s } = run;
      const name = shapeOf(s.cell);
      const k = `${s.cell}:${s.hact}:${s.nonlin}`;
      if (k !== key) {
        key = k;
        drawn = build(shape(s.cell, s.hact === "linear", s.nonlin === "relu"), name);
        frame.replaceChildren(drawn.root);
      }
      const values = stepValues(run, unit);
      inputLabel(drawn, values?.at.l ?? 0);
      for (const part of drawn.parts) {
        if (!part.p.term) continue;
        if (part.p.type === "strip") paintStrip(part, values?.vec[part.p.term], unit, s.hidden);
        else if (part.p.vec) part.g.querySelector("title").textContent = termName(part.p.term);
        else paintScalar(part, values?.val[part.p.term]);
      }
      drawn.root.setAttribute("aria-label", describe(run, unit, values));
      node.querySelector(".hint").textContent = t("rnn.dia.hint", { u: unit + 1, n: s.hidden });
    },
  };
}
