// Where each part of a cell's wiring diagram goes (diagram.js draws them): one layout per
// kind of cell, in the manner of the course's LSTM slide — the inputs enter at the left
// (x_t and the state fed back, as strips of the whole vector), the units sit on one row
// (σg, σc, σh named), ⊙ and + junctions above them, the cell state c along the top line, the
// outputs leave at the right. Coordinates are in SVG user units; every layout is 600 wide.
//
// Parts: strip (a vector, one coloured cell a unit), chip (one unit's scalar entering or
// leaving), unit (a gate or activation), junction (⊙, +, 1−), wire (scalar: coloured by its
// value; vec: a vector, drawn neutral), dot (where a wire joins a bus), note (a word).
// `term` names what a part carries, as formulas.js's data-term does; `diff` marks what a
// variant adds to or changes in the plain LSTM (and the feedback of Elman and Jordan, as the
// formulas mark it).

const W = 600;
const L = 16; // left edge of the entering strips and chips
const SW = 70; // their width
const R = 514; // left edge of the leaving chips

const strip = (term, x, y, label, extra = {}) => ({ type: "strip", term, x, y, w: SW, h: 20, label, ...extra });
const chip = (term, x, cy, label, extra = {}) => ({ type: "chip", term, x, y: cy - 12, w: SW, h: 24, label, ...extra });
const unit = (term, cx, cy, fn, name, extra = {}) => ({ type: "unit", term, cx, cy, fn, name, ...extra });
const junction = (term, cx, cy, op, at, extra = {}) => ({ type: "junction", term, cx, cy, op, at, ...extra });
const wire = (term, d, extra = {}) => ({ type: "wire", term, d, ...extra });
const vec = (term, d, extra = {}) => ({ type: "wire", vec: true, term, d, ...extra });
const dot = (cx, cy) => ({ type: "dot", cx, cy });
const note = (x, y, key, extra = {}) => ({ type: "note", x, y, key, ...extra });

const sub = (base, s) => [base, s];
const PREV = "t−1";

/** The two buses along the bottom, the state fed back (y `hy`) over the input (y `xy`),
 *  and a riser from them into each unit at `xs`: every unit reads [x_t, h_{t−1}]. */
function buses({ hTerm, hLabel, hy, xy, end, risers, hDiff = false, top }) {
  const parts = [
    strip(hTerm, L, hy - 10, hLabel, { diff: hDiff }),
    strip("x", L, xy - 10, sub("x", "t")),
    vec(hTerm, `M${L + SW},${hy} H${end.h}`, { diff: hDiff, bus: true }),
    vec("x", `M${L + SW},${xy} H${end.x}`, { bus: true }),
  ];
  for (const { x, h = true, term = "x", diff = false } of risers) {
    // A riser that does not read the state crosses its bus without a dot (drawn with a gap).
    parts.push(vec(term, `M${x},${xy} V${top}`, { diff, hop: !h }));
    if (h) parts.push(dot(x, hy));
  }
  return parts;
}

/** LSTM, the course's peephole LSTM and the FC-LSTM; σh tanh or linear. */
function lstm({ variant, linear }) {
  const peep = variant === "peephole";
  const fc = variant === "fc";
  const [top, gy, my] = [48, 190, 120]; // the c line, the units' row, the i⊙c̃ junction
  const [xf, xi, xg, xo, xh] = [170, 262, 342, 432, 490];
  const parts = [
    ...buses({
      hTerm: peep ? "cprev" : "hprev", hLabel: sub(peep ? "c" : "h", PREV), hDiff: peep,
      hy: 256, xy: 300, top: gy + 21, end: { h: xo, x: xo },
      risers: [{ x: xf }, { x: xi }, { x: xg, h: !peep, diff: peep }, { x: xo }],
    }),
    chip("cprev", L, top, sub("c", PREV)),
    wire("cprev", `M${L + SW},${top} H${xf - 13}`),
    junction("fc", xf, top, "⊙", "above"),
    wire("fc", `M${xf + 13},${top} H${302 - 13}`),
    junction("c", 302, top, "+", "above"),
    wire("c", `M${302 + 13},${top} H${R}`),
    chip("c", R, top, sub("c", "t"), { out: true }),
    unit("f", xf, gy, "σg", sub("f", "t")),
    wire("f", `M${xf},${gy - 21} V${top + 13}`),
    unit("i", xi, gy, "σg", sub("i", "t")),
    wire("i", `M${xi},${gy - 21} V${my} H${302 - 13}`),
    unit("g", xg, gy, "σc", sub("c̃", "t")),
    wire("g", `M${xg},${gy - 21} V${my} H${302 + 13}`),
    junction("ig", 302, my, "⊙", "left"),
    wire("ig", `M302,${my - 13} V${top + 13}`),
    unit("o", xo, gy, "σg", sub("o", "t")),
    wire("c", `M${xh},${top} V${my - 21}`),
    unit("ch", xh, my, "σh", linear ? "linear" : "tanh", { diff: linear, fnName: true }),
    wire("ch", `M${xh},${my + 21} V${gy - 13}`, { diff: linear }),
    wire("o", `M${xo + 31},${gy} H${xh - 13}`),
    junction("h", xh, gy, "⊙", "below"),
    wire("h", `M${xh + 13},${gy} H${R}`),
    chip("h", R, gy, sub("h", "t"), { out: true }),
    strip("hvec", R, gy + 22, null, { small: true }),
    note(R + SW, gy + 56, "rnn.dia.nextH", { anchor: "end" }),
  ];
  if (fc) {
    // Diagonal peepholes: p ⊙ c_{t−1} into i and f, p ⊙ c_t into o (dashed, as Graves draws them).
    parts.push(
      wire("cprev", `M120,${top} V${gy} H${xf - 31}`, { diff: true, dashed: true }),
      wire("cprev", `M120,${top} V148 H216 V${gy} H${xi - 31}`, { diff: true, dashed: true, hop: true }),
      wire("c", `M446,${top} V150 H${xo} V${gy - 21}`, { diff: true, dashed: true }),
      note(114, 100, "rnn.dia.peepPrev", { diff: true, anchor: "end" }),
      note(440, 84, "rnn.dia.peepNow", { diff: true, anchor: "end" }),
    );
  }
  if (peep) parts.push(note(xg + 8, 240, "rnn.dia.xOnly", { diff: true, anchor: "start" }));
  return { w: W, h: 340, parts };
}

/** The GRU as PyTorch computes it: ñ = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),
 *  h = (1 − z) ⊙ ñ + z ⊙ h_{t−1}. */
function gru() {
  const [top, gy, my, hy, xy] = [48, 190, 120, 256, 300];
  const [xz, xm, xr, xrn, xn] = [170, 232, 300, 380, 452];
  const parts = [
    ...buses({
      hTerm: "hprev", hLabel: sub("h", PREV), hy, xy, top: gy + 21, end: { h: xrn - 13, x: 470 },
      risers: [{ x: xz }, { x: xr }],
    }),
    vec("x", `M470,${xy} V${gy + 21}`),
    chip("hprev", L, top, sub("h", PREV)),
    wire("hprev", `M${L + SW},${top} H${xz - 13}`),
    junction("zh", xz, top, "⊙", "above"),
    wire("zh", `M${xz + 13},${top} H${xn - 13}`),
    junction("h", xn, top, "+", "above"),
    wire("h", `M${xn + 13},${top} H${R}`),
    chip("h", R, top, sub("h", "t"), { out: true }),
    strip("hvec", R, top + 22, null, { small: true }),
    note(R + SW, top + 56, "rnn.dia.nextH", { anchor: "end" }),
    unit("z", xz, gy, "σg", sub("z", "t")),
    wire("z", `M${xz},${gy - 21} V${top + 13}`),
    wire("z", `M${xz + 31},${gy - 10} H${xm} V${my + 13}`),
    junction("omz", xm, my, "1−", "above"),
    wire("omz", `M${xm + 13},${my} H${xn - 13}`),
    unit("r", xr, gy, "σg", sub("r", "t")),
    wire("r", `M${xr + 31},${gy} H${xrn} V${hy - 13}`),
    junction("rn", xrn, hy, "⊙", "below"),
    note(xrn, xy + 18, "rnn.dia.rn", { anchor: "middle" }),
    wire("rn", `M${xrn + 13},${hy} H${xn - 20} V${gy + 21}`),
    unit("n", xn, gy, "σc", sub("ñ", "t")),
    wire("n", `M${xn},${gy - 21} V${my + 13}`),
    junction("omzn", xn, my, "⊙", "right"),
    wire("omzn", `M${xn},${my - 13} V${top + 13}`),
  ];
  return { w: W, h: 340, parts };
}

/** Plain RNN, Elman and Jordan: one tanh unit (ReLU for a plain RNN read from a file that
 *  says so); Elman and Jordan add the output layer y. */
function simple(kind, relu) {
  const [uy, hy, xy] = [56, 126, 170];
  const out = kind !== "rnn";
  const jordan = kind === "jordan";
  const xu = out ? 200 : 300;
  const xc = out ? 290 : R; // where h_t's chip goes
  const parts = [
    ...buses({
      hTerm: jordan ? "yprev" : "hprev", hLabel: sub(jordan ? "y" : "h", PREV), hDiff: out,
      hy, xy, top: uy + 21, end: { h: xu, x: xu }, risers: [{ x: xu }],
    }),
    unit("h", xu, uy, relu ? "ReLU" : "tanh", sub("h", "t")),
    wire("h", `M${xu + 31},${uy} H${xc}`),
    chip("h", xc, uy, sub("h", "t"), { out: true }),
    strip("hvec", xc, uy + 22, null, { small: true }),
  ];
  if (out) {
    parts.push(
      vec("hvec", `M${xc + SW},${uy} H${R - 20}`),
      note((xc + SW + R - 20) / 2, uy - 8, "rnn.dia.outLayer", { anchor: "middle" }),
      // Wider than the other strips: it carries its two numbers.
      strip("y", R - 20, uy - 10, sub("y", "t"), { numbers: true, w: SW + 20 }),
    );
  }
  // What the next step reads back: h_t (Elman, plain RNN) or y_t (Jordan).
  parts.push(jordan ? note(R + SW, uy + 32, "rnn.dia.nextY", { diff: true, anchor: "end" }) : note(out ? xc + SW / 2 : R + SW, uy + 56, "rnn.dia.nextH", { diff: out, anchor: out ? "middle" : "end" }));
  return { w: W, h: 200, parts };
}

/** The layout for cell `cell` ("elman" … "fc"), σh linear or not, a plain RNN's ReLU or not. */
export function shape(cell, linear, relu = false) {
  if (cell === "gru") return gru();
  if (["elman", "jordan", "rnn"].includes(cell)) return simple(cell, relu);
  return lstm({ variant: cell === "lstm" ? "standard" : cell, linear });
}
