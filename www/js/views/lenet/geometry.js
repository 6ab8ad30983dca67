// The layers of the network the view shows, as the flat view lays them out, and where a unit
// sits in them. LeNet-5's come from wasm (`Lenet.layers()`); a student's network's from its
// stages (`Network.stages()`, www/js/network.js). The view switches geometry when it switches
// network (`useGeometry`); the bindings below always hold the current one.
//
// A layer: { key, name, kind: "input" | "conv" | "pool" | "dense", activation, pool,
// maps, h, w, kh, kw } for maps, { key, name, kind, activation, units, cols } for dense
// layers; `receptiveField(key, y, x)` gives the input cells [y0, y1, x0, x1] a map's cell sees.

import { t } from "../../i18n.js";
import { wasm } from "../../wasm.js";

/** How many units a row of a dense layer shows. */
const cols = (units) => (units <= 10 ? units : units <= 120 ? 12 : Math.ceil(Math.sqrt(units * 2)));

export let LAYERS = [];
export let UNITS = {};
/** The layer each layer reads: the one before it. */
export let BELOW = {};
let receptive = () => [0, 0, 0, 0];

/** A geometry from its layers (input first) and its receptive-field rule. */
export function geometry(layers, receptiveField) {
  return {
    layers,
    units: Object.fromEntries(layers.map((l) => [l.key, l.units ?? l.maps * l.h * l.w])),
    below: Object.fromEntries(layers.slice(1).map((l, i) => [l.key, layers[i].key])),
    receptiveField,
  };
}

export function useGeometry(g) {
  ({ layers: LAYERS, units: UNITS, below: BELOW, receptiveField: receptive } = g);
}

export const layerOf = (key) => LAYERS.find((l) => l.key === key);

/** Unit `unit` of a layer of maps as [map, row, column]. */
export function position(l, unit) {
  const per = l.h * l.w;
  return [Math.floor(unit / per), Math.floor((unit % per) / l.w), unit % l.w];
}

/** Input rows/cols [from, to) that unit (y, x) of `layer` can see, through every layer below. */
export function receptiveField(layer, y, x) {
  return receptive(layer, y, x);
}

const input = (c, h, w) => ({ key: "input", name: t("lenet.layer.image"), kind: "input", maps: c, h, w });

/** LeNet-5's geometry for `net` (a wasm `Lenet`: its activation and pooling). */
export function lenetGeometry(net) {
  const described = JSON.parse(wasm().Lenet.layers());
  const layers = described.map(({ name, shape, window }) => {
    const kind = name === "input" ? "input" : name[0] === "c" ? "conv" : name[0] === "s" ? "pool" : "dense";
    const base = { key: name, name: t(`lenet.layer.${name}`), kind, window, activation: kind === "pool" || name === "logits" ? null : net?.activation, pool: net?.pooling };
    if (shape.length === 3) return { ...base, maps: shape[0], h: shape[1], w: shape[2], kh: window?.[0], kw: window?.[0] };
    return { ...base, units: shape[0], cols: cols(shape[0]) };
  });
  const byKey = Object.fromEntries(layers.map((l) => [l.key, l]));
  const g = geometry(layers, receptiveField);
  // Each window maps an output range back to the input range of the layer below it.
  function receptiveField(key, y, x) {
    let [y0, y1, x0, x1] = [y, y + 1, x, x + 1];
    for (let l = byKey[key]; l.window; l = byKey[g.below[l.key]]) {
      const [k, s, pad] = l.window;
      [y0, y1, x0, x1] = [y0 * s - pad, (y1 - 1) * s - pad + k, x0 * s - pad, (x1 - 1) * s - pad + k];
    }
    const side = layers[0].h;
    const clip = (v) => Math.max(0, Math.min(side, v));
    return [clip(y0), clip(y1), clip(x0), clip(x1)];
  }
  return g;
}

/** A student's network's geometry: its stages (`Network.stages()` parsed), named C, S or F
 *  and their number as LeNet-5's are, the last dense one "logits"; `net` answers the
 *  receptive fields. */
export function stagesGeometry(net, stages) {
  const [c, h, w] = net.input;
  const layers = [input(c, h, w)];
  stages.forEach((s, i) => {
    const last = i === stages.length - 1 && s.kind === "dense";
    const key = last ? "logits" : `${{ conv: "c", pool: "s", dense: "f" }[s.kind] ?? "x"}${i + 1}`;
    const name = t("lenet.layer.stage", { key: key === "logits" ? t("lenet.layer.logits") : key.toUpperCase(), layer: s.class, act: s.activation ? ` + ${s.activation}` : "" });
    const base = { key, name, kind: s.kind, activation: s.activation, pool: s.layer.type === "max_pool2d" ? "max" : "avg", stage: i };
    if (s.shape.length === 3) layers.push({ ...base, maps: s.shape[0], h: s.shape[1], w: s.shape[2], kh: s.layer.kernel?.[0], kw: s.layer.kernel?.[1] });
    else layers.push({ ...base, units: s.shape[0], cols: cols(s.shape[0]) });
  });
  const byKey = Object.fromEntries(layers.map((l) => [l.key, l]));
  const receptiveField = (key, y, x) => Array.from(net.receptiveField(byKey[key].stage, y * byKey[key].w + x));
  return geometry(layers, receptiveField);
}

useGeometry(lenetGeometry(null));
