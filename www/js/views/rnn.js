// Recurrent networks unrolled over time: the folded cell and its chain of steps, stepped,
// played or scrubbed; Elman vs Jordan (which wire feeds back); the gates of the LSTM, the
// course's peephole LSTM, the FC-LSTM and the GRU at any step, next to their formulas in
// MathML; bidirectional and stacked layers animated in their own directions. Every value
// comes from wasm's step-wise API (`RecurrentNet.step`, `SimpleNet.step`).
// The parts live in rnn/: the networks and their runs, the chain drawing, the wiring diagram
// of the cell with one followed unit's values, the gate table and formulas, the playback
// controls, the comparison of cells and the gradient chart; this module puts them together.

import { codePanel } from "../codepanel.js";
import { rnnCode } from "../pytorch.js";
import { t } from "../i18n.js";
import { el, subscripted } from "../dom.js";
import { CELLS, SEQS, isSimple, isLstm, settingsKey, settingsOf, startRun, goTo } from "./rnn/nets.js";
import { SOURCES, networkSource } from "./rnn/source.js";
import { chainView } from "./rnn/chain.js";
import { gatePanel } from "./rnn/gates.js";
import { cellDiagram } from "./rnn/diagram.js";
import { follow } from "./rnn/follow.js";
import { playback } from "./rnn/playback.js";
import { compareRows } from "./rnn/compare.js";
import { drawGrads } from "./rnn/grads.js";
import { wholeNumber } from "../hostargs.js";

/** The sequence views' wasm module (www/js/wasm.js, seqModule) is loaded before mounting. */
export const needs = "seq";

export const schema = {
  // A network made here from the settings below ("random"), or a trained one from a file.
  model: { kind: "enum", values: Object.keys(SOURCES), default: "random" },
  // What a network with an embedding reads (the course's first example, answered).
  text: { kind: "text", max: 24, default: "有一朵云飘在天空" },
  // A plain nn.RNN from a file: its nonlinearity, which its weights cannot tell.
  nonlin: { kind: "enum", values: ["tanh", "relu"], default: "tanh" },
  cell: { kind: "enum", values: CELLS, default: "lstm", always: true },
  hact: { kind: "enum", values: ["tanh", "linear"], default: "tanh" },
  seq: { kind: "enum", values: Object.keys(SEQS), default: "hello" },
  layers: { kind: "int", min: 1, max: 3, default: 1 },
  bi: { kind: "int", min: 0, max: 1, default: 0 },
  hidden: { kind: "int", min: 2, max: 8, default: 4 },
  pos: { kind: "int", min: 0, max: 999, default: 0 },
  seed: { kind: "int", min: 0, max: 999999, default: 1 },
  // The hidden unit the wiring diagram follows (0-based; shown clamped to hidden − 1).
  unit: { kind: "int", min: 0, max: 1023, default: 0 },
};

/** A <select> of `values`, each shown as label(value). */
function pick(id, values, label) {
  const s = el("select", { id });
  for (const v of values) s.append(el("option", { value: String(v), text: label(v) }));
  return s;
}

/** The applications of sequence models, those that run here linking to their views. */
function applications(lang) {
  const apps = el("ul", { class: "apps" });
  const live = { tagging: "seg", predict: "lm" };
  for (const k of ["predict", "speech", "classify", "translate", "tagging"]) {
    const li = el("li", {}, el("strong", { text: t(`rnn.app.${k}`) }), " ", t(`rnn.app.${k}.text`));
    if (live[k]) li.append(" ", el("a", { href: `#view=${live[k]}&lang=${lang}`, text: t(`rnn.app.${k}.link`) }));
    apps.append(li);
  }
  return apps;
}

export function mount(root, state, setState) {
  let run = null; // the network shown and how far it has run (rnn/nets.js)

  const view = el("section", { class: "view rnn", "aria-labelledby": "rnn-title" });
  view.append(el("h2", { id: "rnn-title", text: t("rnn.title") }), el("p", { class: "intro" }, ...subscripted(t("rnn.intro"))));
  const cellSel = pick("rnn-cell", CELLS, (v) => t(`rnn.cell.${v}`));
  const hactSel = pick("rnn-hact", ["tanh", "linear"], (v) => t(`rnn.hact.${v}`));
  const seqSel = pick("rnn-seq", Object.keys(SEQS), (v) => t(`rnn.seq.${v}`));
  const layersSel = pick("rnn-layers", [1, 2, 3], String);
  const biBox = el("input", { type: "checkbox", id: "rnn-bi" });
  const source = networkSource({ setState, refresh: () => update(cur), maxText: schema.text.max });
  const play = playback({ view, where: () => run, setState });
  view.append(
    ...source.nodes,
    el("div", { class: "controls made-here" },
      el("label", { for: "rnn-cell" }, t("rnn.cellLabel") + " ", cellSel),
      el("label", { for: "rnn-hact", class: "hact" }, "σh ", hactSel),
      el("label", { for: "rnn-seq" }, t("rnn.seqLabel") + " ", seqSel),
      el("label", { for: "rnn-layers", class: "stack" }, t("rnn.layers") + " ", layersSel),
      el("label", { for: "rnn-bi", class: "stack" }, biBox, " " + t("rnn.bi"))),
    play.controls,
  );
  // Focusable: on a phone the chain scrolls sideways in its frame, and keys must reach it.
  const chain = el("div", { class: "chain", role: "img", "aria-label": t("rnn.chainLabel"), tabindex: "0" });
  const chainDrawing = chainView(chain);
  const gates = gatePanel();
  const diagram = cellDiagram();
  const code = codePanel("rnn-code");
  // The diagram beside the table and formulas (below them on a phone), under the chain.
  view.append(chain, gates.status, el("div", { class: "cell-row" }, diagram.node, gates.node), el("p", { class: "hint", text: t("rnn.keys") }), code.node);
  // The same sequence through every kind of cell; why gates matter; what RNNs are used for.
  const compare = el("div", { class: "compare", id: "rnn-compare" });
  const grads = el("div", { class: "grad-chart", id: "rnn-grads" });
  view.append(
    el("h3", { text: t("rnn.compareTitle") }), el("p", { class: "hint", text: t("rnn.compareHint") }), compare,
    el("h3", { text: t("rnn.gradTitle") }), el("p", { class: "hint", text: t("rnn.gradHint") }), grads,
    el("h3", { text: t("rnn.appsTitle") }), applications(state.lang),
  );
  root.append(view);

  // A new setting starts again from step 0.
  cellSel.addEventListener("change", () => setState({ cell: cellSel.value, pos: 0 }));
  hactSel.addEventListener("change", () => setState({ hact: hactSel.value, pos: 0 }));
  seqSel.addEventListener("change", () => setState({ seq: seqSel.value, pos: 0 }));
  layersSel.addEventListener("change", () => setState({ layers: Number(layersSel.value), pos: 0 }));
  biBox.addEventListener("change", () => setState({ bi: biBox.checked ? 1 : 0, pos: 0 }));
  let cur = state;

  const unitOf = (s) => Math.min(s.unit, s.hidden - 1);
  const followed = follow({ view, current: () => unitOf(run.s), count: () => run.s.hidden, setState });

  let lastCompare = "";
  // How long each update took (a step: the run moved, the chain, table and diagram redrawn),
  // for the page benchmark.
  const paintMs = [];
  view.paintMs = paintMs;
  function update(state) {
    const t0 = performance.now();
    show(state);
    if (paintMs.push(performance.now() - t0) > 1000) paintMs.shift();
  }
  function show(state) {
    cur = state;
    const net = source.netFor(state);
    if (net === undefined && run) return; // the chosen network is on its way
    const s = settingsOf(state, net ?? null);
    for (const e of view.querySelectorAll(".made-here")) e.hidden = !!net;
    // (While the first network chosen loads, one made here is shown, and the panel says so.)
    if (net !== undefined && !source.show(net, state)) return;
    cellSel.value = s.cell;
    hactSel.value = s.hact;
    seqSel.value = s.seq;
    layersSel.value = String(s.layers);
    biBox.checked = s.bi === 1;
    for (const e of view.querySelectorAll(".hact")) e.hidden = !isLstm(s.cell);
    for (const e of view.querySelectorAll(".stack")) e.hidden = isSimple(s.cell);
    if (!run || run.key !== settingsKey(s) || (net && run.net !== net)) {
      if (run?.owned) run.net.free();
      run = startRun(s, net ?? null);
      source.release(run.net);
    }
    run.s = s;
    run = goTo(run, Math.min(s.pos, run.total));
    play.show(run.pos, run.total);
    code.set(rnnCode({ cell: s.cell, input: run.seq.i, hidden: s.hidden, layers: isSimple(s.cell) ? 1 : s.layers, bi: !isSimple(s.cell) && s.bi === 1, steps: run.T, relu: s.nonlin === "relu" }, t).code);
    const unit = unitOf(s);
    chainDrawing.show(run, unit);
    gates.show(run, unit);
    diagram.show(run, unit);
    // The comparison is of networks made here, whichever network is shown above.
    const ckey = JSON.stringify([state.seq, state.hidden, state.seed]);
    if (ckey !== lastCompare) {
      lastCompare = ckey;
      compare.replaceChildren(...compareRows(state));
      drawGrads(grads, state.seed);
    }
  }

  update(state);
  return {
    update,
    /** A host page's commands (www/js/host.js): playback, and which unit the diagram follows. */
    actions: {
      ...play.actions,
      selectUnit: (unit) => setState({ unit: wholeNumber("unit", unit, 0, run.s.hidden - 1) }),
    },
    destroy() {
      play.destroy();
      followed.destroy();
      if (run?.owned) run.net.free();
      view.remove();
    },
  };
}
