// Trained and student networks in the RNN view: a student's 2-layer bidirectional nn.GRU
// (a bare state_dict made by tests/python/student_models.py with the numpy torch shim) is
// picked with the file input, read from its shapes, and stepped to the states the module
// computes for the very input the page fed it; a file without a recurrent layer is a
// sentence and the network on screen stays; a reload shows the kept file again. The
// segmenter's BiLSTM reads the typed text through its embedding.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sharedBrowser, openPage, gotoView } from "./harness.mjs";

const env = sharedBrowser();
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SCRIPT = path.join(ROOT, "tests/python/student_models.py");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nnplay-rnn-students-"));
execFileSync("python3", [SCRIPT, "make", dir]);

const table = (page) => page.$$eval("#rnn-gates tr[data-gate]", (rows) => rows.map((r) => [r.dataset.gate, Array.from(r.querySelectorAll("td"), (td) => Number(td.textContent))]));

/** Moves the view to `pos` steps through its URL, as a link would. */
async function goTo(page, pos) {
  await page.evaluate((p) => {
    location.hash = `${location.hash.replace(/&pos=\d+/, "")}&pos=${p}`;
  }, pos);
  await page.waitForFunction((p) => new RegExp(`\\(${p}/`).test(document.querySelector("#rnn-status").textContent), pos);
}

test("a student's 2-layer bidirectional GRU: read from its shapes, its states the module's; a wrong file is a sentence; kept over a reload", async () => {
  const { page, errors, context } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  await gotoView(page, env.server.url, "#view=rnn&model=local");
  await page.waitForFunction(() => /No file of yours/.test(document.querySelector(".rnn-about").textContent));
  await page.setInputFiles("#rnn-file", path.join(dir, "gru2bi.safetensors"));
  await page.waitForFunction(() => /nn\.GRU\(input_size=3, hidden_size=5, num_layers=2, bidirectional=True\)/.test(document.querySelector(".rnn-about").textContent));
  const about = await page.textContent(".rnn-about");
  assert.match(about, /tensors gru\.weight_ih_l0/);
  assert.match(about, /fc\.weight \[4, 10\]/);
  assert.match(about, /3 phase-shifted sine waves/);
  assert.match(page.url(), /model=local/);
  assert.ok(await page.isHidden("#rnn-cell"), "the file decides the cell");

  // The module's top-layer outputs for the input the page fed it.
  const x = await page.evaluate(async () => {
    const { waves } = await import(new URL("js/views/rnn/nets.js", document.baseURI));
    return Array.from(waves(3));
  });
  const T = x.length / 3;
  const input = path.join(dir, "x.json");
  fs.writeFileSync(input, JSON.stringify(Array.from({ length: T }, (_, s) => x.slice(3 * s, 3 * s + 3))));
  const y = JSON.parse(execFileSync("python3", [SCRIPT, "states", "gru2bi", input], { encoding: "utf8" }));
  // Layer 2 steps after all of layer 1 (2·T steps), both directions side by side: after
  // 2T + 2k + 1 steps it has just computed the forward state at time k; after 4T, the
  // backward state at time 0.
  for (const [pos, time, half] of [[2 * T + 1, 0, 0], [2 * T + 2 * 7 + 1, 7, 0], [4 * T, 0, 1]]) {
    await goTo(page, pos);
    const rows = await table(page);
    assert.deepEqual(rows.map((r) => r[0]), ["r", "z", "ñ", "h"]);
    const h = rows[3][1];
    const want = y[time].slice(5 * half, 5 * half + 5);
    h.forEach((v, j) => assert.ok(Math.abs(v - want[j]) < 2e-3, `pos ${pos} h[${j}] = ${v}, the module's ${want[j]}`));
  }
  const before = await table(page);

  // A CNN's file has no recurrent layer: a sentence, and the GRU stays on screen.
  await page.setInputFiles("#rnn-file", path.join(dir, "lenet32.safetensors"));
  await page.waitForFunction(() => /lenet32\.safetensors cannot be used: the file has no recurrent layer/.test(document.querySelector(".rnn-about").textContent));
  assert.deepEqual(await table(page), before);

  await page.reload();
  await page.waitForFunction(() => /nn\.GRU\(input_size=3/.test(document.querySelector(".rnn-about")?.textContent ?? ""));
  assert.deepEqual(await table(page), before, "the kept file, at the same step");
  assert.deepEqual(errors, []);
  await context.close();
});

test("a bare nn.RNN: the page asks for its nonlinearity, and with ReLU its states are the module's", async () => {
  const { page, errors, context } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  await gotoView(page, env.server.url, "#view=rnn&model=local");
  await page.setInputFiles("#rnn-file", path.join(dir, "relu-rnn.safetensors"));
  await page.waitForFunction(() => /nn\.RNN\(input_size=3, hidden_size=4, num_layers=1\)/.test(document.querySelector(".rnn-about").textContent));
  assert.match(await page.textContent(".rnn-about"), /choose it above/);
  assert.ok(await page.isVisible("#rnn-nonlin"));
  const x = await page.evaluate(async () => Array.from((await import(new URL("js/views/rnn/nets.js", document.baseURI))).waves(3)));
  const input = path.join(dir, "x-relu.json");
  fs.writeFileSync(input, JSON.stringify(Array.from({ length: x.length / 3 }, (_, s) => x.slice(3 * s, 3 * s + 3))));
  const y = JSON.parse(execFileSync("python3", [SCRIPT, "states", "relu-rnn", input], { encoding: "utf8" }));
  const h = async () => (await table(page)).find((r) => r[0] === "h")[1];
  const near = (a, b) => a.every((v, j) => Math.abs(v - b[j]) < 2e-3);
  await goTo(page, 7);
  assert.ok(!near(await h(), y[6]), "tanh is not what the module computes");
  await page.selectOption("#rnn-nonlin", "relu");
  await page.waitForFunction(() => /nonlinearity="relu"/.test(document.querySelector(".rnn-about").textContent));
  assert.match(page.url(), /nonlin=relu/);
  for (const pos of [7, 12]) {
    await goTo(page, pos);
    const got = await h();
    assert.ok(near(got, y[pos - 1]), `step ${pos}: ${got} against the module's ${y[pos - 1]}`);
  }
  assert.match(await page.textContent(".formulas"), /ReLU/);
  assert.match(await page.textContent("#rnn-diagram"), /ReLU/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the segmenter's trained BiLSTM reads the typed text; characters it does not know are named", async () => {
  const { page, errors, context } = await openPage(env.browser, env.server.url, { locale: "zh-CN" });
  await gotoView(page, env.server.url, "#view=rnn&model=bmes&pos=4");
  await page.waitForFunction(() => /nn\.LSTM\(input_size=48, hidden_size=128, num_layers=1, bidirectional=True\)/.test(document.querySelector(".rnn-about").textContent));
  assert.equal(await page.inputValue("#rnn-text"), "有一朵云飘在天空");
  // 8 characters, both directions: 16 steps.
  assert.match(await page.textContent("#rnn-status"), /4\/16[)）]/);
  // 128 units: the table shows 7 around the followed one.
  assert.equal((await table(page))[0][1].length, 7);
  await page.fill("#rnn-text", "我们🙂");
  await page.waitForFunction(() => /🙂/.test(document.querySelector(".rnn-about").textContent));
  assert.match(await page.textContent("#rnn-status"), /共 6 步/);
  await page.fill("#rnn-text", "");
  await page.waitForFunction(() => /至少输入一个字/.test(document.querySelector(".rnn-about").textContent));
  assert.deepEqual(errors, []);
  await context.close();
});
