// LSTM and GRU in nnplay against onnxruntime-web (its fused ONNX LSTM / GRU kernels) and
// TensorFlow.js on its SIMD wasm backend, all in this one Node process on one thread: one
// layer, one direction, input 32, hidden 128, T = 100 steps from zero states, batch 1 and
// 32 (models and ports in bench/rnn.mjs, shared with the Chromium benchmark).
// Every peer's whole output sequence must match nnplay's within 1e-4 before anything is
// timed; then the contestants of each task are timed in interleaved, rotating rounds.
// Prints a table and rewrites the rnn section of docs/BENCHMARKS.md.
// Needs target/bench-pkg and bench-pkg-simd128 (scripts/bench.sh builds them) and bench/node_modules (npm ci).
// ROUNDS=5 in the environment gives a quick, rougher look (default 25).
import fs from "node:fs";
import os from "node:os";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { RNN, setupRnn, rnnTargetLines } from "../bench/rnn.mjs";
import { race, withRatios, printRows, tableRows, TABLE_HEAD, mark } from "../bench/timing.mjs";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
// Two builds (scripts/bench.sh): with relaxed SIMD, which Node 20 runs only with
// --experimental-wasm-relaxed-simd, and SIMD128 only. Each require instantiates its own module.
const nn = createRequire(import.meta.url)("../target/bench-pkg/nnplay.js");
const nnSimd128 = createRequire(import.meta.url)("../target/bench-pkg-simd128/nnplay.js");
for (const [dir, m, want] of [["bench-pkg", nn, /^relaxed-simd/], ["bench-pkg-simd128", nnSimd128, /^simd128$/]])
  if (typeof m.arithmetic !== "function" || !want.test(m.arithmetic())) throw new Error(`target/${dir} is not the build bench.sh makes: rebuild it (bash scripts/bench.sh)`);
// CommonJS, as in bench-lenet.mjs, so tfjs and its wasm backend share one tfjs-core.
const peer = createRequire(here("../bench/package.json"));
const tf = peer("@tensorflow/tfjs");
const tfwasm = peer("@tensorflow/tfjs-backend-wasm");
const ort = peer("onnxruntime-web");

const ROUNDS = Number(process.env.ROUNDS ?? 25);
if (!(Number.isInteger(ROUNDS) && ROUNDS >= 1)) throw new Error(`ROUNDS must be a whole number >= 1, got ${process.env.ROUNDS}`);
const SAMPLE_MS = 20;
const TOL = 1e-4; // |peer - nnplay| <= TOL * (1 + |nnplay|), every element of y

tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false); // one thread, like every contestant
tfwasm.setWasmPaths(here("../bench/node_modules/@tensorflow/tfjs-backend-wasm/dist/"));
ort.env.wasm.numThreads = 1;
ort.env.wasm.wasmPaths = pathToFileURL(here("../bench/node_modules/onnxruntime-web/dist/")).href;

const { gate, tasks } = await setupRnn({ nn, nnSimd128, tf, ort });

console.log(`correctness gate (whole output y, [${RNN.T}, N, ${RNN.H}], within ${TOL} abs + rel):`);
const agreement = await gate(TOL, console.log);

const results = {};
for (const task of tasks) {
  results[task.key] = withRatios(await race(task.contestants(), { rounds: ROUNDS, sampleMs: SAMPLE_MS }));
  printRows(console.log, task.name, results[task.key]);
}

// ---- report -----------------------------------------------------------------------------

const targets = rnnTargetLines(results, mark);
console.log("");
for (const t of targets) console.log(`target: ${t}`);

const version = (pkg) => JSON.parse(fs.readFileSync(here(`../bench/node_modules/${pkg}/package.json`), "utf8")).version;
const PKGS = ["@tensorflow/tfjs", "@tensorflow/tfjs-core", "@tensorflow/tfjs-backend-wasm", "onnxruntime-web"];
const worst = (peer) => Math.max(...agreement.filter((a) => a.peer === peer).map((a) => a.max)).toExponential(1);
const section = `<!-- rnn:begin -->
## LSTM and GRU: nnplay against its peers

Command: \`bash scripts/bench.sh\` (which runs \`node --experimental-wasm-relaxed-simd scripts/bench-rnn.mjs\`;
\`ROUNDS=5\` for a quick look).
Node ${process.version}, ${os.cpus()[0]?.model ?? "unknown CPU"}. Measured ${new Date().toISOString().slice(0, 10)}.

How it is measured:

- One layer, one direction, input size ${RNN.I}, hidden size ${RNN.H}, a sequence of T = ${RNN.T} steps from
  zero states, batch 1 and 32; nnplay's PyTorch-style random weights (\`RecurrentNet\`, seed
  ${RNN.seed}) in every contestant. A call takes a \`Float32Array\` [T, N, ${RNN.I}] and ends with the
  whole output sequence y [T, N, ${RNN.H}] as a fresh \`Float32Array\` in JS (nnplay copies its view).
- nnplay's two wasm builds, as the page ships them (\`scripts/post-build.py\`): **nnplay** is the
  build with relaxed SIMD, which engines that validate it load (Chromium, Firefox; Node 20 only
  with the flag above) — its recurrent products use \`f32x4.relaxed_madd\`, here
  ${nn.arithmetic()}; **nnplay SIMD128** is the build for engines without relaxed SIMD
  (Safari), with a separate multiply and add. Same weights, same code otherwise; their outputs
  differ by at most ${worst("nnplay SIMD128")}.
- One Node process, one thread for everyone. onnxruntime-web (wasm, \`numThreads = 1\`): the
  ONNX \`LSTM\` / \`GRU\` ops (GRU with \`linear_before_reset = 1\`, PyTorch's formula), weights
  reordered to ONNX's gate order, one fixed-shape session per batch size, model written in
  memory by \`bench/onnx.mjs\`. TensorFlow.js (SIMD wasm backend, no threads) has no fused
  recurrent kernel there (and no GRU op at all): the LSTM is \`tf.basicLSTMCell\` stepped T
  times (kernel in its (i, j, f, o) order, \`forgetBias\` 0); the GRU is a step loop of
  \`concat\`, \`matMul\`, \`add\`, \`sigmoid\`, \`split\`, \`tanh\`, \`mul\`, \`sub\` (r and z from one
  product of [x_t, h], n from its two products; the fastest of the formulations tried, about
  2× faster at batch 32 than Keras's split of one [N, 3H] product per input). Each step's x_t
  is a tensor made from its part of the input array (unstacking or slicing one [T, N, I]
  tensor is far slower on this backend, whose slice copies its whole input out of the heap).
  The whole sequence runs inside one \`tf.tidy\`; y is stacked and read back with \`dataSync\`.
- Correctness gate before timing: each peer's whole y equals nnplay's within ${TOL}
  (|peer − nnplay| ≤ ${TOL}·(1 + |nnplay|)) for LSTM and GRU at batch 1 and 32. Largest
  differences: ${["onnxruntime-web", "tfjs-wasm"].map((p) => `${p} ${worst(p)}`).join(", ")}.
- Each task's contestants are warmed up, then timed over ${ROUNDS} interleaved round${ROUNDS === 1 ? "" : "s"} (each
  contestant once per round, in rotating order, an inner loop of about ${SAMPLE_MS} ms); medians
  of per-call time. Ratio = contestant time / nnplay time (> 1× means nnplay is faster). The
  ${os.cpus().length} cores are shared with other work (compiles), so absolute times move between
  runs; the ratios, taken within one run, move less.

${TABLE_HEAD}
${tasks.flatMap((t) => tableRows(t.name, results[t.key])).join("\n")}

Targets (recurrent issue; measured elsewhere before: onnxruntime-web LSTM batch 1 ≈ 0.73 ms,
GRU batch 1 ≈ 0.56 ms, tfjs-wasm ≈ 12 ms):

${targets.map((t) => `- ${t}`).join("\n")}

Versions: ${PKGS.map((p) => `${p} ${version(p)}`).join(", ")} (pinned in \`bench/package.json\`).
<!-- rnn:end -->`;

const file = here("../docs/BENCHMARKS.md");
let doc = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "# Benchmarks\n\nEvery number here is written by a command the project carries; rerun it to refresh.\n";
doc = doc.includes("<!-- rnn:begin -->") ? doc.replace(/<!-- rnn:begin -->[\s\S]*<!-- rnn:end -->/, () => section) : `${doc.trimEnd()}\n\n${section}\n`;
fs.writeFileSync(file, doc);
console.log("\nwrote the rnn section of docs/BENCHMARKS.md");
