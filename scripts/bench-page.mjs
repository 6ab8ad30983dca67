// The page's own numbers, measured in headless Chromium against the built dist/ (run by
// scripts/bench.sh; a benchmark, not a test): the first load's size as gzip would send it,
// and how long drawing takes to repaint every LeNet-5 layer (p50 / p95 over 300 strokes), and
// every layer of a student's network of about 8 M multiply-adds; how long a step of the RNN
// view takes to repaint.
// Writes the <!-- page:begin --> section of docs/BENCHMARKS.md.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";


const { serve, launch, firstLoad, safetensors, gotoView } = await import(new URL("../tests/e2e/harness.mjs", import.meta.url));

const server = await serve();
const browser = await launch();
const { page, context, files, total } = await firstLoad(browser, server.url, "#view=lenet&digit=0");

// Draw: 300 short strokes across the pad, each one repainting every layer.
const box = await page.locator("canvas.pad").boundingBox();
/** 300 short strokes across the pad; the repaint times (ms) they caused, sorted. */
async function strokes() {
  await page.click(".pad-buttons button >> nth=0");
  await page.evaluate(() => (document.querySelector(".view.lenet").paintMs.length = 0));
  for (let i = 0; i < 300; i++) {
    const [x, y] = [box.x + box.width * (0.25 + 0.5 * ((i * 37) % 100) / 100), box.y + box.height * (0.2 + 0.6 * ((i * 61) % 100) / 100)];
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + 6, y + 9);
    await page.mouse.up();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  }
  const times = await page.evaluate(() => document.querySelector(".view.lenet").paintMs.slice(-300));
  return times.sort((a, b) => a - b);
}
const ms = await strokes();
const pct = (p, v = ms) => v[Math.min(v.length - 1, Math.floor(p * v.length))];

// A student's network of about 8 M multiply-adds per image, loaded from a file as a student
// would: conv 1→32 and 32→32 (3×3, padding 1) on 28×28, 2×2 max pooling, Linear 6,272→128→10.
const layers = [
  { type: "conv2d", out_channels: 32, kernel: [3, 3], stride: [1, 1], padding: [1, 1] }, { type: "relu" },
  { type: "conv2d", out_channels: 32, kernel: [3, 3], stride: [1, 1], padding: [1, 1] }, { type: "relu" },
  { type: "max_pool2d", kernel: [2, 2], stride: [2, 2] }, { type: "flatten" },
  { type: "linear", out_features: 128 }, { type: "relu" }, { type: "linear", out_features: 10 },
];
const shapes = { "0.weight": [32, 1, 3, 3], "0.bias": [32], "2.weight": [32, 32, 3, 3], "2.bias": [32], "6.weight": [128, 6272], "6.bias": [128], "8.weight": [10, 128], "8.bias": [10] };
const student = path.join(os.tmpdir(), `nnplay-bench-student-${process.pid}.safetensors`);
fs.writeFileSync(student, safetensors(shapes, { arch: "sequential_cnn", input: "[1,28,28]", layers: JSON.stringify(layers) }));
await page.setInputFiles("#lenet-file", student);
await page.waitForFunction(() => /multiply-adds/.test(document.querySelector("#lenet-net-note").textContent));
const macs = (await page.textContent("#lenet-net-note")).match(/([\d,]+) multiply-adds/)[1];
const big = await strokes();
fs.rmSync(student);

// The RNN view: a step of a 3-layer bidirectional LSTM (the chain's 60 cells, the gate table
// and the wiring diagram), and of the segmenter's trained BiLSTM (128 units each way) reading
// the course's sentence; each run stepped from the start to the end three times by the → key.
/** p50 / p95 / max (ms) of the repaints the steps of view `hash` caused. */
async function steps(hash) {
  await gotoView(page, server.url, hash);
  await page.waitForFunction(() => document.querySelector(".view.rnn")?.paintMs && /\d/.test(document.querySelector("#rnn-status").textContent));
  const total = await page.evaluate(() => Number(document.querySelector("#rnn-scrub").max));
  const times = [];
  for (let k = 0; k < 3; k++) {
    await page.click("#rnn-reset");
    await page.evaluate(() => (document.querySelector(".view.rnn").paintMs.length = 0));
    await page.focus("body");
    for (let i = 0; i < total; i++) {
      await page.keyboard.press("ArrowRight");
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    }
    times.push(...(await page.evaluate(() => document.querySelector(".view.rnn").paintMs.slice())));
  }
  return times.sort((a, b) => a - b);
}
const lstm3 = await steps("#view=rnn&cell=lstm&layers=3&bi=1&seq=sine&lang=en");
const bmes = await steps("#view=rnn&model=bmes&lang=en");
const version = browser.version();
await context.close();
await browser.close();
server.close();

const kb = (n) => (n / 1024).toFixed(1);
const rows = files.sort((a, b) => b.gz - a.gz).map((f) => `| \`${f.url}\` | ${kb(f.raw)} | ${kb(f.gz)} |`);
const section = `<!-- page:begin -->
## The page: first load and repaint (headless Chromium)

Command: \`node scripts/bench-page.mjs\` (part of \`./dev.sh bench\`). Chromium ${version}, the Trunk
build in \`dist/\` served from 127.0.0.1. Measured ${new Date().toISOString().slice(0, 10)}.

**First load of the LeNet-5 view** (every file the page fetched, sized as gzip -9 would send
it): **${kb(total)} KB** — target ≤ 300 KB. MNIST for training is not part of it (fetched only
when training starts).

| file | raw (KB) | gzip (KB) |
|---|---:|---:|
${rows.join("\n")}

**Draw → every layer repainted** (wasm forward pass of LeNet-5, all feature maps and the
unit panel redrawn), ${ms.length} strokes: p50 **${pct(0.5).toFixed(2)} ms**, p95
**${pct(0.95).toFixed(2)} ms**, max ${ms.at(-1).toFixed(2)} ms — target p95 ≤ 4 ms (the ryerson
visualizer's paper reports 36 ms).

**A student's network of ${macs} multiply-adds per image** (two 32-channel 3×3 convolutions
on 28×28, max pooling, Linear 6,272 → 128 → 10; random weights, loaded from a file through the
page's file input), the same 300 strokes (${big.length} repaints: a stroke that comes while a
pass is pending waits for the next frame): p50 **${pct(0.5, big).toFixed(2)} ms**, p95
**${pct(0.95, big).toFixed(2)} ms**, max ${big.at(-1).toFixed(2)} ms — target p95 ≤ 16 ms for
networks up to 10 M multiply-adds.

**RNN view, step → repainted** (the → key; the run moved one step, the unrolled chain
recoloured, the gate table and the wiring diagram redrawn): a 3-layer bidirectional LSTM
(4 units, the 10-step sine wave), ${lstm3.length} steps: p50 **${pct(0.5, lstm3).toFixed(2)} ms**, p95
**${pct(0.95, lstm3).toFixed(2)} ms**, max ${lstm3.at(-1).toFixed(2)} ms — target p95 ≤ 8 ms. The segmenter's
trained BiLSTM (128 units each way) reading 有一朵云飘在天空, ${bmes.length} steps: p50
**${pct(0.5, bmes).toFixed(2)} ms**, p95 **${pct(0.95, bmes).toFixed(2)} ms**.
<!-- page:end -->`;
console.log(section);
const file = new URL("../docs/BENCHMARKS.md", import.meta.url);
let doc = fs.readFileSync(file, "utf8");
doc = doc.includes("<!-- page:begin -->") ? doc.replace(/<!-- page:begin -->[\s\S]*<!-- page:end -->/, section) : `${doc.trimEnd()}\n\n${section}\n`;
fs.writeFileSync(file, doc);
