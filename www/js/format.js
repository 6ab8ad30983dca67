// Numbers as the course writes them, for the arithmetic, tables and labels of every view.

/** Integers plain, others to 3 decimals; negatives in parentheses when they stand inside a
 *  product (1*(-1)). */
export function fmt(v, paren = false) {
  const r = Math.round(v * 1000) / 1000;
  const s = Object.is(r, -0) ? "0" : String(r);
  return paren && r < 0 ? `(${s})` : s;
}
