// The RNN view's formulas, in MathML (rendered by the browser; no library). Wires that differ
// from the standard LSTM (or RNN) are marked class="diff" and highlighted.

const MI = (s) => `<mi>${s}</mi>`;
const SUB = (a, b) => `<msub>${a}<mrow>${b}</mrow></msub>`;
const xt = SUB(MI("x"), MI("t"));
const hp = SUB(MI("h"), "<mrow><mi>t</mi><mo>−</mo><mn>1</mn></mrow>");
const cp = SUB(MI("c"), "<mrow><mi>t</mi><mo>−</mo><mn>1</mn></mrow>");
const line = (lhs, rhs) => `<math display="block"><mrow>${lhs}<mo>=</mo>${rhs}</mrow></math>`;
const sig = (inner) => `<mi>σ</mi><mo>(</mo>${inner}<mo>)</mo>`;
const lin = (w, v) => `${SUB(MI("W"), MI(w))}${v}`;

/** The cell's equations, one <math> element (as markup) a line. */
export function formulas(cell, linear) {
  const h = SUB(MI("h"), MI("t"));
  const c = SUB(MI("c"), MI("t"));
  const g = (n, extra = "") => `${lin(n, `<mo>[</mo>${xt}<mo>,</mo>${extra || hp}<mo>]</mo>`)}<mo>+</mo>${SUB(MI("b"), MI(n))}`;
  const diff = (s) => `<mrow class="diff">${s}</mrow>`;
  const sh = linear ? c : `<mi>tanh</mi><mo>(</mo>${c}<mo>)</mo>`;
  switch (cell) {
    case "elman":
      return [line(h, `<mi>tanh</mi><mo>(</mo>${lin("ih", xt)}<mo>+</mo>${diff(lin("hh", hp))}<mo>+</mo><mi>b</mi><mo>)</mo>`), line(SUB(MI("y"), MI("t")), `<mi>act</mi><mo>(</mo>${lin("hy", h)}<mo>+</mo>${SUB(MI("b"), MI("y"))}<mo>)</mo>`)];
    case "jordan":
      return [line(h, `<mi>tanh</mi><mo>(</mo>${lin("ih", xt)}<mo>+</mo>${diff(lin("yh", SUB(MI("y"), "<mrow><mi>t</mi><mo>−</mo><mn>1</mn></mrow>")))}<mo>+</mo><mi>b</mi><mo>)</mo>`), line(SUB(MI("y"), MI("t")), `<mi>act</mi><mo>(</mo>${lin("hy", h)}<mo>+</mo>${SUB(MI("b"), MI("y"))}<mo>)</mo>`)];
    case "rnn":
      return [line(h, `<mi>tanh</mi><mo>(</mo>${g("h")}<mo>)</mo>`)];
    case "gru":
      return [
        line(SUB(MI("r"), MI("t")), sig(g("r"))),
        line(SUB(MI("z"), MI("t")), sig(g("z"))),
        line(SUB(MI("ñ"), MI("t")), `<mi>tanh</mi><mo>(</mo>${lin("in", xt)}<mo>+</mo>${SUB(MI("r"), MI("t"))}<mo>⊙</mo><mo>(</mo>${lin("hn", hp)}<mo>+</mo>${SUB(MI("b"), MI("hn"))}<mo>)</mo><mo>)</mo>`),
        line(h, `<mo>(</mo><mn>1</mn><mo>−</mo>${SUB(MI("z"), MI("t"))}<mo>)</mo><mo>⊙</mo>${SUB(MI("ñ"), MI("t"))}<mo>+</mo>${SUB(MI("z"), MI("t"))}<mo>⊙</mo>${hp}`),
      ];
    default: {
      const peep = cell === "peephole";
      const fc = cell === "fc";
      const gate = (n) => (peep ? sig(g(n, diff(cp))) : fc ? sig(`${g(n)}<mo>+</mo>${diff(`${SUB(MI("p"), MI(n))}<mo>⊙</mo>${n === "o" ? c : cp}`)}`) : sig(g(n)));
      return [
        line(SUB(MI("i"), MI("t")), gate("i")),
        line(SUB(MI("f"), MI("t")), gate("f")),
        line(SUB(MI("c̃"), MI("t")), `<mi>tanh</mi><mo>(</mo>${peep ? diff(`${lin("g", xt)}<mo>+</mo>${SUB(MI("b"), MI("g"))}`) : g("g")}<mo>)</mo>`),
        line(c, `${SUB(MI("f"), MI("t"))}<mo>⊙</mo>${cp}<mo>+</mo>${SUB(MI("i"), MI("t"))}<mo>⊙</mo>${SUB(MI("c̃"), MI("t"))}`),
        line(SUB(MI("o"), MI("t")), gate("o")),
        line(h, `${SUB(MI("o"), MI("t"))}<mo>⊙</mo>${linear ? diff(sh) : sh}`),
      ];
    }
  }
}
