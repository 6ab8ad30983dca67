// "How far back it looks": for the next character, each character of the context shaded by
// how much it moves that prediction — the norm of the gradient of ln p(next) with respect to
// the character's embedding, by backpropagation through time (LanguageModel.influence). The
// same prediction is explained for every model of a family, one strip each, so an Elman
// net's fading memory and a gated net's reach sit side by side.

import { t } from "../../i18n.js";
import { el } from "../../dom.js";
import { activationShade } from "../../palette.js";

/** One strip: `text`'s characters shaded by `norms` (scaled to the strip's largest). */
function strip(name, chars, norms) {
  const top = Math.max(...norms, 1e-12);
  const cells = chars.map((c, i) => {
    // Norms span many orders of magnitude (1e-9 at a country an Elman net forgot, 1e-1 at
    // the last character): shown as powers of ten.
    const cell = el("span", { class: "lm-reach-c", lang: "zh-CN", text: c, title: norms[i].toExponential(2) });
    cell.style.backgroundColor = activationShade(norms[i] / top);
    return cell;
  });
  // A text alternative that reads the three characters that matter most, in order.
  const ranked = chars.map((c, i) => [c, norms[i], i]).sort((a, b) => b[1] - a[1]).slice(0, 3);
  const summary = t("lm.reachSummary", { chars: ranked.map(([c, , i]) => `${c} (${i + 1})`).join(", ") });
  return el("div", { class: "lm-reach-row" }, el("span", { class: "lm-reach-name", text: name }), el("span", { class: "lm-reach-strip", role: "img", "aria-label": `${name}: ${summary}` }, ...cells));
}

/** The strips for `text` (what was read) and the next character `next`, one per entry of
 *  `models` ([name, LanguageModel]); a model that lacks `next` says so instead. */
export function reachStrips(models, text, next) {
  const chars = Array.from(text);
  const rows = models.map(([name, lm]) => {
    const id = lm.id(next);
    if (id === 0) return el("p", { class: "hint", text: t("lm.reachUnknown", { name, c: next }) });
    return strip(name, chars, Array.from(lm.influence(text, next)));
  });
  return el("div", { class: "lm-reach" }, el("h3", { text: t("lm.reach", { c: next }) }), el("p", { class: "hint", text: t("lm.reachHint") }), ...rows);
}
