// Soak: 10,000 animation frames of the LeNet-5 view (a stroke drawn, every layer repainted)
// and of the RNN view (an LSTM stepped back and forth), in headless Chromium against dist/.
// Reports wasm memory (which can only grow) and the JS heap after a forced GC, after a
// warm-up and at the end. Writes the <!-- soak:begin --> section of docs/BENCHMARKS.md.
import fs from "node:fs";
import { chromium } from "../tests/e2e/node_modules/playwright-core/index.mjs";
import { withSection } from "../bench/timing.mjs";

const { serve, CHROMIUM } = await import(new URL("../tests/e2e/harness.mjs", import.meta.url));
const FRAMES = Number(process.env.FRAMES ?? 10000);
const server = await serve();
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--js-flags=--expose-gc"],
});
const page = await browser.newPage();
// Both wasm modules' memory: the page's, and the sequence views' once the RNN view loaded it.
const sample = () => page.evaluate(async () => {
  window.gc();
  const { seqWasm } = await import(new URL("js/wasm.js", document.baseURI));
  let seqBytes = 0;
  try {
    seqBytes = seqWasm().memoryBytes();
  } catch {
    // not loaded yet (the LeNet-5 view)
  }
  return { wasm: window.wasmBindings.memoryBytes() + seqBytes, heap: performance.memory.usedJSHeapSize };
});
const rows = [];

// LeNet-5: each frame moves the pen on the pad with the button down, so the view re-runs
// the network and repaints every layer.
await page.goto(`${server.url}#view=lenet&lang=en`);
await page.waitForSelector(".view.lenet[data-ready=true]");
const lenetFrames = (n) => page.evaluate(async (n) => {
  const pad = document.querySelector("canvas.pad");
  const r = pad.getBoundingClientRect();
  const ev = (type, i) => pad.dispatchEvent(new PointerEvent(type, { bubbles: true, pointerId: 1, clientX: r.left + r.width * (0.3 + 0.4 * ((i * 37) % 100) / 100), clientY: r.top + r.height * (0.2 + 0.6 * ((i * 61) % 100) / 100) }));
  ev("pointerdown", 0);
  for (let i = 0; i < n; i++) {
    ev("pointermove", i);
    await new Promise((res) => requestAnimationFrame(res));
    if (i % 50 === 49) document.querySelector(".pad-buttons button").click(); // clear now and then
  }
  ev("pointerup", n);
}, n);
await lenetFrames(500);
const warmL = await sample();
await lenetFrames(FRAMES);
const endL = await sample();
rows.push(["LeNet-5 (draw → repaint)", warmL, endL]);

// RNN: an LSTM over "hello", stepped forward and back one frame at a time.
await page.goto(`${server.url}#view=rnn&cell=lstm&layers=2&bi=1&lang=en`);
await page.waitForSelector("#rnn-step");
const rnnFrames = (n) => page.evaluate(async (n) => {
  for (let i = 0; i < n; i++) {
    const key = i % 40 < 20 ? "ArrowRight" : "ArrowLeft";
    document.querySelector(".view.rnn").dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
    await new Promise((res) => requestAnimationFrame(res));
  }
}, n);
await rnnFrames(500);
const warmR = await sample();
await rnnFrames(FRAMES);
const endR = await sample();
rows.push(["LSTM 2 layers bidirectional (step ± 1)", warmR, endR]);
const version = browser.version();
await browser.close();
server.close();

const mb = (b) => (b / 1048576).toFixed(2);
const table = rows.map(([name, a, b]) => `| ${name} | ${FRAMES.toLocaleString("en")} | ${mb(a.wasm)} → ${mb(b.wasm)} | ${mb(a.heap)} → ${mb(b.heap)} |`);
const section = `<!-- soak:begin -->
## Soak: memory over ${FRAMES.toLocaleString("en")} frames (headless Chromium)

Command: \`node scripts/bench-soak.mjs\` (FRAMES=… to change). Chromium ${version}, dist/ on
127.0.0.1, after a 500-frame warm-up; the JS heap is read after a forced GC. Measured
${new Date().toISOString().slice(0, 10)}.

| view | frames | wasm memory (MB) | JS heap (MB) |
|---|---:|---:|---:|
${table.join("\n")}
<!-- soak:end -->`;
console.log(section);
const file = new URL("../docs/BENCHMARKS.md", import.meta.url);
fs.writeFileSync(file, withSection(fs.readFileSync(file, "utf8"), "soak", section));
