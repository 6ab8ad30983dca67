// Which wasm build the page loads: engines that validate relaxed SIMD get the build with
// fused multiply-add (scripts/post-build.py), others the SIMD128 one, and either computes
// the same networks. Exactly one .wasm is fetched either way.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedBrowser, openPage, gotoView } from "./harness.mjs";

const env = sharedBrowser();

/** Opens the RNN view (with `relaxed` false, in an engine made to reject relaxed SIMD) and
 *  returns the builds it loaded (the page's module and the sequence views' one), the .wasm
 *  files it fetched, and a 2-layer bidirectional LSTM's output for a fixed input. */
async function load(relaxed) {
  const { page, context, errors } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  if (!relaxed) await context.addInitScript(() => (WebAssembly.validate = () => false));
  const wasmFiles = [];
  page.on("request", (r) => r.url().endsWith(".wasm") && wasmFiles.push(new URL(r.url()).pathname));
  await gotoView(page, env.server.url, "#view=rnn&cell=lstm");
  await page.waitForSelector(".view.rnn");
  const got = await page.evaluate(async () => {
    const w = await (await import(new URL("js/wasm.js", document.baseURI))).seqModule();
    const net = new w.RecurrentNet("lstm", 32, 128, 2, true, 3);
    const x = Float32Array.from({ length: 20 * 32 }, (_, i) => Math.sin(0.37 * i));
    net.forward(x, 20, 1, new Float32Array(0), new Float32Array(0));
    const y = Array.from(net.y());
    net.free();
    return { arithmetic: window.wasmBindings.arithmetic(), seqArithmetic: w.arithmetic(), boot: window.nnplayWasm, seqBoot: window.nnplaySeq, y };
  });
  assert.deepEqual(errors, []);
  await context.close();
  return { ...got, wasmFiles: wasmFiles.sort() };
}

test("relaxed SIMD where the engine has it, SIMD128 where not; the same numbers from both", async () => {
  const fast = await load(true);
  // Chromium and Firefox ESR both have relaxed SIMD, and on this machine's x86-64 (FMA3) V8
  // and SpiderMonkey fuse the multiply-add.
  assert.equal(fast.boot.relaxed, true);
  assert.equal(fast.arithmetic, "relaxed-simd fused");
  assert.equal(fast.seqArithmetic, "relaxed-simd fused");
  // The page's module, then the sequence views' (the RNN view's own), each once.
  assert.equal(fast.wasmFiles.length, 2, fast.wasmFiles.join(", "));
  assert.match(fast.wasmFiles[0], /nnplay-relaxed-[0-9a-f]+_bg\.wasm$/);
  assert.match(fast.wasmFiles[1], /nnplay-seq-relaxed-[0-9a-f]+_bg\.wasm$/);
  assert.equal(new URL(fast.boot.wasm).pathname, fast.wasmFiles[0], "workers get the build the page loaded");
  assert.equal(new URL(fast.seqBoot.wasm).pathname, fast.wasmFiles[1]);

  const plain = await load(false);
  assert.equal(plain.boot.relaxed, false);
  assert.equal(plain.arithmetic, "simd128");
  assert.equal(plain.seqArithmetic, "simd128");
  assert.equal(plain.wasmFiles.length, 2, plain.wasmFiles.join(", "));
  for (const f of plain.wasmFiles) assert.doesNotMatch(f, /relaxed/);

  assert.equal(fast.y.length, 20 * 2 * 128);
  let worst = 0;
  fast.y.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - plain.y[i]))));
  assert.ok(worst < 1e-5, `the two builds' LSTM outputs differ by ${worst}`);
  assert.ok(worst > 0 || fast.arithmetic !== "relaxed-simd fused", "fused and unfused sums should differ in some last bit");
});
