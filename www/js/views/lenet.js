// LeNet-5, drawn like Adam Harley's visualizer: draw a digit (or pick a test digit), and
// every layer's feature maps repaint from wasm; point at (or arrow-key to) any unit to see
// which inputs feed it, its receptive field on the 28×28 input, its weights, and its value
// written out as the course's arithmetic. The numbers all come from the wasm `Lenet`.
// The parts live in lenet/: the drawing pad, the prediction, which network, the layer
// canvases, the unit panel and the 3D switch; this module puts them together.

import { t } from "../i18n.js";
import { el } from "../dom.js";
import { LAYERS, UNITS, BELOW } from "./lenet/geometry.js";
import { drawingPad } from "./lenet/pad.js";
import { prediction } from "./lenet/prediction.js";
import { netSource } from "./lenet/source.js";
import { layerCanvases } from "./lenet/layers.js";
import { explainUnit, unitPanel } from "./lenet/unit.js";
import { modeSwitch } from "./lenet/mode3d.js";

export const schema = {
  digit: { kind: "int", min: 0, max: 99, default: 0, always: true },
  layer: { kind: "enum", values: LAYERS.slice(1).map((l) => l.key), default: "c3" },
  unit: { kind: "int", min: 0, max: Math.max(...Object.values(UNITS)) - 1, default: 0 },
  // "trained": the net being trained in the training view, refreshed while it learns.
  net: { kind: "enum", values: ["shipped", "trained"], default: "shipped" },
  mode: { kind: "enum", values: ["flat", "3d"], default: "flat" },
  // MNIST's framing of the drawing before the network reads it (scale, centre of mass).
  frame: { kind: "enum", values: ["on", "off"], default: "on" },
};

export function mount(root, state, setState) {
  let sel = { layer: state.layer, unit: Math.min(state.unit, UNITS[state.layer] - 1) };
  let boxesFor = null; // the selection the highlight boxes (and weights, and 3D edges) were drawn for
  function select(layer, unit) {
    sel = { layer, unit: Math.max(0, Math.min(UNITS[layer] - 1, unit)) };
    boxesFor = null;
    setState({ layer, unit: sel.unit });
  }
  const selection = () => sel;

  const view = el("section", { class: "view lenet", "aria-labelledby": "lenet-title" });
  view.append(el("h2", { id: "lenet-title", text: t("lenet.title") }), el("p", { class: "intro", text: t("lenet.intro") }));
  const pad = drawingPad({ changed: () => schedule(), setState });
  const pred = prediction();
  const source = netSource({
    changed() {
      boxesFor = null;
      schedule();
    },
    setState,
  });
  const layers = layerCanvases({ selection, select, ready: () => source.net !== null });
  const modes = modeSwitch({
    setState,
    selection,
    select,
    // Its first picture: every unit's activation and the selected unit's edges.
    made() {
      boxesFor = null;
      schedule();
    },
  });
  const info = el("div", { class: "unit-info", "aria-live": "polite" });
  const panel = unitPanel(info);
  const left = el("div", { class: "pad-col" }, ...source.nodes, ...pad.nodes, ...pred.nodes);
  const right = el("div", { class: "right-col" }, modes.buttons, layers.el, modes.box);
  view.append(el("div", { class: "lenet-grid" }, left, right), info);
  root.append(view);

  // How long each repaint took (forward pass + every layer drawn), for the page benchmark.
  const paintMs = [];
  view.paintMs = paintMs;
  let pending = false;
  let frame = state.frame === "on";
  function run() {
    pending = false;
    const net = source.net;
    if (!net) return;
    const t0 = performance.now();
    const readable = pad.see(frame);
    const input = pad.seen();
    const digit = net.forward(input);
    pred.show(digit, Array.from(net.probs()), readable);
    pad.repaint();
    layers.paint(net, input);
    if (modes.shown) modes.setActivations(Object.fromEntries(LAYERS.map((l) => [l.key, l.key === "input" ? input : net[l.key]()])));
    explain();
    if (paintMs.push(performance.now() - t0) > 1000) paintMs.shift();
  }
  function schedule() {
    if (!pending) {
      pending = true;
      requestAnimationFrame(run);
    }
  }

  /** The selected unit's panel; its boxes, weights and 3D edges only when the selection changed. */
  function explain() {
    const unit = explainUnit(source.net, sel);
    const key = `${sel.layer}:${sel.unit}`;
    if (boxesFor !== key) {
      boxesFor = key;
      layers.drawBoxes(sel, unit.terms);
      panel.weights(sel, unit.terms);
      if (modes.shown) modes.setEdges(sel, BELOW[sel.layer], unit.terms);
    }
    panel.show(source.net, sel, unit);
  }

  async function update(s) {
    if (frame !== (s.frame === "on")) {
      frame = s.frame === "on";
      schedule();
    }
    layers.el.hidden = s.mode === "3d";
    if (modes.set(s.mode)) boxesFor = null;
    if (s.mode === "3d" && !modes.shown) await modes.ready(); // lenet3d.js loads on first use
    await source.update(s.net);
    sel = { layer: s.layer, unit: Math.min(s.unit, UNITS[s.layer] - 1) };
    if (!(await pad.show(s.digit)) && source.net) explain();
  }

  source
    .load()
    .then(async () => {
      await update(state);
      run();
      view.dataset.ready = "true";
    })
    .catch((e) => info.replaceChildren(el("p", { class: "error", role: "alert", text: e.message })));

  return {
    update,
    destroy() {
      source.destroy();
      view.remove();
    },
  };
}
