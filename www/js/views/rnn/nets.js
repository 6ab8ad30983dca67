// The recurrent networks the RNN view steps through: the cells and input sequences it offers,
// and a run of one network over one sequence, brought to any step by wasm's step-wise API
// (`RecurrentNet.step`, `SimpleNet.step`).

import { seqWasm } from "../../wasm.js";

export const CELLS = ["elman", "jordan", "rnn", "gru", "lstm", "peephole", "fc"];
export const SEQS = {
  // "hello" as one-hot letters over h, e, l, o: the classic character example.
  hello: { i: 4, x: [0, 1, 2, 2, 3].flatMap((k) => [0, 1, 2, 3].map((j) => (j === k ? 1 : 0))), labels: ["h", "e", "l", "l", "o"] },
  sine: { i: 2, x: Array.from({ length: 10 }, (_, s) => [Math.sin(s / 2), Math.cos(s / 2)]).flat(), labels: null },
  ramp: { i: 1, x: Array.from({ length: 8 }, (_, s) => s / 7), labels: null },
};
/** Elman and Jordan networks are `SimpleNet`s: one layer, one direction, an output y. */
export const isSimple = (cell) => cell === "elman" || cell === "jordan";
export const isLstm = (cell) => ["lstm", "peephole", "fc"].includes(cell);

/** Sequence `name` as wasm takes it: { seq, T steps, x }. */
export function sequence(name) {
  const seq = SEQS[name];
  return { seq, T: seq.x.length / seq.i, x: Float32Array.from(seq.x) };
}

/** `RecurrentNet`'s name for a cell (σh linear applies to the LSTMs only). */
export function netKind(cell, hact = "tanh") {
  const kind = cell === "peephole" ? "lstm:peephole" : cell === "fc" ? "lstm:fc" : cell;
  return kind.startsWith("lstm") && hact === "linear" ? `${kind}:linear` : kind;
}

/** An Elman or Jordan network over sequence `seq` (2 sigmoid outputs). */
export const simpleNet = (cell, { seq, T, x }, s) => new (seqWasm().SimpleNet)(cell, seq.i, s.hidden, 2, "sigmoid", s.seed, x, T);

/** The settings that make a different network (the rest only move through it). */
export const settingsKey = (s) => JSON.stringify([s.cell, s.hact, s.seq, s.layers, s.bi, s.hidden, s.seed]);

/** A network for settings `s`, at step 0: { key, net, simple, schedule, x, T, seq, pos,
 *  last, total, s }; `schedule[k]` is the [layer, direction] that step k computes. */
export function startRun(s) {
  const input = sequence(s.seq);
  const { seq, T, x } = input;
  const simple = isSimple(s.cell);
  let net;
  let schedule;
  if (simple) {
    net = simpleNet(s.cell, input, s);
    schedule = Array.from({ length: T }, () => [0, 0]);
  } else {
    net = new (seqWasm().RecurrentNet)(netKind(s.cell, s.hact), seq.i, s.hidden, s.layers, s.bi === 1, s.seed);
    // Layer by layer; in a bidirectional layer both directions step together, in opposite
    // directions through time.
    schedule = [];
    for (let l = 0; l < s.layers; l++) for (let k = 0; k < T; k++) for (let d = 0; d <= s.bi; d++) schedule.push([l, d]);
  }
  return { key: settingsKey(s), net, simple, schedule, x, T, seq, pos: 0, last: null, total: schedule.length, s };
}

/** Brings `run` to `pos` steps: forward from where it is, or from a fresh start (the old
 *  network freed). Returns the run now at `pos`. */
export function goTo(run, pos) {
  if (pos < run.pos) {
    run.net.free();
    run = startRun(run.s);
  }
  if (!run.simple && run.pos === 0) run.net.begin(run.x, run.T);
  while (run.pos < pos) {
    const [l, d] = run.schedule[run.pos];
    const time = run.simple ? run.net.step() : run.net.step(l, d);
    run.last = { l, d, time };
    run.pos++;
  }
  return run;
}
