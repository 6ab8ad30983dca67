// LeNet-5's layers as the flat view lays them out, and where a unit sits in them.

export const LAYERS = [
  { key: "input", maps: 1, side: 28 },
  { key: "c1", maps: 6, side: 28 },
  { key: "s2", maps: 6, side: 14 },
  { key: "c3", maps: 16, side: 10 },
  { key: "s4", maps: 16, side: 5 },
  { key: "f5", units: 120, cols: 12 },
  { key: "f6", units: 84, cols: 12 },
  { key: "logits", units: 10, cols: 10 },
];
export const UNITS = Object.fromEntries(LAYERS.map((l) => [l.key, l.units ?? l.maps * l.side * l.side]));
/** The layer each layer reads. */
export const BELOW = { c1: "input", s2: "c1", c3: "s2", s4: "c3", f5: "s4", f6: "f5", logits: "f6" };

export const layerOf = (key) => LAYERS.find((l) => l.key === key);

/** Unit `unit` of a layer of maps as [map, row, column]. */
export function position(l, unit) {
  const per = l.side * l.side;
  return [Math.floor(unit / per), Math.floor((unit % per) / l.side), unit % l.side];
}

/** Input rows/cols [from, to) that unit (y, x) of `layer` can see, through every layer below. */
export function receptiveField(layer, y, x) {
  // Each step maps an output range back to the input range of the layer below.
  const back = { c1: [1, -2, 5], s2: [2, 0, 2], c3: [1, 0, 5], s4: [2, 0, 2] }; // stride, offset, window
  let [y0, y1, x0, x1] = [y, y + 1, x, x + 1];
  for (const l of ["s4", "c3", "s2", "c1"].slice(["s4", "c3", "s2", "c1"].indexOf(layer))) {
    const [s, o, k] = back[l];
    [y0, y1, x0, x1] = [y0 * s + o, (y1 - 1) * s + o + k, x0 * s + o, (x1 - 1) * s + o + k];
  }
  const clip = (v) => Math.max(0, Math.min(28, v));
  return [clip(y0), clip(y1), clip(x0), clip(x1)];
}
