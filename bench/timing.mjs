// The timing, checking and reporting helpers shared by the benchmark scripts:
// scripts/bench-lenet.mjs, bench-rnn.mjs and bench-lm.mjs in Node and the page
// bench/chromium/main.mjs in headless Chromium use this same file, so both environments
// measure in exactly the same way (warm up, size an inner loop to ~20 ms, interleaved
// rotating rounds, medians, quartiles). Plain ES module with no Node or DOM imports, so it
// loads in both.

/** The q-quantile of xs, interpolated between neighbours (q = 0.5: the median). */
export function quantile(xs, q) {
  const s = xs.slice().sort((a, b) => a - b);
  const at = q * (s.length - 1);
  const lo = Math.floor(at);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (at - lo);
}

/** Runs `c.call` `iters` times back to back; ms per call. Synchronous contestants are not
 *  awaited, so they pay no promise round trip per call that their users would not pay. */
export async function sample(c, iters) {
  if (c.enter) await c.enter();
  const t0 = performance.now();
  if (c.async) for (let i = 0; i < iters; i++) await c.call();
  else for (let i = 0; i < iters; i++) c.call();
  return (performance.now() - t0) / iters;
}

/** Calls `c.call` until `ms` have passed (and at least `min` times); how many calls ran. */
export async function callFor(c, ms, min) {
  if (c.enter) await c.enter();
  const t0 = performance.now();
  let calls = 0;
  while (calls < min || performance.now() - t0 < ms) {
    await c.call();
    calls++;
  }
  return calls;
}

/** Times contestants ({ name, call, async?, enter? }) against each other: each is warmed up
 *  (JIT tiers, kernel caches, allocator), its inner loop sized to the calls that fit in
 *  `sampleMs`, then `rounds` rounds run, each contestant once per round, starting one
 *  further along the list each round, so a burst of noise from the shared machine falls
 *  on all of them alike. Returns per contestant the median ms per call and the quartiles. */
export async function race(contestants, { rounds, sampleMs = 20, warmupMs = 200 }) {
  for (const c of contestants) {
    await callFor(c, warmupMs, 3);
    c.iters = await callFor(c, sampleMs, 1);
  }
  const times = contestants.map(() => []);
  for (let r = 0; r < rounds; r++)
    for (let k = 0; k < contestants.length; k++) {
      const i = (r + k) % contestants.length;
      times[i].push(await sample(contestants[i], contestants[i].iters));
    }
  return contestants.map((c, i) => ({ name: c.name, ms: quantile(times[i], 0.5), q1: quantile(times[i], 0.25), q3: quantile(times[i], 0.75), iters: c.iters }));
}

/** Adds `ratio` = contestant time / nnplay time to every row of one task. */
export function withRatios(rows) {
  const base = rows.find((r) => r.name === "nnplay").ms;
  for (const r of rows) r.ratio = r.ms / base;
  return rows;
}

/** Largest |a - b| and whether every element is within `tol` of the reference b, counted
 *  absolutely near zero and relatively for large values: |a - b| <= tol * (1 + |b|). */
export function compare(a, b, tol) {
  let max = 0;
  let ok = a.length === b.length;
  for (let i = 0; i < b.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= tol * (1 + Math.abs(b[i])))) ok = false; // written so NaN fails too
    max = Math.max(max, d);
  }
  return { max, ok };
}

/** Milliseconds with four significant-ish digits, as the tables print them. */
export const fmt = (ms) => (ms < 1 ? ms.toFixed(4) : ms < 100 ? ms.toFixed(3) : ms.toFixed(1));

/** One markdown table row per contestant; `notes` adds rows for contestants that could not run. */
export function tableRows(taskName, rows, notes = []) {
  const out = rows.map((r) => {
    const who = r.name === "nnplay" ? "**nnplay**" : r.name;
    return `| ${taskName} | ${who} | ${fmt(r.ms)} | ${fmt(r.q1)}–${fmt(r.q3)} | ${r.name === "nnplay" ? "1×" : `**${r.ratio.toFixed(2)}×**`} |`;
  });
  for (const [who, note] of notes) out.push(`| ${taskName} | ${who} | ${note} | | – |`);
  return out;
}

export const TABLE_HEAD = "| task | contestant | median (ms) | middle half of the rounds (ms) | ratio to nnplay |\n|---|---|---:|---:|---:|";

/** One console line per contestant of a task. */
export function printRows(log, taskName, rows) {
  log(`\n${taskName}`);
  for (const r of rows) log(`  ${r.name.padEnd(16)} ${fmt(r.ms).padStart(10)} ms  ${r.ratio.toFixed(2).padStart(7)}x  (quartiles ${fmt(r.q1)}–${fmt(r.q3)}, ${r.iters} calls/sample)`);
}

export const mark = (ok) => (ok ? "met" : "**not met**");

/** The text of docs/BENCHMARKS.md (`doc`; undefined when there is no such file yet) with
 *  its `name` section, from <!-- name:begin --> to <!-- name:end -->, replaced by `section`
 *  (or appended, when it has none). Every other byte stays as it was. */
export function withSection(doc = "# Benchmarks\n\nEvery number here is written by a command the project carries; rerun it to refresh.\n", name, section) {
  const [begin, end] = [`<!-- ${name}:begin -->`, `<!-- ${name}:end -->`];
  if (!doc.includes(begin)) return `${doc.trimEnd()}\n\n${section}\n`;
  return doc.replace(new RegExp(`${begin}[\\s\\S]*${end}`), () => section);
}
