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
export const settingsKey = (s) => JSON.stringify([s.model, s.model === "random" ? "" : s.text, s.cell, s.hact, s.nonlin, s.seq, s.layers, s.bi, s.hidden, s.seed]);

/** Steps of the waves a network from a file reads when it has no embedding for text. */
export const WAVE_STEPS = 12;

/** x: [T, I], I waves of the same period, phase-shifted across the channels: an input any
 *  input size can read, for a network whose file says nothing about what it reads. */
export function waves(i, T = WAVE_STEPS) {
  return Float32Array.from({ length: T * i }, (_, k) => Math.sin(0.5 * Math.floor(k / i) + (2 * Math.PI * (k % i)) / i));
}

/** The settings `s` as the network shown has them: a network from a file (`net`) brings its
 *  cell, sizes and layers; only a plain RNN from a file can be ReLU. */
export function settingsOf(s, net) {
  if (!net) return { ...s, nonlin: "tanh" };
  const nonlin = net.kind === "rnn:relu" ? "relu" : "tanh";
  return { ...s, cell: net.kind.split(":")[0], hact: "tanh", nonlin, hidden: net.hiddenSize, layers: net.layers, bi: net.bidirectional ? 1 : 0 };
}

/** [layer, direction] of each step: layer by layer; in a bidirectional layer both
 *  directions step together, in opposite directions through time. */
function schedule(layers, bi, T) {
  const out = [];
  for (let l = 0; l < layers; l++) for (let k = 0; k < T; k++) for (let d = 0; d <= bi; d++) out.push([l, d]);
  return out;
}

/** A network for settings `s` — one made here, or `loaded` (from a file, not owned by the
 *  run: never freed by it) — at step 0: { key, net, owned, simple, schedule, x, T, seq, pos,
 *  last, total, s }; `schedule[k]` is the [layer, direction] that step k computes. A
 *  network from a file reads `s.text` if it has an embedding, else waves. */
export function startRun(s, loaded = null) {
  if (loaded) {
    const e = settingsOf(s, loaded);
    const chars = loaded.readsText ? Array.from(s.text) : null;
    const x = chars ? Float32Array.from(loaded.embed(s.text)) : waves(loaded.inputSize);
    const T = chars ? chars.length : WAVE_STEPS;
    const steps = schedule(e.layers, e.bi, T);
    return { key: settingsKey(s), net: loaded, owned: false, simple: false, schedule: steps, x, T, seq: { i: loaded.inputSize, labels: chars }, pos: 0, last: null, total: steps.length, s: e };
  }
  const input = sequence(s.seq);
  const { seq, T, x } = input;
  const simple = isSimple(s.cell);
  const net = simple ? simpleNet(s.cell, input, s) : new (seqWasm().RecurrentNet)(netKind(s.cell, s.hact), seq.i, s.hidden, s.layers, s.bi === 1, s.seed);
  const steps = simple ? Array.from({ length: T }, () => [0, 0]) : schedule(s.layers, s.bi, T);
  return { key: settingsKey(s), net, owned: true, simple, schedule: steps, x, T, seq, pos: 0, last: null, total: steps.length, s };
}

/** Brings `run` to `pos` steps: forward from where it is, or from a fresh start (a network
 *  made here is made again, the old one freed; one from a file begins again). Returns the
 *  run now at `pos`. */
export function goTo(run, pos) {
  if (pos < run.pos) {
    if (run.owned) {
      run.net.free();
      run = startRun(run.s);
    } else {
      run = { ...run, pos: 0, last: null };
    }
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
