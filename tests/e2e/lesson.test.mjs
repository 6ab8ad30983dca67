// Lesson mode, as a teacher links it: one control hidden, one setting locked (its control
// disabled, and no other path — a preset, a key — changes it), and a note above the figure
// shown as plain text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedBrowser, openPage, gotoView } from "./harness.mjs";

const env = sharedBrowser();

test("conv: hide=stride and lock=pad keep SAME; a preset cannot change it; the note is text", async () => {
  const { page, errors, context } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  const note = encodeURIComponent("Why is the <b>SAME</b> map larger?");
  await gotoView(page, env.server.url, `#view=conv&pad=same&hide=stride,bogus&lock=pad&note=${note}`);
  assert.equal(await page.isVisible("#conv-stride"), false, "the stride control is hidden");
  assert.equal(await page.isVisible("#conv-preset"), true, "the rest stays");
  assert.equal(await page.isDisabled("#conv-pad-valid"), true, "the padding is locked");
  assert.equal(await page.textContent("#lesson-note"), "Why is the <b>SAME</b> map larger?");
  assert.equal(await page.locator("#lesson-note b").count(), 0, "never markup");
  // A preset sets stride and padding together: the locked padding stays SAME.
  await page.selectOption("#conv-preset", { index: 1 });
  await page.waitForFunction(() => !location.hash.includes("preset=course"));
  assert.match(page.url(), /pad=same/);
  assert.equal(await page.isChecked("#conv-pad-same"), true);
  assert.doesNotMatch(page.url(), /bogus/, "an unknown word is dropped from the link");
  assert.deepEqual(errors, []);
  await context.close();
});

test("rnn: lock=pos holds the step against the buttons and the keys; taking the lock away frees them", async () => {
  const { page, errors, context } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  await gotoView(page, env.server.url, "#view=rnn&cell=lstm&pos=3&lock=pos");
  assert.match(await page.textContent("#rnn-status"), /\(3\/5\)/);
  assert.equal(await page.isDisabled("#rnn-step"), true);
  await page.focus("body");
  await page.keyboard.press("ArrowRight");
  assert.match(await page.textContent("#rnn-status"), /\(3\/5\)/, "the → key does not move it");
  await gotoView(page, env.server.url, "#view=rnn&cell=lstm&pos=3");
  assert.equal(await page.isDisabled("#rnn-step"), false);
  await page.click("#rnn-step");
  await page.waitForFunction(() => /\(4\/5\)/.test(document.querySelector("#rnn-status").textContent));
  assert.equal(await page.isHidden("#lesson-note"), true, "no note, no box");
  assert.deepEqual(errors, []);
  await context.close();
});
