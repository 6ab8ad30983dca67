// The product behind every recurrent step at batch 1, h [1, k] times W_hh^T (gemm_rows),
// through the SIMD kernel and its scalar twin in one wasm module and process, interleaved
// (bench/timing.mjs), against two ceilings measured in the same run: the latency of one
// chain of vector multiply-adds (the kernel keeps six chains of sums) and the engine's peak
// multiply-add rate (ten chains). Prints a table and rewrites the rows section of
// docs/BENCHMARKS.md. Needs target/bench-pkg (scripts/bench.sh builds it).
import fs from "node:fs";
import os from "node:os";
import { createRequire } from "node:module";
import { race, withSection } from "../bench/timing.mjs";

const nn = createRequire(import.meta.url)("../target/bench-pkg/nnplay.js");
const ROUNDS = Number(process.env.ROUNDS ?? 25);
const CHAINS = 6; // vectors of sums gemm_rows keeps in registers (scalar::ROW_PANEL / 4)

const CASES = [
  { name: "LSTM step, H = 128: W_hh 512×128 (256 KB, from L2)", k: 128, n: 512 },
  { name: "GRU step, H = 128: W_hh 384×128 (192 KB, from L2)", k: 128, n: 384 },
  { name: "48×128 (24 KB, stays in L1)", k: 128, n: 48 },
];

/** ns per call of f(iters) for a large iters, best of a few (the probes are pure register
 *  arithmetic, so the best run is the machine's own speed, not a lucky one). */
function probe(f, iters) {
  f(iters / 10);
  let best = Infinity;
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    f(iters);
    best = Math.min(best, performance.now() - t0);
  }
  return (best * 1e6) / iters;
}
const ITERS = 2e7;
const latencyNs = probe(nn.madd_latency, ITERS); // one madd in a dependent chain
const peakPerNs = 10 / probe(nn.madd_throughput, ITERS); // vector madds per ns, ten chains
const chainCeiling = CHAINS / latencyNs;
console.log(`madd latency ${latencyNs.toFixed(3)} ns; peak ${peakPerNs.toFixed(2)} vector madds/ns; ${CHAINS} chains at that latency: ${chainCeiling.toFixed(2)}/ns`);

const rows = [];
for (const c of CASES) {
  const b = new nn.RowProductBench(c.k, c.n);
  // Same data through both paths must agree before timing means anything.
  const diff = b.max_diff();
  if (!(diff <= 1e-4)) throw new Error(`${c.name}: SIMD and scalar products differ by ${diff}`);
  const [scalar, simd] = await race(
    [
      { name: "scalar", call: () => b.scalar(1) },
      { name: "simd", call: () => b.simd(1) },
    ],
    { rounds: ROUNDS },
  );
  b.free();
  const perNs = (c.k * c.n) / 4 / (simd.ms * 1e6); // vector madds per ns
  const row = { ...c, scalar: scalar.ms, simd: simd.ms, gmacs: (c.k * c.n) / (simd.ms * 1e6), perNs };
  rows.push(row);
  console.log(
    `${c.name.padEnd(52)} scalar ${(scalar.ms * 1e3).toFixed(2)} us  simd ${(simd.ms * 1e3).toFixed(2)} us  ${(scalar.ms / simd.ms).toFixed(1)}x  ${row.gmacs.toFixed(1)} GMAC/s  ${((100 * perNs) / chainCeiling).toFixed(0)}% of the ${CHAINS}-chain ceiling`,
  );
}

const pct = (x, of) => `${((100 * x) / of).toFixed(0)}%`;
const table = [
  `| product | scalar twin (µs) | SIMD (µs) | SIMD speed-up | GMAC/s | of the ${CHAINS}-chain ceiling | of peak |`,
  "|---|---:|---:|---:|---:|---:|---:|",
  ...rows.map(
    (r) =>
      `| ${r.name} | ${(r.scalar * 1e3).toFixed(2)} | ${(r.simd * 1e3).toFixed(2)} | **${(r.scalar / r.simd).toFixed(1)}×** | ${r.gmacs.toFixed(1)} | ${pct(r.perNs, chainCeiling)} | ${pct(r.perNs, peakPerNs)} |`,
  ),
].join("\n");
const section = `<!-- rows:begin -->
## The recurrent step's product at batch 1: SIMD vs its scalar twin, and its ceilings

Command: \`./dev.sh bench\` (or \`node --experimental-wasm-relaxed-simd scripts/bench-rows.mjs\`
after scripts/bench.sh has built target/bench-pkg). Node ${process.version}, ${os.cpus()[0]?.model ?? "unknown CPU"},
the relaxed-SIMD build. \`gemm_rows\` (h [1, k] times W_hh^T, the weights packed in 24-column
panels) and its scalar twin on the same random data, interleaved over ${ROUNDS} rounds, medians.
Measured ${new Date().toISOString().slice(0, 10)}.

Ceilings, measured in the same run (each the best of seven runs, against the kernel's median,
so the percentages lean low): one chain of vector multiply-adds takes
${latencyNs.toFixed(3)} ns a step; the kernel keeps ${CHAINS} chains of sums (one per vector of a
panel), so it can do at most ${chainCeiling.toFixed(2)} vector multiply-adds per ns; with ten
chains the engine reaches ${peakPerNs.toFixed(2)} per ns (its peak). Why the kernel keeps six chains
is in the introduction above. The last row's weights fit in L1; the others' do not. An
LSTM's 512 columns take 22 panels of 24, so its rate counts 3% of padding as lost.

${table}
<!-- rows:end -->`;

const file = new URL("../docs/BENCHMARKS.md", import.meta.url);
fs.writeFileSync(file, withSection(fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined, "rows", section));
console.log("\nwrote the rows section of docs/BENCHMARKS.md");
