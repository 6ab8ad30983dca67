// Digits that no one here wrote, drawn on the LeNet-5 pad with the pointer as a student would:
// 150 of MNIST's test digits (writers other than the training set's; LeNet-5 never trains on
// them) and 150 of scikit-learn's handwritten digits (load_digits, 13 writers of UCI's
// optdigits test set), each replayed stroke by stroke from data/digits/ (made by dev.sh, see
// scripts/digit-strokes.mjs), at a seeded size from 35% to 95% of the pad's side, anywhere it
// fits (edges and corners included), a third of them slanted. Prints the accuracy of each
// source, overall and by size, and holds each above a floor (issue #15, point 3).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sharedBrowser, openPage, gotoView } from "./harness.mjs";

const DATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../data/digits");
/** Digits per label and source: 300 in all, about 90 s of drawing. */
const PER_LABEL = 15;
/** The digit's longer side as a fraction of the pad's side: three bands, each label drawn
 *  equally often in each. */
const BANDS = [
  [0.35, 0.55],
  [0.55, 0.75],
  [0.75, 0.95],
];
/** Strokes that look less like their image than this (about 5% of the 1,797: writers who
 *  filled a loop in as a blob, which a skeleton cannot follow) are not drawn: the test is of
 *  the network on handwriting, not of our tracing. */
const MIN_FIDELITY = 0.7;
/** The sources and their floors, a few digits under what was measured: floors against
 *  regressions. MNIST's test digits, traced from 28×28 images, are strokes as clean as a
 *  student's: 99.3% in Chromium and Firefox (issue #15's goal is ≥ 95%). scikit-learn's come
 *  from 8×8 images and many are ambiguous to a person too: 36.7% before the view framed the
 *  drawing as MNIST did, 83.3% with the framing and weights trained on MNIST alone, 87.3%
 *  with handwriting distortions (another sample of 150), 86.0% with the strokes redrawn in
 *  MNIST's proportions. */
const SOURCES = [
  { name: "MNIST's test digits", file: "mnist-strokes.json", floor: 0.95 },
  { name: "scikit-learn's digits", file: "strokes.json", floor: 0.83 },
];

const env = sharedBrowser();

/** mulberry32: a small seeded generator, so every run draws the same digits the same way. */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seeded sample: PER_LABEL digits of each label, spread over the size bands, each with
 *  its placement on the pad (all in fractions of the pad's side). */
function sample(digits, rnd) {
  const chosen = [];
  for (let label = 0; label < 10; label++) {
    const pool = digits.filter((d) => d.label === label && d.fidelity >= MIN_FIDELITY);
    for (let k = 0; k < PER_LABEL; k++) {
      const [d] = pool.splice(Math.floor(rnd() * pool.length), 1);
      const band = k % BANDS.length;
      const [lo, hi] = BANDS[band];
      // A person's slant: a third of the digits sheared by 6–15° either way.
      const slant = rnd() < 1 / 3 ? (rnd() < 0.5 ? -1 : 1) * (6 + rnd() * 9) : 0;
      // Where the digit's box goes, as a fraction of the room left: a quarter of the time
      // hard against an edge (so corners come up too), else anywhere.
      const where = () => (rnd() < 0.25 ? Math.round(rnd()) : rnd());
      chosen.push({ ...d, band, size: lo + rnd() * (hi - lo), slant, at: [where(), where()] });
    }
  }
  return chosen;
}

/** The digit's strokes in pad fractions: slanted, its box's longer side scaled to `size`,
 *  placed at `at` of the room left, keeping half a pad pixel (of 28) from the edges. */
function place({ strokes, size, slant, at }) {
  const tan = Math.tan((slant * Math.PI) / 180);
  const leaned = strokes.map((s) => s.map(([x, y]) => [x + (0.5 - y) * tan, y]));
  const all = leaned.flat();
  const [x0, y0] = [Math.min(...all.map((p) => p[0])), Math.min(...all.map((p) => p[1]))];
  const [w, h] = [Math.max(...all.map((p) => p[0])) - x0, Math.max(...all.map((p) => p[1])) - y0];
  const k = size / Math.max(w, h, 1e-6);
  const margin = 0.5 / 28;
  const left = margin + at[0] * Math.max(0, 1 - 2 * margin - w * k);
  const top = margin + at[1] * Math.max(0, 1 - 2 * margin - h * k);
  return leaned.map((s) => s.map(([x, y]) => [left + (x - x0) * k, top + (y - y0) * k]));
}

/** Draws strokes (pad fractions) with the mouse: down at each stroke's start, moves along
 *  it about two pad pixels (of 28) at a time, at least two moves a segment, up at its end. */
async function draw(page, box, strokes) {
  const px = ([x, y]) => [box.x + x * box.width, box.y + y * box.height];
  for (const s of strokes) {
    await page.mouse.move(...px(s[0]));
    await page.mouse.down();
    for (let i = 1; i < s.length; i++) {
      const steps = Math.max(2, Math.ceil(Math.hypot(s[i][0] - s[i - 1][0], s[i][1] - s[i - 1][1]) * 14));
      await page.mouse.move(...px(s[i]), { steps });
    }
    await page.mouse.up();
  }
}

const pct = (right, n) => `${((100 * right) / n).toFixed(1)}% (${right}/${n})`;

/** The accuracy of `drawn` (digits with what the page read), overall and by size, slant
 *  and label, and the digits it got wrong, as lines to print. */
function report(name, drawn) {
  const share = (ds) => pct(ds.filter((d) => d.read === String(d.label)).length, ds.length);
  const wrong = drawn.filter((d) => d.read !== String(d.label));
  const lines = [`${name} drawn on the pad, read right: ${share(drawn)}`];
  BANDS.forEach(([lo, hi], b) => lines.push(`  size ${Math.round(lo * 100)}–${Math.round(hi * 100)}% of the pad: ${share(drawn.filter((d) => d.band === b))}`));
  lines.push(`  slanted: ${share(drawn.filter((d) => d.slant))}`);
  for (let label = 0; label < 10; label++) lines.push(`  ${label}: ${share(drawn.filter((d) => d.label === label))}`);
  lines.push(`  wrong (index label→read size): ${wrong.map((d) => `#${d.index} ${d.label}→${d.read} ${Math.round(d.size * 100)}%`).join(", ")}`);
  return lines;
}

test(`${PER_LABEL * 10} digits of each of ${SOURCES.length} sources drawn on the pad with the pointer are read as written`, async (t) => {
  const chosen = SOURCES.flatMap((source, k) => {
    const file = path.join(DATA, source.file);
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`bash dev.sh build\` (its data step makes it)`);
    return sample(JSON.parse(fs.readFileSync(file, "utf8")).digits, random(15 + k)).map((d) => ({ ...d, source }));
  });
  // A browser delivers pointer moves once a frame (Chromium aligns them with
  // requestAnimationFrame: 16.7 ms each, as a person's mouse at 60 Hz), so one page would
  // take about 4 minutes for 300 digits; three pages draw side by side, a third each.
  const t0 = Date.now();
  const pages = await Promise.all([0, 1, 2].map(() => openPage(env.browser, env.server.url, { locale: "en-US" })));
  await Promise.all(
    pages.map(async ({ page }, lane) => {
      await gotoView(page, env.server.url, "#view=lenet");
      await page.waitForSelector(".view.lenet[data-ready=true]", { timeout: 15000 });
      const clear = page.locator(".pad-buttons button", { hasText: "Clear" });
      const pad = page.locator("canvas.pad");
      for (const d of chosen.filter((_, i) => i % pages.length === lane)) {
        await clear.click();
        // Where the pad is now: clicking Clear may have scrolled the page (it did in Firefox).
        await draw(page, await pad.boundingBox(), place(d));
        // Two frames: the pad's last move schedules the repaint (forward pass and
        // prediction) for the next frame, as scripts/bench-page.mjs waits for it.
        d.read = await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(document.querySelector(".pred-big").textContent)))));
      }
    }),
  );
  t.diagnostic(`${chosen.length} digits drawn in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  for (const source of SOURCES) {
    const drawn = chosen.filter((d) => d.source === source);
    for (const line of report(source.name, drawn)) {
      console.log(line);
      t.diagnostic(line);
    }
    const right = drawn.filter((d) => d.read === String(d.label)).length;
    assert.ok(right / drawn.length >= source.floor, `${source.name}: ${pct(right, drawn.length)} read right, under the floor of ${source.floor * 100}%`);
  }
  for (const { errors, foreign, context } of pages) {
    assert.deepEqual(errors, []);
    assert.deepEqual(foreign, []);
    await context.close();
  }
});
