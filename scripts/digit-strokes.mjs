// Writes the pen strokes of all 1,797 of scikit-learn's handwritten digits (load_digits,
// installed by dev.sh into data/digits/digits.csv.gz) to data/digits/strokes.json, so that
// the page's end-to-end test (tests/e2e/drawn-digits.test.mjs) and the Rust side replay the
// same strokes. How they are made: tests/e2e/digit-strokes.mjs.
//
// Usage: node scripts/digit-strokes.mjs [digits.csv.gz] [strokes.json]
//
// The format of strokes.json (one JSON object):
//   {
//     "source": "scikit-learn 1.9.1 sklearn/datasets/data/digits.csv.gz (UCI optdigits test set)",
//     "grid": 32,            the side of the image the skeleton was traced on
//     "digits": [            in the csv's order: digits[i] is load_digits() row i
//       { "label": 0..9,
//         "fidelity": 0.83,  how much the strokes, drawn 4 px wide on 32×32 and counted in
//                            4×4 blocks, correlate with the 8×8 image (1 = perfectly; under
//                            about 0.6 the writer filled a blob the skeleton cannot follow)
//         "strokes": [       pen down … pen up, in drawing order
//           [[x, y], …]      polyline in the unit square: x right, y down, both 0..1
//                            (3 decimals); at least 2 points, or 1 for a dot
//         ] }, … ] }
// The digits have no writer ids (the csv carries none); the index is their only name.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readDigits, digitStrokes, fidelity, GRID } from "../tests/e2e/digit-strokes.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const src = process.argv[2] ?? path.join(root, "data/digits/digits.csv.gz");
const out = process.argv[3] ?? path.join(root, "data/digits/strokes.json");

const digits = readDigits(src).map(({ label, pixels }) => {
  const strokes = digitStrokes(pixels);
  return { label, fidelity: Math.round(fidelity(strokes, pixels) * 1000) / 1000, strokes };
});
const json = {
  source: "scikit-learn 1.9.1 sklearn/datasets/data/digits.csv.gz (UCI optdigits test set)",
  grid: GRID,
  digits,
};
// One digit a line: diffable and still small.
const body = digits.map((d) => "    " + JSON.stringify(d)).join(",\n");
const text = `{\n  "source": ${JSON.stringify(json.source)},\n  "grid": ${GRID},\n  "digits": [\n${body}\n  ]\n}\n`;
JSON.parse(text); // the hand-joined text is valid JSON
fs.writeFileSync(out + ".part", text);
fs.renameSync(out + ".part", out);
const points = digits.reduce((a, d) => a + d.strokes.reduce((b, s) => b + s.length, 0), 0);
console.log(`${path.relative(root, out)}: ${digits.length} digits, ${(points / digits.length).toFixed(1)} points each on average, ${(text.length / 1024).toFixed(0)} KB`);
