// LeNet-5, drawn like Adam Harley's visualizer: draw a digit (or pick a test digit), and
// every layer's feature maps repaint from wasm; point at (or arrow-key to) any unit to see
// which inputs feed it, its receptive field on the 28×28 input, its weights, and its value
// written out as the course's arithmetic. The numbers all come from the wasm `Lenet`.
// The parts live in lenet/: the drawing pad, the prediction, which network, the layer
// canvases, the unit panel and the 3D switch; this module puts them together.

import { codePanel } from "../codepanel.js";
import { lenetCode, sequentialCode } from "../pytorch.js";
import { t } from "../i18n.js";
import { el } from "../dom.js";
import { LAYERS, UNITS, BELOW, useGeometry, lenetGeometry } from "./lenet/geometry.js";
import { drawingPad } from "./lenet/pad.js";
import { prediction } from "./lenet/prediction.js";
import { netSource } from "./lenet/source.js";
import { layerCanvases } from "./lenet/layers.js";
import { explainUnit, unitPanel } from "./lenet/unit.js";
import { modeSwitch } from "./lenet/mode3d.js";
import { emit } from "../host.js";
import { wholeNumber, oneOf, unitImage } from "../hostargs.js";

export const schema = {
  digit: { kind: "int", min: 0, max: 99, default: 0, always: true },
  // A layer's key (c1, s2, … f6, logits for LeNet-5; a student's network has its own): one
  // the network lacks falls back to its first layer.
  layer: { kind: "text", max: 12, default: "c3" },
  unit: { kind: "int", min: 0, max: 64 * 64 * 64 - 1, default: 0 },
  // "trained": the net being trained in the training view, refreshed while it learns;
  // "local": the student's own, from a file kept in this browser.
  net: { kind: "enum", values: ["shipped", "trained", "local"], default: "shipped" },
  mode: { kind: "enum", values: ["flat", "3d"], default: "flat" },
  // MNIST's framing of the drawing before the network reads it (scale, centre of mass).
  frame: { kind: "enum", values: ["on", "off"], default: "on" },
};

/** The geometry of `net`: a student's network carries its own, LeNet-5's comes from wasm. */
const geometryOf = (net) => (net?.geometry ? net.geometry() : lenetGeometry(net));
/** What the layer canvases depend on: every layer's key, name and shape. */
const layout = (g) => JSON.stringify(g.layers.map((l) => [l.key, l.name, l.maps, l.h, l.w, l.units]));
/** `key` if the network has that layer, else its first. */
const layerKey = (key) => (UNITS[key] ? key : LAYERS[1].key);

export function mount(root, state, setState) {
  useGeometry(geometryOf(null));
  let sel = { layer: layerKey(state.layer), unit: Math.min(state.unit, UNITS[layerKey(state.layer)] - 1) };
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
      const g = geometryOf(source.net);
      const relaid = layout(g) !== layout({ layers: LAYERS });
      useGeometry(g);
      if (relaid) {
        const fresh = layerCanvases({ selection, select, ready: () => source.net !== null });
        layers.el.replaceWith(fresh.el);
        layers = fresh;
        sel = { layer: layerKey(sel.layer), unit: Math.min(sel.unit, UNITS[layerKey(sel.layer)] - 1) };
        pred.setClasses(source.net.classes ?? Array.from({ length: UNITS[LAYERS.at(-1).key] }, (_, i) => String(i)));
        modes.relayout();
      }
      const n = source.net;
      code.set(n.description ? sequentialCode({ ...n.description, file: source.fileName }, t) : lenetCode({ activation: n.activation, pooling: n.pooling, file: source.fileName }, t));
      boxesFor = null;
      schedule();
    },
    setState,
    dropTarget: view,
  });
  let layers = layerCanvases({ selection, select, ready: () => source.net !== null });
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
  const code = codePanel("lenet-code");
  const panel = unitPanel(info);
  const left = el("div", { class: "pad-col" }, ...source.nodes, ...pad.nodes, ...pred.nodes);
  const right = el("div", { class: "right-col" }, modes.buttons, layers.el, modes.box);
  view.append(el("div", { class: "lenet-grid" }, left, right), info, code.node);
  root.append(view);

  // How long each repaint took (forward pass + every layer drawn), for the page benchmark.
  const paintMs = [];
  view.paintMs = paintMs;
  // The network shown, for the end-to-end tests' references.
  view.shownNet = () => source.net;
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
    source.timed(performance.now() - t0);
    const probs = Array.from(net.probs());
    pred.show(digit, probs, readable);
    // For a host page (www/js/host.js): what the network read, after every pass.
    emit("prediction", { digit, name: net.classes?.[digit] ?? String(digit), probabilities: probs, readable });
    pad.repaint();
    // A student's network may read the drawing centred in a larger image: show what it read.
    const fed = net.fed ?? input;
    layers.paint(net, fed);
    if (modes.shown) modes.setActivations(Object.fromEntries(LAYERS.map((l) => [l.key, l.key === "input" ? fed : net[l.key]()])));
    explain();
    if (paintMs.push(performance.now() - t0) > 1000) paintMs.shift();
  }
  // A network too large for a pass per frame (a student's, beyond LARGE_MACS multiply-adds
  // per image) would hold the pen back if it ran under every stroke: it runs once the pen has
  // paused for PAUSE_MS, on the newest ink, and the strokes in between are drawn without
  // waiting for it. Decided by the network's size, not by a measured time, so that a busy
  // machine never turns LeNet-5's pass into a late one.
  const LARGE_MACS = 10e6;
  const PAUSE_MS = 120;
  let idle = null;
  function schedule() {
    clearTimeout(idle);
    if ((source.net?.macs ?? 0) > LARGE_MACS) idle = setTimeout(nextFrame, PAUSE_MS);
    else nextFrame();
  }
  function nextFrame() {
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
    panel.show(sel, unit);
  }

  let latest = state; // the newest state, for the first update once the network has come
  async function update(s) {
    latest = s;
    if (frame !== (s.frame === "on")) {
      frame = s.frame === "on";
      schedule();
    }
    layers.el.hidden = s.mode === "3d";
    if (modes.set(s.mode)) boxesFor = null;
    if (s.mode === "3d" && !modes.shown) await modes.ready(); // lenet3d.js loads on first use
    await source.update(s.net);
    const key = layerKey(s.layer);
    sel = { layer: key, unit: Math.min(s.unit, UNITS[key] - 1) };
    if (!(await pad.show(s.digit)) && source.net) explain();
  }

  const ready = source
    .load()
    .then(async () => {
      await update(latest);
      run();
      view.dataset.ready = "true";
    })
    .catch((e) => info.replaceChildren(el("p", { class: "error", role: "alert", text: e.message })));

  /** The layers whose units can be selected: every one but the input. */
  const selectable = () => LAYERS.slice(1).map((l) => l.key);
  return {
    update,
    ready,
    /** A host page's commands (www/js/host.js): a test digit, an image of its own, a unit. */
    actions: {
      async showDigit(index) {
        await pad.showTest(wholeNumber("index", index, 0, 99));
        setState({ digit: index });
      },
      setImage: (image) => pad.setImage(unitImage("image", image, 28 * 28)),
      selectUnit(unit, layer) {
        const key = layer === undefined ? sel.layer : oneOf("layer", layer, selectable());
        select(key, wholeNumber("unit", unit, 0, UNITS[key] - 1));
      },
    },
    destroy() {
      clearTimeout(idle);
      source.destroy();
      view.remove();
    },
  };
}
