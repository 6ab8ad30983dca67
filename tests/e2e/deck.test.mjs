// The example deck for teachers (docs/embed/: reveal.js from npm, served from its own origin)
// embeds nnplay's views from another origin and drives them from slide events: entering the
// RNN slide starts the LSTM again, each fragment steps it, going back steps back; the LeNet-5
// slide shows a test digit.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sharedBrowser, openPage, serve } from "./harness.mjs";

const env = sharedBrowser();
const DECK = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../docs/embed");

test("the reveal.js deck steps the embedded RNN as its fragments are shown, and back", async () => {
  const deck = await serve(DECK);
  try {
    const { page, errors, context } = await openPage(env.browser, deck.url);
    await page.goto(`${deck.url}?nnplay=${encodeURIComponent(env.server.url)}`);
    await page.waitForSelector("body[data-deck-ready=true]");
    const rnn = page.frameLocator('section[data-nnplay-slide="rnn"] iframe');
    const status = () => rnn.locator("#rnn-status").textContent();
    await rnn.locator("#rnn-status").waitFor();
    await page.focus("body");
    await page.keyboard.press("ArrowRight"); // the convolution slide
    await page.keyboard.press("ArrowRight"); // the RNN slide: reset to step 0
    await page.waitForFunction(() => document.querySelector('section[data-nnplay-slide="rnn"]').classList.contains("present"));
    await assert.doesNotReject(async () => {
      for (let k = 1; k <= 3; k++) {
        await page.keyboard.press("ArrowRight"); // a fragment: one step
        await rnn.locator("#rnn-status").filter({ hasText: new RegExp(`${k}/5`) }).waitFor({ timeout: 10000 });
      }
    });
    await page.keyboard.press("ArrowLeft"); // the fragment hidden: one step back
    await rnn.locator("#rnn-status").filter({ hasText: /2\/5/ }).waitFor({ timeout: 10000 });
    assert.match(await status(), /2\/5/);
    // Past the RNN's fragments, the LeNet-5 slide shows test digit 7.
    // Fragments 3 to 5, then the next slide.
    for (let k = 0; k < 4; k++) await page.keyboard.press("ArrowRight");
    await page.waitForFunction(() => document.querySelector('section[data-nnplay-slide="lenet"]').classList.contains("present"));
    const lenet = page.frames().find((f) => f.url().includes("view=lenet"));
    await lenet.waitForFunction(() => location.hash.includes("digit=7"), null, { timeout: 15000 });
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    deck.close();
  }
});
