// The wiring diagram's words: each term's name (titles, the text alternative) and the text
// alternative itself, which reads the followed unit's values in the order the cell computes
// them, in the page's language.

import { t } from "../../i18n.js";
import { fmt } from "../../format.js";
import { ORDER, shapeOf } from "./stepvalues.js";

/** "input gate iₜ" / "输入门 iₜ" (Unicode subscripts: a title or an aria-label has no markup). */
export const termName = (term) => t(`rnn.term.${term}`);

/** Where the step shown was computed: "layer 1 (forward), time step 3". */
function where(run, at) {
  if (run.simple) return t("rnn.dia.whereSimple", { t: at.time + 1 });
  return t("rnn.dia.where", { l: at.l + 1, d: t(at.d ? "rnn.backward" : "rnn.forward"), t: at.time + 1 });
}

/** One term as read aloud: a scalar, or a vector in brackets. */
function reading(term, values) {
  const v = values.val[term];
  if (v !== undefined) return `${termName(term)} = ${fmt(v)}`;
  const vec = values.vec[term];
  if (!vec) return null;
  const name = term === "x" && values.at.l > 0 ? `${termName("x")} (${t("rnn.dia.fromBelow", { l: values.at.l })})` : termName(term);
  return `${name} = [${vec.map((x) => fmt(x)).join(", ")}]`;
}

/** The text alternative for unit `unit` of run `run` (values from stepvalues.js, or null
 *  before the first step). */
export function describe(run, unit, values) {
  const head = { cell: t(`rnn.cell.${run.s.cell}`), u: unit + 1, n: run.s.hidden };
  if (!values) return t("rnn.dia.label", { ...head, where: t("rnn.dia.notYet"), values: "" });
  const read = ORDER[shapeOf(run.s.cell)].map((term) => reading(term, values)).filter(Boolean);
  return t("rnn.dia.label", { ...head, where: where(run, values.at), values: read.join(t("rnn.dia.sep")) });
}
