// Training a character model here, while you watch: on the Tang quatrains (fetched from this
// site when training starts) or on a text the student pastes. A worker trains it
// (www/js/workers/lm-train.js); this panel shows bits per character on the training batches
// and on held-out lines, characters per second, a sample every few seconds, and offers the
// result to the view as the model "trained here". One run per page: it outlives the
// language switch, and the view's state stays in its URL.

import { t } from "../../i18n.js";
import { el } from "../../dom.js";
import { COLORS } from "../../palette.js";
import { chartTextPx } from "../../projector.js";
import { download } from "../../download.js";

/** The run: status idle | loading | running | pausing | paused | done | error. */
export const run = Object.assign(new EventTarget(), { status: "idle", history: [], evals: [], worker: null, totalSteps: 0, vocab: 0, error: "", bytes: null });
const changed = () => run.dispatchEvent(new Event("change"));

async function poems() {
  const r = await fetch(new URL("data/poems/quatrains.txt.gz", document.baseURI));
  if (!r.ok) throw new Error(`data/poems/quatrains.txt.gz: HTTP ${r.status}`);
  return new Response(r.body.pipeThrough(new DecompressionStream("gzip"))).text();
}

/** Starts (or resumes) a run with `o` = { source, text, cell, hidden, epochs }. */
export async function start(o) {
  if (run.worker) {
    run.status = "running";
    run.worker.postMessage({ type: "start" });
    return changed();
  }
  run.status = "loading";
  changed();
  try {
    const text = o.source === "poems" ? await poems() : o.text;
    const urls = window.nnplaySeq;
    const worker = new Worker(new URL("../../workers/lm-train.js", import.meta.url), { type: "module" });
    run.worker = worker;
    worker.onmessage = (e) => {
      const m = e.data;
      if (m.type === "ready") Object.assign(run, { status: "running", totalSteps: m.totalSteps, vocab: m.vocab }), worker.postMessage({ type: "start" });
      else if (m.type === "progress") run.history.push(m);
      else if (m.type === "eval") run.evals.push(m);
      else if (m.type === "paused") run.status = "paused";
      else if (m.type === "done") (run.status = "done"), worker.postMessage({ type: "weights" });
      else if (m.type === "weights") run.bytes = m.bytes;
      else if (m.type === "error") Object.assign(run, { status: "error", error: m.message }), worker.postMessage({ type: "weights" });
      changed();
    };
    worker.onerror = (e) => (Object.assign(run, { status: "error", error: e.message }), changed());
    const prompt = o.source === "poems" ? "床前明月光，" : Array.from(text.trim()).slice(0, 4).join("");
    worker.postMessage({ type: "init", js: urls.js, wasm: urls.wasm, text, cell: o.cell, hidden: o.hidden, emb: 32, seed: 1, window: 64, batch: 16, lr: 0.005, epochs: o.epochs, prompt });
  } catch (e) {
    Object.assign(run, { status: "error", error: e.message });
    changed();
  }
}

export function pause() {
  if (run.status !== "running") return;
  run.status = "pausing";
  run.worker.postMessage({ type: "pause" });
  run.worker.postMessage({ type: "weights" });
  changed();
}

export function reset() {
  run.worker?.terminate();
  Object.assign(run, { status: "idle", history: [], evals: [], worker: null, totalSteps: 0, vocab: 0, error: "", bytes: null });
  changed();
}

/** Bits per character against steps: the training batches (smoothed) and the held-out lines. */
function plot(canvas) {
  const ctx = canvas.getContext("2d");
  const fs = chartTextPx(canvas);
  const [w, h, pad] = [canvas.width, canvas.height, 3 * fs];
  ctx.clearRect(0, 0, w, h);
  ctx.font = `${fs}px system-ui, sans-serif`;
  const top = Math.max(8, ...run.evals.map((e) => e.heldOut));
  for (let i = 0; i <= 4; i++) {
    const y = pad / 2 + ((h - pad) * i) / 4;
    ctx.strokeStyle = COLORS.line;
    ctx.beginPath();
    ctx.moveTo(pad, y);
    ctx.lineTo(w - 8, y);
    ctx.stroke();
    ctx.fillStyle = COLORS.muted;
    ctx.textAlign = "right";
    ctx.fillText((top * (1 - i / 4)).toFixed(1), pad - 4, y + fs / 3);
  }
  const X = (s) => pad + ((w - pad - 8) * s) / Math.max(1, run.totalSteps);
  const Y = (v) => pad / 2 + (h - pad) * (1 - v / top);
  const line = (pts, color) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    pts.forEach(([s, v], i) => (i ? ctx.lineTo(X(s), Y(v)) : ctx.moveTo(X(s), Y(v))));
    ctx.stroke();
  };
  const smooth = run.history.map((p, i) => {
    const win = run.history.slice(Math.max(0, i - 19), i + 1);
    return [p.step, win.reduce((a, q) => a + q.bpc, 0) / win.length];
  });
  line(smooth, COLORS.orange);
  line(run.evals.map((e) => [e.step, e.heldOut]), COLORS.blue);
}

/** The panel; `use(bytes)` hands the trained model to the view. */
export function trainPanel(use) {
  const source = el("select", { id: "lm-train-source" }, el("option", { value: "poems", text: t("lm.train.poems") }), el("option", { value: "text", text: t("lm.train.own") }));
  const own = el("textarea", { id: "lm-train-text", rows: "5", lang: "zh-CN", "aria-label": t("lm.train.ownLabel"), hidden: "" });
  const cell = el("select", { id: "lm-train-cell" }, ...["lstm", "gru", "rnn"].map((c) => el("option", { value: c, text: t(`lm.train.cell.${c}`) })));
  const hidden = el("select", { id: "lm-train-hidden" }, ...[32, 64, 128].map((n) => el("option", { value: String(n), text: String(n) })));
  hidden.value = "64";
  const epochs = el("select", { id: "lm-train-epochs" }, ...[1, 2, 4, 8].map((n) => el("option", { value: String(n), text: String(n) })));
  epochs.value = "1";
  const go = el("button", { type: "button", id: "lm-train-go" });
  const again = el("button", { type: "button", text: t("lm.train.reset") });
  const useIt = el("button", { type: "button", id: "lm-train-use", text: t("lm.train.use") });
  // The model as a file docs/pytorch/char_lm.py's load_nnplay reads.
  const save = el("button", { type: "button", id: "lm-train-download", text: t("lm.train.download") });
  save.addEventListener("click", () => run.bytes && download(run.bytes, "char-lm-trained-here.safetensors"));
  const status = el("p", { role: "status", id: "lm-train-status" });
  const canvas = el("canvas", { width: "640", height: "200", class: "curves", role: "img", "aria-label": t("lm.train.curves") });
  const sample = el("p", { class: "lm-written", lang: "zh-CN", id: "lm-train-sample" });
  source.addEventListener("change", () => (own.hidden = source.value !== "text"));
  go.addEventListener("click", () => {
    if (run.status === "running") return pause();
    if (source.value === "text" && !own.value.trim()) return Object.assign(run, { status: "error", error: t("lm.train.empty") }), changed();
    start({ source: source.value, text: own.value, cell: cell.value, hidden: Number(hidden.value), epochs: Number(epochs.value) });
  });
  again.addEventListener("click", reset);
  useIt.addEventListener("click", () => run.bytes && use(run.bytes));
  const label = (c, key) => el("label", { for: c.id, text: t(key) });

  function render() {
    const last = run.history.at(-1);
    const held = run.evals.at(-1);
    go.textContent = t({ running: "lm.train.pause", paused: "lm.train.resume", pausing: "lm.train.pause" }[run.status] ?? "lm.train.start");
    go.disabled = ["loading", "pausing", "done", "error"].includes(run.status);
    for (const c of [source, own, cell, hidden, epochs]) c.disabled = run.status !== "idle";
    useIt.disabled = save.disabled = !run.bytes || run.status === "running";
    status.dataset.status = run.status;
    status.textContent =
      run.status === "error" ? t("lm.train.error", { msg: run.error })
      : last ? t("lm.train.stats", { step: last.step, total: run.totalSteps, bpc: last.bpc.toFixed(2), held: held ? held.heldOut.toFixed(2) : "–", cps: Math.round(last.charsPerSecond), vocab: run.vocab })
      : t(`lm.train.status.${run.status}`);
    sample.textContent = held?.sample ?? "";
    plot(canvas);
  }
  run.addEventListener("change", render);
  render();
  const node = el("div", { class: "lm-train" },
    el("h3", { text: t("lm.train.title") }),
    el("p", { class: "hint", text: t("lm.train.intro") }),
    el("div", { class: "controls lm-write" }, label(source, "lm.train.source"), source, label(cell, "lm.train.cell"), cell, label(hidden, "lm.train.hidden"), hidden, label(epochs, "lm.train.epochs"), epochs, go, again, useIt, save),
    own, status, canvas, el("p", { class: "hint", text: t("lm.train.legend") }), sample);
  return { node, destroy: () => run.removeEventListener("change", render) };
}
