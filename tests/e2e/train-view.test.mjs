// The training view in a real browser: MNIST loads only when training starts, progress and curves
// stream in, pause and resume work, and the LeNet view can draw on the net being trained.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { serve, launch, openPage, gotoView, RESULTS } from "./harness.mjs";

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
