// The RNN view's formulas, in MathML (rendered by the browser; no library). Wires that differ
// from the standard LSTM (or RNN) are marked class="diff" and highlighted. Each term carries
// data-term, the name the wiring diagram's parts carry too (diagram.js, shapes.js), so that
// pointing at one lights the other (follow.js).

const MI = (s) => `<mi>${s}</mi>`;
const SUB = (a, b) => `<msub>${a}<mrow>${b}</mrow></msub>`;
/** A term the diagram also draws. */
const T = (term, s) => `<mrow data-term="${term}">${s}</mrow>`;
const PREV = "<mrow><mi>t</mi><mo>−</mo><mn>1</mn></mrow>";
const at = (name) => SUB(MI(name), MI("t"));
const xt = T("x", at("x"));
const hp = T("hprev", SUB(MI("h"), PREV));
const cp = T("cprev", SUB(MI("c"), PREV));
const line = (lhs, rhs) => `<math display="block"><mrow>${lhs}<mo>=</mo>${rhs}</mrow></math>`;
const sig = (inner) => `<mi>σ</mi><mo>(</mo>${inner}<mo>)</mo>`;
const lin = (w, v) => `${SUB(MI("W"), MI(w))}${v}`;
const diff = (s) => `<mrow class="diff">${s}</mrow>`;

/** Elman's and Jordan's two lines: the feedback (`fb`, marked) and the output layer. */
function simple(fbWeight, fb) {
  const h = T("h", at("h"));
  return [
    line(h, `<mi>tanh</mi><mo>(</mo>${lin("ih", xt)}<mo>+</mo>${diff(lin(fbWeight, fb))}<mo>+</mo><mi>b</mi><mo>)</mo>`),
    line(T("y", at("y")), `<mi>act</mi><mo>(</mo>${lin("hy", h)}<mo>+</mo>${SUB(MI("b"), MI("y"))}<mo>)</mo>`),
  ];
}

function gru(g) {
  const [r, z, n] = [T("r", at("r")), T("z", at("z")), T("n", at("ñ"))];
  return [
    line(r, sig(g("r"))),
    line(z, sig(g("z"))),
    line(n, `<mi>tanh</mi><mo>(</mo>${lin("in", xt)}<mo>+</mo>${T("rn", `${r}<mo>⊙</mo><mo>(</mo>${lin("hn", hp)}<mo>+</mo>${SUB(MI("b"), MI("hn"))}<mo>)</mo>`)}<mo>)</mo>`),
    line(T("h", at("h")), `${T("omzn", `${T("omz", `<mo>(</mo><mn>1</mn><mo>−</mo>${z}<mo>)</mo>`)}<mo>⊙</mo>${n}`)}<mo>+</mo>${T("zh", `${z}<mo>⊙</mo>${hp}`)}`),
  ];
}

function lstm(cell, linear, g) {
  const [i, f, gt, o] = [T("i", at("i")), T("f", at("f")), T("g", at("c̃")), T("o", at("o"))];
  const c = T("c", at("c"));
  const peep = cell === "peephole";
  const fc = cell === "fc";
  const gate = (n) => (peep ? sig(g(n, diff(cp))) : fc ? sig(`${g(n)}<mo>+</mo>${diff(`${SUB(MI("p"), MI(n))}<mo>⊙</mo>${n === "o" ? c : cp}`)}`) : sig(g(n)));
  const sh = T("ch", linear ? c : `<mi>tanh</mi><mo>(</mo>${c}<mo>)</mo>`);
  return [
    line(i, gate("i")),
    line(f, gate("f")),
    line(gt, `<mi>tanh</mi><mo>(</mo>${peep ? diff(`${lin("g", xt)}<mo>+</mo>${SUB(MI("b"), MI("g"))}`) : g("g")}<mo>)</mo>`),
    line(c, `${T("fc", `${f}<mo>⊙</mo>${cp}`)}<mo>+</mo>${T("ig", `${i}<mo>⊙</mo>${gt}`)}`),
    line(o, gate("o")),
    line(T("h", at("h")), `${o}<mo>⊙</mo>${linear ? diff(sh) : sh}`),
  ];
}

/** The cell's equations, one <math> element (as markup) a line; `relu`: a plain RNN's
 *  nonlinearity is ReLU (marked as a change from tanh). */
export function formulas(cell, linear, relu = false) {
  const g = (n, extra = "") => `${lin(n, `<mo>[</mo>${xt}<mo>,</mo>${extra || hp}<mo>]</mo>`)}<mo>+</mo>${SUB(MI("b"), MI(n))}`;
  switch (cell) {
    case "elman":
      return simple("hh", hp);
    case "jordan":
      return simple("yh", T("yprev", SUB(MI("y"), PREV)));
    case "rnn":
      return [line(T("h", at("h")), `${relu ? '<mi class="diff">ReLU</mi>' : "<mi>tanh</mi>"}<mo>(</mo>${g("h")}<mo>)</mo>`)];
    case "gru":
      return gru(g);
    default:
      return lstm(cell, linear, g);
  }
}
