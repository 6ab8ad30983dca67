// A student's own CNN in the LeNet view: a safetensors file read by the wasm `Network` (the
// second module, fetched when the first file is), shown through the same calls as LeNet-5's
// `Lenet` handle — forward, probs, one method per layer key, explain — plus its geometry.
// The file stays in this browser (www/js/kept.js), never sent anywhere.

import { seqModule, seqWasm } from "./wasm.js";
import { stagesGeometry } from "./views/lenet/geometry.js";

/** What `bytes` holds: { input, layers, questions, params, macs } (Network.inspect). */
export async function inspect(bytes) {
  await seqModule();
  return JSON.parse(seqWasm().Network.inspect(bytes));
}

/** The network of `bytes`, described by `described` ({ input, layers }) or by the file. */
export async function open(bytes, described = null) {
  await seqModule();
  const n = described ? seqWasm().Network.fromBytes(bytes, JSON.stringify(described.input), JSON.stringify(described.layers)) : seqWasm().Network.fromBytes(bytes, "", "");
  return new StudentNet(n);
}

class StudentNet {
  constructor(n) {
    this.n = n;
    this.stages = JSON.parse(n.stages());
    this.description = JSON.parse(n.description());
    this.shape = Array.from(n.input);
    this.geo = stagesGeometry(n, this.stages);
    let classes = null;
    try {
      classes = JSON.parse(n.meta("classes") ?? "null");
    } catch {
      // a file whose class names do not parse is shown with numbered outputs
    }
    this.classes = Array.isArray(classes) && classes.length === this.geo.layers.at(-1).units ? classes.map(String) : null;
    const last = this.geo.layers.at(-1);
    if (this.classes) last.classes = this.classes;
    this.geo.layers.slice(1).forEach((l) => (this[l.key] = () => n.output(l.stage)));
    /** The image the network read last: the drawing, centred in a larger input. */
    this.fed = new Float32Array(this.shape[1] * this.shape[2]);
    // Outputs from the start (a blank image), as LeNet-5's handle has them.
    this.forward(new Float32Array(28 * 28));
  }

  geometry() {
    return this.geo;
  }

  /** Multiply-adds per image. */
  get macs() {
    return this.n.macs;
  }

  get params() {
    return this.n.params;
  }

  /** Reads a 28×28 drawing: as it is, or centred in the network's larger input. */
  forward(image28) {
    const [h, w] = [this.shape[1], this.shape[2]];
    if (h === 28 && w === 28) this.fed.set(image28);
    else {
      this.fed.fill(0);
      const [dy, dx] = [Math.floor((h - 28) / 2), Math.floor((w - 28) / 2)];
      for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) if (y + dy >= 0 && y + dy < h && x + dx >= 0 && x + dx < w) this.fed[(y + dy) * w + x + dx] = image28[y * 28 + x];
    }
    return this.n.forward(this.fed);
  }

  probs() {
    return this.n.probs();
  }

  explain(key, unit) {
    return this.n.explain(this.geo.layers.find((l) => l.key === key).stage, unit);
  }

  meta(key) {
    return this.n.meta(key);
  }

  free() {
    this.n.free();
  }
}
