// The ImageNet view states the course's facts and charts the winners' errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, openPage, gotoView, switchLang } from "./harness.mjs";

test("ImageNet facts, eight winners charted, sources cited, in both languages", async () => {
  const server = await serve();
  const browser = await launch();
  try {
    const { page, errors } = await openPage(browser, server.url, { locale: "zh-CN" });
    await gotoView(page, server.url, "#view=ilsvrc");
    const text = await page.textContent(".view.ilsvrc");
    for (const fact of ["1500 万", "22000", "李飞飞"]) assert.ok(text.includes(fact), fact);
    assert.equal(await page.locator("svg.chart rect.bar").count(), 8);
    assert.equal(await page.locator("svg.chart rect.bar.cnn").count(), 6);
    assert.match(await page.textContent(".sources"), /Russakovsky/);
    await switchLang(page);
    assert.match(await page.textContent(".facts"), /15 million.*22,000.*Fei-Fei Li/s);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});
