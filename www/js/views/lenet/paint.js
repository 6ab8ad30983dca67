// Values into a canvas, one pixel each, in the palette's image colours: the LeNet-5 view's
// feature maps and its drawing pad.

import { IMAGE } from "../../palette.js";

// Each colour as per-channel falls from white (255) at value 1.
const [POS, NEG, INK] = [IMAGE.pos, IMAGE.neg, IMAGE.ink].map((c) => c.map((v) => 255 - v));

/** Paints `values` (side × side, or a strip of units) into a canvas, one pixel per unit:
 *  white to ink for the pad, or the orange/blue diverging map for activations. */
export function paint(canvas, values, scale, ink = false) {
  // One context and one ImageData per canvas, kept: allocating them per frame cost more than
  // the forward pass.
  canvas.ctx ??= canvas.getContext("2d");
  const ctx = canvas.ctx;
  canvas.img ??= ctx.createImageData(canvas.width, canvas.height);
  const img = canvas.img;
  const d = img.data;
  const n = Math.min(values.length, canvas.width * canvas.height);
  // Direct byte writes, no arrays per pixel: this loop runs for ~9,000 units a frame.
  for (let i = 0; i < n; i++) {
    let v = values[i] / scale;
    v = v > 1 ? 1 : v < -1 ? -1 : v;
    const o = i * 4;
    const f = ink ? INK : v >= 0 ? POS : NEG;
    const a = v < 0 && !ink ? -v : v;
    d[o] = 255 - f[0] * a;
    d[o + 1] = 255 - f[1] * a;
    d[o + 2] = 255 - f[2] * a;
    d[o + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}
