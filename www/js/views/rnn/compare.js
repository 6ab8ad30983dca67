// The RNN view's comparison: the same input sequence through every kind of cell (random
// weights, one seed), each cell's hidden state at each step as a row of coloured cells.

import { t } from "../../i18n.js";
import { el } from "../../dom.js";
import { seqWasm } from "../../wasm.js";
import { diverging } from "../../palette.js";
import { CELLS, isSimple, netKind, sequence, simpleNet } from "./nets.js";

/** Every cell's hidden states h over the sequence of settings `s`, [T, hidden] flat. */
function hiddenStates(cell, input, s) {
  if (isSimple(cell)) {
    const n = simpleNet(cell, input, s);
    for (let k = 0; k < input.T; k++) n.step();
    const hs = Array.from(n.hidden());
    n.free();
    return hs;
  }
  const n = new (seqWasm().RecurrentNet)(netKind(cell), input.seq.i, s.hidden, 1, false, s.seed);
  n.forward(input.x, input.T, 1, new Float32Array(0), new Float32Array(0));
  const hs = Array.from(n.y());
  n.free();
  return hs;
}

/** One row per cell kind, for settings `s`. */
export function compareRows(s) {
  const input = sequence(s.seq);
  return CELLS.map((cell) => {
    const hs = hiddenStates(cell, input, s);
    const row = el("div", { class: "cmp-row", "data-cell": cell }, el("span", { class: "cmp-label", text: t(`rnn.cell.${cell}`) }));
    for (let k = 0; k < input.T; k++) {
      const step = el("span", { class: "cmp-step", title: `t = ${k + 1}` });
      for (let j = 0; j < s.hidden; j++) {
        const c = el("span", { class: "cmp-cell" });
        c.style.backgroundColor = diverging(hs[k * s.hidden + j]);
        step.append(c);
      }
      row.append(step);
    }
    return row;
  });
}
