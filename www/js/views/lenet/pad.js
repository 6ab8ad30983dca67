// The LeNet-5 view's drawing pad: 28×28 ink values drawn with a soft round pen like MNIST's
// strokes (mouse, touch, pen; Shift or the right button erases), a clear button, and the MNIST
// test digits to start from.

import { t } from "../../i18n.js";
import { el } from "../../dom.js";
import { paint } from "./paint.js";

const samples = {};
/** Test digits: the first 10 come with the view; the first 100 load when first needed. */
async function testDigits(i) {
  const n = i < 10 ? 10 : 100;
  samples[n] ??= fetch(new URL(`data/mnist/test-${n}.bin`, document.baseURI)).then(async (r) => {
    if (!r.ok) throw new Error(`test digits: HTTP ${r.status}`);
    return new Uint8Array(await r.arrayBuffer());
  });
  return samples[n];
}

// A drawing is not in the URL (784 values), so it outlives a remount (the language switch
// rebuilds the view) here: the ink and the test digit it was drawn over.
let kept = null; // { digit, ink }

/** `changed()` is called whenever the ink changes; `setState` picks the test digit. */
export function drawingPad({ changed, setState }) {
  const ink = new Float32Array(784);
  const pad = el("canvas", { width: "28", height: "28", class: "pad", role: "img", "aria-label": t("lenet.padLabel") });
  const clear = el("button", { type: "button", text: t("lenet.clear") });
  const next = el("button", { type: "button", text: t("lenet.next") });
  const pick = el("select", { id: "lenet-digit", "aria-label": t("lenet.pick") });
  for (let i = 0; i < 100; i++) pick.append(el("option", { value: String(i), text: `${t("lenet.testDigit")} #${i + 1}` }));
  const truth = el("p", { class: "truth", "aria-live": "polite" });
  let shown = -1; // the test digit shown (or drawn over)

  // Drawing: a round pen of radius 1.4 pixels with a soft edge.
  let drawing = null;
  function stroke(e) {
    const r = pad.getBoundingClientRect();
    const [px, py] = [((e.clientX - r.left) / r.width) * 28, ((e.clientY - r.top) / r.height) * 28];
    const from = drawing.last ?? [px, py];
    const steps = Math.max(1, Math.ceil(Math.hypot(px - from[0], py - from[1]) * 2));
    for (let s = 1; s <= steps; s++) {
      const [x, y] = [from[0] + ((px - from[0]) * s) / steps, from[1] + ((py - from[1]) * s) / steps];
      for (let yy = Math.floor(y - 2); yy <= y + 2; yy++) {
        for (let xx = Math.floor(x - 2); xx <= x + 2; xx++) {
          if (xx < 0 || yy < 0 || xx > 27 || yy > 27) continue;
          const d = Math.hypot(xx + 0.5 - x, yy + 0.5 - y);
          const v = Math.max(0, Math.min(1, (2.0 - d) / 1.2));
          const i = yy * 28 + xx;
          ink[i] = drawing.erase ? Math.min(ink[i], 1 - v) : Math.max(ink[i], v);
        }
      }
    }
    drawing.last = [px, py];
    changed();
  }
  pad.addEventListener("pointerdown", (e) => {
    drawing = { erase: e.shiftKey || e.button === 2, last: null };
    kept = { digit: shown, ink };
    pad.setPointerCapture(e.pointerId);
    truth.textContent = t("lenet.drawn");
    stroke(e);
    e.preventDefault();
  });
  pad.addEventListener("pointermove", (e) => drawing && stroke(e));
  const stop = () => (drawing = null);
  pad.addEventListener("pointerup", stop);
  pad.addEventListener("pointercancel", stop);
  pad.addEventListener("contextmenu", (e) => e.preventDefault());
  clear.addEventListener("click", () => {
    kept = { digit: shown, ink };
    ink.fill(0);
    truth.textContent = "";
    changed();
  });

  async function showDigit(i) {
    const bytes = await testDigits(i);
    const at = i * 785;
    for (let p = 0; p < 784; p++) ink[p] = bytes[at + 1 + p] / 255;
    truth.textContent = t("lenet.label", { n: i + 1, d: bytes[at] });
    truth.dataset.label = String(bytes[at]);
    pick.value = String(i);
    changed();
  }
  next.addEventListener("click", () => setState({ digit: (Number(pick.value) + 1) % 100 }));
  pick.addEventListener("change", () => setState({ digit: Number(pick.value) }));

  return {
    ink,
    /** The pad and its controls, in page order. */
    nodes: [el("h3", { text: t("lenet.draw") }), pad, el("div", { class: "pad-buttons" }, clear, next), el("label", { for: "lenet-digit", text: t("lenet.pick") + " " }, pick), truth],
    repaint: () => paint(pad, ink, 1, true),
    /** Shows test digit `digit`, or the drawing kept over it if the view was rebuilt since;
     *  resolves to false if that digit is already shown. */
    async show(digit) {
      if (digit === shown) return false;
      const drawn = shown === -1 && kept?.digit === digit ? kept.ink : null;
      shown = digit;
      if (drawn) {
        ink.set(drawn);
        kept = { digit, ink };
        truth.textContent = t("lenet.drawn");
        changed();
      } else {
        kept = null;
        await showDigit(digit);
      }
      return true;
    },
  };
}
