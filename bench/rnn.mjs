// The recurrent benchmark's models and tasks, shared by scripts/bench-rnn.mjs (Node) and
// the page bench/chromium/main.mjs (headless Chromium): one single-layer, unidirectional
// LSTM and GRU (input 32, hidden 128) with nnplay's PyTorch-style random weights, run over
// T = 100 steps from zero states at batch 1 and 32, in nnplay and ported to its peers:
//   - onnxruntime-web: the ONNX LSTM / GRU ops, the model written in memory (./onnx.mjs);
//   - TensorFlow.js (wasm backend): tf.basicLSTMCell stepped over the sequence for the LSTM
//     (tfjs has no fused LSTM kernel on wasm), and a step loop of plain ops for the GRU
//     (tfjs has no GRU op at all), each whole sequence inside one tf.tidy.
// The libraries come in as arguments (Node loads them from bench/node_modules with require,
// the page from their browser bundles), so this file imports nothing environment-specific.
import * as onnx from "./onnx.mjs";
import { compare } from "./timing.mjs";

export const RNN = { T: 100, I: 32, H: 128, batches: [1, 32], kinds: ["lstm", "gru"], seed: 2024 };
const GATES = { lstm: 4, gru: 3 };
export const LABEL = { lstm: "LSTM", gru: "GRU" };

/** A deterministic input sequence [T, N, I], uniform in [-1, 1) (xorshift32), the same in
 *  Node and the browser so both environments check and time the same numbers. */
export function sequence(T, N, I, seed = 1) {
  const x = new Float32Array(T * N * I);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < x.length; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    x[i] = (s / 2 ** 32) * 2 - 1;
  }
  return x;
}

/** Gate blocks of H rows reordered: output block k is input block perm[k]. */
function permuteBlocks(m, rowLen, H, perm) {
  const out = new Float32Array(m.length);
  const block = H * rowLen;
  perm.forEach((p, k) => out.set(m.subarray(p * block, (p + 1) * block), k * block));
  return out;
}

// PyTorch stacks LSTM gates (i, f, g, o) and GRU gates (r, z, n); ONNX wants (i, o, f, c)
// and (z, r, h). Entry k names the PyTorch block that goes to ONNX position k.
const ONNX_ORDER = { lstm: [0, 3, 1, 2], gru: [1, 0, 2] };

/** The nnplay weights in ONNX's layout: W [1, G·H, I], R [1, G·H, H], B [1, 2·G·H]
 *  (input biases then recurrent biases), all with ONNX's gate order. */
export function onnxWeights(kind, w, { I, H }) {
  const perm = ONNX_ORDER[kind];
  const G = GATES[kind];
  const B = new Float32Array(2 * G * H);
  B.set(permuteBlocks(w.bias_ih, 1, H, perm), 0);
  B.set(permuteBlocks(w.bias_hh, 1, H, perm), G * H);
  return { W: permuteBlocks(w.weight_ih, I, H, perm), R: permuteBlocks(w.weight_hh, H, H, perm), B };
}

/** A one-node ONNX model: X [T, N, I] -> Y [T, 1, N, H] (one direction: the same memory
 *  order as nnplay's [T, N, H]). Only Y is asked for; initial states are omitted (zeros). */
export function rnnOnnx(kind, w, { T, N, I, H }) {
  const { W, R, B } = onnxWeights(kind, w, { I, H });
  const G = GATES[kind];
  // linear_before_reset = 1 is PyTorch's GRU: r multiplies (W_hn h + b_hn), not h.
  const attrs = kind === "gru" ? { hidden_size: H, linear_before_reset: 1 } : { hidden_size: H };
  return onnx.model({
    name: kind,
    nodes: [onnx.node(kind === "lstm" ? "LSTM" : "GRU", ["X", "W", "R", "B"], ["Y"], attrs)],
    initializers: [onnx.tensor("W", [1, G * H, I], W), onnx.tensor("R", [1, G * H, H], R), onnx.tensor("B", [1, 2 * G * H], B)],
    inputs: [onnx.valueInfo("X", [T, N, I])],
    outputs: [onnx.valueInfo("Y", [T, 1, N, H])],
  });
}

/** [rows, cols] -> [cols, rows]. */
function transpose(m, rows, cols) {
  const t = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c];
  return t;
}

/** tf.basicLSTMCell's parameters for PyTorch's LSTM. The cell computes
 *  [x, h] · kernel + bias, splits it into (i, j, f, o) with j the cell input, and adds
 *  forgetBias to f: so the kernel is [W_ih | W_hh]ᵀ with column blocks in PyTorch's
 *  (i, g, f, o) order, the bias is b_ih + b_hh, and forgetBias is 0. */
export function tfjsLstmWeights(w, { I, H }) {
  const order = [0, 2, 1, 3]; // tfjs (i, j, f, o) <- PyTorch (i, f, g, o)
  const kernel = new Float32Array((I + H) * 4 * H);
  const bias = new Float32Array(4 * H);
  order.forEach((p, k) => {
    for (let j = 0; j < H; j++) {
      const row = p * H + j; // row of the PyTorch matrices
      const col = k * H + j; // column of the tfjs kernel
      for (let r = 0; r < I; r++) kernel[r * 4 * H + col] = w.weight_ih[row * I + r];
      for (let r = 0; r < H; r++) kernel[(I + r) * 4 * H + col] = w.weight_hh[row * H + r];
      bias[col] = w.bias_ih[row] + w.bias_hh[row];
    }
  });
  return { kernel, bias };
}

// ---- contestants ------------------------------------------------------------------------
// Each has y(x, N): the whole output sequence [T, N, H] as a fresh Float32Array in JS, so
// every contestant pays for handing its result to JS (ORT and tfjs copy out of their wasm
// heaps; nnplay copies its view, which a user could read in place, so it does a bit more).

/** nnplay's network for `kind` and its weights, copied out of wasm memory by name. */
export function nnplayRnn(nn, kind, cfg = RNN, name = "nnplay") {
  const { T, I, H, seed } = cfg;
  const net = new nn.RecurrentNet(kind, I, H, 1, false, seed);
  const weights = {};
  // weight() returns a copy of each tensor.
  for (const name of net.weightNames()) weights[name.replace(/_l0$/, "")] = net.weight(name);
  const none = new Float32Array(0); // empty h0 / c0: zeros
  return {
    name,
    weights,
    y: (x, N) => {
      net.forward(x, T, N, none, none);
      return net.y().slice();
    },
  };
}

/** onnxruntime-web, one fixed-shape session per batch size (ORT plans for fixed shapes). */
export async function ortRnn(ort, kind, weights, cfg = RNN) {
  const { T, I } = cfg;
  const opts = { executionProviders: ["wasm"], graphOptimizationLevel: "all" };
  const sessions = {};
  for (const N of cfg.batches) sessions[N] = await ort.InferenceSession.create(rnnOnnx(kind, weights, { ...cfg, N }), opts);
  return {
    name: "onnxruntime-web",
    async: true,
    y: async (x, N) => (await sessions[N].run({ X: new ort.Tensor("float32", x, [T, N, I]) })).Y.data,
  };
}

/** TensorFlow.js on its wasm backend (`enter` makes that backend current again when other
 *  tfjs backends share the process). The weights become tensors once, outside the timed calls.
 *  Each step's input is made from its slice of the JS array: slicing or unstacking one big
 *  [T, N, I] tensor instead costs far more on this backend, whose slice kernel copies its
 *  whole input out of the wasm heap on every call. */
export async function tfjsRnn(tf, kind, w, cfg = RNN, backend = "wasm") {
  const { T, I, H } = cfg;
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} did not start`);
  // Without SIMD the wasm backend would fall back to its slower scalar build, silently.
  if (backend === "wasm" && !(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"))) throw new Error("tfjs-wasm: no SIMD");
  let step; // (x_t, { h, c }) -> { h, c }
  if (kind === "lstm") {
    // tf.basicLSTMCell is tfjs's LSTM step (tf.multiRNNCell only chains such cells over
    // layers, nothing to chain for one layer).
    const { kernel, bias } = tfjsLstmWeights(w, cfg);
    const p = tf.tidy(() => ({ kernel: tf.tensor2d(kernel, [I + H, 4 * H]), bias: tf.tensor1d(bias), forgetBias: tf.scalar(0) }));
    step = (xt, s) => {
      const [c, h] = tf.basicLSTMCell(p.forgetBias, p.kernel, p.bias, xt, s.c, s.h);
      return { c, h };
    };
  } else {
    // tfjs has no GRU op. Of the hand-written steps tried, this was the fastest: r and z from
    // one matMul of [x_t, h] (their input and recurrent biases summed), n from its two
    // products kept apart, as PyTorch's formula needs. Keras's layout (one [N, 3H] product
    // each for x and h, then split) took about twice as long at batch 32, the split being
    // a strided slice. Same numbers either way: the gate checks them against nnplay.
    const rows = (m, from, to, cols) => m.subarray(from * H * cols, to * H * cols); // gate blocks [from, to)
    const p = tf.tidy(() => {
      const wrz = new Float32Array((I + H) * 2 * H); // [x, h] -> (r, z): [W_ir W_iz; W_hr W_hz]ᵀ
      wrz.set(transpose(rows(w.weight_ih, 0, 2, I), 2 * H, I), 0);
      wrz.set(transpose(rows(w.weight_hh, 0, 2, H), 2 * H, H), I * 2 * H);
      const brz = rows(w.bias_ih, 0, 2, 1).map((b, i) => b + w.bias_hh[i]);
      return {
        wrz: tf.tensor2d(wrz, [I + H, 2 * H]),
        brz: tf.tensor1d(brz),
        win: tf.tensor2d(transpose(rows(w.weight_ih, 2, 3, I), H, I), [I, H]),
        bin: tf.tensor1d(rows(w.bias_ih, 2, 3, 1)),
        whn: tf.tensor2d(transpose(rows(w.weight_hh, 2, 3, H), H, H), [H, H]),
        bhn: tf.tensor1d(rows(w.bias_hh, 2, 3, 1)),
      };
    });
    step = (xt, s) => {
      const rz = tf.sigmoid(tf.add(tf.matMul(tf.concat([xt, s.h], 1), p.wrz), p.brz));
      const [r, z] = tf.split(rz, 2, 1);
      const hn = tf.add(tf.matMul(s.h, p.whn), p.bhn);
      const n = tf.tanh(tf.add(tf.add(tf.matMul(xt, p.win), p.bin), tf.mul(r, hn)));
      // h' = (1 - z) * n + z * h, written with one multiply.
      return { h: tf.add(n, tf.mul(z, tf.sub(s.h, n))) };
    };
  }
  const y = (x, N) => {
    const out = tf.tidy(() => {
      let s = { h: tf.zeros([N, H]), c: tf.zeros([N, H]) };
      const hs = [];
      for (let t = 0; t < T; t++) {
        s = step(tf.tensor2d(x.subarray(t * N * I, (t + 1) * N * I), [N, I]), s);
        hs.push(s.h);
      }
      return tf.stack(hs); // [T, N, H]
    });
    const d = out.dataSync();
    out.dispose();
    return d;
  };
  return { name: `tfjs-${backend}`, enter: () => tf.setBackend(backend), y };
}

// ---- setup, gate, tasks ------------------------------------------------------------------

/** nnplay and its peers for both kinds; the tasks to time. `nn` is nnplay's build with
 *  relaxed SIMD (what the page loads in engines that have it), `nnSimd128` the SIMD128-only
 *  build (what the rest get), timed beside it with the same weights. `tf` and `ort` come ready
 *  (tfjs's wasm backend registered with its wasm paths, ORT on one thread). */
export async function setupRnn({ nn, nnSimd128, tf, ort }, cfg = RNN) {
  const inputs = Object.fromEntries(cfg.batches.map((N) => [N, sequence(cfg.T, N, cfg.I, 7 + N)]));
  const kinds = [];
  for (const kind of cfg.kinds) {
    const nnplay = nnplayRnn(nn, kind, cfg);
    const peers = [nnplayRnn(nnSimd128, kind, cfg, "nnplay SIMD128"), await ortRnn(ort, kind, nnplay.weights, cfg), await tfjsRnn(tf, kind, nnplay.weights, cfg)];
    kinds.push({ kind, nnplay, peers });
  }

  /** Every peer's whole output sequence against nnplay's, for each kind and batch size;
   *  throws on the first element outside tol. Returns rows { kind, N, peer, max }. */
  async function gate(tol, log = () => {}) {
    const rows = [];
    for (const { kind, nnplay, peers } of kinds)
      for (const N of cfg.batches) {
        const ref = nnplay.y(inputs[N], N);
        for (const p of peers) {
          if (p.enter) await p.enter();
          const r = compare(await p.y(inputs[N], N), ref, tol);
          log(`  ${LABEL[kind]} batch ${String(N).padStart(2)}  ${p.name.padEnd(16)} max |y - nnplay's y| ${r.max.toExponential(2)}`);
          if (!r.ok) throw new Error(`${p.name}: ${LABEL[kind]} batch ${N} output differs from nnplay's by ${r.max} (> ${tol} abs + rel): the port or its layout conversion is wrong`);
          rows.push({ kind, N, peer: p.name, max: r.max });
        }
      }
    return rows;
  }

  const tasks = [];
  for (const { kind, nnplay, peers } of kinds)
    for (const N of cfg.batches) {
      const x = inputs[N];
      tasks.push({
        key: `${kind}${N}`,
        kind,
        N,
        name: `${LABEL[kind]}, batch ${N}`,
        contestants: () => [nnplay, ...peers].map((p) => ({ name: p.name, async: p.async, enter: p.enter, call: () => p.y(x, N) })),
      });
    }
  return { gate, tasks };
}

/** The recurrent targets (issue): absolute times at batch 1, ahead of ORT at batch 32. The
 *  issue set the batch-1 times on this VM when onnxruntime-web took `ortWhenSetMs` there
 *  (both 1.33× faster than it); the machine's speed drifts, so each line also gives the
 *  ratio measured in the same run. */
export const RNN_TARGETS = { lstm1Ms: 0.55, gru1Ms: 0.42, ortWhenSetMs: { lstm: 0.73, gru: 0.56 } };

/** The target lines for one run's results ({ lstm1: rows, ... }). */
export function rnnTargetLines(results, mark) {
  const ms = (key, who) => results[key].find((r) => r.name === who)?.ms;
  const lines = [];
  for (const kind of ["lstm", "gru"]) {
    const [goal, then] = [RNN_TARGETS[`${kind}1Ms`], RNN_TARGETS.ortWhenSetMs[kind]];
    const [n1, o1] = [ms(`${kind}1`, "nnplay"), ms(`${kind}1`, "onnxruntime-web")];
    lines.push(
      `${LABEL[kind]}, batch 1 ≤ ${goal} ms: ${n1.toFixed(3)} ms, ${mark(n1 <= goal)} (onnxruntime-web ${o1.toFixed(3)} ms in this run, ${(o1 / n1).toFixed(2)}× nnplay's time; the target was set when it took ${then} ms, ${(then / goal).toFixed(2)}× the target)`,
    );
    const [n, o] = [ms(`${kind}32`, "nnplay"), ms(`${kind}32`, "onnxruntime-web")];
    lines.push(`${LABEL[kind]}, batch 32 ahead of onnxruntime-web: nnplay ${n.toFixed(2)} ms vs ${o.toFixed(2)} ms, ${mark(n < o)}`);
  }
  return lines;
}
