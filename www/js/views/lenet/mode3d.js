// The LeNet-5 view's switch between its flat layers and the 3D node-link mode (lenet3d.js,
// loaded and made on first use): the two buttons, the WebGL canvas with its hint, and the
// canvas's mouse and keyboard controls (drag orbits, the wheel zooms, a click selects a unit).

import { t } from "../../i18n.js";
import { el } from "../../dom.js";

/** `selection()` is the selected { layer, unit }, `select(layer, unit)` changes it;
 *  `made()` is called once the 3D network exists, to give it activations and edges. */
export function modeSwitch({ setState, selection, select, made }) {
  const buttons = el("div", { class: "mode-switch", role: "group", "aria-label": t("lenet.mode") });
  const pressed = {};
  for (const m of ["flat", "3d"]) {
    pressed[m] = el("button", { type: "button", id: `lenet-mode-${m}`, text: t(`lenet.mode.${m}`), "aria-pressed": "false" });
    pressed[m].addEventListener("click", () => setState({ mode: m }));
    buttons.append(pressed[m]);
  }
  const canvas = el("canvas", { class: "net3d", tabindex: "0", role: "img", "aria-label": t("lenet.3dLabel") });
  const hint = el("p", { class: "hint", text: t("lenet.3dHint") });
  const box = el("div", { class: "view3d" }, canvas, hint);
  box.hidden = true;
  let r3d = null;
  let making = null; // the promise of the 3D network, once asked for

  function wire() {
    let drag = null;
    canvas.addEventListener("pointerdown", (e) => {
      drag = { x: e.clientX, y: e.clientY, moved: false };
      canvas.setPointerCapture(e.pointerId);
    });
    canvas.addEventListener("pointermove", (e) => {
      if (!drag) return;
      const [dx, dy] = [e.clientX - drag.x, e.clientY - drag.y];
      if (Math.abs(dx) + Math.abs(dy) > 2) drag.moved = true;
      r3d.orbit(dx * 0.01, dy * 0.01);
      [drag.x, drag.y] = [e.clientX, e.clientY];
    });
    canvas.addEventListener("pointerup", (e) => {
      if (drag && !drag.moved) {
        const r = canvas.getBoundingClientRect();
        const hit = r3d.pick(e.clientX - r.left, e.clientY - r.top);
        if (hit && hit[0] !== "input") select(hit[0], hit[1]);
      }
      drag = null;
    });
    canvas.addEventListener("wheel", (e) => {
      e.preventDefault();
      r3d.orbit(0, 0, e.deltaY > 0 ? 1.1 : 1 / 1.1);
    }, { passive: false });
    // Keyboard: arrows orbit, + and - zoom, [ and ] step through the selected layer's units.
    canvas.addEventListener("keydown", (e) => {
      const keys = { ArrowLeft: [-0.1, 0, 1], ArrowRight: [0.1, 0, 1], ArrowUp: [0, -0.1, 1], ArrowDown: [0, 0.1, 1], "+": [0, 0, 1 / 1.1], "=": [0, 0, 1 / 1.1], "-": [0, 0, 1.1] };
      if (keys[e.key]) {
        e.preventDefault();
        r3d.orbit(...keys[e.key]);
      } else if (e.key === "[" || e.key === "]") {
        e.preventDefault();
        const sel = selection();
        select(sel.layer, sel.unit + (e.key === "]" ? 1 : -1));
      }
    });
  }

  return {
    buttons,
    box,
    /** Shows `mode` ("flat" or "3d"); true if the 3D box appeared or went. */
    set(mode) {
      const changed = box.hidden !== (mode !== "3d");
      box.hidden = mode !== "3d";
      for (const m of ["flat", "3d"]) pressed[m].setAttribute("aria-pressed", String(m === mode));
      if (mode === "3d") {
        making ??= import("../../lenet3d.js").then(({ create }) => {
          r3d = create(canvas);
          if (r3d) {
            wire();
            made();
          } else {
            // No WebGL 2 (a blocklisted GPU, Firefox headless): say so, with no blank box to tab into.
            canvas.hidden = true;
            hint.textContent = t("lenet.no3d");
          }
        });
      }
      return changed;
    },
    /** Makes the 3D network again for another network's layers (if it was made). */
    relayout() {
      if (!r3d) return;
      import("../../lenet3d.js").then(({ create }) => {
        r3d = create(canvas);
        made();
      });
    },
    /** Resolves once the 3D network exists, if it was asked for. */
    ready: () => making,
    /** Whether the 3D network is on screen (and wants activations and edges). */
    get shown() {
      return r3d !== null && !box.hidden;
    },
    setActivations: (values) => r3d.setActivations(values),
    setEdges: (sel, below, terms) => r3d.setEdges(sel.layer, sel.unit, below, terms),
  };
}
