// Every string key exists in both languages (a missing one would show a raw key to a student).
import { test } from "node:test";
import assert from "node:assert/strict";

test("zh and en tables have the same keys and no empty strings", async () => {
  globalThis.navigator ??= { languages: ["en"] };
  globalThis.document ??= { documentElement: {} };
  const { TABLES } = await import("../../www/js/i18n.js");
  assert.deepEqual(Object.keys(TABLES.zh).sort(), Object.keys(TABLES.en).sort());
  for (const [lang, table] of Object.entries(TABLES)) for (const [k, v] of Object.entries(table)) assert.ok(v.trim(), `${lang}.${k} is empty`);
});
