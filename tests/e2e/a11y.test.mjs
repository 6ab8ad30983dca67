// Accessibility: axe-core (the engine of Lighthouse's and Deque's audits) on every view, in
// both languages; no serious or critical violation is allowed.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { createRequire } from "node:module";
import { sharedBrowser, openPage, gotoView } from "./harness.mjs";

const AXE = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const VIEWS = ["conv", "pool", "lenet", "train", "rnn", "lm", "seg", "ilsvrc", "course"];

const env = sharedBrowser();

/** The serious and critical axe violations on `page`, each said with `where`. */
async function violations(page, where) {
  await page.addScriptTag({ content: AXE });
  const res = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ["violations"] })).violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, target: v.nodes[0]?.target.join(" ") })));
  return res.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${where}: ${v.id} (${v.impact}) ×${v.nodes}, e.g. ${v.target}`);
}

for (const lang of ["zh", "en"]) {
  test(`no serious or critical axe violations on any view (${lang})`, async () => {
    const { page, context } = await openPage(env.browser, env.server.url, { locale: lang === "zh" ? "zh-CN" : "en-US" });
    const found = [];
    for (const view of VIEWS) {
      // The course on a slide with its figure (a frame of the page: its views are checked here too).
      await gotoView(page, env.server.url, `#view=${view}&lang=${lang}${view === "course" ? "&slide=6" : ""}`);
      // The language model view fetches its models first: check it once they are in.
      if (view === "lm") await page.waitForSelector(".view.lm[data-ready=true] .lm-reach-row");
      // The course: its slides loaded (the views in its figures' frames are checked above).
      if (view === "course") await page.waitForSelector(".view.course[data-ready=true]");
      await page.waitForTimeout(400);
      found.push(...(await violations(page, view)));
    }
    // Projector mode: the course and, on its own, a view with a diagram (its labels raised).
    for (const [view, hash] of [["course", "slide=31&projector=1"], ["rnn", "cell=lstm&pos=2&projector=1"]]) {
      await gotoView(page, env.server.url, `#view=${view}&lang=${lang}&${hash}`);
      await page.waitForFunction(() => document.body.classList.contains("projector"));
      await page.waitForTimeout(400);
      found.push(...(await violations(page, `${view} (projector)`)));
    }
    // The share / embed dialog, open over the RNN view.
    await gotoView(page, env.server.url, `#view=rnn&lang=${lang}`);
    await page.click("#share-open");
    await page.waitForSelector("dialog.share[open]");
    await page.addScriptTag({ content: AXE });
    const dialog = await page.evaluate(async () => (await window.axe.run("dialog.share", { resultTypes: ["violations"] })).violations.map((v) => ({ id: v.id, impact: v.impact, target: v.nodes[0]?.target.join(" ") })));
    for (const v of dialog.filter((v) => v.impact === "serious" || v.impact === "critical")) found.push(`share dialog: ${v.id} (${v.impact}), e.g. ${v.target}`);
    assert.deepEqual(found, []);
    await context.close();
  });
}

// WCAG 1.4.10 (reflow): at 320 CSS pixels wide, a phone held upright, no view makes the whole
// page scroll sideways, in either language; wide figures (the unrolled chain, a formula, a
// table) scroll in their own frames.
test("every view reflows to a 320 px wide screen without sideways scrolling", async () => {
  const wide = [];
  for (const [lang, locale] of [["zh", "zh-CN"], ["en", "en-US"]]) {
    const context = await env.browser.newContext({ locale, viewport: { width: 320, height: 700 } });
    const page = await context.newPage();
    for (const view of VIEWS) {
      await gotoView(page, env.server.url, `#view=${view}&lang=${lang}`);
      await page.waitForSelector(`section.view.${view}`);
      await page.waitForTimeout(300); // charts and grids fill in after the section appears
      // clientWidth, not innerWidth: a classic scrollbar would hide up to 17 px of overflow.
      const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      if (scroll > client) wide.push(`${view} (${lang}): ${scroll} px wide in ${client}`);
    }
    await context.close();
  }
  assert.deepEqual(wide, []);
});
