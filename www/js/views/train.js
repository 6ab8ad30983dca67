// Training LeNet-5 in the browser: the worker trains on MNIST (fetched from this site only
// now), and this view plots loss and accuracy live, with images per second, a progress bar,
// pause / resume / reset, and a link to draw on the net being trained.

import { download } from "../download.js";
import { t } from "../i18n.js";
import { el } from "../dom.js";
import { COLORS } from "../palette.js";
import { chartTextPx } from "../projector.js";
import { session, startTraining, pauseTraining, resetTraining } from "../lenet.js";

export const schema = {
  epochs: { kind: "int", min: 1, max: 20, default: 2, always: true },
  batch: { kind: "enum", values: ["16", "32", "64", "128"], default: "32", always: true },
  lr: { kind: "enum", values: ["0.0005", "0.001", "0.002", "0.005"], default: "0.002" },
  seed: { kind: "int", min: 0, max: 999999, default: 1 },
  // Distort the training digits as handwriting varies (rotation, size, slant, stroke width,
  // wobble), as `train-lenet` does; off: MNIST as it is, shifted by up to 2 pixels.
  handwriting: { kind: "enum", values: ["on", "off"], default: "on" },
};


function select(id, values, current) {
  const s = el("select", { id });
  for (const v of values) s.append(el("option", { value: String(v), text: String(v) }));
  s.value = String(current);
  return s;
}

/** Plots series of [x, y] on a canvas: accuracies (0–1, left axis) and the loss (right axis). */
function plot(canvas, loss, acc, test, total) {
  const ctx = canvas.getContext("2d");
  const fs = chartTextPx(canvas);
  const [w, h, pad, right] = [canvas.width, canvas.height, 3.4 * fs, 3 * fs];
  ctx.clearRect(0, 0, w, h);
  ctx.font = `${fs}px system-ui, sans-serif`;
  // Two scales on one grid: accuracy on the left (grey and blue lines), the loss on the right
  // in its own colour (orange), from 0 to at least 2.5 (ln 10 = 2.3 is where training starts).
  const maxLoss = Math.max(2.5, ...loss.map((p) => p[1]));
  for (let i = 0; i <= 4; i++) {
    const y = pad / 2 + ((h - pad) * i) / 4;
    ctx.strokeStyle = COLORS.line;
    ctx.beginPath();
    ctx.moveTo(pad, y);
    ctx.lineTo(w - right, y);
    ctx.stroke();
    ctx.fillStyle = COLORS.muted;
    ctx.textAlign = "right";
    ctx.fillText(`${100 - 25 * i}%`, pad - 4, y + fs / 3);
    ctx.fillStyle = COLORS.accent;
    ctx.textAlign = "left";
    ctx.fillText(String(Math.round(maxLoss * (1 - i / 4) * 100) / 100), w - right + 4, y + fs / 3);
  }
  ctx.textAlign = "start";
  const X = (x) => pad + ((w - pad - right) * x) / Math.max(1, total);
  const Y = (v) => pad / 2 + (h - pad) * (1 - v);
  const line = (pts, color, scale = 1) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    pts.forEach(([x, v], i) => (i ? ctx.lineTo(X(x), Y(v / scale)) : ctx.moveTo(X(x), Y(v / scale))));
    ctx.stroke();
  };
  line(loss, COLORS.orange, maxLoss);
  line(acc, COLORS.slate);
  ctx.fillStyle = COLORS.blue;
  for (const [x, v] of test) ctx.fillRect(X(x) - 4, Y(v) - 4, 8, 8);
  line(test, COLORS.blue);
}

export function mount(root, state, setState) {
  const view = el("section", { class: "view train", "aria-labelledby": "train-title" });
  view.append(el("h2", { id: "train-title", text: t("train.title") }), el("p", { class: "intro", text: t("train.intro") }));
  const epochs = select("train-epochs", Array.from({ length: 20 }, (_, i) => i + 1), state.epochs);
  const batch = select("train-batch", schema.batch.values, state.batch);
  const lr = select("train-lr", schema.lr.values, state.lr);
  const handwriting = el("input", { type: "checkbox", id: "train-handwriting" });
  handwriting.checked = state.handwriting === "on";
  const start = el("button", { type: "button", id: "train-start" });
  const reset = el("button", { type: "button", id: "train-reset", text: t("train.reset") });
  const inspect = el("a", { id: "train-inspect", href: `#view=lenet&net=trained&lang=${state.lang}`, text: t("train.inspect") });
  // The network as it is now, as a file docs/pytorch/lenet5.py's load_nnplay reads.
  const save = el("button", { type: "button", id: "train-download", text: t("train.download") });
  save.addEventListener("click", async () => {
    const { bytes } = await session.training.weights();
    download(bytes, "lenet5-trained-here.safetensors");
  });
  view.append(el("div", { class: "controls" },
    el("label", { for: "train-epochs" }, t("train.epochs") + " ", epochs),
    el("label", { for: "train-batch" }, t("train.batch") + " ", batch),
    el("label", { for: "train-lr" }, t("train.lr") + " ", lr),
    el("label", { for: "train-handwriting" }, handwriting, " " + t("train.handwriting")),
    start, reset, inspect, save));
  view.append(el("p", { class: "hint", text: t("train.handwritingHint") }));
  const progress = el("progress", { id: "train-progress", max: "1", value: "0" });
  const status = el("p", { id: "train-status", role: "status" });
  const stats = el("p", { id: "train-stats", class: "stats" });
  const canvas = el("canvas", { width: "760", height: "260", class: "curves", role: "img", "aria-label": t("train.curves") });
  const legend = el("p", { class: "hint", text: t("train.legend") });
  view.append(progress, status, stats, canvas, legend);
  root.append(view);

  for (const [sel, key] of [[epochs, "epochs"], [batch, "batch"], [lr, "lr"]]) {
    sel.addEventListener("change", () => setState({ [key]: key === "epochs" ? Number(sel.value) : sel.value }));
  }
  handwriting.addEventListener("change", () => setState({ handwriting: handwriting.checked ? "on" : "off" }));
  let opts = state;
  start.addEventListener("click", () => {
    if (session.status === "running") pauseTraining();
    else startTraining({ seed: opts.seed, batch: Number(opts.batch), lr: Number(opts.lr), epochs: opts.epochs, handwriting: opts.handwriting === "on" });
  });
  reset.addEventListener("click", resetTraining);

  function render() {
    const s = session;
    const busy = s.status === "running" || s.status === "loading";
    start.textContent = t({ running: "train.pause", paused: "train.resume", done: "train.done" }[s.status] ?? "train.start");
    start.disabled = s.status === "loading" || s.status === "pausing" || s.status === "done";
    for (const c of [epochs, batch, lr, handwriting]) c.disabled = s.status !== "idle";
    inspect.hidden = !s.training || s.status === "loading";
    save.disabled = !s.training || s.status === "loading" || s.status === "error";
    const last = s.history.at(-1);
    progress.value = last && s.totalSteps ? last.step / s.totalSteps : 0;
    status.textContent = s.status === "error" ? t("train.error", { msg: s.error }) : t(`train.status.${s.status}`);
    status.dataset.status = s.status;
    stats.textContent = last
      ? t("train.stats", {
          epoch: Math.min(last.epoch + 1, opts.epochs), epochs: opts.epochs, step: last.step, total: s.totalSteps,
          loss: last.loss.toFixed(4), acc: (last.batchAccuracy * 100).toFixed(1), ips: Math.round(last.imagesPerSecond),
          test: s.evals.length ? (s.evals.at(-1).testAccuracy * 100).toFixed(2) + "%" : "–",
        })
      : "";
    // Loss and batch accuracy smoothed over the last 20 reports, so the curve reads.
    const smooth = (key) => s.history.map((p, i) => {
      const win = s.history.slice(Math.max(0, i - 19), i + 1);
      return [p.step, win.reduce((a, q) => a + q[key], 0) / win.length];
    });
    plot(canvas, smooth("loss"), smooth("batchAccuracy"), s.evals.map((e) => [e.epoch * (s.totalSteps / opts.epochs), e.testAccuracy]), s.totalSteps);
    if (busy) view.dataset.running = "true";
    else delete view.dataset.running;
  }
  session.addEventListener("change", render);
  render();
  return {
    update(s) {
      opts = s;
      epochs.value = String(s.epochs);
      batch.value = s.batch;
      lr.value = s.lr;
      handwriting.checked = s.handwriting === "on";
      render();
    },
    destroy() {
      session.removeEventListener("change", render);
      view.remove();
    },
  };
}
