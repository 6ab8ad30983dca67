// Projector mode (`projector=1`, any view; the course passes it to its figures): a class on
// <body> whose CSS makes the page's type at least 24 px, for a room reading a 1920×1080 screen
// from the back. An SVG's labels are sized in its own units and drawn at the SVG's scale, so CSS
// alone cannot promise their size on screen: here each label is raised to 24 screen px at the
// scale it is drawn at, again whenever the view adds labels or the window is resized.

export const PROJECTOR_MIN_PX = 24;

let watched = null; // { root, observer } while projector mode is on
let pending = 0;

/** Turns projector mode on or off for the view mounted in `root`. */
export function setProjector(root, on) {
  document.body.classList.toggle("projector", on);
  if (!on) {
    if (watched) unwatch();
    return;
  }
  if (watched?.root !== root) {
    if (watched) unwatch();
    const observer = new MutationObserver(schedule);
    observer.observe(root, { childList: true, subtree: true });
    addEventListener("resize", schedule);
    watched = { root, observer };
  }
  liftLabels(root);
}

function unwatch() {
  watched.observer.disconnect();
  removeEventListener("resize", schedule);
  for (const e of watched.root.querySelectorAll("[data-own-size]")) {
    e.style.fontSize = "";
    e.removeAttribute("data-own-size");
  }
  cancelAnimationFrame(pending);
  watched = null;
}

function schedule() {
  cancelAnimationFrame(pending);
  pending = requestAnimationFrame(() => watched && liftLabels(watched.root));
}

/** Every SVG label in `root` at least PROJECTOR_MIN_PX on screen; larger ones keep their size. */
export function liftLabels(root) {
  // Parents before their tspans: a tspan sized in % of its text reads the lifted size.
  for (const e of root.querySelectorAll("svg text, svg tspan")) {
    if (!e.isConnected || !e.checkVisibility()) continue;
    const m = e.getScreenCTM();
    const scale = m ? Math.hypot(m.a, m.b) : 0;
    if (!scale) continue;
    // The label's own size in the SVG's units, as the view's CSS or attributes set it.
    e.dataset.ownSize ??= String(parseFloat(getComputedStyle(e).fontSize));
    const own = Number(e.dataset.ownSize);
    const want = Math.max(own, PROJECTOR_MIN_PX / scale);
    e.style.fontSize = want > own ? `${want.toFixed(2)}px` : "";
  }
}

/** The size of a canvas chart's labels in the canvas's own pixels: 12 CSS px, or 24 in
 *  projector mode, at the scale the canvas is shown at. A chart sizes its margins from it. */
export function chartTextPx(canvas) {
  const shown = canvas.getBoundingClientRect().width;
  const density = shown > 0 ? canvas.width / shown : 1;
  return (document.body.classList.contains("projector") ? PROJECTOR_MIN_PX : 12) * density;
}
