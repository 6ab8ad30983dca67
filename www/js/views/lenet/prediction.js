// The LeNet-5 view's prediction: the digit it reads, large, and each digit's probability as a bar.

import { t } from "../../i18n.js";
import { el } from "../../dom.js";

export function prediction() {
  const big = el("div", { class: "pred-big", "aria-live": "polite" });
  const bars = el("div", { class: "bars" });
  const note = el("p", { class: "pred-note" });
  const barEls = [];
  for (let d = 0; d < 10; d++) {
    const fill = el("span", { class: "fill" });
    const val = el("span", { class: "val" });
    bars.append(el("div", { class: "bar" }, el("span", { class: "digit", text: String(d) }), el("span", { class: "track" }, fill), val));
    barEls.push({ fill, val });
  }
  return {
    nodes: [el("h3", { text: t("lenet.prediction") }), big, note, bars],
    /** The network's reading; with `readable` false (a blank pad) it says there is
     *  nothing to read instead of showing the network's guess about paper. */
    show(digit, probs, readable = true) {
      big.textContent = readable ? String(digit) : "–";
      big.classList.toggle("blank", !readable);
      big.setAttribute("aria-label", readable ? t("lenet.predicted", { d: digit }) : t("lenet.blank"));
      note.textContent = readable ? "" : t("lenet.blank");
      probs.forEach((p, d) => {
        const shown = readable ? `${(p * 100).toFixed(1)}%` : "";
        barEls[d].fill.style.width = readable ? shown : "0%";
        barEls[d].val.textContent = shown;
        barEls[d].fill.classList.toggle("top", readable && d === digit);
      });
    },
  };
}
