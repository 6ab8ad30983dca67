// The RNN view in a real browser: stepping through time shows the gate values wasm computes;
// Jordan draws its output-to-hidden wire; a stacked bidirectional network runs both ways.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { sharedBrowser, openPage, gotoView, RESULTS } from "./harness.mjs";

const env = sharedBrowser();

const table = (page) => page.$$eval("#rnn-gates tr[data-gate]", (rows) => rows.map((r) => [r.dataset.gate, Array.from(r.querySelectorAll("td"), (td) => Number(td.textContent))]));

test("stepping an LSTM shows, at each step, the gates wasm computes", async () => {
  const { page, context, errors } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  await gotoView(page, env.server.url, "#view=rnn&cell=lstm&seq=hello");
  for (let k = 0; k < 3; k++) await page.click("#rnn-step");
  assert.match(page.url(), /pos=3/);
  assert.match(await page.textContent("#rnn-status"), /time step 3 \(3\/5\)/);
  const shown = await table(page);
  assert.deepEqual(shown.map((r) => r[0]), ["i", "f", "c̃", "o", "c", "h"]);
  // The same network, stepped independently through the wasm API.
  const want = await page.evaluate(async () => {
    const w = await (await import(new URL("js/wasm.js", document.baseURI))).seqModule();
    const x = Float32Array.from([0, 1, 2, 2, 3].flatMap((k) => [0, 1, 2, 3].map((j) => (j === k ? 1 : 0))));
    const net = new w.RecurrentNet("lstm", 4, 4, 1, false, 1);
    net.begin(x, 5);
    for (let k = 0; k < 3; k++) net.step(0, 0);
    const g = Array.from(net.gates(0, 0).subarray(2 * 16, 3 * 16));
    return { g, c: Array.from(net.cell(0, 0).subarray(8, 12)), h: Array.from(net.hidden(0, 0).subarray(8, 12)) };
  });
  for (let q = 0; q < 4; q++) shown[q][1].forEach((v, j) => assert.ok(Math.abs(v - want.g[q * 4 + j]) < 1e-3, `${shown[q][0]}[${j}]`));
  shown[4][1].forEach((v, j) => assert.ok(Math.abs(v - want.c[j]) < 1e-3));
  shown[5][1].forEach((v, j) => assert.ok(Math.abs(v - want.h[j]) < 1e-3));
  // Keyboard: ← steps back.
  await page.focus("#rnn-step");
  await page.keyboard.press("ArrowLeft");
  assert.match(page.url(), /pos=2/);
  await page.screenshot({ path: path.join(RESULTS, "rnn-lstm.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test("Elman feeds back h, Jordan feeds back y; a stacked bidirectional GRU runs both ways", async () => {
  const { page, context, errors } = await openPage(env.browser, env.server.url, { locale: "zh-CN" });
  await gotoView(page, env.server.url, "#view=rnn&cell=jordan&pos=5");
  assert.equal(await page.locator("svg .wire.jordan.on").count(), 4);
  await page.selectOption("#rnn-cell", "elman");
  assert.equal(await page.locator("svg .wire.jordan").count(), 0);
  assert.match(await page.textContent(".formulas"), /W\s*hh/);
  await page.selectOption("#rnn-cell", "gru");
  await page.selectOption("#rnn-seq", "sine");
  await page.selectOption("#rnn-layers", "2");
  await page.check("#rnn-bi");
  await page.fill("#rnn-scrub", "40");
  await page.dispatchEvent("#rnn-scrub", "input");
  // 2 layers × 2 directions × 10 steps of the sine wave: every cell computed.
  assert.equal(await page.locator("svg .cellbox.done").count(), 40);
  assert.match(await page.textContent("#rnn-status"), /第 2 层（反向）刚算完第 1 个时间步/);
  await page.screenshot({ path: path.join(RESULTS, "rnn-bigru.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test("every cell kind side by side, and gradient norms that vanish faster without gates", async () => {
  const { page, context } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  await gotoView(page, env.server.url, "#view=rnn&cell=gru");
  assert.equal(await page.locator("#rnn-compare .cmp-row").count(), 7);
  const first = (await page.getAttribute("#rnn-grads", "data-first")).split(",").map(Number);
  // Norm of dLoss/dx at the step farthest from the loss: Elman, GRU, LSTM.
  assert.ok(first[2] > 100 * first[0], `LSTM ${first[2]} vs Elman ${first[0]}`);
  assert.equal(await page.locator("#rnn-grads path.series").count(), 3);
  // The curves' labels can all be read: no two overlap (Elman's and the GRU's curves often
  // start at the same height), and each lies inside the chart.
  const boxes = await page.$$eval("#rnn-grads .series-label", (ts) => ts.map((t) => t.getBBox()).map(({ x, y, width, height }) => ({ x, y, width, height })));
  assert.equal(boxes.length, 3);
  const [vw, vh] = await page.$eval("#rnn-grads svg", (e) => [e.viewBox.baseVal.width, e.viewBox.baseVal.height]);
  for (const [i, a] of boxes.entries()) {
    assert.ok(a.y >= 0 && a.y + a.height <= vh && a.x + a.width <= vw, `label ${i} outside the chart`);
    for (const b of boxes.slice(i + 1)) assert.ok(a.y + a.height <= b.y || b.y + b.height <= a.y || a.x + a.width <= b.x || b.x + b.width <= a.x, "labels overlap");
  }
  // Nor is anything of the unrolled chain cut off at its top: the folded cell's label included.
  const chainTop = await page.$eval(".chain-svg", (e) => Math.min(...Array.from(e.querySelectorAll("text"), (t) => t.getBBox().y)));
  assert.ok(chainTop >= 0, `a label of the chain starts at y = ${chainTop}`);
  await context.close();
});
