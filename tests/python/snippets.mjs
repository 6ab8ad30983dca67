// Writes the PyTorch snippets the page would show (www/js/pytorch.js) for the golden cases'
// inputs, as JSON on stdout, for tests/python/check_snippets.py to run: every conv2d and
// VALID pooling case, every RNN / GRU / LSTM case of the standard cell, LeNet-5's module, and
// the Sequential of each student network described on stdin.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { convCode, poolCode, rnnCode, lenetCode, sequentialCode } from "../../www/js/pytorch.js";
import en from "../../www/js/i18n/en.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const t = (key, vars = {}) => (en[key] ?? key).replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : `{${k}}`));
const cases = path.join(ROOT, "tests/golden/cases");
const out = [];
for (const f of fs.readdirSync(cases).sort()) {
  const c = JSON.parse(fs.readFileSync(path.join(cases, f), "utf8"));
  const input = (k) => c.inputs[k];
  if (c.op === "conv2d") {
    const [x, w, b] = ["x", "weight", "bias"].map(input);
    out.push({ name: c.name, kind: "conv", code: convCode({ x: x.data, xShape: x.shape, weight: w.data, wShape: w.shape, bias: b.data, stride: c.attrs.stride, padding: c.attrs.padding }, t), want: c.outputs.y });
  } else if ((c.op === "max_pool2d" || c.op === "avg_pool2d") && c.attrs.padding === "valid") {
    const x = input("x");
    out.push({ name: c.name, kind: "pool", code: poolCode({ x: x.data, xShape: x.shape, kernel: c.attrs.kernel, stride: c.attrs.stride, kind: c.op === "max_pool2d" ? "max" : "avg" }), want: c.outputs.y });
  } else if (["rnn", "gru", "lstm"].includes(c.op) && (c.attrs.variant ?? "standard") === "standard" && (c.attrs.h_activation ?? "tanh") === "tanh") {
    const x = input("x");
    const hidden = input("h0").shape[2];
    const cell = c.op;
    const { setup } = rnnCode({ cell, input: x.shape[2], hidden, layers: c.attrs.num_layers, bi: c.attrs.bidirectional, steps: x.shape[0] }, t);
    const weights = Object.fromEntries(Object.entries(c.inputs).filter(([k]) => /^(weight|bias)_/.test(k)).map(([k, v]) => [k, v]));
    out.push({ name: c.name, kind: "rnn", code: setup, x, h0: input("h0"), c0: c.inputs.c0 ?? null, weights, want: c.outputs.y });
  }
}
for (const [activation, pooling] of [["relu", "max"], ["tanh", "avg"]]) out.push({ name: `lenet5 ${activation} ${pooling}`, kind: "lenet", activation, pooling, code: lenetCode({ activation, pooling, file: "FILE" }, t) });
// Students' networks, described on stdin as [{name, input, layers, shapes}].
const students = JSON.parse(fs.readFileSync(0, "utf8") || "[]");
for (const d of students) out.push({ name: d.name, kind: "sequential", code: sequentialCode({ ...d, file: "FILE" }, t) });
process.stdout.write(JSON.stringify(out));
