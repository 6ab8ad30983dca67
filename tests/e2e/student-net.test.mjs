// A student's own CNN in the LeNet view: files made by tests/python/student_models.py (the
// numpy torch shim through docs/pytorch/export_sequential.py) are picked with the file
// input; the view draws their layers, and its probabilities are the module's softmax for
// the very image the page fed it. A bare state_dict is shown with what nnplay assumed; a
// file that is not safetensors is a sentence and the network on screen stays; a reload
// shows the kept network again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sharedBrowser, openPage, gotoView, safetensors } from "./harness.mjs";

const env = sharedBrowser();
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SCRIPT = path.join(ROOT, "tests/python/student_models.py");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nnplay-students-"));
execFileSync("python3", [SCRIPT, "make", dir]);

const ready = (page) => page.waitForSelector(".view.lenet[data-ready=true]");

/** The module's outputs for the image the page fed the network shown, and the page's. */
async function compare(page, name) {
  const { fed, probs } = await page.evaluate(() => {
    const net = document.querySelector(".view.lenet").shownNet();
    return { fed: Array.from(net.fed), probs: Array.from(net.probs()) };
  });
  const image = path.join(dir, `${name}-image.json`);
  fs.writeFileSync(image, JSON.stringify(fed));
  const logits = JSON.parse(execFileSync("python3", [SCRIPT, "logits", name, image], { encoding: "utf8" }));
  const top = Math.max(...logits);
  const e = logits.map((v) => Math.exp(v - top));
  const sum = e.reduce((a, b) => a + b, 0);
  return { probs, want: e.map((v) => v / sum) };
}

async function pick(page, name) {
  await page.setInputFiles("#lenet-file", path.join(dir, `${name}.safetensors`));
  await page.waitForFunction((n) => document.querySelector("#lenet-net-note").textContent.startsWith(`${n}.safetensors:`), name);
}

test("a LeNet of one's own on 32×32 and a three-convolution module: their layers, and the module's probabilities", async () => {
  const { page, context, errors } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  await gotoView(page, env.server.url, "#view=lenet&digit=4");
  await ready(page);
  await pick(page, "lenet32");
  assert.match(page.url(), /net=local/);
  const shapes = await page.$$eval(".layers .layer .shape", (s) => s.map((e) => e.textContent.trim()));
  assert.deepEqual(shapes, ["1@32×32", "6@28×28", "6@14×14", "16@10×10", "16@5×5", "120", "84", "10"]);
  let { probs, want } = await compare(page, "lenet32");
  for (let i = 0; i < 10; i++) assert.ok(Math.abs(probs[i] - want[i]) < 1e-4, `class ${i}: ${probs[i]} vs ${want[i]}`);
  // The file's class names label the bars and the reading.
  const labels = await page.$$eval(".bars .digit", (d) => d.map((e) => e.textContent));
  assert.deepEqual(labels, ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"]);
  // The 3D mode lays out this network's planes: one point per unit of its layers.
  await page.click("#lenet-mode-3d");
  await page.waitForFunction(() => location.hash.includes("mode=3d"));
  const points = await page.evaluate(async () => {
    const { layout } = await import(new URL("js/lenet3d.js", document.baseURI));
    return layout().pos.length / 3;
  });
  assert.equal(points, 32 * 32 + 6 * 28 * 28 + 6 * 14 * 14 + 16 * 10 * 10 + 16 * 5 * 5 + 120 + 84 + 10);
  const shot = await page.locator("canvas.net3d").screenshot();
  assert.ok(shot.length > 20000, `3D canvas screenshot is only ${shot.length} bytes (blank?)`);
  await page.click("#lenet-mode-flat");
  await page.waitForFunction(() => !location.hash.includes("mode=3d"));
  await page.waitForFunction(() => /takes [\d.]+ ms/.test(document.querySelector("#lenet-timing").textContent));

  await pick(page, "three-conv");
  const three = await page.$$eval(".layers .layer .shape", (s) => s.map((e) => e.textContent.trim()));
  assert.deepEqual(three, ["1@28×28", "8@28×28", "8@28×28", "8@14×14", "16@7×7", "32", "10"]);
  // Its PyTorch code: the Sequential that loads this very file (tests/python/check_snippets.py
  // runs such code against the student's module).
  const code = await page.textContent("#lenet-code code");
  assert.match(code, /nn\.Conv2d\(8, 16, kernel_size=3, stride=2, padding=1\)/);
  assert.match(code, /load_file\("three-conv\.safetensors"\)/);
  ({ probs, want } = await compare(page, "three-conv"));
  for (let i = 0; i < 10; i++) assert.ok(Math.abs(probs[i] - want[i]) < 1e-4, `class ${i}: ${probs[i]} vs ${want[i]}`);
  // A unit of the strided convolution: its arithmetic ends in the value the page drew.
  await page.focus(".layer-c4");
  await page.keyboard.press("ArrowRight");
  await page.waitForFunction(() => location.hash.includes("layer=c4") && location.hash.includes("unit=1"));
  const r = await page.evaluate(() => ({ text: document.querySelector("#lenet-arith").textContent, value: document.querySelector(".view.lenet").shownNet().c4()[1] }));
  assert.ok(Math.abs(Number(r.text.split(": ").at(-1)) - r.value) < 1e-3, `${r.text} vs ${r.value}`);

  // A reload shows the kept network again.
  await page.reload();
  await ready(page);
  await page.waitForFunction(() => document.querySelector("#lenet-net-note").textContent.startsWith("three-conv.safetensors:"));
  assert.deepEqual(errors, []);
  await context.close();
});

test("a bare state_dict is shown with what nnplay assumed; a file that is not safetensors is a sentence", async () => {
  const { page, context, errors } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  await gotoView(page, env.server.url, "#view=lenet&digit=1");
  await ready(page);
  await pick(page, "bare");
  const assumed = await page.$$eval(".lenet-questions li", (l) => l.map((e) => e.textContent));
  assert.ok(assumed.length > 0 && assumed.every((q) => /assumed/.test(q)), assumed.join(" | "));
  const { probs, want } = await compare(page, "bare");
  for (let i = 0; i < 10; i++) assert.ok(Math.abs(probs[i] - want[i]) < 1e-4, `class ${i}: ${probs[i]} vs ${want[i]}`);
  // Answered otherwise: layer 1 a Tanh instead of the assumed ReLU — the layer's name says
  // so, and the outputs are no longer the ReLU module's.
  await page.selectOption("[aria-label='Layer 1']", "tanh");
  await page.click("#lenet-answers-apply");
  await page.waitForFunction(() => /Tanh/i.test(document.querySelector(".layer-c1 h3").textContent));
  assert.equal(await page.inputValue("[aria-label='Layer 1']"), "tanh", "the form keeps the answer");
  const after = await compare(page, "bare");
  assert.ok(after.probs.some((p, i) => Math.abs(p - after.want[i]) > 1e-4), "a Tanh network gives other numbers than the ReLU module");
  const before = await page.$$eval(".layers .layer", (l) => l.length);
  const junk = path.join(dir, "notes.safetensors");
  fs.writeFileSync(junk, "these are my lecture notes, not weights");
  await page.setInputFiles("#lenet-file", junk);
  await page.waitForFunction(() => document.querySelector("#lenet-net-note").textContent.startsWith("notes.safetensors cannot be shown"));
  assert.equal(await page.$$eval(".layers .layer", (l) => l.length), before, "the network on screen stays");
  assert.deepEqual(errors, []);
  await context.close();
});

test("a network with 64 channels and a 1,000-unit layer still fits the view and stays legible", async () => {
  const layers = [
    { type: "conv2d", out_channels: 64, kernel: [5, 5], stride: [4, 4], padding: [2, 2] }, { type: "relu" },
    { type: "max_pool2d", kernel: [2, 2], stride: [2, 2] }, { type: "flatten" },
    { type: "linear", out_features: 1000 }, { type: "relu" }, { type: "linear", out_features: 10 },
  ];
  const shapes = { "0.weight": [64, 1, 5, 5], "0.bias": [64], "4.weight": [1000, 576], "4.bias": [1000], "6.weight": [10, 1000], "6.bias": [10] };
  const file = path.join(dir, "wide.safetensors");
  fs.writeFileSync(file, safetensors(shapes, { arch: "sequential_cnn", input: "[1,28,28]", layers: JSON.stringify(layers) }));
  const { page, context, errors } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  await page.setViewportSize({ width: 1280, height: 900 });
  await gotoView(page, env.server.url, "#view=lenet&digit=2");
  await ready(page);
  await page.setInputFiles("#lenet-file", file);
  await page.waitForFunction(() => document.querySelector("#lenet-net-note").textContent.startsWith("wide.safetensors:"));
  for (const width of [1280, 360]) {
    await page.setViewportSize({ width, height: 900 });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const m = await page.evaluate(() => {
      const rect = (sel) => [...document.querySelectorAll(sel)].map((c) => c.getBoundingClientRect());
      const maps = rect(".layer-c1 .map canvas");
      const dense = rect(".layer-f3 canvas")[0];
      const c1 = document.querySelector(".layer-c1").getBoundingClientRect();
      return { page: document.scrollingElement.scrollWidth, view: innerWidth, maps: maps.length, cell: Math.min(...maps.map((r) => r.width / 7)), denseCell: dense.width / document.querySelector(".layer-f3 canvas").width, c1Right: c1.right };
    });
    assert.ok(m.page <= m.view, `${width} px: the page scrolls sideways (${m.page} > ${m.view})`);
    assert.equal(m.maps, 64);
    assert.ok(m.cell >= 2, `${width} px: a map's cell is ${m.cell} px`);
    assert.ok(m.denseCell >= 2, `${width} px: a unit of the 1,000-unit layer is ${m.denseCell} px`);
    assert.ok(m.c1Right <= m.view, `${width} px: the 64 maps run past the screen`);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test("a network of more than 10 M multiply-adds does not hold the pen back: it runs when the pen pauses", async () => {
  // About 30 M multiply-adds: 64 channels of 3×3 over 64 on 28×28.
  const layers = [
    { type: "conv2d", out_channels: 64, kernel: [3, 3], stride: [1, 1], padding: [1, 1] }, { type: "relu" },
    { type: "conv2d", out_channels: 64, kernel: [3, 3], stride: [1, 1], padding: [1, 1] }, { type: "relu" },
    { type: "flatten" }, { type: "linear", out_features: 10 },
  ];
  const shapes = { "0.weight": [64, 1, 3, 3], "0.bias": [64], "2.weight": [64, 64, 3, 3], "2.bias": [64], "5.weight": [10, 50176], "5.bias": [10] };
  const file = path.join(dir, "heavy.safetensors");
  fs.writeFileSync(file, safetensors(shapes, { arch: "sequential_cnn", input: "[1,28,28]", layers: JSON.stringify(layers) }));
  const { page, context, errors } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  await gotoView(page, env.server.url, "#view=lenet&digit=2");
  await ready(page);
  await page.setInputFiles("#lenet-file", file);
  await page.waitForFunction(() => document.querySelector("#lenet-net-note").textContent.startsWith("heavy.safetensors:"));
  await page.waitForTimeout(500);
  const before = await page.evaluate(() => document.querySelector(".view.lenet").paintMs.length);
  const box = await page.locator("canvas.pad").boundingBox();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
  await page.mouse.down();
  for (let i = 0; i < 20; i++) await page.mouse.move(box.x + box.width * (0.3 + i * 0.02), box.y + box.height * (0.3 + i * 0.02));
  const during = await page.evaluate(() => document.querySelector(".view.lenet").paintMs.length);
  await page.mouse.up();
  await page.waitForTimeout(600);
  const after = await page.evaluate(() => document.querySelector(".view.lenet").paintMs.length);
  assert.ok(during - before <= 2, `${during - before} passes ran under 20 pen moves`);
  assert.ok(after > during, "the pass runs once the pen pauses");
  assert.deepEqual(errors, []);
  await context.close();
});
