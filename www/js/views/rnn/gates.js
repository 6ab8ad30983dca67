// The RNN view's step panel: where the run stands, a table of every gate and state of the
// step just computed (unit by unit, coloured by value; a column's button follows that unit in
// the wiring diagram, and the followed column is marked), and the cell's formulas beside it.

import { t } from "../../i18n.js";
import { el } from "../../dom.js";
import { fmt } from "../../format.js";
import { diverging } from "../../palette.js";
import { formulas } from "./formulas.js";

/** [name, values] for each gate and state of run `run`'s last step, in the formulas' order. */
function gateRows(run) {
  const { s, simple, last } = run;
  const H_ = s.hidden;
  const at = (v, width = H_) => Array.from(v.subarray(last.time * width, (last.time + 1) * width));
  if (simple) return [["h", at(run.net.hidden())], ["y", at(run.net.output(), 2)]];
  const kind = s.cell === "gru" ? "gru" : s.cell === "rnn" ? "rnn" : "lstm";
  const names = kind === "lstm" ? ["i", "f", "c̃", "o"] : kind === "gru" ? ["r", "z", "ñ"] : [];
  const G = run.net.gateCount; // gate blocks per unit: 1, 3 or 4
  const gv = run.net.gates(last.l, last.d);
  const rows = names.map((n, q) => [n, Array.from(gv.subarray(last.time * G * H_ + q * H_, last.time * G * H_ + (q + 1) * H_))]);
  if (kind === "lstm") rows.push(["c", at(run.net.cell(last.l, last.d))]);
  rows.push(["h", at(run.net.hidden(last.l, last.d))]);
  return rows;
}

/** A column's head: a button that follows unit j (follow.js reads data-unit). */
function unitHead(j, unit) {
  // The button's name is its visible text (WCAG 2.5.3); what it does is its title.
  const b = el("button", { type: "button", class: "unit-pick", "data-unit": String(j), "aria-pressed": String(j === unit), title: t("rnn.dia.follow", { u: j + 1 }), text: `${t("rnn.unit")} ${j + 1}` });
  return el("th", { class: j === unit ? "followed" : "" }, b);
}

/** Columns the table shows at most: a trained network's hundreds of units are shown as a
 *  window around the followed one (the chain's strips show them all). */
const COLUMNS = 7;

/** The units [first, end) the table shows for `count` units, `unit` followed. */
function columns(count, unit) {
  const first = Math.max(0, Math.min(unit - Math.floor(COLUMNS / 2), count - COLUMNS));
  return [first, Math.min(count, first + COLUMNS)];
}

function gateTable(rows, unit) {
  const [first, end] = columns(rows[0][1].length, unit);
  const units = Array.from({ length: end - first }, (_, k) => first + k);
  const table = el("table", { class: "gate-table", id: "rnn-gates" });
  table.append(el("tr", {}, el("th", { text: t("rnn.gate") }), ...units.map((j) => unitHead(j, unit))));
  for (const [name, vals] of rows) {
    table.append(el("tr", { "data-gate": name }, el("th", { text: name }), ...units.map((j) => {
      // A click on any cell of the column follows its unit too.
      const td = el("td", { text: fmt(vals[j]), "data-unit": String(j), class: j === unit ? "followed" : "" });
      td.style.backgroundColor = diverging(Math.max(-1, Math.min(1, vals[j])));
      return td;
    })));
  }
  if (units.length === rows[0][1].length) return table;
  return el("div", {}, el("p", { class: "hint", text: t("rnn.window", { a: first + 1, b: end, n: rows[0][1].length }) }), table);
}

export function gatePanel() {
  const status = el("p", { class: "rnn-status", id: "rnn-status", "aria-live": "polite" });
  const gates = el("div", { class: "gates" });
  const math = el("div", { class: "formulas" });
  let markup = "";
  return {
    status,
    /** The table above the formulas (the wiring diagram goes beside them, rnn.js). */
    node: el("div", { class: "gate-col" }, gates, math),
    /** Shows run `run`'s last step, unit `unit` followed. */
    show(run, unit) {
      const { s, simple, last } = run;
      // Only a new cell rewrites the formulas, so a lit term stays lit while stepping.
      const m = formulas(s.cell, s.hact === "linear", s.nonlin === "relu").join("");
      if (m !== markup) math.innerHTML = markup = m;
      math.classList.toggle("variant", s.cell === "peephole" || s.cell === "fc" || s.cell === "jordan" || s.cell === "elman" || s.hact === "linear" || s.nonlin === "relu");
      if (!last) {
        status.textContent = t("rnn.ready", { n: run.total });
        gates.replaceChildren();
        return;
      }
      status.textContent = simple ? t("rnn.atSimple", { t: last.time + 1, pos: run.pos, n: run.total }) : t("rnn.at", { l: last.l + 1, d: t(last.d ? "rnn.backward" : "rnn.forward"), t: last.time + 1, pos: run.pos, n: run.total });
      gates.replaceChildren(el("p", { class: "hint", text: t("rnn.gatesAt") }), gateTable(gateRows(run), unit));
    },
  };
}
