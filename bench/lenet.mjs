// LeNet-5 in nnplay and ported to its peers (TensorFlow.js on its wasm and cpu backends,
// onnxruntime-web, ConvNetJS), with nnplay's trained weights, and the three timed tasks
// (forward of 1 image, forward of a batch of 64, one training step on 32 images), shared
// by scripts/bench-lenet.mjs (Node) and the page bench/chromium/main.mjs (headless
// Chromium), so both run exactly these. No Node or DOM imports: the libraries and data
// come in as arguments (Node passes bench/node_modules and files it read, the page the
// browser bundles and fetched files).
import * as onnx from "./onnx.mjs";
import { compare } from "./timing.mjs";

export const TRAIN_BATCH = 32;
export const LENET_TARGETS = { forward1Ms: 0.03, trainImagesPerS: 6000, epochS: 10 };
const NAMES = ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"];

/** [rows, cols] -> [cols, rows]: Linear weights as the [in, out] matrix matMul wants. */
function transpose2(w, rows, cols) {
  const t = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
  return t;
}

/** Everything the LeNet-5 comparison needs. `weights`: the bytes of weights/lenet5.safetensors;
 *  `testImages`, `trainImages`, `trainLabels`: the MNIST IDX files' bytes. `tf` has its
 *  wasm backend registered (wasm paths set, one thread) and its cpu backend. */
export async function setupLenet({ nn, tf, ort, convnetjs, weights, testImages, trainImages, trainLabels }) {
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

  // ---- nnplay ---------------------------------------------------------------------------

  const net = nn.Lenet.fromBytes(weights);
  if (net.activation !== "relu" || net.pooling !== "max") throw new Error(`weights are ${net.activation}/${net.pooling}; the ports below are ReLU / max pooling`);
  // param() returns a copy of each tensor.
  const P = Object.fromEntries(NAMES.map((n) => [n, net.param(n)]));
  // Results are read back to JS in every contestant; for nnplay that is the returned digits
  // plus one read of the logits view.
  const nnplay = {
    name: "nnplay",
    forward1: (x) => net.forward(x) + net.logits()[0],
    forwardN: (x, n) => net.forwardBatch(x, n)[0] + net.logits()[0],
    logits: (x, n) => (net.forwardBatch(x, n), Float32Array.from(net.logits())),
  };
  // 1000 epochs: a schedule the benchmark never runs to its end.
  const trainer = new nn.LenetTrainer(1, TRAIN_BATCH, 0.002, 1000, false);
  trainer.setTrainData(trainImages, trainLabels);
  nnplay.train = () => trainer.run(1);

  // ---- TensorFlow.js (ops, NHWC) --------------------------------------------------------

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
    // The fused ops (bias and ReLU folded into conv2d / matMul) are what tf.layers runs.
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

  // ---- onnxruntime-web (wasm) -----------------------------------------------------------

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
    const logits = async (x, n) => (await sessions[n].run({ x: new ort.Tensor("float32", x, [n, 1, 28, 28]) })).logits.data;
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

  // ---- ConvNetJS ------------------------------------------------------------------------

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

  const peers = [await tfjsPeer("wasm"), await tfjsPeer("cpu"), await ortPeer(), convnetjsPeer()];

  /** Every path a peer is timed on must give nnplay's logits: one image at a time on 8
   *  test images, and the batch path on 64. Throws on the first disagreement. */
  async function gate(p, tol) {
    if (p.enter) await p.enter();
    const x64 = testBatch(64);
    const ref64 = nnplay.logits(x64, 64);
    let max = 0;
    for (let i = 0; i < 8; i++) {
      const x = x64.subarray(i * 784, (i + 1) * 784);
      const r = compare(await p.logits1(x), ref64.subarray(i * 10, (i + 1) * 10), tol);
      if (!r.ok) throw new Error(`${p.name}: image ${i} logits differ from nnplay's by ${r.max} (port is wrong)`);
      max = Math.max(max, r.max);
    }
    const r = compare(await p.logits(x64, 64), ref64, tol);
    if (!r.ok) throw new Error(`${p.name}: batch-64 logits differ from nnplay's by ${r.max} (port is wrong)`);
    return Math.max(max, r.max);
  }

  /** Each peer's first training step decides whether it can train at all; those that
   *  cannot lose their `train` and get a note instead. */
  const trainNotes = {};
  async function probeTraining() {
    for (const p of peers) {
      if (!p.train) {
        if (p.trainNote) trainNotes[p.name] = p.trainNote;
        continue;
      }
      try {
        if (p.enter) await p.enter();
        p.train();
      } catch (e) {
        trainNotes[p.name] = `cannot train: ${String(e.message ?? e).split("\n")[0]}`;
        p.train = null;
      }
    }
    return trainNotes;
  }

  const x1 = testBatch(1);
  const x64 = testBatch(64);
  const all = [nnplay, ...peers];
  const contestants = (call) => () => all.filter((p) => call(p)).map((p) => ({ name: p.name, async: p.async, enter: p.enter, call: call(p) }));
  const tasks = [
    { key: "forward1", name: "forward, 1 image", contestants: contestants((p) => () => p.forward1(x1)) },
    { key: "forward64", name: "forward, batch of 64", contestants: contestants((p) => () => p.forwardN(x64, 64)) },
    { key: "train", name: `training step, batch of ${TRAIN_BATCH}`, contestants: contestants((p) => p.train), notes: () => Object.entries(trainNotes) },
  ];
  return { nnplay, peers, gate, probeTraining, tasks };
}

/** The LeNet-5 target lines for one run's results ({ forward1: rows, train: rows, ... });
 *  `epochS`, when given, is a measured epoch rather than one inferred from the step time.
 *  `sayEpochSource`: whether the epoch line says which of the two it is (the Node report,
 *  which only ever infers it, leaves that out). Also returns nnplay's training images/s
 *  and the epoch seconds used. */
export function lenetTargetLines(results, mark, epochS, sayEpochSource = true) {
  const nn = (key) => results[key].find((r) => r.name === "nnplay").ms;
  const imagesPerS = (TRAIN_BATCH * 1000) / nn("train");
  const fastestPeer1 = Math.min(...results.forward1.filter((r) => r.name !== "nnplay").map((r) => r.ms));
  const epoch = epochS ?? 60000 / imagesPerS;
  const source = !sayEpochSource ? "" : epochS === undefined ? " (from the step time)" : " (measured: one full epoch)";
  return {
    imagesPerS,
    epochS: epoch,
    lines: [
      `forward of 1 image ≤ ${LENET_TARGETS.forward1Ms.toFixed(3)} ms: ${nn("forward1").toFixed(4)} ms, ${mark(nn("forward1") <= LENET_TARGETS.forward1Ms)}`,
      `forward of 1 image faster than every peer: fastest peer ${fastestPeer1.toFixed(4)} ms, ${mark(nn("forward1") < fastestPeer1)}`,
      `training ≥ ${LENET_TARGETS.trainImagesPerS.toLocaleString("en-US")} images/s: ${Math.round(imagesPerS).toLocaleString("en-US")} images/s, ${mark(imagesPerS >= LENET_TARGETS.trainImagesPerS)}`,
      `60,000-image epoch ≤ ${LENET_TARGETS.epochS} s: ${epoch.toFixed(1)} s${source}, ${mark(epoch <= LENET_TARGETS.epochS)}`,
    ],
  };
}
