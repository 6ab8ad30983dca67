// Every string key exists in both languages (a missing one would show a raw key to a student).
import { test } from "node:test";
import assert from "node:assert/strict";
import { LANGS } from "../../www/js/i18n.js";

test("zh and en tables have the same keys and no empty strings", async () => {
  const tables = Object.fromEntries(await Promise.all(LANGS.map(async (l) => [l, (await import(`../../www/js/i18n/${l}.js`)).default])));
  assert.deepEqual(Object.keys(tables.zh).sort(), Object.keys(tables.en).sort());
  for (const [lang, table] of Object.entries(tables)) for (const [k, v] of Object.entries(table)) assert.ok(v.trim(), `${lang}.${k} is empty`);
});
