// The LeNet-5 view's drawing pad, and what the network reads from it. The ink lives in wasm
// (`DrawingPad`, 4× MNIST's 28 pixels a side), drawn with a soft round pen (mouse, touch,
// pen; Shift or the right button erases); a clear button; the MNIST test digits to start
// from; and the step between the pad and the network: the drawing framed as MNIST's digits
// were (longer side 20 px, centre of mass in the middle), which a switch turns off.

import { t } from "../../i18n.js";
import { el } from "../../dom.js";
import { wasm } from "../../wasm.js";
import { paint } from "./paint.js";
import { fetchBytes } from "../../fetch.js";

const samples = {};
/** Test digits: the first 10 come with the view; the first 100 load when first needed. */
async function testDigits(i) {
  const n = i < 10 ? 10 : 100;
  samples[n] ??= fetchBytes(`data/mnist/test-${n}.bin`);
  return samples[n];
}

// A drawing is not in the URL, so it outlives a remount (the language switch rebuilds the
// view) here: one pad for the page, and the test digit a drawing was made over (null while
// the pad shows the test digit itself).
let handle = null;
let drawnOver = null;

/** `changed()` is called whenever the ink changes; `setState` picks the test digit and
 *  turns the framing on or off. */
export function drawingPad({ changed, setState }) {
  handle ??= new (wasm().DrawingPad)();
  const side = wasm().DrawingPad.side;
  const pad = el("canvas", { width: String(side), height: String(side), class: "pad", role: "img", "aria-label": t("lenet.padLabel") });
  const clear = el("button", { type: "button", text: t("lenet.clear") });
  const next = el("button", { type: "button", text: t("lenet.next") });
  const pick = el("select", { id: "lenet-digit", "aria-label": t("lenet.pick") });
  for (let i = 0; i < 100; i++) pick.append(el("option", { value: String(i), text: `${t("lenet.testDigit")} #${i + 1}` }));
  const truth = el("p", { class: "truth", "aria-live": "polite" });
  // What the pad hands the network: MNIST's 28×28 frame (a network that reads a larger
  // image gets it centred; the layers show that).
  const seen = el("canvas", { width: "28", height: "28", class: "seen", role: "img", "aria-label": t("lenet.seenLabel") });
  const frameBox = el("input", { type: "checkbox", id: "lenet-frame", checked: "" });
  const seenNote = el("p", { class: "seen-note" });
  let shown = -1; // the test digit shown (or drawn over)
  let drawing = null; // { erase } while a pointer is down
  let noted = null; // the framing the switch and its sentence show

  function stroke(e) {
    const r = pad.getBoundingClientRect();
    handle.strokeTo((e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height, drawing.erase);
    changed();
  }
  pad.addEventListener("pointerdown", (e) => {
    drawing = { erase: e.shiftKey || e.button === 2 };
    drawnOver = shown;
    pad.setPointerCapture(e.pointerId);
    truth.textContent = t("lenet.drawn");
    stroke(e);
    e.preventDefault();
  });
  pad.addEventListener("pointermove", (e) => drawing && stroke(e));
  const stop = () => {
    drawing = null;
    handle.lift();
  };
  pad.addEventListener("pointerup", stop);
  pad.addEventListener("pointercancel", stop);
  pad.addEventListener("contextmenu", (e) => e.preventDefault());
  clear.addEventListener("click", () => {
    drawnOver = shown;
    handle.clear();
    truth.textContent = "";
    changed();
  });
  frameBox.addEventListener("change", () => setState({ frame: frameBox.checked ? "on" : "off" }));

  async function showDigit(i) {
    const bytes = await testDigits(i);
    const at = i * 785;
    handle.showDigit(Float32Array.from(bytes.subarray(at + 1, at + 785), (b) => b / 255));
    truth.textContent = t("lenet.label", { n: i + 1, d: bytes[at] });
    truth.dataset.label = String(bytes[at]);
    pick.value = String(i);
    changed();
  }
  next.addEventListener("click", () => setState({ digit: (Number(pick.value) + 1) % 100 }));
  pick.addEventListener("change", () => setState({ digit: Number(pick.value) }));

  const step = el(
    "div",
    { class: "seen-step" },
    el("h3", { text: t("lenet.seen") }),
    el("div", { class: "seen-row" }, seen, el("label", { class: "frame-switch", for: "lenet-frame" }, frameBox, " " + t("lenet.frame"))),
    seenNote,
  );

  return {
    /** The pad and its controls, then the step to what the network reads, in page order. */
    nodes: [el("h3", { text: t("lenet.draw") }), pad, el("div", { class: "pad-buttons" }, clear, next), el("label", { for: "lenet-digit", text: t("lenet.pick") + " " }, pick), truth, step],
    /** Makes what the network reads (framed or not); false when the pad is blank. */
    see(frame) {
      // The switch and its sentence change only when the framing does, not every frame.
      if (frame !== noted) {
        noted = frame;
        frameBox.checked = frame;
        seenNote.textContent = t(frame ? "lenet.framed" : "lenet.unframed");
      }
      return handle.see(frame);
    },
    /** What the network reads: [28, 28], a copy (a view of wasm memory moves on any call). */
    seen: () => handle.seen().slice(),
    repaint() {
      paint(pad, handle.ink(), 1, true);
      paint(seen, handle.seen(), 1, true);
    },
    /** Shows test digit `digit` itself, even over a drawing made on it (a host page's
     *  showDigit, www/js/host.js). */
    async showTest(digit) {
      shown = digit;
      drawnOver = null;
      await showDigit(digit);
    },
    /** Puts a 28×28 image (values 0 to 1) on the pad as if drawn there over the test digit
     *  shown: the network reads it as it is, unframed, as it reads a test digit. */
    setImage(image) {
      drawnOver = shown;
      handle.showDigit(image);
      truth.textContent = t("lenet.hostImage");
      delete truth.dataset.label;
      changed();
    },
    /** Shows test digit `digit`, or the drawing kept over it if the view was rebuilt since;
     *  resolves to false if that digit is already shown. */
    async show(digit) {
      if (digit === shown) return false;
      const drawn = shown === -1 && drawnOver === digit;
      shown = digit;
      if (drawn) {
        truth.textContent = t("lenet.drawn");
        changed();
      } else {
        drawnOver = null;
        await showDigit(digit);
      }
      return true;
    },
  };
}
