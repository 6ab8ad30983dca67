// Offline and strict: dist/ served with the strictest Content-Security-Policy the page can
// live with (no inline script or style, wasm compilation allowed), every view opened and
// used, training started in its worker — 0 CSP violations, 0 requests to any other host.
import { test } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, openPage, gotoView, DIST } from "./harness.mjs";

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

test("every view works under a strict CSP with no request leaving the origin", async () => {
  const server = await serve(DIST, { "content-security-policy": CSP });
  const browser = await launch();
  try {
    const { page, errors, foreign } = await openPage(browser, server.url, { locale: "en-US" });
    await page.addInitScript(() => {
      window.cspViolations = [];
      addEventListener("securitypolicyviolation", (e) => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const violations = [];
    for (const view of ["conv", "pool", "lenet", "rnn", "lm", "seg", "ilsvrc", "train", "course"]) {
      await gotoView(page, server.url, `#view=${view}`);
      if (view === "conv") await page.hover(".out-valid .grid .cell:not(.pad) >> nth=0");
      if (view === "lenet") {
        await page.waitForSelector(".view.lenet[data-ready=true]");
        await page.click("#lenet-mode-3d");
      }
      if (view === "rnn") await page.click("#rnn-step");
      if (view === "seg") await page.waitForSelector(".view.seg[data-ready=true]");
      if (view === "lm") {
        // The model, the reach strips' models, and a training run's worker and text.
        await page.waitForSelector(".view.lm[data-ready=true] .lm-reach-row");
        await page.click("#lm-train-go");
        await page.waitForFunction(() => /\d/.test(document.querySelector("#lm-train-status").textContent), null, { timeout: 60000 });
      }
      if (view === "train") {
        await page.click("#train-start");
        await page.waitForFunction(() => Number(document.querySelector("#train-progress").value) > 0, null, { timeout: 60000 });
      }
      if (view === "course") {
        // The slides, then a slide whose figure is this page in a frame (under the same CSP).
        await page.waitForSelector(".view.course[data-ready=true]");
        await page.selectOption("#course-slide", "6");
        const frame = await (await page.waitForSelector(".slide-figure iframe")).contentFrame();
        await frame.waitForSelector("body[data-ready=true]");
        await frame.hover(".out-valid .grid .cell:not(.pad) >> nth=0");
        violations.push(...(await frame.evaluate(() => window.cspViolations ?? [])).map((v) => `course figure: ${v}`));
      }
      violations.push(...(await page.evaluate(() => window.cspViolations)).map((v) => `${view}: ${v}`));
    }
    // Projector mode: the course's figure raises its SVG labels (sizes set through the CSSOM).
    await gotoView(page, server.url, "#view=course&slide=31&projector=1");
    const frame = await (await page.waitForSelector(".slide-figure iframe")).contentFrame();
    await frame.waitForFunction(() => document.querySelector("svg text[data-own-size]"), null, { timeout: 30000 });
    violations.push(...(await frame.evaluate(() => window.cspViolations ?? [])).map((v) => `projector figure: ${v}`));
    assert.deepEqual(violations, []);
    assert.deepEqual(foreign, []);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});
