// The URL-hash state module: each field is read on its own, and anything malformed falls
// back to that field's default.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseField } from "../../www/js/state.js";

test("fields parse or fall back to their default, one by one", () => {
  const int = { kind: "int", min: 1, max: 4, default: 1 };
  assert.equal(parseField(int, "3"), 3);
  for (const bad of ["0", "5", "2.5", "1e3", "", "NaN", "99999999999999", "<script>"]) assert.equal(parseField(int, bad), 1, bad);
  const en = { kind: "enum", values: ["same", "valid"], default: "valid" };
  assert.equal(parseField(en, "same"), "same");
  assert.equal(parseField(en, "__proto__"), "valid");
  const list = { kind: "list", max: 4, default: null };
  assert.deepEqual(parseField(list, "1,-2,0.5"), [1, -2, 0.5]);
  for (const bad of ["1,2,3,4,5", "1,,2", "1,x", "1e9", "Infinity"]) assert.equal(parseField(list, bad), null, bad);
  assert.equal(parseField(int, null), 1);
  const set = { kind: "set", values: ["header", "intro"], default: [] };
  assert.deepEqual(parseField(set, "intro,bogus,<img>,intro"), ["intro"]);
  const text = { kind: "text", max: 5, default: "x" };
  assert.equal(parseField(text, "<b>hi"), "<b>hi"); // kept as text; views write it with textContent
  assert.equal(parseField(text, "toolong"), "x");
});
