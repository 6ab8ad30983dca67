// The training view in a real browser: MNIST loads only when training starts, progress and curves
// stream in, pause and resume work, and the LeNet view can draw on the net being trained.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import fs from "node:fs";
import os from "node:os";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { serve, launch, openPage, gotoView, offeredFile, RESULTS } from "./harness.mjs";

const ROUNDTRIP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../python/page_roundtrip.py");

test("train in a worker, pause, resume, and inspect the net being trained", async () => {
  const server = await serve();
  const browser = await launch();
  try {
    const { page, errors, foreign } = await openPage(browser, server.url, { locale: "en-US" });
    const fetched = [];
    page.on("request", (r) => fetched.push(new URL(r.url()).pathname));
    await gotoView(page, server.url, "#view=train&epochs=1&batch=64");
    assert.ok(!fetched.some((p) => p.includes("/data/mnist/train")), "no MNIST before Start");
    await page.click("#train-start");
    await page.waitForFunction(() => document.querySelector("#train-status").dataset.status === "running", null, { timeout: 60000 });
    await page.waitForFunction(() => Number(document.querySelector("#train-progress").value) > 0.1, null, { timeout: 60000 });
    const stats = await page.textContent("#train-stats");
    assert.match(stats, /epoch 1\/1, step \d+\/938 · loss [\d.]+ · batch accuracy [\d.]+% · test accuracy – · \d+ images\/s/);
    await page.click("#train-start"); // pause
    await page.waitForFunction(() => document.querySelector("#train-status").dataset.status === "paused");
    const paused = await page.$eval("#train-progress", (p) => p.value);
    await page.waitForTimeout(500);
    assert.equal(await page.$eval("#train-progress", (p) => p.value), paused, "no progress while paused");
    // Downloaded, the paused network gives docs/pytorch/lenet5.py the page's probabilities.
    const offered = await offeredFile(page, "#train-download");
    assert.match(offered.name, /\.safetensors$/);
    const file = path.join(os.tmpdir(), `nnplay-lenet-${process.pid}.safetensors`);
    fs.writeFileSync(file, offered.bytes);
    const image = Array.from({ length: 784 }, (_, i) => (Math.abs((i % 28) - 14) < 2 && i > 4 * 28 && i < 24 * 28 ? 1 : 0)); // a 1
    const ours = await page.evaluate(async (x) => {
      const { trainedLenet } = await import(new URL("js/lenet.js", document.baseURI));
      const net = await trainedLenet();
      net.forward(Float32Array.from(x));
      return Array.from(net.probs());
    }, image);
    const imageFile = `${file}.json`;
    fs.writeFileSync(imageFile, JSON.stringify(image));
    const theirs = JSON.parse(execFileSync("python3", [ROUNDTRIP, "lenet", file, imageFile], { encoding: "utf8" }));
    for (let d = 0; d < 10; d++) assert.ok(Math.abs(ours[d] - theirs[d]) < 1e-4, `digit ${d}: page ${ours[d]}, PyTorch module ${theirs[d]}`);
    await page.click("#train-start"); // resume
    await page.waitForFunction((v) => Number(document.querySelector("#train-progress").value) > v, paused);
    await page.screenshot({ path: path.join(RESULTS, "train.png"), fullPage: true });
    await page.click("#train-inspect");
    await page.waitForSelector(".view.lenet[data-ready=true]");
    await page.waitForFunction(() => document.querySelector("#lenet-net-note").textContent.includes("refreshed every 2 seconds"));
    assert.match(await page.textContent(".pred-big"), /^\d$/);
    assert.ok(fetched.some((p) => p.endsWith("/data/mnist/train-images-idx3-ubyte.gz")));
    assert.deepEqual(foreign, []);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});
