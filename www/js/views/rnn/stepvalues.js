// The values the wiring diagram (diagram.js) shows for one hidden unit at the step just
// computed, read from wasm's step-wise API and listed in the order the cell computes them.
// The only arithmetic here is the junctions' products and sums of values wasm returned
// (f·c_{t−1}, i·c̃, 1−z, …) and σh(c_t), so the diagram shows what flows into each junction;
// the gates, states and outputs themselves are wasm's numbers.

/** The diagram a cell is drawn as: the three LSTMs share one wiring. */
export const shapeOf = (cell) => (["lstm", "peephole", "fc"].includes(cell) ? "lstm" : cell);

/** Each shape's terms in computation order (the staggered animation and the text
 *  alternative follow it). Vector terms are strips, the rest one unit's scalars. */
export const ORDER = {
  elman: ["x", "hprev", "h", "y"],
  jordan: ["x", "yprev", "h", "y"],
  rnn: ["x", "hprev", "h"],
  gru: ["x", "hprev", "r", "z", "rn", "n", "omz", "omzn", "zh", "h"],
  lstm: ["x", "hprev", "cprev", "i", "f", "g", "fc", "ig", "c", "o", "ch", "h"],
};
export const VECTORS = new Set(["x", "hprev", "cprev", "yprev", "y", "hvec"]);

/** Row `time` of a [T, width] array, copied (wasm memory may move at the next call). */
const row = (a, time, width) => Array.from(a.subarray(time * width, (time + 1) * width));

/** The row before `time` in direction `d` (forward: time−1, backward: time+1), or zeros at
 *  the direction's first step, where the state starts at 0. */
function before(a, time, d, T, width) {
  const prev = d ? time + 1 : time - 1;
  return prev < 0 || prev >= T ? new Array(width).fill(0) : row(a, prev, width);
}

/** The input of layer `l` at `time`: x_t for the first layer, the layer below's h (both
 *  directions, [h→ ; h←], when bidirectional) above it. */
function layerInput(run, l, time) {
  const H = run.s.hidden;
  if (l === 0) return row(run.x, time, run.seq.i);
  const out = row(run.net.hidden(l - 1, 0), time, H);
  return run.s.bi === 1 ? out.concat(row(run.net.hidden(l - 1, 1), time, H)) : out;
}

/** Elman and Jordan (`SimpleNet`, output size 2). */
function simpleValues(run, j) {
  const { time } = run.last;
  const H = run.s.hidden;
  const hs = run.net.hidden();
  const ys = run.net.output();
  const vec = { x: row(run.x, time, run.seq.i), hvec: row(hs, time, H), y: row(ys, time, 2) };
  if (run.s.cell === "jordan") vec.yprev = before(ys, time, 0, run.T, 2);
  else vec.hprev = before(hs, time, 0, run.T, H);
  return { vec, val: { h: vec.hvec[j] } };
}

/** RNN, GRU and the LSTMs (`RecurrentNet`): gates [T, G·H] in PyTorch's block order. */
function recurrentValues(run, j) {
  const { l, d, time } = run.last;
  const H = run.s.hidden;
  const G = run.net.gateCount;
  const gates = row(run.net.gates(l, d), time, G * H);
  const block = (q) => gates[q * H + j];
  const hs = run.net.hidden(l, d);
  const vec = { x: layerInput(run, l, time), hprev: before(hs, time, d, run.T, H), hvec: row(hs, time, H) };
  const val = { h: vec.hvec[j] };
  if (G === 3) {
    const [r, z, n] = [block(0), block(1), block(2)];
    const hp = vec.hprev[j];
    // r ⊙ (W_hn h_{t−1} + b_hn): the reset gate scales the recurrent share inside ñ.
    const rn = r * run.net.recurrentN(l, d)[time * H + j];
    Object.assign(val, { hprev: hp, r, z, n, rn, omz: 1 - z, omzn: (1 - z) * n, zh: z * hp });
  } else if (G === 4) {
    const cs = run.net.cell(l, d);
    vec.cprev = before(cs, time, d, run.T, H);
    const [i, f, g, o] = [block(0), block(1), block(2), block(3)];
    const [cp, c] = [vec.cprev[j], row(cs, time, H)[j]];
    // σh is tanh, or the identity when the view's σh switch says linear.
    const ch = run.s.hact === "linear" ? c : Math.tanh(c);
    Object.assign(val, { cprev: cp, i, f, g, o, c, ch, fc: f * cp, ig: i * g });
  }
  return { vec, val };
}

/** { vec: {term: number[]}, val: {term: number}, at } for unit `j` of run `run`'s last
 *  step, or null before the first step. */
export function stepValues(run, j) {
  if (!run.last) return null;
  const v = run.simple ? simpleValues(run, j) : recurrentValues(run, j);
  return { ...v, at: run.last };
}
