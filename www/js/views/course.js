// The course, live: the course deck's slides in their order, each beside (or, on a phone, above)
// the live figure that shows it. The slide text is the deck's own (data/course/slides.json,
// made at build time from docs/course/slides.txt); the figure is this same page in a frame,
// opened at the view state that shows the slide (views/course/figures.js) with its header and
// introduction hidden — every view is reused unchanged, and each keeps its state to itself.
//
// Moving: the Previous / Next buttons, ← → ↑ ↓, PageUp / PageDown (what a presenter's clicker
// sends), Space, Home / End. Inside the figure its own keys win (the RNN view's arrows, a
// grid's cells), except PageUp / PageDown, which still turn the slide when the figure did not
// use them: a teacher who clicked into the figure can go on with the clicker.
// `projector=1` (lesson.js, a mode of every view) is for teaching from it: large type (no text
// under 24 px at 1920×1080, the figures' included: they are opened in projector mode too), high
// contrast, the figure given most of the screen.

import { t } from "../i18n.js";
import { el, subscripted } from "../dom.js";
import { withFigures } from "./course/figures.js";
import { reportSlides, savedProgress } from "../scorm.js";

export const schema = {
  slide: { kind: "int", min: 1, max: 999, default: 1, always: true },
};

/** The figures' own page parts that the slide replaces: the header and the introduction. */
const FRAME_HIDE = "hide=header,intro";

/** The deck, fetched once per page: it does not change while the page is open. */
let deckPromise = null;
function loadDeck() {
  deckPromise ??= fetch(new URL("data/course/slides.json", document.baseURI)).then(async (r) => {
    if (!r.ok) throw new Error(`data/course/slides.json: HTTP ${r.status}`);
    return withFigures((await r.json()).slides);
  });
  deckPromise.catch(() => (deckPromise = null)); // a dropped connection: try again next time
  return deckPromise;
}

const NEXT = new Set(["ArrowRight", "ArrowDown", "PageDown", " "]);
const PREV = new Set(["ArrowLeft", "ArrowUp", "PageUp"]);

/** A long sum ("1*1+1*0+…+1*1 = 4") wraps after a "+" if it must, never inside "1*1 = 4". */
function breakable(part) {
  if (typeof part !== "string" || !part.includes("+")) return [part];
  const m = part.match(/^(.*\+)(\S+ = \S+)$/);
  const [sum, tail] = m ? [m[1], m[2]] : [part, ""];
  const out = [];
  const terms = sum.split("+");
  terms.forEach((term, i) => {
    if (i < terms.length - 1) out.push(term + "+", el("wbr"));
    else if (term) out.push(term);
  });
  if (tail) out.push(el("span", { class: "nowrap", text: tail }));
  return out;
}

/** True where a key belongs to what has the focus: text entry, a list, a slider. */
function typing(target) {
  return !!target?.closest?.("input, textarea, select, [contenteditable=''], [contenteditable=true]");
}

export function mount(root, state, setState) {
  const view = el("section", { class: "view course", "aria-labelledby": "course-title" });
  const prev = el("button", { type: "button", id: "course-prev", text: t("course.prev") });
  const next = el("button", { type: "button", id: "course-next", text: t("course.next") });
  const jump = el("select", { id: "course-slide" });
  const count = el("span", { class: "course-count", id: "course-count" });
  const projector = el("button", { type: "button", id: "course-projector", "aria-pressed": "false", text: t("course.projector") });
  const bar = el(
    "div",
    { class: "course-bar" },
    el("h2", { id: "course-title", text: t("course.title") }),
    prev,
    el("label", { for: "course-slide", class: "course-jump" }, t("course.jump") + " ", jump),
    count,
    next,
    projector,
  );
  const textBox = el("div", { class: "slide-text" });
  const gloss = el("p", { class: "slide-gloss" });
  const figBox = el("div", { class: "slide-figure", hidden: "" });
  const slideEl = el("article", { class: "slide", "aria-labelledby": "course-slide-title" }, el("div", { class: "slide-words" }, textBox, gloss), figBox);
  // Said once per slide change, for a screen reader (the slide's text is not re-read).
  const said = el("p", { class: "sr-only", "aria-live": "polite" });
  const hint = el("p", { class: "hint course-hint", text: t("course.keys") });
  view.append(bar, slideEl, hint, said);
  root.append(view);

  let deck = null;
  let cur = state;
  let frame = null; // the figure's <iframe>, made for the first slide that has a figure
  let frameReady = false; // its first document has loaded: later figures change only its hash
  let shownSlide = 0; // the slide whose figure the frame was last sent to
  let shownHash = ""; // and that figure's hash (projector mode changes it on the same slide)

  const pageUrl = () => location.href.split("#")[0];
  const figureHash = (fig) => `#${fig}&${FRAME_HIDE}&lang=${cur.lang}${cur.projector ? "&projector=1" : ""}`;
  const total = () => deck?.length ?? 1;
  const go = (n) => setState({ slide: Math.min(Math.max(n, 1), total()) });

  prev.addEventListener("click", () => go(cur.slide - 1));
  next.addEventListener("click", () => go(cur.slide + 1));
  jump.addEventListener("change", () => go(Number(jump.value)));
  projector.addEventListener("click", () => setState({ projector: cur.projector ? 0 : 1 }));

  /** The slide move `key` asks for, or null. */
  function moveFor(key) {
    if (NEXT.has(key)) return cur.slide + 1;
    if (PREV.has(key)) return cur.slide - 1;
    if (key === "Home") return 1;
    if (key === "End") return total();
    return null;
  }

  function onKey(e) {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || typing(e.target)) return;
    // An open dialog (share / embed) has the keys.
    if (document.querySelector("dialog[open]")) return;
    // Space and Enter press a focused button or follow a link: only elsewhere is Space "next".
    if (e.key === " " && e.target?.closest?.("button, a, summary")) return;
    const n = moveFor(e.key);
    if (n === null) return;
    e.preventDefault();
    go(n);
  }
  document.addEventListener("keydown", onKey);

  /** In the figure: PageUp / PageDown that the figure left alone (LeNet-5's layers use them). */
  function onFrameKey(e) {
    if (!["PageUp", "PageDown"].includes(e.key) || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || typing(e.target)) return;
    e.preventDefault();
    go(moveFor(e.key));
  }

  function showFigure(n, fig, title) {
    figBox.hidden = !fig;
    slideEl.classList.toggle("has-figure", !!fig);
    if (!fig) return;
    const hash = figureHash(fig);
    if (!frame) {
      const first = hash;
      frame = el("iframe", { class: "figure-frame", src: pageUrl() + first });
      frame.addEventListener("load", () => {
        frameReady = true;
        // Same origin: the frame's window takes a listener from here (a new one per document).
        frame.contentWindow.addEventListener("keydown", onFrameKey);
        // The slides turned while it loaded (a new src then would have cut its wasm off
        // mid-download): it goes to the figure shown now.
        if (shownHash !== first) frame.contentWindow.location.replace(pageUrl() + shownHash);
      });
      figBox.append(frame);
    } else if (frameReady && n !== shownSlide) {
      // Only the hash changes: the page in the frame switches view without loading again
      // (its wasm stays), and a figure a student changed on the slide before starts afresh.
      // replace(), so slides leave no entries in the browser's history.
      frame.contentWindow.location.replace(pageUrl() + hash);
    } else if (frameReady && hash !== shownHash) {
      // Projector mode on or off, on the same slide: the figure keeps what was done with it.
      const live = new URLSearchParams(frame.contentWindow.location.hash.slice(1));
      if (cur.projector) live.set("projector", "1");
      else live.delete("projector");
      frame.contentWindow.location.replace(`${pageUrl()}#${live}`);
    }
    shownSlide = n;
    shownHash = hash;
    frame.title = t("course.figure", { title });
  }

  function render() {
    projector.setAttribute("aria-pressed", String(cur.projector === 1));
    if (!deck) return;
    const n = Math.min(cur.slide, deck.length);
    const s = deck[n - 1];
    prev.disabled = n <= 1;
    next.disabled = n >= deck.length;
    jump.value = String(n);
    count.textContent = t("course.count", { n, total: deck.length });

    // The deck's words, in the deck's language whatever the page's.
    const kids = [];
    if (s.part) kids.push(el("p", { class: "slide-part", text: t("course.part", { n: s.part }) }));
    kids.push(el("h3", { id: "course-slide-title", lang: "zh-CN" }, ...subscripted(s.title)));
    for (const line of s.lines) kids.push(el("p", { lang: "zh-CN" }, ...subscripted(line).flatMap(breakable)));
    textBox.replaceChildren(...kids);
    slideEl.classList.toggle("title-slide", !s.lines.length);
    slideEl.classList.toggle("part-slide", !!s.part);
    gloss.replaceChildren(...(s.id ? subscripted(t(`course.s.${s.id}`)) : []));
    gloss.hidden = !s.id;
    showFigure(n, s.fig, s.title);
    said.textContent = t("course.said", { n, total: deck.length, title: s.title });
    // Inside an LMS's SCORM player: the slides seen so far, completed once all have been.
    seen.add(n - 1);
    reportSlides(seen, deck.length, n - 1);
  }

  // The slides seen, counting on from a visit before if an LMS kept them (scorm.js).
  const seen = savedProgress()?.seen ?? new Set();
  const ready = loadDeck().then(
    (d) => {
      deck = d;
      jump.replaceChildren(...deck.map((s, i) => el("option", { value: String(i + 1), lang: "zh-CN", text: `${i + 1}. ${s.title}` })));
      // A link past the end (the deck got shorter) shows the last slide, and says so in the URL.
      if (cur.slide > deck.length) go(deck.length);
      render();
      view.dataset.ready = "true";
    },
    (e) => {
      textBox.replaceChildren(el("p", { class: "error", role: "alert", text: t("course.failed", { msg: e.message }) }));
      view.dataset.ready = "true";
    },
  );
  render();

  return {
    ready,
    // For a page that frames the course (host.js): as the Next / Previous buttons.
    actions: {
      next: () => go(cur.slide + 1),
      previous: () => go(cur.slide - 1),
    },
    update(s) {
      cur = s;
      render();
    },
    destroy() {
      document.removeEventListener("keydown", onKey);
      view.remove();
    },
  };
}
