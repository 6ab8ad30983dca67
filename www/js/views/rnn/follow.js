// The RNN view's followed unit and shared highlighting. A unit is chosen by clicking anything
// that carries data-unit (a column of the gate table, a cell of h in the chain or in the
// diagram's strips), by [ and ] anywhere on the page (→ ← , . are the step keys, playback.js),
// or by ↑ ↓ while the diagram has the focus. Pointing at a term (hover or focus) in the
// formulas or the diagram lights every part with the same data-term in both.

/** `current()` is the unit followed, `count()` how many there are; `setState({ unit })`
 *  follows another. Returns { destroy }. */
export function follow({ view, current, count, setState }) {
  const go = (u) => u !== current() && setState({ unit: Math.max(0, Math.min(count() - 1, u)) });
  const onClick = (e) => {
    const hit = e.target.closest?.("[data-unit]");
    if (hit && view.contains(hit)) go(Number(hit.dataset.unit));
  };
  // The same guards as the step keys: not in a form control, not with a modifier.
  const onKey = (e) => {
    if (!view.isConnected || e.altKey || e.ctrlKey || e.metaKey) return;
    if (["SELECT", "INPUT", "TEXTAREA"].includes(e.target.tagName) || e.target.isContentEditable) return;
    const inDiagram = e.target.closest?.(".diagram-svg");
    if (e.key === "[" || (inDiagram && e.key === "ArrowUp")) go(current() - 1);
    else if (e.key === "]" || (inDiagram && e.key === "ArrowDown")) go(current() + 1);
    else return;
    e.preventDefault();
  };
  view.addEventListener("click", onClick);
  document.addEventListener("keydown", onKey);
  const offLink = linkTerms(view);
  return {
    destroy() {
      document.removeEventListener("keydown", onKey);
      offLink();
    },
  };
}

/** Lights (class "lit") every part of the diagram and the formulas that carries the term
 *  pointed at. Returns a function that stops listening. */
function linkTerms(view) {
  let lit = [];
  const clear = () => {
    for (const e of lit) e.classList.remove("lit");
    lit = [];
  };
  const point = (e) => {
    const hit = e.target.closest?.(".diagram-svg [data-term], .formulas [data-term]");
    clear();
    if (!hit) return;
    // getAttribute, not dataset: the formulas' terms are MathML elements.
    const term = hit.getAttribute("data-term");
    lit = [...view.querySelectorAll(`.diagram-svg [data-term="${term}"], .formulas [data-term="${term}"]`)];
    for (const x of lit) x.classList.add("lit");
  };
  const events = ["pointerover", "focusin"];
  const leave = ["pointerout", "focusout"];
  for (const ev of events) view.addEventListener(ev, point);
  for (const ev of leave) view.addEventListener(ev, clear);
  return () => {
    for (const ev of events) view.removeEventListener(ev, point);
    for (const ev of leave) view.removeEventListener(ev, clear);
  };
}
