// The page's state lives in the URL hash (#view=conv&stride=2&…), so any view can be linked,
// embedded and restored. Each view declares its fields; a field that is missing, of the
// wrong type or out of range falls back to its default on its own — a hostile or mistyped
// URL never reaches the page as anything but a known value.

/** Field kinds: enum (one of `values`), int (whole number in [min, max]), list (numbers),
 *  set (words from `values`), text (a string of at most `max` characters). */
export function parseField(spec, raw) {
  if (raw == null) return spec.default;
  switch (spec.kind) {
    case "enum":
      return spec.values.includes(raw) ? raw : spec.default;
    case "int": {
      if (!/^-?\d{1,9}$/.test(raw)) return spec.default;
      const v = Number(raw);
      return v >= spec.min && v <= spec.max ? v : spec.default;
    }
    case "set": {
      // Comma-separated words, each one of `values` (unknown words are dropped).
      const words = raw.split(",").filter((w) => spec.values.includes(w));
      return [...new Set(words)];
    }
    case "text":
      // Free text (a sentence to segment): only its length is limited. It reaches the page
      // through textContent and input values only, never as markup.
      return raw.length <= spec.max ? raw : spec.default;
    case "list": {
      // Comma-separated finite numbers, at most spec.max of them (grids a student edited).
      const parts = raw.split(",");
      if (parts.length === 0 || parts.length > spec.max) return spec.default;
      const nums = parts.map((p) => (/^-?\d{1,4}(\.\d{1,4})?$/.test(p) ? Number(p) : NaN));
      return nums.every(Number.isFinite) ? nums : spec.default;
    }
    default:
      return spec.default;
  }
}

function formatField(spec, v) {
  return spec.kind === "list" || spec.kind === "set" ? v.join(",") : String(v);
}

/** Reads `schema`'s fields from a hash string ("#a=1&b=2"). Unknown keys are ignored. */
export function readHash(schema, hash = location.hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const out = {};
  for (const [key, spec] of Object.entries(schema)) out[key] = parseField(spec, params.get(key));
  return out;
}

/** The hash of `state`: the fields that differ from their defaults, so links stay short. */
export function hashOf(schema, state) {
  const params = new URLSearchParams();
  for (const [key, spec] of Object.entries(schema)) {
    const v = state[key];
    if (v === undefined || v === null) continue;
    const same = spec.kind === "list" || spec.kind === "set" ? JSON.stringify(v) === JSON.stringify(spec.default) : v === spec.default;
    if (!same || spec.always) params.set(key, formatField(spec, v));
  }
  return "#" + params.toString().replace(/%2C/g, ",");
}

/** Puts `state` in the URL (without a history entry). */
export function writeHash(schema, state) {
  const hash = hashOf(schema, state);
  if (hash !== location.hash) history.replaceState(null, "", hash);
}

/** What a field accepts, in words, for the host protocol's error sentences (www/js/host.js). */
export function describeField(spec) {
  switch (spec.kind) {
    case "enum":
      return `one of ${spec.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "int":
      return `a whole number from ${spec.min} to ${spec.max}`;
    case "set":
      return `an array of distinct words from ${spec.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "text":
      return `a string of at most ${spec.max} characters`;
    case "list":
      return `an array of 1 to ${spec.max} numbers, each with at most 4 digits before and 4 after the point`;
    default:
      return "nothing";
  }
}

const TYPES = { enum: "string", int: "number", text: "string" };

/** True if `value` (as a host page sends it: a number, a string, an array) is one the hash
 *  could hold for this field: it must survive the trip through the hash's text unchanged, so
 *  the host protocol accepts exactly what a link can say, through the same parser. */
export function acceptsValue(spec, value) {
  if (spec.kind === "set" || spec.kind === "list") {
    const item = spec.kind === "set" ? "string" : "number";
    if (!Array.isArray(value) || !value.every((v) => typeof v === item)) return false;
  } else if (typeof value !== TYPES[spec.kind]) return false;
  return JSON.stringify(parseField(spec, formatField(spec, value))) === JSON.stringify(value);
}
