// The RNN view's chain: the cell unrolled over time, one box a step with its hidden state h
// as a strip of coloured cells (a click on one follows that unit in the wiring diagram,
// diagram.js, which draws the folded cell itself); the inputs below, the outputs (Elman,
// Jordan) or the bidirectional layer's concatenated states above, and every wire, lit once
// the step it carries has been computed. An SVG, built once for a network and input and
// recoloured at each step.

import { t } from "../../i18n.js";
import { svg } from "../../dom.js";
import { fmt } from "../../format.js";
import { COLORS, diverging } from "../../palette.js";

/** The width of each of `n` cells of a strip `w` wide: a 1-unit gap between them while
 *  they are wider than 3 units (a trained network's hundreds of units touch). */
const cellWidth = (w, n) => (w / n > 3 ? w / n - 1 : w / n);

/** Where everything goes for run `run`: box sizes, the rows, and the x of each time step. */
function layout(run) {
  const { s, T, simple } = run;
  const D = simple ? 1 : s.bi + 1;
  const L = simple ? 1 : s.layers;
  const rows = L * D;
  const [cw, ch, gx, gy] = [86, 44, 34, 26];
  // Room above the top row: for the concatenated outputs, or for the recurrent wires' labels.
  const top = D > 1 ? 40 + ch + gy : 24;
  // Left of the chain: the rows' labels ("layer 2 ←"); Elman and Jordan have one row, unlabelled.
  const fold = simple ? 0 : 90;
  const rowY = (r) => top + (rows - 1 - r + (simple ? 1 : 0)) * (ch + gy);
  return {
    run, s, T, simple, D, L, rows, cw, ch, gy, fold,
    W: fold + 40 + T * (cw + gx),
    H: top + (rows + (simple ? 1 : 0)) * (ch + gy) + 36,
    xOf: (time) => fold + 24 + time * (cw + gx),
    rowY,
    inY: rowY(0) + ch + gy, // the inputs, along the bottom
    H_: s.hidden,
    // What the recurrent wire carries.
    feedback: s.cell === "jordan" ? "y" : s.cell === "peephole" ? "c" : s.cell === "lstm" || s.cell === "fc" ? "h, c" : "h",
  };
}

function inputs(root, { T, cw, xOf, inY, run }) {
  for (let time = 0; time < T; time++) {
    root.append(svg("rect", { x: xOf(time), y: inY, width: cw, height: 26, rx: 4, class: "xbox" }));
    root.append(svg("text", { x: xOf(time) + cw / 2, y: inY + 17, "text-anchor": "middle" }, run.seq.labels ? `x${time + 1} = "${run.seq.labels[time]}"` : `x${time + 1}`));
  }
}

/** A strip of `n` cells `w` wide at (x, y), `h` high, inside group `g`: its rects. */
function strip(g, x, y, w, h, n, cls) {
  return Array.from({ length: n }, (_, j) => g.appendChild(svg("rect", { x: x + (j * w) / n, y, width: cellWidth(w, n), height: h, fill: COLORS.empty, class: cls, "data-unit": j })));
}

/** Each layer and direction: a row of steps, with the recurrent wires and the wires up from
 *  below. Returns, per row, its step boxes: { g, cells, wire }. */
function hiddenRows(root, { s, T, simple, D, L, cw, ch, fold, xOf, rowY, inY, H_, feedback }) {
  const rows = [];
  for (let l = 0; l < L; l++) {
    for (let d = 0; d < D; d++) {
      const r = l * D + d;
      const y = rowY(r);
      const label = simple ? t(`rnn.cell.${s.cell}`) : `${t("rnn.layerN", { n: l + 1 })}${D > 1 ? (d ? " ←" : " →") : ""}`;
      if (!simple) root.append(svg("text", { x: fold - 4, y: y + ch / 2 + 4, class: "rowlabel", "text-anchor": "end" }, label));
      const boxes = [];
      for (let time = 0; time < T; time++) {
        const g = svg("g", { class: "cellbox", "data-row": r, "data-t": time });
        g.append(svg("rect", { x: xOf(time), y, width: cw, height: ch, rx: 6 }));
        // h as a strip of H coloured cells inside the box.
        const cells = strip(g, xOf(time) + 6, y + 8, cw - 12, ch - 16, H_, "hcell");
        root.append(g);
        // The recurrent wire to the next step in this direction.
        const nxt = d === 0 ? time + 1 : time - 1;
        let wire = null;
        // (Jordan's feedback runs from y_t, drawn with the outputs above, not from h_t.)
        if (nxt >= 0 && nxt < T && s.cell !== "jordan") {
          const [x1, x2] = d === 0 ? [xOf(time) + cw, xOf(nxt)] : [xOf(time), xOf(nxt) + cw];
          const yy = y + ch / 2;
          wire = root.appendChild(svg("line", { x1, y1: yy, x2, y2: yy, class: "wire rec", "marker-end": "url(#arrow)" }));
          root.append(svg("text", { x: (x1 + x2) / 2, y: yy - 4, "text-anchor": "middle", class: "wire-label" }, feedback));
        }
        // Input wire from below (the layer below, or x).
        const wx = xOf(time) + cw / 2 + (d ? 8 : -8);
        if (l === 0) root.append(svg("line", { x1: wx, y1: inY, x2: wx, y2: y + ch, class: "wire up", "marker-end": "url(#arrow)" }));
        else root.append(svg("line", { x1: wx, y1: rowY(r - (r % D) - 1), x2: wx, y2: y + ch, class: "wire up" }));
        boxes.push({ g, cells, wire });
      }
      rows.push({ l, d, boxes });
    }
  }
  return rows;
}

/** The top layer's output at each step of a bidirectional net, [forward h ; backward h]:
 *  per step { g, cells }. */
function concatRow(root, { T, rows, cw, ch, xOf, rowY, H_ }) {
  const y0 = 40 - 10;
  const out = [];
  for (let time = 0; time < T; time++) {
    const g = svg("g", { class: "concat", "data-t": time });
    g.append(svg("rect", { x: xOf(time), y: y0, width: cw, height: ch - 8, rx: 4 }));
    const cells = strip(g, xOf(time) + 4, y0 + 6, cw - 8, ch - 20, 2 * H_, "");
    g.append(svg("line", { x1: xOf(time) + cw / 2, y1: y0 + 4, x2: xOf(time) + cw / 2, y2: y0 + ch - 12, class: "concat-split" }));
    root.append(g);
    root.append(svg("line", { x1: xOf(time) + cw / 2, y1: rowY(rows - 1), x2: xOf(time) + cw / 2, y2: y0 + ch - 8, class: "wire up", "marker-end": "url(#arrow)" }));
    out.push({ g, cells });
  }
  root.append(svg("text", { x: 4, y: y0 + ch / 2, class: "rowlabel" }, t("rnn.concat")));
  return out;
}

/** Elman's and Jordan's outputs y_t above the hidden row (Jordan's feedback starts there):
 *  per step { box, text, wire }. */
function outputs(root, { s, T, cw, ch, gy, xOf, rowY }) {
  const y0 = rowY(0) - ch - gy + 10;
  const out = [];
  for (let time = 0; time < T; time++) {
    const box = root.appendChild(svg("rect", { x: xOf(time) + 10, y: y0, width: cw - 20, height: ch - 10, rx: 4, class: "ybox" }));
    const text = root.appendChild(svg("text", { x: xOf(time) + cw / 2, y: y0 + 21, "text-anchor": "middle" }, "y"));
    root.append(svg("line", { x1: xOf(time) + cw / 2, y1: rowY(0), x2: xOf(time) + cw / 2, y2: y0 + ch - 10, class: "wire up", "marker-end": "url(#arrow)" }));
    let wire = null;
    if (s.cell === "jordan" && time + 1 < T) {
      wire = root.appendChild(svg("path", { d: `M${xOf(time) + cw - 10},${y0 + 8} C${xOf(time) + cw + 20},${y0 + 8} ${xOf(time + 1) - 10},${rowY(0) - 20} ${xOf(time + 1) + 6},${rowY(0)}`, class: "wire rec jordan", "marker-end": "url(#arrow)" }));
    }
    out.push({ box, text, wire });
  }
  return out;
}

/** The chain's drawing for run `run`'s shape (built once; `paint` colours it per step). */
function build(run) {
  const g = layout(run);
  const root = svg("svg", { viewBox: `0 0 ${g.W} ${g.H}`, class: "chain-svg" });
  const defs = svg("defs");
  const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse" });
  marker.append(svg("path", { d: "M0,0 L10,5 L0,10 z" }));
  defs.append(marker);
  root.append(defs);
  inputs(root, g);
  const rows = hiddenRows(root, g);
  const concat = !g.simple && g.D > 1 ? concatRow(root, g) : null;
  const outs = g.simple ? outputs(root, g) : null;
  return { root, rows, concat, outs, T: g.T, H_: g.H_ };
}

/** Sets attribute `k` of `e` to `v` unless it already has it (most cells keep their colour
 *  from one step to the next). */
function set(e, k, v) {
  if (e.getAttribute(k) !== v) e.setAttribute(k, v);
}

/** Colours box `box`'s cells by `value(j)` if computed (else empty), unless they already
 *  show this run's values: a computed step's states never change while the run moves on, so
 *  a step forward recolours one box, not the whole chain. */
function fill(box, computed, run, value) {
  if (computed && box.shows === run) return;
  box.cells.forEach((rect, j) => set(rect, "fill", computed ? diverging(value(j)) : COLORS.empty));
  box.shows = computed ? run : null;
}

/** Colours drawing `c` as run `run` stands, unit `unit` marked. */
function paint(c, run, unit) {
  const { T, H_ } = c;
  const follow = c.unit !== unit;
  c.unit = unit;
  for (const { l, d, boxes } of c.rows) {
    const done = run.simple ? run.net.done : run.pos === 0 ? 0 : run.net.done(l, d);
    const hs = run.simple ? run.net.hidden() : run.net.hidden(l, d);
    boxes.forEach((box, time) => {
      const computed = d === 0 ? time < done : time >= T - done;
      const isLast = run.last && run.last.l === l && run.last.d === d && run.last.time === time;
      set(box.g, "class", `cellbox${computed ? " done" : ""}${isLast ? " last" : ""}`);
      fill(box, computed, run, (j) => hs[time * H_ + j]);
      if (follow) box.cells.forEach((rect, j) => set(rect, "class", j === unit ? "hcell followed" : "hcell"));
      if (box.wire) set(box.wire, "class", `wire rec${computed ? " on" : ""}`);
    });
  }
  if (c.concat) {
    const l = run.s.layers - 1;
    const [hf, hb] = [run.net.hidden(l, 0), run.net.hidden(l, 1)];
    const [df, db] = run.pos === 0 ? [0, 0] : [run.net.done(l, 0), run.net.done(l, 1)];
    c.concat.forEach((box, time) => {
      const ready = time < df && time >= T - db;
      set(box.g, "class", `concat${ready ? " done" : ""}`);
      fill(box, ready, run, (j) => (j < H_ ? hf[time * H_ + j] : hb[time * H_ + j - H_]));
    });
  }
  if (c.outs) {
    const ys = run.net.output();
    c.outs.forEach(({ box, text, wire }, time) => {
      const computed = time < run.net.done;
      set(box, "class", `ybox${computed ? " done" : ""}`);
      const label = computed ? `y = ${fmt(ys[time * 2])}, ${fmt(ys[time * 2 + 1])}` : "y";
      if (text.textContent !== label) text.textContent = label;
      if (wire) set(wire, "class", `wire rec jordan${computed ? " on" : ""}`);
    });
  }
}

/** The chain in element `into`: drawn anew when the run's shape changes (another network,
 *  sequence or text), only recoloured when the run moves. */
export function chainView(into) {
  let drawn = null;
  let shape = "";
  return {
    show(run, unit) {
      const s = run.s;
      const key = JSON.stringify([run.key, run.T, s.cell, s.hidden, s.layers, s.bi, run.seq.labels]);
      if (key !== shape) {
        drawn = build(run);
        shape = key;
        into.replaceChildren(drawn.root);
      }
      paint(drawn, run, unit);
    },
  };
}
