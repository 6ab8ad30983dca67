// End-to-end tests of the convolution lab in a real browser against the Trunk-built page:
// every number asserted here was computed by the page's wasm.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { sharedBrowser, openPage, gotoView, RESULTS, switchLang } from "./harness.mjs";

const env = sharedBrowser();

const cells = (page, pad) => page.$$eval(`.out-${pad} .grid .cell:not(.pad)`, (els) => els.map((e) => e.textContent));
const shape = (page, pad) => page.$eval(`.out-${pad} .shape`, (e) => e.dataset.shape);

test("the course's 5x5 example: feature map 4 3 4 / 2 4 3 / 2 3 4 and its arithmetic", async () => {
  const { page, context, foreign, errors } = await openPage(env.browser, env.server.url);
  await gotoView(page, env.server.url, "#view=conv&preset=course");
  assert.deepEqual(await cells(page, "valid"), ["4", "3", "4", "2", "4", "3", "2", "3", "4"]);
  assert.equal(await shape(page, "valid"), "3x3");
  assert.equal(await shape(page, "same"), "5x5");
  await page.hover(".out-valid .grid .cell:not(.pad) >> nth=0");
  const arith = await page.textContent("#conv-arith");
  assert.match(arith, /1\*1\+1\*0\+1\*1\+0\*0\+1\*1\+1\*0\+0\*1\+0\*0\+1\*1 = 4$/);
  // The window is highlighted on the input: 9 cells, all inside (VALID).
  assert.equal(await page.$$eval(".in-panel .cell.win", (e) => e.length), 9);
  assert.equal(await page.$$eval(".in-panel .cell.pad.win", (e) => e.length), 0);
  // A SAME corner window reaches into the zero padding: 5 of its 9 cells are padding.
  await page.hover(".out-same .grid .cell:not(.pad) >> nth=0");
  assert.equal(await page.$$eval(".in-panel .cell.pad.win", (e) => e.length), 5);
  assert.match(await page.textContent("#conv-arith"), /0\*1\+0\*0\+0\*1\+0\*0\+1\*1\+1\*0\+0\*1\+0\*0\+1\*1 = 2$/);
  await page.screenshot({ path: path.join(RESULTS, "conv-course.png"), fullPage: true });
  assert.deepEqual(foreign, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("stride 2 and the course's padding presets", async () => {
  const { page, context, errors } = await openPage(env.browser, env.server.url);
  await gotoView(page, env.server.url, "#view=conv&preset=course");
  await page.selectOption("#conv-stride", "2");
  assert.deepEqual(await cells(page, "valid"), ["4", "4", "2", "4"]);
  assert.match(page.url(), /stride=2/);
  await page.selectOption("#conv-preset", "pad2x3");
  assert.equal(await shape(page, "same"), "1x2");
  assert.equal(await shape(page, "valid"), "1x1");
  assert.deepEqual(await cells(page, "same"), ["12", "9"]);
  assert.deepEqual(await cells(page, "valid"), ["12"]);
  await page.selectOption("#conv-preset", "pool28");
  assert.equal(await shape(page, "same"), "14x14");
  assert.equal(await shape(page, "valid"), "14x14");
  await page.screenshot({ path: path.join(RESULTS, "conv-pool28.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test("editing a cell recomputes in wasm, lands in the URL, and survives a reload", async () => {
  const { page, context, errors } = await openPage(env.browser, env.server.url);
  await gotoView(page, env.server.url, "#view=conv&preset=course");
  const first = page.locator(".in-panel input.cell").first();
  await first.fill("0");
  await first.press("Enter");
  await page.waitForFunction(() => document.querySelector(".out-valid .cell:not(.pad)").textContent === "3");
  assert.match(page.url(), /x=0,1,1,0,0/);
  await page.reload();
  await page.waitForSelector("body[data-ready=true]");
  assert.deepEqual((await cells(page, "valid")).slice(0, 3), ["3", "3", "4"]);
  // Bad input in a cell is refused and the old value comes back.
  const k = page.locator(".k-panel input.cell").first();
  // Typed key by key, as a person would: fill() under WebDriver BiDi (Firefox) sets the value
  // from script, after which leaving the field fires no change event.
  await k.selectText();
  await k.pressSequentially("abc");
  await k.press("Tab");
  assert.equal(await k.inputValue(), "1");
  assert.deepEqual(errors, []);
  await context.close();
});

test("keyboard: arrow keys walk the feature map and the arithmetic follows", async () => {
  const { page, context } = await openPage(env.browser, env.server.url);
  await gotoView(page, env.server.url, "#view=conv&preset=course&pad=valid");
  await page.focus(".out-valid .grid .cell:not(.pad) >> nth=0");
  await page.keyboard.press("ArrowRight");
  assert.match(await page.textContent("#conv-arith"), /= 3$/);
  await page.keyboard.press("ArrowDown");
  assert.match(await page.textContent("#conv-arith"), /= 4$/);
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute("aria-label")), "VALID 输出 第 2 行 第 2 列，值 4");
  await context.close();
});

test("Chinese for Chinese browsers, English otherwise, and a switch for both", async () => {
  let { page, context } = await openPage(env.browser, env.server.url, { locale: "zh-CN" });
  await gotoView(page, env.server.url, "#view=conv");
  assert.equal(await page.textContent("#conv-title"), "卷积实验室");
  await switchLang(page);
  assert.equal(await page.textContent("#conv-title"), "Convolution lab");
  assert.match(page.url(), /lang=en/);
  await context.close();
  ({ page, context } = await openPage(env.browser, env.server.url, { locale: "en-US" }));
  await gotoView(page, env.server.url, "#view=conv&stride=999&pad=<script>&preset=nope");
  assert.equal(await page.textContent("#conv-title"), "Convolution lab");
  // Hostile hash fields fall back to defaults one by one.
  assert.equal(await page.inputValue("#conv-stride"), "1");
  assert.equal(await page.inputValue("#conv-preset"), "course");
  await context.close();
});
