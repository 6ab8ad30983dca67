// The LeNet-5 view's prediction: the digit it reads, large, and each digit's probability as a bar.

import { t } from "../../i18n.js";
import { el } from "../../dom.js";

/** The most bars drawn: a network with more outputs shows its most probable ones. */
const MAX_BARS = 20;

export function prediction() {
  const big = el("div", { class: "pred-big", "aria-live": "polite" });
  const bars = el("div", { class: "bars" });
  const note = el("p", { class: "pred-note" });
  let names = [];
  let barEls = [];
  function setClasses(list) {
    names = list;
    barEls = [];
    bars.replaceChildren();
    for (let d = 0; d < Math.min(MAX_BARS, names.length); d++) {
      const fill = el("span", { class: "fill" });
      const val = el("span", { class: "val" });
      const label = el("span", { class: "digit" });
      bars.append(el("div", { class: "bar" }, label, el("span", { class: "track" }, fill), val));
      barEls.push({ fill, val, label });
    }
  }
  setClasses(Array.from({ length: 10 }, (_, d) => String(d)));
  return {
    nodes: [el("h3", { text: t("lenet.prediction") }), big, note, bars],
    /** Names the outputs (a file's class names, or their numbers). */
    setClasses,
    /** The network's reading; with `readable` false (a blank pad) it says there is
     *  nothing to read instead of showing the network's guess about paper. */
    show(digit, probs, readable = true) {
      const name = names[digit] ?? String(digit);
      big.textContent = readable ? name : "–";
      big.classList.toggle("blank", !readable);
      big.setAttribute("aria-label", readable ? t("lenet.predicted", { d: name }) : t("lenet.blank"));
      note.textContent = readable ? "" : t("lenet.blank");
      // Every output in order, or the most probable ones when there are more than fit.
      const order = probs.length <= MAX_BARS ? probs.map((_, d) => d) : probs.map((_, d) => d).sort((a, b) => probs[b] - probs[a]).slice(0, MAX_BARS);
      order.forEach((d, i) => {
        const shown = readable ? `${(probs[d] * 100).toFixed(1)}%` : "";
        barEls[i].label.textContent = names[d] ?? String(d);
        barEls[i].fill.style.width = readable ? shown : "0%";
        barEls[i].val.textContent = shown;
        barEls[i].fill.classList.toggle("top", readable && d === digit);
      });
    },
  };
}
