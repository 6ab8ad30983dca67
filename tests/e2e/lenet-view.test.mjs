// The LeNet-5 view in a real browser: test digits are classified as labelled, a digit drawn
// with the mouse is read, and the arithmetic written for a pointed-at unit ends in the value
// wasm computed for it.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { sharedBrowser, openPage, gotoView, RESULTS, switchLang } from "./harness.mjs";

const env = sharedBrowser();

const ready = (page) => page.waitForSelector(".view.lenet[data-ready=true]", { timeout: 15000 });

test("picking MNIST test digits: the prediction matches the label", async () => {
  const { page, context, errors, foreign } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  await gotoView(page, env.server.url, "#view=lenet&digit=0");
  await ready(page);
  let right = 0;
  for (let i = 0; i < 20; i++) {
    await page.selectOption("#lenet-digit", String(i));
    await page.waitForFunction((n) => document.querySelector(".truth").textContent.includes(`#${n + 1},`), i);
    await page.waitForTimeout(30);
    const [pred, label] = await page.evaluate(() => [document.querySelector(".pred-big").textContent, document.querySelector(".truth").dataset.label]);
    if (pred === label) right++;
  }
  assert.ok(right >= 19, `${right}/20 test digits right`);
  assert.match(page.url(), /digit=19/);
  await page.screenshot({ path: path.join(RESULTS, "lenet.png"), fullPage: true });
  assert.deepEqual(errors, []);
  assert.deepEqual(foreign, []);
  await context.close();
});

test("a 1 drawn with the mouse is read as 1, also after switching the language", async () => {
  const { page, context } = await openPage(env.browser, env.server.url);
  await gotoView(page, env.server.url, "#view=lenet");
  await ready(page);
  await page.click(".pad-buttons button >> nth=0"); // clear
  const box = await page.locator("canvas.pad").boundingBox();
  const at = (x, y) => [box.x + (x / 28) * box.width, box.y + (y / 28) * box.height];
  await page.mouse.move(...at(14.5, 4));
  await page.mouse.down();
  for (let y = 4; y <= 24; y += 1) await page.mouse.move(...at(14.5 - (y - 4) * 0.05, y));
  await page.mouse.up();
  await page.waitForTimeout(100);
  assert.equal(await page.textContent(".pred-big"), "1");
  // Switching the language rebuilds the view; the drawing stays (it is not in the URL).
  await switchLang(page);
  await ready(page);
  await page.waitForTimeout(100);
  assert.match(page.url(), /lang=en/);
  assert.equal(await page.textContent(".pred-big"), "1");
  await context.close();
});

test("the arithmetic of a pointed-at unit ends in the value wasm computed", async () => {
  const { page, context } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  await gotoView(page, env.server.url, "#view=lenet&digit=2");
  await ready(page);
  // Point at map 3 of C3, row 4, column 6.
  const c = page.locator(".layer-c3 canvas >> nth=2");
  const b = await c.boundingBox();
  await page.mouse.move(b.x + (5.5 / 10) * b.width, b.y + (3.5 / 10) * b.height);
  await page.waitForFunction(() => location.hash.includes("unit=235"));
  const r = await page.evaluate(async () => {
    const { loadShippedLenet } = await import(new URL("js/lenet.js", document.baseURI));
    const net = await loadShippedLenet();
    const unit = 2 * 100 + 3 * 10 + 5;
    return { text: document.querySelector("#lenet-arith").textContent, value: net.c3()[unit], hash: location.hash, rf: document.querySelector(".unit-info .unit-head").textContent };
  });
  assert.match(r.hash, /unit=235/);
  const shown = Number(r.text.split(": ").at(-1));
  assert.ok(Math.abs(shown - r.value) < 1e-3, `${r.text} vs ${r.value}`);
  assert.match(r.rf, /receptive field is 14×14 of the input/);
  // Keyboard: arrow right moves to the next unit, and the hash follows.
  await page.focus(".layer-c3");
  await page.keyboard.press("ArrowRight");
  await page.waitForFunction(() => location.hash.includes("unit=236"));
  await context.close();
});

test("the 3D node-link view: WebGL draws the network, keys orbit and step through units", async () => {
  const { page, context, errors } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  await gotoView(page, env.server.url, "#view=lenet&digit=3&layer=f5&unit=10");
  await ready(page);
  await page.click("#lenet-mode-3d");
  await page.waitForFunction(() => location.hash.includes("mode=3d"));
  assert.equal(await page.isVisible(".layers"), false);
  const webgl2 = await page.evaluate(() => !!document.createElement("canvas").getContext("webgl2"));
  assert.ok(webgl2, "this browser has no WebGL 2 (Firefox gets it only under Xvfb: see harness.mjs)");
  // Something other than the background was drawn: sample the canvas through a screenshot.
  const shot = await page.locator("canvas.net3d").screenshot();
  assert.ok(shot.length > 20000, `3D canvas screenshot is only ${shot.length} bytes (blank?)`);
  // The starting camera frames the whole network and fills the canvas, wide or tall: every
  // unit projects inside the view, the outermost close to its edge.
  const reach = await page.evaluate(async () => {
    const { layout, camera, fitDistance, project, START_VIEW: v } = await import("/js/lenet3d.js");
    const { pos } = layout();
    return [16 / 9, 1, 0.45].map((aspect) => {
      const m = camera(aspect, v.yaw, v.pitch, fitDistance(pos, v.yaw, v.pitch, aspect));
      let far = 0;
      for (let i = 0; i < pos.length / 3; i++) {
        const [x, y] = project(m, pos, i);
        far = Math.max(far, Math.abs(x), Math.abs(y));
      }
      return far;
    });
  });
  for (const far of reach) assert.ok(far > 0.85 && far <= 0.921, `the farthest unit lands at ${far} of the half-width`);
  await page.focus("canvas.net3d");
  await page.keyboard.press("]");
  await page.waitForFunction(() => location.hash.includes("unit=11"));
  await page.keyboard.press("ArrowLeft"); // orbit: must not throw
  await page.screenshot({ path: path.join(RESULTS, "lenet-3d.png") });
  await page.click("#lenet-mode-flat");
  assert.equal(await page.isVisible(".layers"), true);
  assert.deepEqual(errors, []);
  await context.close();
});

test("without WebGL 2 the 3D mode says so, and the flat view still works", async () => {
  const { page, context, errors } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  await page.addInitScript(() => {
    const getContext = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {
      return kind === "webgl2" ? null : getContext.call(this, kind, ...rest);
    };
  });
  await gotoView(page, env.server.url, "#view=lenet&digit=3&layer=f5&unit=10");
  await ready(page);
  await page.click("#lenet-mode-3d");
  await page.waitForFunction(() => location.hash.includes("mode=3d"));
  // lenet3d.js loads on first use: the sentence comes once it has found no WebGL 2.
  const sentence = "This browser has no WebGL 2, so the 3D view cannot be shown; use the flat view.";
  await page.waitForFunction((s) => document.querySelector(".view3d").textContent === s, sentence).catch(() => {});
  assert.equal(await page.textContent(".view3d"), sentence);
  assert.equal(await page.isVisible("canvas.net3d"), false, "no blank 3D canvas");
  await page.click("#lenet-mode-flat");
  assert.equal(await page.isVisible(".layers"), true);
  const c = page.locator(".layer-c3 canvas >> nth=2");
  const b = await c.boundingBox();
  await page.mouse.move(b.x + (5.5 / 10) * b.width, b.y + (3.5 / 10) * b.height);
  await page.waitForFunction(() => location.hash.includes("unit=235"));
  assert.deepEqual(errors, []);
  await context.close();
});
