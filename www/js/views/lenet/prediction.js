// The LeNet-5 view's prediction: the digit it reads, large, and each digit's probability as a bar.

import { t } from "../../i18n.js";
import { el } from "../../dom.js";

export function prediction() {
  const big = el("div", { class: "pred-big", "aria-live": "polite" });
  const bars = el("div", { class: "bars" });
  const barEls = [];
  for (let d = 0; d < 10; d++) {
    const fill = el("span", { class: "fill" });
    const val = el("span", { class: "val" });
    bars.append(el("div", { class: "bar" }, el("span", { class: "digit", text: String(d) }), el("span", { class: "track" }, fill), val));
    barEls.push({ fill, val });
  }
  return {
    nodes: [el("h3", { text: t("lenet.prediction") }), big, bars],
    show(digit, probs) {
      big.textContent = String(digit);
      big.setAttribute("aria-label", t("lenet.predicted", { d: digit }));
      probs.forEach((p, d) => {
        barEls[d].fill.style.width = `${(p * 100).toFixed(1)}%`;
        barEls[d].val.textContent = `${(p * 100).toFixed(1)}%`;
        barEls[d].fill.classList.toggle("top", d === digit);
      });
    },
  };
}
