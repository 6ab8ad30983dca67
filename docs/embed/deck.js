// An example deck for teachers: nnplay's views as reveal.js slides, driven from slide events
// through nnplay's host protocol (README.md, "Embedding"). nnplay's address comes from
// ?nnplay=… (default: the page built in this repository, ../../dist/); its embed.js sizes the
// frames and sends the commands.
import Reveal from "./node_modules/reveal.js/dist/reveal.mjs";

const base = new URL(new URLSearchParams(location.search).get("nnplay") ?? "../../dist/", location.href);

/** Loads nnplay's embed.js from nnplay's own folder (it finds the frames by that folder). */
function loadEmbed() {
  return new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = new URL("embed.js", base).href;
    s.onload = resolve;
    s.onerror = () => reject(new Error(`nnplay's embed.js did not load from ${s.src}`));
    document.head.append(s);
  });
}

/** The frame of slide `slide`, if it has one. */
const frameOf = (slide) => slide?.querySelector("iframe[data-nnplay]");

/** Sends `method` to the frame of `slide`; a refusal is logged, never thrown at the deck. */
function send(slide, method, args = []) {
  const frame = frameOf(slide);
  if (frame) window.nnplay.send(frame, method, args).catch((e) => console.warn(`nnplay ${method}:`, e.message ?? e));
}

await loadEmbed();
for (const frame of document.querySelectorAll("iframe[data-nnplay]")) frame.src = new URL(frame.dataset.hash, base).href;

// What each slide does when it is shown: the RNN starts again from step 0 (the fragments
// then step it); LeNet-5 shows a test digit.
const onShow = {
  rnn: (slide) => send(slide, "reset"),
  lenet: (slide) => send(slide, "showDigit", [7]),
};
const kind = (slide) => slide?.dataset.nnplaySlide;
Reveal.on("slidechanged", (e) => onShow[kind(e.currentSlide)]?.(e.currentSlide));
Reveal.on("fragmentshown", (e) => e.fragment.classList.contains("step") && send(Reveal.getCurrentSlide(), "step"));
Reveal.on("fragmenthidden", (e) => e.fragment.classList.contains("step") && send(Reveal.getCurrentSlide(), "back"));
await Reveal.initialize({ hash: true, width: 1280, height: 800, margin: 0.02 });
document.body.dataset.deckReady = "true";
