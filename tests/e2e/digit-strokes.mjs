// Pen strokes from handwritten digit images, so that a test can draw digits no one here wrote
// on the LeNet-5 pad the way a person would: stroke by stroke with the pointer. Two sources:
// scikit-learn's digits (load_digits: 1,797 8×8 images, values 0–16, from UCI's optdigits
// test set: 13 writers, counted in 4×4 blocks of 32×32 bitmaps) and MNIST's test digits
// (28×28, values 0–255; writers other than the training set's, by MNIST's construction).
//
// Each image is upsampled (bilinear) to a grid (32×32 for the 8×8 digits — the bitmaps were
// 32×32 before UCI counted them — and 56×56 for MNIST's), thresholded, thinned to a one-pixel
// skeleton (Zhang–Suen) and the skeleton is walked into polylines (from line ends first, top
// to bottom, then what is left: loops), smoothed and simplified (Ramer–Douglas–Peucker) to a
// few dozen points per digit. Plain JS, no dependencies: scripts/digit-strokes.mjs writes
// them to data/digits/ (format there), and tests/e2e/drawn-digits.test.mjs draws them.

import fs from "node:fs";
import zlib from "node:zlib";

/** The two sources: an image's side and its darkest value, and the side of the grid the
 *  skeleton is traced on. */
export const SKLEARN = { side: 8, max: 16, grid: 32 };
export const MNIST = { side: 28, max: 255, grid: 56 };
/** Ink above this fraction of the darkest value (16) is part of the stroke. Of 0.35, 0.45,
 *  0.55 and 0.65, 0.55 gave the strokes most like the images (mean `fidelity` 0.82 against
 *  0.78, 0.81 and 0.80): lower merges strokes into blobs, higher breaks them. */
const THRESHOLD = 0.55;
/** A fainter pixel is stroke too if it is on a ridge and above this. 0.4 took the mean
 *  `fidelity` from 0.82 to 0.85 (0.3: the same, but twice the strokes, mostly slivers). */
const RIDGE = 0.4;
/** Strokes shorter than this (a fraction of the grid's side: 3.5 pixels of 32) are thinning's
 *  spurs and stair steps, not pen strokes; they are dropped when the digit has others. */
const MIN_LENGTH = 3.5 / 32;
/** How far (a fraction of the grid's side: 0.7 pixels of 32) a simplified polyline may stray
 *  from the skeleton. */
const EPSILON = 0.7 / 32;

/** Reads scikit-learn's digits.csv.gz: one digit a line, 64 values 0–16 row by row, then
 *  the label. Returns [{ label, pixels: Uint8Array(64) }] in the file's order. */
export function readDigits(file) {
  const text = zlib.gunzipSync(fs.readFileSync(file)).toString("utf8").trim();
  return text.split("\n").map((line, i) => {
    const v = line.split(",").map(Number);
    if (v.length !== 65 || v.some((x) => !Number.isInteger(x) || x < 0 || x > 16)) throw new Error(`${file}: line ${i + 1} is not 64 values 0–16 and a label`);
    return { label: v[64], pixels: Uint8Array.from(v.slice(0, 64)) };
  });
}

/** Reads MNIST's test set (idx files) and keeps every `every`-th digit: [{ label, index,
 *  pixels: Uint8Array(784) }]. */
export function readMnist(images, labels, every) {
  const [img, lab] = [fs.readFileSync(images), fs.readFileSync(labels)];
  if (img.readUInt32BE(0) !== 2051 || lab.readUInt32BE(0) !== 2049 || img.readUInt32BE(4) !== lab.readUInt32BE(4)) throw new Error(`${images}: not MNIST's idx files`);
  const out = [];
  for (let i = 0; i < img.readUInt32BE(4); i += every) out.push({ label: lab[8 + i], index: i, pixels: img.subarray(16 + i * 784, 16 + (i + 1) * 784) });
  return out;
}

/** side×side values 0–max → grid×grid values 0–1, bilinear between the pixels' centres
 *  (edges held). */
export function upsample(pixels, { side, max, grid: n }) {
  const out = new Float32Array(n * n);
  const at = (x, y) => pixels[Math.min(side - 1, Math.max(0, y)) * side + Math.min(side - 1, Math.max(0, x))] / max;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const [sx, sy] = [((x + 0.5) * side) / n - 0.5, ((y + 0.5) * side) / n - 0.5];
      const [x0, y0] = [Math.floor(sx), Math.floor(sy)];
      const [fx, fy] = [sx - x0, sy - y0];
      out[y * n + x] = (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
    }
  }
  return out;
}

/** Which pixels of the upsampled image are stroke: above THRESHOLD, or fainter (above
 *  RIDGE) but on the ridge of a stroke, the brightest across it horizontally or vertically.
 *  The ridge keeps a faint, thin stretch of a stroke (a 0's side at 8 of 16) connected,
 *  where a threshold alone would break the 0 into two arcs. */
function ink(img, n) {
  const at = (x, y) => (x < 0 || y < 0 || x >= n || y >= n ? 0 : img[y * n + x]);
  return Uint8Array.from(img, (v, i) => {
    const [x, y] = [i % n, Math.floor(i / n)];
    const ridge = (v >= at(x - 1, y) && v >= at(x + 1, y)) || (v >= at(x, y - 1) && v >= at(x, y + 1));
    return v > THRESHOLD || (v > RIDGE && ridge) ? 1 : 0;
  });
}

// The 8 neighbours in Zhang–Suen's order P2..P9: N, NE, E, SE, S, SW, W, NW.
const RING = [
  [0, -1],
  [1, -1],
  [1, 0],
  [1, 1],
  [0, 1],
  [-1, 1],
  [-1, 0],
  [-1, -1],
];

/** Zhang & Suen (1984) thinning of a 0/1 n×n image, in place: peels boundary pixels in two
 *  alternating sub-passes until a one-pixel-wide, 8-connected skeleton remains. */
export function thin(bin, n) {
  const px = (x, y) => (x < 0 || y < 0 || x >= n || y >= n ? 0 : bin[y * n + x]);
  for (let changed = true; changed; ) {
    changed = false;
    for (const pass of [0, 1]) {
      const peel = [];
      for (let y = 0; y < n; y++) {
        for (let x = 0; x < n; x++) {
          if (!bin[y * n + x]) continue;
          const p = RING.map(([dx, dy]) => px(x + dx, y + dy)); // p[0] = P2 … p[7] = P9
          const b = p.reduce((a, v) => a + v, 0);
          let a = 0; // 0→1 transitions around the ring
          for (let i = 0; i < 8; i++) if (!p[i] && p[(i + 1) % 8]) a++;
          const [n2, e4, s6, w8] = [p[0], p[2], p[4], p[6]];
          const keep = pass === 0 ? n2 * e4 * s6 || e4 * s6 * w8 : n2 * e4 * w8 || n2 * s6 * w8;
          if (b >= 2 && b <= 6 && a === 1 && !keep) peel.push(y * n + x);
        }
      }
      for (const i of peel) bin[i] = 0;
      if (peel.length) changed = true;
    }
  }
  return bin;
}

/** Walks a skeleton into polylines of [x, y] pixel indices, as a pen would go: each walk
 *  starts at a line's free end (topmost first; a loop, once no free end is left, at its top),
 *  goes straight on where it can, and ends where the line does, joining the pixel it runs
 *  into so that branches and closed loops stay connected. */
export function trace(skel, n) {
  const on = (x, y) => x >= 0 && y >= 0 && x < n && y < n && skel[y * n + x] === 1;
  const seen = new Uint8Array(n * n);
  const around = (i) => {
    const [x, y] = [i % n, Math.floor(i / n)];
    return RING.filter(([dx, dy]) => on(x + dx, y + dy)).map(([dx, dy]) => (y + dy) * n + x + dx);
  };
  const open = (i) => around(i).filter((j) => !seen[j]);
  const xy = (i) => [i % n, Math.floor(i / n)];
  const strokes = [];
  for (;;) {
    const left = [];
    for (let i = 0; i < n * n; i++) if (skel[i] && !seen[i]) left.push(i);
    if (!left.length) break;
    // A free end (one way on) first; a pixel with no way on last (it is a stray or a stair).
    const rank = (i) => [2, 0, 1][Math.min(2, open(i).length)];
    left.sort((a, b) => rank(a) - rank(b) || a - b);
    const path = [left[0]];
    seen[left[0]] = 1;
    // Starting next to a line already drawn (a branch): begin on that line.
    const joinStart = around(left[0]).find((j) => seen[j]);
    if (joinStart !== undefined && open(left[0]).length <= 1) path.unshift(joinStart);
    for (;;) {
      const cur = path.at(-1);
      const next = open(cur);
      if (!next.length) {
        // Ran into the line drawn before (a junction, or the loop's own start): join it.
        const recent = new Set(path.slice(-4));
        const join = around(cur).find((j) => seen[j] && !recent.has(j));
        if (join !== undefined) path.push(join);
        break;
      }
      // Straight on: the least turn from the direction of the last few steps; a diagonal
      // step costs a little more, so a stair is walked step by step and not skipped.
      const back = path[Math.max(0, path.length - 4)];
      const [cx, cy] = xy(cur);
      const [bx, by] = xy(back);
      const heading = back === cur ? null : Math.atan2(cy - by, cx - bx);
      let best = next[0];
      let bestCost = Infinity;
      for (const j of next) {
        const [jx, jy] = xy(j);
        const dir = Math.atan2(jy - cy, jx - cx);
        const turn = heading === null ? 0 : Math.abs(Math.atan2(Math.sin(dir - heading), Math.cos(dir - heading)));
        const cost = turn + (jx !== cx && jy !== cy ? 0.3 : 0);
        if (cost < bestCost) [best, bestCost] = [j, cost];
      }
      seen[best] = 1;
      path.push(best);
    }
    strokes.push(path.map(xy));
  }
  return strokes;
}

const length = (pts) => pts.slice(1).reduce((a, p, i) => a + Math.hypot(p[0] - pts[i][0], p[1] - pts[i][1]), 0);

/** Moving average over 3 points (ends kept): takes the skeleton's pixel stairs out. */
function smooth(pts) {
  if (pts.length < 3) return pts;
  const closed = pts.length > 3 && pts[0][0] === pts.at(-1)[0] && pts[0][1] === pts.at(-1)[1];
  return pts.map((p, i) => {
    if ((i === 0 || i === pts.length - 1) && !closed) return p;
    const [a, b] = closed && (i === 0 || i === pts.length - 1) ? [pts.at(-2), pts[1]] : [pts[i - 1], pts[i + 1]];
    return [(a[0] + 2 * p[0] + b[0]) / 4, (a[1] + 2 * p[1] + b[1]) / 4];
  });
}

/** Ramer–Douglas–Peucker: the fewest points within `eps` of the polyline. */
export function simplify(pts, eps) {
  if (pts.length < 3) return pts;
  const [a, b] = [pts[0], pts.at(-1)];
  const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
  let far = 0;
  let at = 0;
  for (let i = 1; i < pts.length - 1; i++) {
    const p = pts[i];
    const d = len === 0 ? Math.hypot(p[0] - a[0], p[1] - a[1]) : Math.abs((b[0] - a[0]) * (a[1] - p[1]) - (a[0] - p[0]) * (b[1] - a[1])) / len;
    if (d > far) [far, at] = [d, i];
  }
  if (far <= eps) return [a, b];
  return [...simplify(pts.slice(0, at + 1), eps).slice(0, -1), ...simplify(pts.slice(at), eps)];
}

/** One digit of `source` → its pen strokes: arrays of [x, y] in the unit square (x right,
 *  y down), coordinates rounded to 1/1000. */
export function digitStrokes(pixels, source) {
  const n = source.grid;
  const img = upsample(pixels, source);
  const bin = ink(img, n);
  let paths = trace(thin(bin, n), n);
  const long = paths.filter((p) => length(p) >= MIN_LENGTH * n);
  if (long.length) paths = long;
  const unit = (v) => Math.round(((v + 0.5) / n) * 1000) / 1000;
  return paths.map((p) => simplify(smooth(p), EPSILON * n).map(([x, y]) => [unit(x), unit(y)]));
}

/** How much `strokes` (unit square) look like the image they came from: drawn with a round
 *  pen 4 px wide on the grid (an 8×8 digit's 32×32: as UCI made the 8×8 images from the
 *  writers' 32×32 bitmaps; an MNIST digit's 56×56: its strokes' width) and counted in blocks
 *  back to the image's side, then correlated (Pearson) with `pixels`. 1 is a perfect
 *  likeness; a digit filled in as a blob, whose skeleton is a stub, scores under 0.6. */
export function fidelity(strokes, pixels, { side, grid: n }) {
  const r = 2;
  const ink = new Uint8Array(n * n);
  for (const s of strokes) {
    for (let k = 0; k < s.length; k++) {
      const [a, b] = [s[k], s[Math.min(k + 1, s.length - 1)]];
      const steps = Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) * n * 4));
      for (let t = 0; t <= steps; t++) {
        const [x, y] = [(a[0] + ((b[0] - a[0]) * t) / steps) * n, (a[1] + ((b[1] - a[1]) * t) / steps) * n];
        for (let yy = Math.max(0, Math.floor(y - r)); yy <= Math.min(n - 1, y + r); yy++) {
          for (let xx = Math.max(0, Math.floor(x - r)); xx <= Math.min(n - 1, x + r); xx++) {
            if (Math.hypot(xx + 0.5 - x, yy + 0.5 - y) <= r) ink[yy * n + xx] = 1;
          }
        }
      }
    }
  }
  const blocks = new Float64Array(side * side);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) blocks[Math.floor((y * side) / n) * side + Math.floor((x * side) / n)] += ink[y * n + x];
  const mean = (v) => v.reduce((a, x) => a + x, 0) / v.length;
  const [ma, mb] = [mean(blocks), mean(pixels)];
  let [ab, aa, bb] = [0, 0, 0];
  for (let i = 0; i < side * side; i++) {
    ab += (blocks[i] - ma) * (pixels[i] - mb);
    aa += (blocks[i] - ma) ** 2;
    bb += (pixels[i] - mb) ** 2;
  }
  return aa && bb ? ab / Math.sqrt(aa * bb) : 0;
}
