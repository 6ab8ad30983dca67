// Reduces the Tang poems of npm chinese-poetry@2.0.1 (dist/quantangshi/poet.tang.*.json:
// JSON arrays of { author, paragraphs[], title, id }, in traditional characters) to one
// text file of quatrains, converted to simplified characters with npm opencc-js (OpenCC's
// "t" → "cn" tables): one poem a line, its four lines of 5 or 7 characters each closed by
// "，" or "。" as "AAAAA，BBBBB。CCCCC，DDDDD。". Poems of any other form are left out. The
// lines come in file order (poet.tang.0.json, 1000, 2000, …), poems in each file's order,
// so the held-out split (every 10th line, crate/src/lm/corpus.rs) is fixed.
//
// usage: node scripts/tang-quatrains.mjs SRC_DIR OPENCC_DIR OUT_FILE
//   SRC_DIR: the extracted package/dist/quantangshi; OPENCC_DIR: a folder whose
//   node_modules holds opencc-js@1.4.2.
import { readFileSync, readdirSync, writeFileSync, renameSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [src, openccDir, out] = process.argv.slice(2);
if (!src || !openccDir || !out) {
  console.error("usage: node scripts/tang-quatrains.mjs SRC_DIR OPENCC_DIR OUT_FILE");
  process.exit(2);
}
const OpenCC = await import(
  pathToFileURL(resolve(openccDir, "node_modules/opencc-js/dist/esm/full.js")).href
);
const toSimplified = OpenCC.Converter({ from: "t", to: "cn" });

const files = readdirSync(src)
  .filter((f) => /^poet\.tang\.\d+\.json$/.test(f))
  .sort((a, b) => Number(a.split(".")[2]) - Number(b.split(".")[2]));
if (files.length === 0) throw new Error(`${src}: no poet.tang.*.json files`);

// A quatrain: two couplets of 5- or 7-character lines, hanzi only between the marks.
const HAN = "\\p{Script=Han}";
const QUATRAIN = new RegExp(`^(?:(${HAN}{5})，${HAN}{5}。${HAN}{5}，${HAN}{5}。|${HAN}{7}，${HAN}{7}。${HAN}{7}，${HAN}{7}。)$`, "u");
let poems = 0;
const kept = [];
for (const f of files) {
  for (const p of JSON.parse(readFileSync(join(src, f), "utf8"))) {
    poems++;
    const text = toSimplified((p.paragraphs ?? []).join("").replace(/\s/g, ""));
    if (QUATRAIN.test(text)) kept.push(text);
  }
}
writeFileSync(out + ".part", kept.join("\n") + "\n");
renameSync(out + ".part", out);
console.error(`${out}: ${kept.length} quatrains of ${poems} Tang poems in ${files.length} files`);
