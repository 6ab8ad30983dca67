// The RNN view's playback: step, play / pause at a chosen speed, back to the start, a time
// scrubber, and the step keys (→ or . forward, ← or , back) anywhere on the page.

import { t } from "../../i18n.js";
import { el } from "../../dom.js";

/** `where()` is { pos, total } of the run shown; `setState({ pos })` moves it. `view` is the
 *  view's element (the step keys act only while it is on the page). */
export function playback({ view, where, setState }) {
  // Each moves the step shown (`pos`: what lesson mode's hide=pos or lock=pos acts on).
  const stepBtn = el("button", { type: "button", id: "rnn-step", text: t("rnn.step"), "data-field": "pos" });
  const playBtn = el("button", { type: "button", id: "rnn-play", text: t("rnn.play"), "data-field": "pos" });
  const resetBtn = el("button", { type: "button", id: "rnn-reset", text: t("rnn.reset"), "data-field": "pos" });
  const scrub = el("input", { type: "range", id: "rnn-scrub", min: "0", max: "1", step: "1", value: "0", "data-field": "pos" });
  const speed = el("input", { type: "range", id: "rnn-speed", min: "1", max: "10", value: "4" });
  const controls = el("div", { class: "controls" }, stepBtn, playBtn, resetBtn,
    el("label", { for: "rnn-scrub" }, t("rnn.scrub") + " ", scrub),
    el("label", { for: "rnn-speed" }, t("rnn.speed") + " ", speed));

  const forward = () => setState({ pos: Math.min(where().total, where().pos + 1) });
  const back = () => setState({ pos: Math.max(0, where().pos - 1) });
  scrub.addEventListener("input", () => setState({ pos: Number(scrub.value) }));
  stepBtn.addEventListener("click", forward);
  resetBtn.addEventListener("click", () => setState({ pos: 0 }));
  let timer = null;
  const stop = () => {
    clearInterval(timer);
    timer = null;
    playBtn.textContent = t("rnn.play");
  };
  const tick = () => (where().pos >= where().total ? stop() : setState({ pos: where().pos + 1 }));
  const run = () => {
    clearInterval(timer);
    timer = setInterval(tick, 1100 - 100 * Number(speed.value));
  };
  const start = () => {
    playBtn.textContent = t("rnn.pause");
    if (where().pos >= where().total) setState({ pos: 0 });
    run();
  };
  playBtn.addEventListener("click", () => (timer ? stop() : start()));
  // The speed takes effect while playing, not only at the next Play.
  speed.addEventListener("input", () => timer && run());
  // The step keys work wherever the focus is on the page (after loading it is on <body>), but
  // not while a control that uses them has it.
  const onKey = (e) => {
    if (!view.isConnected || e.altKey || e.ctrlKey || e.metaKey) return;
    if (["SELECT", "INPUT", "TEXTAREA"].includes(e.target.tagName) || e.target.isContentEditable) return;
    if (e.key === "ArrowRight" || e.key === ".") forward();
    else if (e.key === "ArrowLeft" || e.key === ",") back();
    else return;
    e.preventDefault();
  };
  document.addEventListener("keydown", onKey);

  return {
    controls,
    /** What a host page may do (www/js/host.js): the buttons' and keys' moves. Play while
     *  playing and pause while paused change nothing. */
    actions: {
      step: forward,
      back,
      play: () => timer || start(),
      pause: () => timer && stop(),
      reset: () => setState({ pos: 0 }),
    },
    /** Shows the run at `pos` of `total` steps on the scrubber. */
    show(pos, total) {
      scrub.max = String(total);
      scrub.value = String(pos);
    },
    destroy() {
      stop();
      document.removeEventListener("keydown", onKey);
    },
  };
}
