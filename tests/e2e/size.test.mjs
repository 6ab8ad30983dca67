// The size budget: the LeNet-5 view's first load (HTML, JS, CSS, wasm, weights, the sample
// test digits), as gzip sends it, stays within 300 KB. Fails the moment it grows past.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { serve, launch, firstLoad, DIST } from "./harness.mjs";

const BUDGET = 300 * 1024;
const LM_BUDGET = 1_500_000;

test("first load of the page stays within 300 KB gzip, weights included, MNIST excluded", async () => {
  const server = await serve();
  const browser = await launch();
  try {
    const { files, total, context } = await firstLoad(browser, server.url, "#view=lenet");
    const list = files.map((f) => `${f.url} ${(f.gz / 1024).toFixed(1)} KB`).join("\n");
    assert.ok(files.some((f) => f.url.endsWith("lenet5.safetensors")), "the weights are part of the first load");
    assert.ok(!files.some((f) => f.url.includes("/data/mnist/train")), "no training data on first load");
    assert.ok(total <= BUDGET, `first load is ${(total / 1024).toFixed(1)} KB gzip, budget 300 KB:\n${list}`);
    await context.close();
  } finally {
    await browser.close();
    server.close();
  }
});

test("the language-model view's models stay within 1.5 MB gzip together, and no other view loads them", async () => {
  // Every model the view can fetch, as its model list names them.
  const list = fs.readFileSync(path.join(DIST, "js/views/lm/models.js"), "utf8");
  const files = [...list.matchAll(/file: "(weights\/[\w.-]+\.safetensors)"/g)].map((m) => m[1]);
  assert.ok(files.length >= 6, `the model list names ${files.length} files`);
  const sizes = files.map((f) => [f, gzipSync(fs.readFileSync(path.join(DIST, f)), { level: 9 }).length]);
  const total = sizes.reduce((a, [, n]) => a + n, 0);
  const table = sizes.map(([f, n]) => `${f} ${(n / 1000).toFixed(1)} KB`).join("\n");
  assert.ok(total <= LM_BUDGET, `the view's models are ${(total / 1e6).toFixed(3)} MB gzip, budget 1.5 MB:\n${table}`);
  const server = await serve();
  const browser = await launch();
  try {
    const { files: loaded, context } = await firstLoad(browser, server.url, "#view=lenet");
    assert.ok(!loaded.some((f) => files.some((w) => f.url.endsWith(w))), "the LeNet-5 view fetches none of them");
    await context.close();
  } finally {
    await browser.close();
    server.close();
  }
});
