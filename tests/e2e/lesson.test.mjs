// Lesson mode, as a teacher links it: one control hidden, one setting locked (its control
// disabled, and no other path — a preset, a key — changes it), and a note above the figure
// shown as plain text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedBrowser, openPage, gotoView, textSizes } from "./harness.mjs";

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
  // (Only the hash changed: the view renders after the page's ready flag.)
  await page.waitForFunction(() => !document.querySelector("#rnn-step").disabled);
  await page.click("#rnn-step");
  await page.waitForFunction(() => /\(4\/5\)/.test(document.querySelector("#rnn-status").textContent));
  assert.equal(await page.isHidden("#lesson-note"), true, "no note, no box");
  assert.deepEqual(errors, []);
  await context.close();
});

test("the share dialog builds the link and the iframe snippet of what is on screen, with a live preview", async () => {
  const { page, errors, context } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  await gotoView(page, env.server.url, "#view=conv&stride=2&pad=same&lang=en");
  await page.click("#share-open");
  await page.waitForSelector("dialog.share[open]");
  const row = (f) => page.locator("dialog.share .share-fields tr", { has: page.locator(`code:text-is("${f}")`) });
  await row("stride").locator("input >> nth=0").check();
  await row("pad").locator("input >> nth=1").check();
  await page.locator("dialog.share fieldset label", { hasText: "the page header" }).locator("input").check();
  await page.fill("#share-note", 'Count the zeros "around" it & compare');
  const link = await page.inputValue("dialog.share .share-row input");
  const hash = new URLSearchParams(new URL(link).hash.slice(1));
  assert.equal(hash.get("stride"), "2", "what is on screen");
  assert.equal(hash.get("hide"), "header,stride");
  assert.equal(hash.get("lock"), "pad");
  assert.equal(hash.get("note"), 'Count the zeros "around" it & compare');
  const snippet = await page.inputValue("dialog.share textarea.share-out");
  assert.match(snippet, /^<iframe src="[^"]*&amp;lock=pad&amp;note=[^"]*" width="1100"/);
  assert.ok(!snippet.includes('"around"'), "the note cannot close the attribute");
  // The preview is the link itself.
  await page.waitForFunction((l) => document.querySelector(".share-preview").src === l, link);
  const preview = page.frameLocator(".share-preview");
  await preview.locator("#lesson-note").waitFor();
  assert.equal(await preview.locator("#lesson-note").textContent(), 'Count the zeros "around" it & compare');
  assert.equal(await preview.locator("#conv-stride").isVisible(), false);
  assert.equal(await preview.locator("#conv-pad-valid").isDisabled(), true);
  await page.click("dialog.share button:text-is('Close')");
  // (The dialog's close event, which removes it, comes in a task after the click.)
  await page.waitForSelector("dialog.share", { state: "detached" });
  assert.match(page.url(), /stride=2/, "the page itself is unchanged");
  assert.doesNotMatch(page.url(), /lock=/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("projector=1 on a view of its own: no text under 24 px at 1920×1080, the diagram's labels included; off again, the labels are as before", async () => {
  const { page, errors, context } = await openPage(env.browser, env.server.url, { locale: "zh-CN" });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await gotoView(page, env.server.url, "#view=rnn&cell=gru&pos=2");
  await page.waitForSelector("svg.diagram-svg text.value");
  const before = await textSizes(page);
  assert.ok(before.some((s) => s.px < 24), "the view has small text to begin with");
  const labelSizes = () => page.$$eval("svg.diagram-svg text", (ts) => ts.map((t) => getComputedStyle(t).fontSize));
  const labels = await labelSizes();
  await gotoView(page, env.server.url, "#view=rnn&cell=gru&pos=2&projector=1");
  await page.waitForFunction(() => document.body.classList.contains("projector"));
  await page.waitForTimeout(300); // labels are lifted on the next frame
  const sizes = await textSizes(page);
  assert.ok(sizes.length >= 50, `${sizes.length} texts checked`);
  assert.deepEqual(sizes.filter((s) => s.px < 24), []);
  // A step adds and changes labels: they are lifted too.
  await page.click("#rnn-step");
  await page.waitForFunction(() => /3\/5/.test(document.querySelector("#rnn-status").textContent));
  await page.waitForTimeout(300);
  assert.deepEqual((await textSizes(page)).filter((s) => s.px < 24), [], "after a step");
  await gotoView(page, env.server.url, "#view=rnn&cell=gru&pos=2");
  await page.waitForFunction(() => !document.body.classList.contains("projector"));
  assert.deepEqual(await labelSizes(), labels, "the diagram's labels are back at their own sizes");
  assert.deepEqual(errors, []);
  await context.close();
});
