// The page's own numbers, measured in headless Chromium against the built dist/ (run by
// scripts/bench.sh; a benchmark, not a test): the first load's size as gzip would send it,
// and how long drawing takes to repaint every LeNet-5 layer (p50 / p95 over 300 strokes).
// Writes the <!-- page:begin --> section of docs/BENCHMARKS.md.
import fs from "node:fs";

const { serve, launch, firstLoad } = await import(new URL("../tests/e2e/harness.mjs", import.meta.url));

const server = await serve();
const browser = await launch();
const { page, context, files, total } = await firstLoad(browser, server.url, "#view=lenet&digit=0");

// Draw: 300 short strokes across the pad, each one repainting every layer.
const box = await page.locator("canvas.pad").boundingBox();
await page.click(".pad-buttons button >> nth=0");
for (let i = 0; i < 300; i++) {
  const [x, y] = [box.x + box.width * (0.25 + 0.5 * ((i * 37) % 100) / 100), box.y + box.height * (0.2 + 0.6 * ((i * 61) % 100) / 100)];
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + 6, y + 9);
  await page.mouse.up();
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}
const ms = await page.evaluate(() => document.querySelector(".view.lenet").paintMs.slice(-300));
ms.sort((a, b) => a - b);
const pct = (p) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))];
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
<!-- page:end -->`;
console.log(section);
const file = new URL("../docs/BENCHMARKS.md", import.meta.url);
let doc = fs.readFileSync(file, "utf8");
doc = doc.includes("<!-- page:begin -->") ? doc.replace(/<!-- page:begin -->[\s\S]*<!-- page:end -->/, section) : `${doc.trimEnd()}\n\n${section}\n`;
fs.writeFileSync(file, doc);
