// MNIST's framing on the LeNet-5 pad: the same digit drawn small in a corner, large across
// the pad, or slanted is read as it is when drawn centred at MNIST's size; with the framing
// switched off (a keyboard-operable checkbox, kept in the URL) the network reads the pad as
// it lies; a blank or erased-to-nothing pad says there is nothing to read.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { sharedBrowser, openPage, gotoView, RESULTS } from "./harness.mjs";

const env = sharedBrowser();

// Digits as pen strokes in a unit box (x right, y down), as a person writes them.
const DIGITS = {
  7: [[[0.05, 0.05], [0.95, 0.05], [0.6, 0.5], [0.4, 0.98]]],
  4: [[[0.6, 0.0], [0.05, 0.65], [0.95, 0.65]], [[0.68, 0.3], [0.68, 1.0]]],
  2: [[[0.08, 0.25], [0.3, 0.02], [0.7, 0.02], [0.9, 0.25], [0.75, 0.55], [0.05, 1.0], [0.95, 1.0]]],
};

async function settle(page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** Draws `strokes` on the pad, the unit box mapped to [x, y, x + size, y + size] of the pad
 *  (pad fractions), with a shear of `slant` (x moves right as y goes up). */
async function draw(page, strokes, { x = 0.25, y = 0.15, size = 0.55, slant = 0, erase = false } = {}) {
  const box = await page.locator("canvas.pad").boundingBox();
  const at = ([u, v]) => [box.x + box.width * (x + (u + slant * (1 - v)) * size * 0.7), box.y + box.height * (y + v * size)];
  if (erase) await page.keyboard.down("Shift");
  for (const stroke of strokes) {
    await page.mouse.move(...at(stroke[0]));
    await page.mouse.down();
    for (let i = 1; i < stroke.length; i++) {
      for (let k = 1; k <= 6; k++) {
        const [a, b] = [stroke[i - 1], stroke[i]];
        await page.mouse.move(...at([a[0] + ((b[0] - a[0]) * k) / 6, a[1] + ((b[1] - a[1]) * k) / 6]));
      }
    }
    await page.mouse.up();
  }
  if (erase) await page.keyboard.up("Shift");
  await settle(page);
}

const clear = (page) => page.click(".pad-buttons button >> nth=0");
const reading = (page) => page.locator(".pred-big").textContent();

test("a digit drawn small in a corner, large, or slanted is read as when drawn centred", async () => {
  const { page, context, errors } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  await gotoView(page, env.server.url, "#view=lenet");
  await page.waitForSelector(".view.lenet[data-ready=true]");
  const places = {
    centred: {},
    "small, top left": { x: 0.03, y: 0.03, size: 0.28 },
    "small, bottom right": { x: 0.72, y: 0.68, size: 0.3 },
    "across the pad": { x: 0.08, y: 0.02, size: 0.96 },
    slanted: { slant: 0.25 },
  };
  for (const [digit, strokes] of Object.entries(DIGITS)) {
    for (const [where, place] of Object.entries(places)) {
      await clear(page);
      await draw(page, strokes, place);
      assert.equal(await reading(page), digit, `a ${digit} drawn ${where}`);
    }
  }
  // The same small 7 with the framing off: the step shows the pad as it lies, and the
  // switch is a checkbox a keyboard reaches, kept in the URL.
  await clear(page);
  await draw(page, DIGITS[7], places["small, top left"]);
  const framed = await page.evaluate(() => document.querySelector("canvas.seen").toDataURL());
  await page.focus("#lenet-frame");
  await page.keyboard.press("Space");
  await page.waitForFunction(() => location.hash.includes("frame=off"));
  await settle(page);
  assert.notEqual(await page.evaluate(() => document.querySelector("canvas.seen").toDataURL()), framed);
  assert.equal(await page.isChecked("#lenet-frame"), false);
  assert.match(await page.locator(".seen-note").textContent(), /Framing off/);
  await page.screenshot({ path: path.join(RESULTS, "lenet-unframed.png") });
  // A stroke dragged far off the pad and back draws what lands on the pad, and no error.
  const box = await page.locator("canvas.pad").boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  // (Within the window: WebDriver BiDi refuses a pointer outside it.)
  const { width } = page.viewportSize();
  await page.mouse.move(Math.min(width - 2, box.x + 3 * box.width), box.y + box.height / 2, { steps: 4 });
  await page.mouse.move(box.x + box.width / 3, box.y + box.height / 2, { steps: 4 });
  await page.mouse.up();
  await settle(page);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a blank pad, or one erased to nothing, has nothing to read", async () => {
  const { page, context } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  await gotoView(page, env.server.url, "#view=lenet");
  await page.waitForSelector(".view.lenet[data-ready=true]");
  await clear(page);
  await settle(page);
  assert.equal(await reading(page), "–");
  assert.match(await page.locator(".pred-note").textContent(), /nothing to read/i);
  await draw(page, [[[0.5, 0.1], [0.5, 0.9]]], { x: 0.3, y: 0.1, size: 0.6 });
  assert.notEqual(await reading(page), "–");
  // Erase along the same line with a wider sweep of the eraser (Shift + drag).
  for (const dx of [-0.02, 0, 0.02]) await draw(page, [[[0.5 + dx, 0.05], [0.5 + dx, 0.95]]], { x: 0.3, y: 0.1, size: 0.6, erase: true });
  assert.equal(await reading(page), "–", "an erased pad");
  await context.close();
});
