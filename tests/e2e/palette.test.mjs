// One palette: js/palette.js's COLORS and style.css's custom properties name the same colours,
// and no other script or rule writes a colour of its own.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { COLORS } from "../../www/js/palette.js";

const WWW = new URL("../../www/", import.meta.url);
const css = fs.readFileSync(new URL("css/style.css", WWW), "utf8");
const root = css.match(/:root\s*\{([^}]*)\}/)[1];
const LITERAL = /#[0-9a-f]{3,8}\b|\brgba?\(|\bhsla?\(/i;

test("style.css declares every palette colour with the same value", () => {
  const declared = Object.fromEntries([...root.matchAll(/--([\w-]+):\s*([^;]+);/g)].map((m) => [m[1], m[2].trim()]));
  for (const [name, hex] of Object.entries(COLORS)) assert.equal(declared[name]?.toLowerCase(), hex, `--${name}`);
});

test("colours are written only in the palette", () => {
  const rules = css.replace(/:root\s*\{[^}]*\}/, "");
  const stray = (text) => text.match(new RegExp(`.{0,40}(${LITERAL.source}).{0,20}`, "i"))?.[0];
  assert.equal(stray(rules), undefined, "style.css outside :root");
  const dir = fileURLToPath(new URL("js/", WWW));
  for (const file of fs.readdirSync(dir, { recursive: true })) {
    if (!file.endsWith(".js") || file === "palette.js") continue;
    // Shader sources start with "#version"; no other hash-word is a colour.
    const src = fs.readFileSync(path.join(dir, file), "utf8").replace(/#version \d+ es/g, "");
    assert.equal(stray(src), undefined, file);
  }
});
