// The size budget: the LeNet-5 view's first load (HTML, JS, CSS, wasm, weights, the sample
// test digits), as gzip sends it, stays within 300 KB. Fails the moment it grows past.
import { test } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, firstLoad } from "./harness.mjs";

const BUDGET = 300 * 1024;

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
