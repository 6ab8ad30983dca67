// Word segmentation in a real browser: the course's sentence is tagged and cut into words by the
// shipped BiLSTM; typing a new sentence re-tags it; both directions' states are shown.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { serve, launch, openPage, gotoView, RESULTS } from "./harness.mjs";

test("the course's sentence is segmented, typing re-segments, states are visible", async () => {
  const server = await serve();
  const browser = await launch();
  try {
    const { page, errors } = await openPage(browser, server.url, { locale: "zh-CN" });
    await gotoView(page, server.url, "#view=seg");
    await page.waitForSelector(".view.seg[data-ready=true]");
    const words = await page.textContent("#seg-words");
    for (const w of ["人们", "生活", "教科书"]) assert.ok(words.split(" / ").includes(w), `${w} in ${words}`);
    const tags = await page.$$eval(".seg-char .t", (ts) => ts.map((t) => t.textContent).join(""));
    assert.equal(tags.length, 12);
    assert.match(tags, /^BE/); // 人们: B E
    assert.ok(/^[BMES]+$/.test(tags));
    // The words are the tags read back: a word ends at every E and S.
    const cut = await page.$$eval(".seg-char", (cs) => cs.map((c) => [c.querySelector(".c").textContent, c.querySelector(".t").textContent]));
    const rebuilt = [];
    let w = "";
    for (const [c, t] of cut) {
      if ((t === "B" || t === "S") && w) (rebuilt.push(w), (w = ""));
      w += c;
      if (t === "E" || t === "S") (rebuilt.push(w), (w = ""));
    }
    if (w) rebuilt.push(w);
    assert.equal(rebuilt.join(" / "), words);
    await page.click(".seg-char >> nth=5");
    assert.match(page.url(), /at=5/);
    assert.equal(await page.locator(".state-strip").count(), 2);
    assert.equal(await page.locator(".state-strip >> nth=0").locator(".state-cell").count(), 128);
    // Each unit's cell is wide enough to see its colour (about 9 px at 1280 px).
    const narrowest = await page.$$eval(".state-cell", (cs) => Math.min(...cs.map((c) => c.getBoundingClientRect().width)));
    assert.ok(narrowest >= 5, `a state cell is ${narrowest} px wide`);
    await page.fill("#seg-text", "我爱北京天安门");
    await page.waitForFunction(() => document.querySelectorAll(".seg-char").length === 7);
    assert.match(decodeURIComponent(page.url()), /text=我爱北京天安门/);
    await page.screenshot({ path: path.join(RESULTS, "seg.png"), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});
