// The long-range experiment, run here: an Elman net, a GRU and an LSTM of the same size,
// each in its own worker (www/js/workers/longrange-train.js), learn to name the language
// after 流利的 from sentences whose gaps are cut from People's Daily lines (fetched from this
// site when the run starts); their accuracy against the gap is measured every few seconds
// on held-out lines and drawn as the shipped models' curves are. A finished (or paused)
// net can be used in the view above. One run per page: it outlives the language switch.

import { t } from "../../i18n.js";
import { el } from "../../dom.js";
import { gapChart } from "./curves.js";

const CELLS = ["rnn", "gru", "lstm"];

/** Per cell: status idle | loading | running | pausing | paused | done | error, its last
 *  progress message, its last curve, and its weights once asked for. */
const fresh = () => Object.fromEntries(CELLS.map((c) => [c, { status: "idle", progress: null, points: null, bytes: null, error: "", worker: null, totalSteps: 0 }]));
export const run = Object.assign(new EventTarget(), { cells: fresh(), chance: 0.1 });
const changed = () => run.dispatchEvent(new Event("change"));

async function gapText() {
  const r = await fetch(new URL("data/longrange/lines.txt.gz", document.baseURI));
  if (!r.ok) throw new Error(`data/longrange/lines.txt.gz: HTTP ${r.status}`);
  return new Response(r.body.pipeThrough(new DecompressionStream("gzip"))).text();
}

const statuses = () => CELLS.map((c) => run.cells[c].status);
const any = (...s) => statuses().some((x) => s.includes(x));

function startCell(cell, text, o) {
  const s = run.cells[cell];
  const worker = new Worker(new URL("../../workers/longrange-train.js", import.meta.url), { type: "module" });
  s.worker = worker;
  worker.onmessage = (e) => {
    const m = e.data;
    if (m.type === "ready") Object.assign(s, { status: "running", totalSteps: m.totalSteps }), (run.chance = m.chance), worker.postMessage({ type: "start" });
    else if (m.type === "progress") s.progress = m;
    else if (m.type === "curve") s.points = m.points;
    else if (m.type === "paused") (s.status = "paused"), worker.postMessage({ type: "weights" });
    else if (m.type === "done") (s.status = "done"), worker.postMessage({ type: "weights" });
    else if (m.type === "weights") s.bytes = m.bytes;
    else if (m.type === "error") Object.assign(s, { status: "error", error: m.message });
    changed();
  };
  worker.onerror = (e) => (Object.assign(s, { status: "error", error: e.message }), changed());
  const urls = window.nnplaySeq;
  worker.postMessage({ type: "init", js: urls.js, wasm: urls.wasm, text, cell, hidden: o.hidden, emb: 32, steps: o.steps, lr: 0.01, seed: 1 });
}

/** Starts the three nets with `o` = { hidden, steps }, or resumes the paused ones. */
export async function start(o) {
  if (any("paused")) {
    for (const c of CELLS) if (run.cells[c].status === "paused") (run.cells[c].status = "running"), run.cells[c].worker.postMessage({ type: "start" });
    return changed();
  }
  for (const c of CELLS) run.cells[c].status = "loading";
  changed();
  try {
    const text = await gapText();
    for (const c of CELLS) startCell(c, text, o);
  } catch (e) {
    for (const c of CELLS) Object.assign(run.cells[c], { status: "error", error: e.message });
    changed();
  }
}

export function pause() {
  for (const c of CELLS) {
    const s = run.cells[c];
    if (s.status !== "running") continue;
    s.status = "pausing";
    s.worker.postMessage({ type: "pause" });
  }
  changed();
}

export function reset() {
  for (const c of CELLS) run.cells[c].worker?.terminate();
  run.cells = fresh();
  changed();
}

/** The panel; `use(bytes)` hands a trained net to the view. */
export function longRangePanel(use) {
  const hidden = el("select", { id: "lr-train-hidden" }, ...[32, 64].map((n) => el("option", { value: String(n), text: String(n) })));
  hidden.value = "64";
  const steps = el("select", { id: "lr-train-steps" }, ...[500, 1000, 2000, 4000].map((n) => el("option", { value: String(n), text: String(n) })));
  steps.value = "2000";
  const go = el("button", { type: "button", id: "lr-train-go" });
  const again = el("button", { type: "button", text: t("lm.train.reset") });
  const uses = CELLS.map((c) => {
    const b = el("button", { type: "button", id: `lr-train-use-${c}`, text: t("lm.lr.use", { cell: t(`lm.train.cell.${c}`) }) });
    b.addEventListener("click", () => run.cells[c].bytes && use(run.cells[c].bytes));
    return b;
  });
  const rows = Object.fromEntries(CELLS.map((c) => [c, el("li", { id: `lr-train-${c}` })]));
  const status = el("div", { role: "status" }, el("ul", { class: "lr-status" }, ...CELLS.map((c) => rows[c])));
  const chart = el("div", { class: "lr-chart" });
  go.addEventListener("click", () => (any("running") ? pause() : start({ hidden: Number(hidden.value), steps: Number(steps.value) })));
  again.addEventListener("click", reset);
  const label = (c, key) => el("label", { for: c.id, text: t(key) });

  function row(c) {
    const s = run.cells[c];
    const p = s.progress;
    const name = t(`lm.train.cell.${c}`);
    if (s.status === "error") return t("lm.lr.error", { cell: name, msg: s.error });
    if (!p) return `${name}: ${t(`lm.train.status.${s.status}`)}`;
    return t("lm.lr.stats", { cell: name, step: p.step, total: s.totalSteps, acc: Math.round(p.accuracy * 100), gap: p.maxGap, sps: Math.round(p.sentencesPerSecond), status: t(`lm.train.status.${s.status}`) });
  }

  function render() {
    go.textContent = t(any("running", "pausing") ? "lm.train.pause" : any("paused") ? "lm.train.resume" : "lm.train.start");
    go.disabled = any("loading", "pausing") || statuses().every((s) => s === "done" || s === "error");
    hidden.disabled = steps.disabled = !statuses().every((s) => s === "idle");
    CELLS.forEach((c, i) => {
      uses[i].disabled = !run.cells[c].bytes || run.cells[c].status === "running";
      rows[c].textContent = row(c);
      rows[c].dataset.status = run.cells[c].status;
    });
    const drawn = gapChart(CELLS.map((c) => ({ name: t(`lm.train.cell.${c}`), cell: c, points: run.cells[c].points, chance: run.chance })));
    chart.replaceChildren(...(drawn ? [drawn.svg, drawn.legend] : []));
  }
  run.addEventListener("change", render);
  render();
  const node = el("div", { class: "lm-train lr-train" },
    el("h3", { text: t("lm.lr.title") }),
    el("p", { class: "hint", text: t("lm.lr.intro") }),
    el("div", { class: "controls lm-write" }, label(hidden, "lm.train.hidden"), hidden, label(steps, "lm.lr.steps"), steps, go, again, ...uses),
    status, chart);
  return { node, destroy: () => run.removeEventListener("change", render) };
}
