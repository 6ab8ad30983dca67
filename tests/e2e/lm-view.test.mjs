// The language-model view in a real browser: the course's examples give the next character's
// top 10 exactly as the wasm model does, picking one appends it, a seeded text is written
// again from its URL, the country table follows the second example, and bad input (nothing,
// Latin letters, emoji) gets a sentence instead of a guess.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import fs from "node:fs";
import os from "node:os";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { sharedBrowser, openPage, gotoView, offeredFile, RESULTS } from "./harness.mjs";

const ROUNDTRIP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../python/page_roundtrip.py");

const env = sharedBrowser();
const choices = (page) => page.$$eval(".lm-choice", (bs) => bs.map((b) => [b.querySelector(".c").textContent, Number.parseFloat(b.querySelector(".val").textContent)]));

test("the next character's top 10 are the model's, and picking one appends it", async () => {
  const { page, errors, context } = await openPage(env.browser, env.server.url, { locale: "zh-CN" });
  await gotoView(page, env.server.url, "#view=lm&text=" + encodeURIComponent("有一朵云飘在"));
  await page.waitForSelector(".view.lm[data-ready=true]");
  const shown = await choices(page);
  assert.equal(shown.length, 10);
  for (let i = 1; i < shown.length; i++) assert.ok(shown[i][1] <= shown[i - 1][1], `row ${i} is likelier than the one above`);
  // The same model, loaded and read independently through the wasm API.
  const want = await page.evaluate(async () => {
    const w = await (await import(new URL("js/wasm.js", document.baseURI))).seqModule();
    const bytes = new Uint8Array(await (await fetch(new URL("weights/lm-modern-lstm.safetensors", document.baseURI))).arrayBuffer());
    const lm = w.LanguageModel.fromBytes(bytes);
    lm.read("有一朵云飘在");
    const p = lm.probs();
    const shown = (id) => (id === 0 ? "□" : lm.symbol(id) === "\n" ? "↵" : lm.symbol(id));
    return Array.from(lm.top(10), (id) => [shown(id), Math.round(p[id] * 1000) / 10]);
  });
  assert.deepEqual(shown, want);
  const first = shown.findIndex(([c]) => c !== "□");
  await page.click(`.lm-choice >> nth=${first}`);
  await page.waitForFunction((c) => decodeURIComponent(location.hash).includes("有一朵云飘在" + c), shown[first][0]);
  assert.equal(await page.inputValue("#lm-text"), "有一朵云飘在" + shown[first][0]);
  await page.screenshot({ path: path.join(RESULTS, "lm.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test("a seeded text is written again from its link; another seed writes another", async () => {
  const { page, errors, context } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  const written = async (hash) => {
    await gotoView(page, env.server.url, hash);
    await page.waitForSelector(".view.lm[data-ready=true]");
    return page.textContent(".lm-written .lm-continued");
  };
  const hash = "#view=lm&model=poems-lstm&text=" + encodeURIComponent("床前明月光，") + "&len=30&temp=90&seed=42";
  const a = await written(hash);
  assert.equal([...a].length, 30);
  await page.goto("about:blank");
  assert.equal(await written(hash), a, "the same link wrote another text");
  assert.notEqual(await written(hash.replace("seed=42", "seed=43")), a);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the second example's country table, and a sentence for empty or unknown input", async () => {
  const { page, errors, context } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  await gotoView(page, env.server.url, "#view=lm");
  await page.waitForSelector(".view.lm[data-ready=true]");
  await page.click(".presets button >> nth=1");
  await page.waitForSelector(".lm-past-table");
  assert.equal(await page.locator(".lm-past-table tr").count(), 9); // a header and 8 countries
  assert.equal(await page.locator(".lm-past-table td.match").count(), 8);
  await page.fill("#lm-text", "");
  await page.waitForFunction(() => document.querySelectorAll(".lm-choice").length === 0);
  assert.match(await page.textContent(".lm-note"), /at least one character/);
  await page.fill("#lm-text", "hello 🙂 世界");
  await page.waitForFunction(() => document.querySelectorAll(".lm-choice").length === 10);
  assert.match(await page.textContent(".lm-note"), /vocabulary/);
  assert.match(await page.textContent(".lm-note"), /🙂/);
  // A context longer than the field's limit in a link falls back to the default.
  await gotoView(page, env.server.url, "#view=lm&text=" + "云".repeat(500));
  await page.waitForSelector(".view.lm[data-ready=true]");
  assert.equal(await page.inputValue("#lm-text"), "有一朵云飘在");
  assert.deepEqual(errors, []);
  await context.close();
});

test("the long-range models: the LSTM above the Elman net at large gaps, and influence strips as wasm computes them", async () => {
  const { page, errors, context } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  const sentence = "我从小生长在德国，这是我们国家经济建设的重要任务，我可以说一口流利的";
  await gotoView(page, env.server.url, "#view=lm&model=longrange-lstm&text=" + encodeURIComponent(sentence));
  await page.waitForSelector(".view.lm[data-ready=true] .lm-reach-row");
  // The chart: one curve per cell, from the files' own measurements.
  assert.equal(await page.locator(".lm-curves polyline").count(), 3);
  const curves = await page.evaluate(async () => {
    const w = await (await import(new URL("js/wasm.js", document.baseURI))).seqModule();
    const out = {};
    for (const cell of ["rnn", "gru", "lstm"]) {
      const bytes = new Uint8Array(await (await fetch(new URL(`weights/longrange-${cell}.safetensors`, document.baseURI))).arrayBuffer());
      out[cell] = JSON.parse(w.LanguageModel.fromBytes(bytes).meta("accuracy_by_gap"));
    }
    return out;
  });
  const last = (c) => curves[c].at(-1).accuracy;
  assert.ok(curves.lstm.at(-1).from >= 60, "the curve reaches gaps of 60 and more");
  assert.ok(last("lstm") > last("rnn") + 0.3, `LSTM ${last("lstm")} vs Elman ${last("rnn")} at the largest gap`);
  assert.ok(last("gru") > last("rnn") + 0.3);
  // The top prediction is the country's language, and each strip's shades are the norms the
  // wasm API gives for the same sentence and character.
  assert.equal((await choices(page))[0][0], "德");
  const shown = await page.$$eval(".lm-reach-row", (rows) => rows.map((r) => Array.from(r.querySelectorAll(".lm-reach-c"), (c) => Number(c.title))));
  assert.equal(shown.length, 3);
  const want = await page.evaluate(async (text) => {
    const w = await (await import(new URL("js/wasm.js", document.baseURI))).seqModule();
    const out = [];
    for (const cell of ["rnn", "gru", "lstm"]) {
      const bytes = new Uint8Array(await (await fetch(new URL(`weights/longrange-${cell}.safetensors`, document.baseURI))).arrayBuffer());
      out.push(Array.from(w.LanguageModel.fromBytes(bytes).influence(text, "德")));
    }
    return out;
  }, sentence);
  shown.forEach((row, m) => {
    assert.equal(row.length, [...sentence].length);
    // The titles carry three significant digits.
    row.forEach((v, i) => assert.ok(Math.abs(v - want[m][i]) <= 5e-3 * Math.abs(want[m][i]), `model ${m}, character ${i}: ${v} vs ${want[m][i]}`));
  });
  assert.deepEqual(errors, []);
  await context.close();
});

test("a short training run in the page lowers the held-out bits per character", async () => {
  const { page, errors, context } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  await gotoView(page, env.server.url, "#view=lm");
  await page.waitForSelector(".view.lm[data-ready=true]");
  await page.click("#lm-train-go");
  // The worker reports an evaluation at the start and every 3 s: wait for three.
  const heldOut = async () => page.$eval("#lm-train-status", (s) => s.textContent.match(/held out ([\d.]+)/)?.[1]);
  await page.waitForFunction(() => /held out [\d.]+/.test(document.querySelector("#lm-train-status").textContent), null, { timeout: 60000 });
  const first = Number(await heldOut());
  await page.waitForTimeout(7000);
  const later = Number(await heldOut());
  assert.ok(later < first - 0.2, `held-out bits per character ${first} → ${later}`);
  assert.ok((await page.textContent("#lm-train-sample")).length > 0, "a sample is written while it learns");
  await page.click("#lm-train-go"); // pause
  await page.waitForFunction(() => document.querySelector("#lm-train-status").dataset.status === "paused", null, { timeout: 20000 });
  // Downloaded, the paused model gives docs/pytorch/char_lm.py the page's probabilities.
  await page.waitForFunction(() => !document.querySelector("#lm-train-download").disabled, null, { timeout: 20000 });
  const offered = await offeredFile(page, "#lm-train-download");
  assert.match(offered.name, /\.safetensors$/);
  const file = path.join(os.tmpdir(), `nnplay-lm-${process.pid}.safetensors`);
  fs.writeFileSync(file, offered.bytes);
  const text = "床前明月光，疑是";
  const ours = await page.evaluate(async (text) => {
    const { run } = await import(new URL("js/views/lm/train.js", document.baseURI));
    const { seqWasm } = await import(new URL("js/wasm.js", document.baseURI));
    const lm = seqWasm().LanguageModel.fromBytes(run.bytes);
    lm.read(text);
    return Array.from(lm.probs());
  }, text);
  const theirs = JSON.parse(execFileSync("python3", [ROUNDTRIP, "lm", file, text], { encoding: "utf8" }));
  assert.equal(theirs.length, ours.length);
  const worst = Math.max(...ours.map((p, i) => Math.abs(p - theirs[i])));
  assert.ok(worst < 1e-4, `largest difference between the page's and the PyTorch module's probabilities: ${worst}`);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the long-range experiment runs here: three nets train side by side, their curves are drawn, and one is used above", async () => {
  const { page, errors, context } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  await gotoView(page, env.server.url, "#view=lm");
  await page.waitForSelector(".view.lm[data-ready=true]");
  await page.selectOption("#lr-train-hidden", "32");
  await page.selectOption("#lr-train-steps", "500");
  await page.click("#lr-train-go");
  // Each net posts a curve at its start and when it ends (200 sentences per gap bucket).
  await page.waitForFunction(() => [...document.querySelectorAll(".lr-status li")].every((li) => li.dataset.status === "done"), null, { timeout: 180000 });
  const rows = await page.$$eval(".lr-status li", (lis) => lis.map((li) => li.textContent));
  for (const row of rows) assert.match(row, /step 500 of 500/, row);
  const lines = await page.$$eval(".lr-train .lm-curves polyline", (ps) => ps.map((p) => p.getAttribute("points").split(" ").length));
  assert.deepEqual(lines, [8, 8, 8], "one curve of 8 gap buckets per cell");
  // The finished LSTM in the view: the curve its file carries is the one the panel drew
  // last (drawn Elman, LSTM, GRU).
  const lstm = await page.$$eval(".lr-train .lm-curves polyline", (ps) => ps[1].getAttribute("points"));
  await page.click("#lr-train-use-lstm");
  await page.waitForFunction(() => location.hash.includes("model=trained"));
  await page.waitForSelector(".view.lm[data-ready=true] .lm-gap .lm-curves polyline", { timeout: 20000 });
  assert.equal(await page.$eval(".lm-gap .lm-curves polyline", (p) => p.getAttribute("points")), lstm);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a character model of one's own: loaded from a file, kept over a reload; a file that is not one is a sentence", async () => {
  const { page, errors, context } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  await gotoView(page, env.server.url, "#view=lm");
  await page.waitForSelector(".view.lm[data-ready=true]");
  // A student's file: here, the shipped poem model under another name.
  const mine = path.join(os.tmpdir(), `my-poems-${process.pid}.safetensors`);
  fs.copyFileSync(path.join(path.dirname(ROUNDTRIP), "../../weights/lm-poems-lstm.safetensors"), mine);
  await page.setInputFiles("#lm-file", mine);
  await page.waitForFunction(() => location.hash.includes("model=local"));
  await page.fill("#lm-text", "床前明月");
  const known = () => page.waitForFunction(() => /1800 characters known/.test(document.querySelector(".lm-about").textContent), null, { timeout: 20000 });
  const choices = () => page.$$eval(".lm-choice .c", (c) => c.map((e) => e.textContent).join(""));
  await known();
  // The field reaches the state after a pause in typing: the choices are the new text's
  // once it is in the URL.
  await page.waitForFunction(() => decodeURIComponent(location.hash).includes("text=床前明月"));
  await page.waitForFunction(() => document.querySelectorAll(".lm-choice").length === 10);
  const first = await choices();
  await page.reload();
  await page.waitForSelector(".view.lm[data-ready=true]");
  await known();
  await page.waitForFunction((f) => [...document.querySelectorAll(".lm-choice .c")].map((e) => e.textContent).join("") === f, first, { timeout: 20000 });
  const junk = path.join(os.tmpdir(), `notes-${process.pid}.safetensors`);
  fs.writeFileSync(junk, "not a model");
  await page.setInputFiles("#lm-file", junk);
  await page.waitForFunction(() => /cannot be used/.test(document.querySelector(".lm-about").textContent));
  assert.equal(await choices(), first, "the model shown stays");
  assert.deepEqual(errors, []);
  await context.close();
});
