// The RNN view's chain: the cell unrolled over time, one box a step with its hidden state h
// as a strip of coloured cells (a click on one follows that unit in the wiring diagram,
// diagram.js, which draws the folded cell itself); the inputs below, the outputs (Elman,
// Jordan) or the bidirectional layer's concatenated states above, and every wire, lit once
// the step it carries has been computed. An SVG, redrawn at each step.

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

/** Each layer and direction: a row of steps, with the recurrent wires and the wires up from below. */
function hiddenRows(root, { run, s, T, simple, D, L, cw, ch, fold, xOf, rowY, inY, H_, feedback, unit }) {
  for (let l = 0; l < L; l++) {
    for (let d = 0; d < D; d++) {
      const r = l * D + d;
      const y = rowY(r);
      const done = simple ? run.net.done : run.pos === 0 ? 0 : run.net.done(l, d);
      const hs = simple ? run.net.hidden() : run.net.hidden(l, d);
      const label = simple ? t(`rnn.cell.${s.cell}`) : `${t("rnn.layerN", { n: l + 1 })}${D > 1 ? (d ? " ←" : " →") : ""}`;
      if (!simple) root.append(svg("text", { x: fold - 4, y: y + ch / 2 + 4, class: "rowlabel", "text-anchor": "end" }, label));
      for (let time = 0; time < T; time++) {
        const computed = d === 0 ? time < done : time >= T - done;
        const isLast = run.last && run.last.l === l && run.last.d === d && run.last.time === time;
        const g = svg("g", { class: `cellbox${computed ? " done" : ""}${isLast ? " last" : ""}`, "data-row": r, "data-t": time });
        g.append(svg("rect", { x: xOf(time), y, width: cw, height: ch, rx: 6 }));
        // h as a strip of H coloured cells inside the box.
        for (let j = 0; j < H_; j++) {
          g.append(svg("rect", { x: xOf(time) + 6 + (j * (cw - 12)) / H_, y: y + 8, width: cellWidth(cw - 12, H_), height: ch - 16, fill: computed ? diverging(hs[time * H_ + j]) : COLORS.empty, class: j === unit ? "hcell followed" : "hcell", "data-unit": j }));
        }
        root.append(g);
        // The recurrent wire to the next step in this direction.
        const nxt = d === 0 ? time + 1 : time - 1;
        // (Jordan's feedback runs from y_t, drawn with the outputs above, not from h_t.)
        if (nxt >= 0 && nxt < T && s.cell !== "jordan") {
          const [x1, x2] = d === 0 ? [xOf(time) + cw, xOf(nxt)] : [xOf(time), xOf(nxt) + cw];
          const yy = y + ch / 2;
          root.append(svg("line", { x1, y1: yy, x2, y2: yy, class: `wire rec${computed ? " on" : ""}`, "marker-end": "url(#arrow)" }));
          root.append(svg("text", { x: (x1 + x2) / 2, y: yy - 4, "text-anchor": "middle", class: "wire-label" }, feedback));
        }
        // Input wire from below (the layer below, or x).
        const wx = xOf(time) + cw / 2 + (d ? 8 : -8);
        if (l === 0) root.append(svg("line", { x1: wx, y1: inY, x2: wx, y2: y + ch, class: "wire up", "marker-end": "url(#arrow)" }));
        else root.append(svg("line", { x1: wx, y1: rowY(r - (r % D) - 1), x2: wx, y2: y + ch, class: "wire up" }));
      }
    }
  }
}

/** The top layer's output at each step of a bidirectional net: [forward h ; backward h], once both exist. */
function concatRow(root, { run, T, L, rows, cw, ch, xOf, rowY, H_ }) {
  const l = L - 1;
  const [hf, hb] = [run.net.hidden(l, 0), run.net.hidden(l, 1)];
  const [df, db] = run.pos === 0 ? [0, 0] : [run.net.done(l, 0), run.net.done(l, 1)];
  const y0 = 40 - 10;
  for (let time = 0; time < T; time++) {
    const ready = time < df && time >= T - db;
    const g = svg("g", { class: `concat${ready ? " done" : ""}`, "data-t": time });
    g.append(svg("rect", { x: xOf(time), y: y0, width: cw, height: ch - 8, rx: 4 }));
    for (let j = 0; j < 2 * H_; j++) {
      const v = j < H_ ? hf[time * H_ + j] : hb[time * H_ + j - H_];
      g.append(svg("rect", { x: xOf(time) + 4 + (j * (cw - 8)) / (2 * H_), y: y0 + 6, width: cellWidth(cw - 8, 2 * H_), height: ch - 20, fill: ready ? diverging(v) : COLORS.empty }));
    }
    g.append(svg("line", { x1: xOf(time) + cw / 2, y1: y0 + 4, x2: xOf(time) + cw / 2, y2: y0 + ch - 12, class: "concat-split" }));
    root.append(g);
    root.append(svg("line", { x1: xOf(time) + cw / 2, y1: rowY(rows - 1), x2: xOf(time) + cw / 2, y2: y0 + ch - 8, class: "wire up", "marker-end": "url(#arrow)" }));
  }
  root.append(svg("text", { x: 4, y: y0 + ch / 2, class: "rowlabel" }, t("rnn.concat")));
}

/** Elman's and Jordan's outputs y_t above the hidden row; Jordan's feedback starts there. */
function outputs(root, { run, s, T, cw, ch, gy, xOf, rowY }) {
  const y0 = rowY(0) - ch - gy + 10;
  const ys = run.net.output();
  for (let time = 0; time < T; time++) {
    const computed = time < run.net.done;
    root.append(svg("rect", { x: xOf(time) + 10, y: y0, width: cw - 20, height: ch - 10, rx: 4, class: `ybox${computed ? " done" : ""}` }));
    root.append(svg("text", { x: xOf(time) + cw / 2, y: y0 + 21, "text-anchor": "middle" }, computed ? `y = ${fmt(ys[time * 2])}, ${fmt(ys[time * 2 + 1])}` : "y"));
    root.append(svg("line", { x1: xOf(time) + cw / 2, y1: rowY(0), x2: xOf(time) + cw / 2, y2: y0 + ch - 10, class: "wire up", "marker-end": "url(#arrow)" }));
    if (s.cell === "jordan" && time + 1 < T) {
      root.append(svg("path", { d: `M${xOf(time) + cw - 10},${y0 + 8} C${xOf(time) + cw + 20},${y0 + 8} ${xOf(time + 1) - 10},${rowY(0) - 20} ${xOf(time + 1) + 6},${rowY(0)}`, class: `wire rec jordan${computed ? " on" : ""}`, "marker-end": "url(#arrow)" }));
    }
  }
}

/** The chain of run `run` as it stands (nets.js), as an <svg>; unit `unit` marked. */
export function drawChain(run, unit) {
  const g = { ...layout(run), unit };
  const root = svg("svg", { viewBox: `0 0 ${g.W} ${g.H}`, class: "chain-svg" });
  const defs = svg("defs");
  const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse" });
  marker.append(svg("path", { d: "M0,0 L10,5 L0,10 z" }));
  defs.append(marker);
  root.append(defs);
  inputs(root, g);
  hiddenRows(root, g);
  if (!g.simple && g.D > 1) concatRow(root, g);
  if (g.simple) outputs(root, g);
  return root;
}
