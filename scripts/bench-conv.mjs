// conv2d at LeNet-5's shapes through the SIMD128 kernel and its scalar twin, in the same
// wasm module and process, interleaved round by round so both see the same machine state.
// Prints a table and rewrites the conv2d section of docs/BENCHMARKS.md.
import fs from "node:fs";
import os from "node:os";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { ConvBench } = require("../target/bench-pkg/nnplay.js");

const CASES = [
  { name: "C1: 1x28x28 -> 6@5x5 SAME", n: 1, c: 1, hw: 28, o: 6, k: 5, same: true },
  { name: "C1: 1x28x28 -> 6@5x5 SAME", n: 32, c: 1, hw: 28, o: 6, k: 5, same: true },
  { name: "C3: 6x14x14 -> 16@5x5 VALID", n: 1, c: 6, hw: 14, o: 16, k: 5, same: false },
  { name: "C3: 6x14x14 -> 16@5x5 VALID", n: 32, c: 6, hw: 14, o: 16, k: 5, same: false },
];
const ROUNDS = 41;
const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];

/** Times `fn(iters)` with iters chosen so one sample takes about 5 ms; ms per call. */
function sampler(fn) {
  let iters = 1;
  while (true) {
    const t0 = performance.now();
    fn(iters);
    if (performance.now() - t0 > 5) break;
    iters *= 2;
  }
  return () => {
    const t0 = performance.now();
    fn(iters);
    return (performance.now() - t0) / iters;
  };
}

const rows = [];
for (const c of CASES) {
  const b = new ConvBench(c.n, c.c, c.hw, c.o, c.k, c.same);
  // Same data through both paths must agree before timing means anything.
  const [s, v] = [b.scalar(1), b.simd(1)];
  if (Math.abs(s - v) > 1e-3 * Math.max(1, Math.abs(s))) throw new Error(`${c.name}: checksums differ ${s} vs ${v}`);
  const time = { scalar: sampler((i) => b.scalar(i)), simd: sampler((i) => b.simd(i)) };
  const t = { scalar: [], simd: [] };
  for (let r = 0; r < ROUNDS; r++) for (const path of r % 2 ? ["simd", "scalar"] : ["scalar", "simd"]) t[path].push(time[path]());
  const row = { ...c, scalar: median(t.scalar), simd: median(t.simd) };
  row.ratio = row.scalar / row.simd;
  rows.push(row);
  b.free();
  console.log(`${c.name.padEnd(30)} batch ${String(c.n).padStart(2)}  scalar ${row.scalar.toFixed(4)} ms  simd ${row.simd.toFixed(4)} ms  ${row.ratio.toFixed(2)}x`);
}

const table = [
  "| layer | batch | scalar twin (ms) | SIMD128 (ms) | SIMD speed-up |",
  "|---|---:|---:|---:|---:|",
  ...rows.map((r) => `| ${r.name} | ${r.n} | ${r.scalar.toFixed(4)} | ${r.simd.toFixed(4)} | **${r.ratio.toFixed(2)}×** |`),
].join("\n");
const section = `<!-- conv2d:begin -->
## conv2d: SIMD128 vs its scalar twin

Command: \`./dev.sh bench\` (or \`bash scripts/bench.sh\`). Node ${process.version}, ${os.cpus()[0]?.model ?? "unknown CPU"},
one wasm module (the relaxed-SIMD build, whose convolution kernels are the same as the
SIMD128 build's); both paths run on the same random data, interleaved
over ${ROUNDS} rounds; medians of per-call time. Measured ${new Date().toISOString().slice(0, 10)}.

${table}

Target (issue 2): SIMD ≥ 3× the scalar twin.
<!-- conv2d:end -->`;

const file = new URL("../docs/BENCHMARKS.md", import.meta.url);
let doc = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "# Benchmarks\n\nEvery number here is written by a command the project carries; rerun it to refresh.\n";
doc = doc.includes("<!-- conv2d:begin -->") ? doc.replace(/<!-- conv2d:begin -->[\s\S]*<!-- conv2d:end -->/, section) : `${doc.trimEnd()}\n\n${section}\n`;
fs.writeFileSync(file, doc);
