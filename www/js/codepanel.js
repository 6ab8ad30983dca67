// A collapsed panel under a lab holding the PyTorch code of what is on screen
// (www/js/pytorch.js), with a button that copies it.

import { t } from "./i18n.js";
import { el } from "./dom.js";

export function codePanel(id) {
  const code = el("code", { class: "language-python" });
  const copy = el("button", { type: "button", class: "copy", text: t("code.copy") });
  const done = el("span", { class: "hint", role: "status" });
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(code.textContent);
      done.textContent = t("code.copied");
    } catch {
      // No clipboard here (an insecure origin, a refused permission): select it to copy by hand.
      getSelection().selectAllChildren(code);
      done.textContent = t("code.selected");
    }
  });
  const node = el("details", { class: "code-panel", id }, el("summary", { text: t("code.title") }), el("pre", { tabindex: "0" }, code), el("div", { class: "controls" }, copy, done));
  return {
    node,
    set(text) {
      if (code.textContent !== text) code.textContent = text;
      done.textContent = "";
    },
  };
}
