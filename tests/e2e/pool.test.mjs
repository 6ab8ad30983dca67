// The pooling lab in a real browser: max, mean and stochastic pooling of one window, the
// probabilities p_i, a seeded sample, and 1000 samples whose frequencies follow p_i.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { sharedBrowser, openPage, gotoView, RESULTS } from "./harness.mjs";

const env = sharedBrowser();

test("one window through max, mean and stochastic pooling; samples follow p_i", async () => {
  const { page, context, errors } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  await gotoView(page, env.server.url, "#view=pool&seed=3&win=1");
  assert.equal(await page.textContent("#pool-arith-max"), "max(0.2, 0.9, 2.4, 0) = 2.4");
  assert.equal(await page.textContent("#pool-arith-mean"), "(0.2 + 0.9 + 2.4 + 0) / 4 = 0.875");
  assert.match(await page.textContent("#pool-arith-expect"), /= 1\.889$/); // (0.04 + 0.81 + 5.76) / 3.5
  // Every pooled value can be read whole: "0.875" fits inside its cell.
  const cramped = await page.$$eval(".lab .out .cell", (cs) =>
    cs
      .filter((c) => {
        const text = document.createRange();
        text.selectNodeContents(c);
        return text.getBoundingClientRect().width > c.clientWidth;
      })
      .map((c) => c.textContent),
  );
  assert.deepEqual(cramped, []);
  await page.click("#pool-many");
  const freqs = await page.$$eval("table.probs tr.freq td", (tds) => tds.map((td) => Number(td.textContent)));
  const p = [0.2, 0.9, 2.4, 0].map((v) => v / 3.5);
  freqs.forEach((f, i) => assert.ok(Math.abs(f - p[i]) < 0.05, `cell ${i}: ${f} vs ${p[i]}`));
  assert.equal(freqs[3], 0, "a zero activation is never drawn");
  await page.click("#pool-resample");
  assert.match(page.url(), /seed=4/);
  assert.match(await page.textContent("#pool-arith-sample"), /^seed 4 drew the value (0\.2|0\.9|2\.4)$/);
  // Editing a cell to a negative number is clamped to 0 (activations follow a ReLU).
  const cell = page.locator(".in-panel input.cell").nth(0);
  await cell.fill("-3");
  await cell.press("Enter");
  assert.match(page.url(), /a=0,0,0\.2/);
  await page.screenshot({ path: path.join(RESULTS, "pool.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});
