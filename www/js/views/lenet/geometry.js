// LeNet-5's layers as the flat view lays them out, and where a unit sits in them. The
// layers, their shapes and their windows come from wasm (`Lenet.layers()`); only how many
// units a row of a dense layer shows is the page's own choice.

import { wasm } from "../../wasm.js";

const ROW = { f5: 12, f6: 12, logits: 10 };

/** [{ key, maps, side, window } for maps, { key, units, cols } for dense layers], input first. */
export const LAYERS = JSON.parse(wasm().Lenet.layers()).map(({ name, shape, window }) =>
  shape.length === 3 ? { key: name, maps: shape[0], side: shape[1], window } : { key: name, units: shape[0], cols: ROW[name] },
);
export const UNITS = Object.fromEntries(LAYERS.map((l) => [l.key, l.units ?? l.maps * l.side * l.side]));
/** The layer each layer reads: the one before it. */
export const BELOW = Object.fromEntries(LAYERS.slice(1).map((l, i) => [l.key, LAYERS[i].key]));

export const layerOf = (key) => LAYERS.find((l) => l.key === key);

/** Unit `unit` of a layer of maps as [map, row, column]. */
export function position(l, unit) {
  const per = l.side * l.side;
  return [Math.floor(unit / per), Math.floor((unit % per) / l.side), unit % l.side];
}

/** Input rows/cols [from, to) that unit (y, x) of `layer` can see, through every layer below. */
export function receptiveField(layer, y, x) {
  // Each window maps an output range back to the input range of the layer below it.
  let [y0, y1, x0, x1] = [y, y + 1, x, x + 1];
  for (let l = layerOf(layer); l.window; l = layerOf(BELOW[l.key])) {
    const [k, s, pad] = l.window;
    [y0, y1, x0, x1] = [y0 * s - pad, (y1 - 1) * s - pad + k, x0 * s - pad, (x1 - 1) * s - pad + k];
  }
  const side = LAYERS[0].side;
  const clip = (v) => Math.max(0, Math.min(side, v));
  return [clip(y0), clip(y1), clip(x0), clip(x1)];
}
