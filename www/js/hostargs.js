// Checks of the arguments a host page passes to a view's actions (www/js/host.js): each throws
// an Error whose message says what was expected and what came, for the host's developer.

/** A value in a sentence: its JSON text, cut short (never more than data). */
export function show(v) {
  let s;
  try {
    s = JSON.stringify(v);
  } catch {
    s = undefined;
  }
  s ??= Object.prototype.toString.call(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** `v` if it is a whole number from `min` to `max`; `name` says which argument it is. */
export function wholeNumber(name, v, min, max) {
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${show(v)}`);
  return v;
}

/** `v` if it is one of `values`. */
export function oneOf(name, v, values) {
  if (!values.includes(v)) throw new Error(`${name} must be one of ${values.map((x) => JSON.stringify(x)).join(", ")}, got ${show(v)}`);
  return v;
}

/** A Float32Array of `v`: `length` numbers from 0 to 1, in an array or a typed array. */
export function unitImage(name, v, length) {
  if (!Array.isArray(v) && !(ArrayBuffer.isView(v) && !(v instanceof DataView))) throw new Error(`${name} must be an array of ${length} numbers from 0 to 1, got ${show(v)}`);
  if (v.length !== length) throw new Error(`${name} must have ${length} numbers (28 rows of 28, row by row), got ${v.length}`);
  for (let i = 0; i < length; i++) {
    const x = v[i];
    if (typeof x !== "number" || !(x >= 0 && x <= 1)) throw new Error(`${name}[${i}] must be a number from 0 (paper) to 1 (ink), got ${show(x)}`);
  }
  return Float32Array.from(v);
}
