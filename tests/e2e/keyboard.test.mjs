// Keyboard use across changes: a view rebuilds what a change touches (a grid, a row of
// buttons), and the keyboard focus must stay where the student was, so arrow keys, Enter and
// Tab carry on. Also the state a keyboard edit leaves in the URL must load again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedBrowser, openPage, gotoView } from "./harness.mjs";

const env = sharedBrowser();

/** What has the focus: its aria-label (grid cells, characters) or its tag. */
const focused = (page) => page.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? document.activeElement?.tagName);

test("conv: typing a value and moving on with the arrow keys keeps the focus in the grid; a click selects the number", async () => {
  const { page, context, errors } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  await gotoView(page, env.server.url, "#view=conv&preset=course&lang=en");
  const cell = page.locator(".in-panel input.cell").first();
  await cell.focus();
  await page.keyboard.press("Control+A");
  await page.keyboard.type("7");
  await page.keyboard.press("ArrowDown"); // commits 7, rebuilds the grids, moves to row 2
  assert.match(await focused(page), /row 2, column 1/i);
  assert.match(page.url(), /x=7,/, "the edit is in the URL");
  await page.keyboard.press("ArrowRight"); // no edit: just moves
  assert.match(await focused(page), /row 2, column 2/i);
  await page.keyboard.type("3");
  await page.keyboard.press("Enter"); // commits in place: focus stays on the cell
  assert.match(await focused(page), /row 2, column 2.*3/i);
  assert.match(page.url(), /x=7,1,1,0,0,0,3,1,/);
  // A click selects the number, so typing replaces it; what is not a number is undone.
  const k = page.locator(".k-panel input.cell").nth(1); // the kernel's 0 at row 1, column 2
  await k.click();
  await page.keyboard.type("2");
  await page.keyboard.press("Enter");
  assert.equal(await page.locator(".k-panel input.cell").nth(1).inputValue(), "2");
  assert.match(page.url(), /k=1,2,1,/);
  await page.keyboard.press("Control+A");
  await page.keyboard.type("1abc");
  await page.keyboard.press("Enter");
  assert.equal(await page.locator(".k-panel input.cell").nth(1).inputValue(), "2", "not a number: the old value is back");
  assert.deepEqual(errors, []);
  await context.close();
});

test("pool: Tab reaches the output cells, and an edited input survives a reload", async () => {
  const { page, context, errors } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  await gotoView(page, env.server.url, "#view=pool&lang=en");
  const first = page.locator(".pool input.cell").first();
  await first.focus();
  await page.keyboard.press("Control+A");
  await page.keyboard.type("3");
  await page.keyboard.press("Enter");
  const hash = new URL(page.url()).hash;
  // Every value as the hash's list format reads it back (at most 4 decimals), not 1.600000023841858.
  const a = new URLSearchParams(hash.slice(1)).get("a").split(",");
  assert.equal(a[0], "3");
  for (const v of a) assert.match(v, /^\d+(\.\d{1,4})?$/, `value ${v} in ${hash}`);
  await page.keyboard.press("Tab"); // out of the input grid: to the first output grid
  const label = await focused(page);
  assert.match(label, /window 1/i, `focus went to ${label}`);
  await page.keyboard.press("ArrowRight"); // next window of the same output grid
  assert.match(await focused(page), /window 2/i);
  assert.match(page.url(), /win=1/);
  await page.reload();
  await page.waitForSelector("body[data-ready=true]");
  const shown = await page.locator(".pool input.cell").first().inputValue();
  assert.equal(shown, "3", "the edited value came back after a reload");
  assert.deepEqual(errors, []);
  await context.close();
});

test("seg: arrow keys move along the characters with the focus; a click focuses too", async () => {
  const { page, context, errors } = await openPage(env.browser, env.server.url, { locale: "zh-CN" });
  await gotoView(page, env.server.url, "#view=seg&text=我爱北京天安门");
  await page.waitForSelector(".seg-char");
  await page.locator(".seg-char").first().focus();
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  assert.match(page.url(), /at=2/);
  assert.match(await focused(page), /^北/);
  await page.locator(".seg-char").nth(5).click();
  await page.keyboard.press("ArrowLeft");
  assert.match(page.url(), /at=4/);
  assert.match(await focused(page), /^天/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("rnn: the step keys work with the focus on the page itself, not in a control", async () => {
  const { page, context, errors } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  await gotoView(page, env.server.url, "#view=rnn&lang=en");
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press(".");
  await page.keyboard.press("ArrowRight");
  assert.match(page.url(), /pos=2/);
  await page.keyboard.press(",");
  assert.match(page.url(), /pos=1/);
  // In a form control the keys belong to the control (here a checkbox: they do nothing).
  await page.locator("#rnn-bi").focus();
  await page.keyboard.press(".");
  assert.match(page.url(), /pos=1/);
  // The link to the segmentation view keeps the language.
  assert.match(await page.locator('#main a[href^="#view=seg"]').getAttribute("href"), /lang=en/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("lm: a preset, then appending characters with Enter alone; the focus stays on the choices", async () => {
  const { page, context, errors } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  await gotoView(page, env.server.url, "#view=lm&lang=en");
  await page.waitForSelector(".view.lm[data-ready=true]");
  await page.locator(".lm .presets button").nth(1).focus(); // 例子2
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelector("#lm-text").value.endsWith("流利的"));
  // Tab along to the first next-character choice, and append three with Enter.
  let steps = 0;
  while (!(await page.evaluate(() => document.activeElement?.classList.contains("lm-choice"))) && steps++ < 40) await page.keyboard.press("Tab");
  assert.ok(steps < 40, "Tab reaches the next-character choices");
  for (let i = 0; i < 3; i++) {
    const c = await page.evaluate(() => document.activeElement.querySelector(".c").textContent);
    const before = await page.inputValue("#lm-text");
    await page.keyboard.press("Enter");
    await page.waitForFunction((b) => document.querySelector("#lm-text").value !== b, before);
    assert.equal(await page.inputValue("#lm-text"), before + (c === "↵" ? "\n" : c));
    assert.ok(await page.evaluate(() => document.activeElement?.classList.contains("lm-choice")), "the focus stays on the choices (main.js puts it back where it was)");
  }
  assert.deepEqual(errors, []);
  await context.close();
});
