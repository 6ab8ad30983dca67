// A character language model, nnplay against TensorFlow.js's layers API, in this Node
// process, one thread each: one training step and writing 100 characters one at a time
// (bench/lm.mjs, which the Chromium page shares), timed in interleaved rounds
// (bench/timing.mjs). Prints milliseconds, characters per second and ratios, and rewrites
// the lm section of docs/BENCHMARKS.md.
// Needs target/bench-pkg (scripts/bench.sh builds it; Node 20 loads it with
// --experimental-wasm-relaxed-simd), bench/node_modules and data/poems/quatrains.txt
// (./dev.sh makes it). ROUNDS=3 for a quick look.
import fs from "node:fs";
import os from "node:os";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { race, withRatios, printRows, tableRows, TABLE_HEAD, withSection } from "../bench/timing.mjs";
import { setupLm, charsPerS, speedLine } from "../bench/lm.mjs";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const nn = createRequire(import.meta.url)("../target/bench-pkg/nnplay.js");
const peer = createRequire(here("../bench/package.json"));
const tf = peer("@tensorflow/tfjs");
const tfwasm = peer("@tensorflow/tfjs-backend-wasm");
tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
tfwasm.setWasmPaths(here("../bench/node_modules/@tensorflow/tfjs-backend-wasm/dist/"));

const ROUNDS = Number(process.env.ROUNDS ?? 15);
if (!(Number.isInteger(ROUNDS) && ROUNDS >= 1)) throw new Error(`ROUNDS must be a whole number >= 1, got ${process.env.ROUNDS}`);
const text = fs.readFileSync(here("../data/poems/quatrains.txt"), "utf8");

const { tasks, notes } = await setupLm({ nn, tf, text });
const results = {};
for (const task of tasks) {
  const rows = withRatios(await race(task.contestants(), { rounds: ROUNDS, sampleMs: 200 }));
  results[task.key] = rows;
  printRows(console.log, task.name, rows);
  for (const [who, note] of notes[task.key]) console.log(`  ${who.padEnd(16)} ${note}`);
  for (const r of rows) console.log(`  ${r.name.padEnd(16)} ${charsPerS(task, r)} characters/s`);
}

const version = (pkg) => JSON.parse(fs.readFileSync(here(`../bench/node_modules/${pkg}/package.json`), "utf8")).version;
const section = `<!-- lm:begin -->
## A character language model: training and writing (Node)

Command: \`bash scripts/bench.sh\` (which runs \`node --experimental-wasm-relaxed-simd scripts/bench-lm.mjs\`; \`ROUNDS=3\` for a quick look). Node ${process.version}, ${os.cpus()[0]?.model ?? "unknown CPU"}, one thread each;
@tensorflow/tfjs ${version("@tensorflow/tfjs")} (tf.layers embedding → lstm → dense softmax; training: sparse categorical cross-entropy, Adam).
Measured ${new Date().toISOString().slice(0, 10)}, ${ROUNDS} round${ROUNDS === 1 ? "" : "s"} (interleaved). Timing only: nnplay and tfjs start from different random weights.
Writing: nnplay's \`LanguageModel\` (\`read\` the prompt, \`write\`) against a stateful tfjs model
(\`batchInputShape [1, 1]\`) stepped one character per call, probabilities read back and the next
character drawn in JS; TensorFlow.js's own lstm-text-generation example recomputes the whole window
for every character, which is slower (\`bench/lm.mjs\`).

${TABLE_HEAD}
${tasks.flatMap((t) => tableRows(t.name, results[t.key], notes[t.key])).join("\n")}

${tasks.map((t) => speedLine(t, results[t.key], notes[t.key])).join("\n")}
<!-- lm:end -->`;
const file = here("../docs/BENCHMARKS.md");
fs.writeFileSync(file, withSection(fs.readFileSync(file, "utf8"), "lm", section));
console.log("\nwrote the lm section of docs/BENCHMARKS.md");
