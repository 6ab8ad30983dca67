// Training a character language model, nnplay against TensorFlow.js (tf.layers: embedding →
// LSTM → dense softmax; its cpu and wasm backends, whichever can train), one thread each, in
// this Node process: the same sizes (the vocabulary nnplay builds from the first 100,000
// characters of the Tang quatrains, embedding 32, hidden 128, windows of 64 characters,
// batches of 16 windows), one Adam step per call, timed in interleaved rounds
// (bench/timing.mjs). Timing only: the two start from different random weights. Prints
// characters per second and ratios, and rewrites the lm section of docs/BENCHMARKS.md.
// Needs target/bench-pkg (scripts/bench.sh builds it), bench/node_modules and
// data/poems/quatrains.txt (./dev.sh makes it).
import fs from "node:fs";
import os from "node:os";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { race, withRatios, printRows, tableRows, TABLE_HEAD, withSection } from "../bench/timing.mjs";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const nn = createRequire(import.meta.url)("../target/bench-pkg/nnplay.js");
const peer = createRequire(here("../bench/package.json"));
const tf = peer("@tensorflow/tfjs");
const tfwasm = peer("@tensorflow/tfjs-backend-wasm");
tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
tfwasm.setWasmPaths(here("../bench/node_modules/@tensorflow/tfjs-backend-wasm/dist/"));

const [E, H, T, B] = [32, 128, 64, 16];
const ROUNDS = Number(process.env.ROUNDS ?? 15);
const text = Array.from(fs.readFileSync(here("../data/poems/quatrains.txt"), "utf8")).slice(0, 100000).join("");

const trainer = new nn.LmTrainer(text, "lstm", H, E, 1, T, B, 0.005, 1000);
const V = trainer.vocabSize + 1;
const contestants = [{ name: "nnplay", call: () => trainer.run(1) }];

// The same shapes for TensorFlow.js: ids in [0, V), targets the next ids.
const ids = Array.from(text, (c) => c.codePointAt(0) % V);
const notes = [];
for (const backend of ["wasm", "cpu"]) {
  await tf.setBackend(backend);
  // Each backend's own tensors.
  const x = tf.tensor2d(Array.from({ length: B }, (_, b) => ids.slice(b * T, b * T + T)), [B, T], "int32");
  const y = tf.tensor3d(Array.from({ length: B }, (_, b) => ids.slice(b * T + 1, b * T + T + 1).map((v) => [v])), [B, T, 1]);
  const model = tf.sequential({
    layers: [tf.layers.embedding({ inputDim: V, outputDim: E, inputLength: T }), tf.layers.lstm({ units: H, returnSequences: true }), tf.layers.dense({ units: V, activation: "softmax" })],
  });
  model.compile({ optimizer: tf.train.adam(0.005), loss: "sparseCategoricalCrossentropy" });
  const name = `tfjs-${backend}`;
  try {
    await model.trainOnBatch(x, y);
    contestants.push({ name, async: true, enter: () => tf.setBackend(backend), call: () => model.trainOnBatch(x, y) });
  } catch (e) {
    notes.push([name, `cannot train: ${String(e.message ?? e).split("\n")[0]}`]);
  }
}

const rows = withRatios(await race(contestants, { rounds: ROUNDS, sampleMs: 200 }));
const task = `one training step: ${B} windows of ${T} characters, LSTM ${H}, embedding ${E}, vocabulary ${V}`;
printRows(console.log, task, rows);
for (const [who, note] of notes) console.log(`  ${who.padEnd(16)} ${note}`);
const cps = (r) => Math.round((B * T * 1000) / r.ms);
for (const r of rows) console.log(`  ${r.name.padEnd(16)} ${cps(r)} characters/s`);

const version = (pkg) => JSON.parse(fs.readFileSync(here(`../bench/node_modules/${pkg}/package.json`), "utf8")).version;
const section = `<!-- lm:begin -->
## Training a character language model (Node)

Command: \`node scripts/bench-lm.mjs\` (part of \`./dev.sh bench\`). Node ${process.version}, ${os.cpus()[0]?.model ?? "unknown CPU"}, one thread each;
@tensorflow/tfjs ${version("@tensorflow/tfjs")} (tf.layers embedding → lstm → dense softmax, sparse categorical cross-entropy, Adam).
Measured ${new Date().toISOString().slice(0, 10)}, ${ROUNDS} rounds. ${task}; timing only (different random weights).

${TABLE_HEAD}
${tableRows(task, rows, notes).join("\n")}

Characters per second: ${rows.map((r) => `${r.name} ${cps(r)}`).join(", ")}.${notes.length ? "\n" + notes.map(([w, n]) => `${w}: ${n}.`).join(" ") : ""}
<!-- lm:end -->`;
const file = here("../docs/BENCHMARKS.md");
fs.writeFileSync(file, withSection(fs.readFileSync(file, "utf8"), "lm", section));
console.log("\nwrote the lm section of docs/BENCHMARKS.md");
