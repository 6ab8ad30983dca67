// Lesson mode, for a teacher who embeds a view: `hide=` takes the page's parts (header, intro,
// controls, hints) and any of the view's state fields — the control that sets the field
// disappears; `lock=` keeps fields at the link's values — their controls are disabled and no
// other path (keys, grids, dragging) changes them; `note=` is a short instruction shown above
// the figure, as plain text. A view's control for field `f` is the element `#<view>-<f>` (or
// one marked `data-field="f"`, when several elements set it), shown with its label.
// `projector=1` is for teaching from a projector: no text under 24 px (projector.js, applied by
// main.js before the view draws, since a canvas chart sizes its labels as it draws).

import { t } from "./i18n.js";

export const PARTS = ["header", "intro", "controls", "hints"];
/** A note is a sentence or two: a question for the class, an instruction. */
export const NOTE_MAX = 200;
/** Fields that are the page's, not a view's: never hidden or locked one by one. */
const PAGE_FIELDS = ["view", "lang"];

/** The lesson fields of the hash schema for a view whose own fields are `fields`. */
export function lessonSchema(fields) {
  const own = fields.filter((f) => !PAGE_FIELDS.includes(f));
  return {
    hide: { kind: "set", values: [...PARTS, ...own], default: [] },
    lock: { kind: "set", values: own, default: [] },
    note: { kind: "text", max: NOTE_MAX, default: "" },
    projector: { kind: "int", min: 0, max: 1, default: 0 },
  };
}

/** `partial` (a change a view asks for) without the fields `lock` keeps. */
export function unlocked(partial, lock) {
  if (!lock.length) return partial;
  return Object.fromEntries(Object.entries(partial).filter(([k]) => !lock.includes(k)));
}

/** The elements that set `field` in view `view` within `root`, each with its label. */
function controlsFor(root, view, field) {
  const own = [...root.querySelectorAll(`[id="${view}-${field}"], [data-field="${field}"]`)];
  return own.map((e) => ({ input: e, box: e.closest("label, fieldset") ?? root.querySelector(`label[for="${e.id}"]`) ?? e }));
}

/** Applies `state`'s hide, lock and note to view `view` mounted in `root`; `noteEl` shows the
 *  note. Run after every render: a view may rebuild its controls. */
export function applyLesson(root, view, state, noteEl) {
  for (const part of PARTS) document.body.classList.toggle(`hide-${part}`, state.hide.includes(part));
  for (const e of root.querySelectorAll(".lesson-hidden, .lesson-locked")) {
    e.classList.remove("lesson-hidden", "lesson-locked");
    e.removeAttribute("data-lock-label");
  }
  // What a lock disabled is enabled again first, so a lock taken away leaves no trace.
  for (const c of root.querySelectorAll("[data-lesson-lock]")) {
    c.disabled = false;
    c.removeAttribute("data-lesson-lock");
  }
  for (const field of state.hide) for (const { box } of controlsFor(root, view, field)) box.classList.add("lesson-hidden");
  for (const field of state.lock) {
    for (const { input, box } of controlsFor(root, view, field)) {
      box.classList.add("lesson-locked");
      // Said in words (the disabled control alone does not say why).
      box.dataset.lockLabel = t("lesson.locked");
      for (const c of [input, ...input.querySelectorAll("input, select, button, textarea")]) {
        if (!("disabled" in c) || c.disabled) continue;
        c.disabled = true;
        c.setAttribute("data-lesson-lock", "");
      }
    }
  }
  noteEl.textContent = state.note;
  noteEl.hidden = !state.note;
}
