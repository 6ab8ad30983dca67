// A small static file server for the Chromium benchmark page (scripts/bench-chromium.mjs):
// serves a few folders of the repository, read-only, on an ephemeral port of 127.0.0.1, so
// the page loads nnplay's web build, the peers' browser bundles from bench/node_modules,
// MNIST, the Tang quatrains and the shipped weights from this machine and nowhere else.
// (tests/e2e/harness.mjs serves only dist/; the bench page needs files from several roots.)
import http from "node:http";
import fs from "node:fs";
import path from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
};

/** Serves the files under `root` whose path starts with one of `prefixes` (URL paths such
 *  as "/bench/"); everything else is a 404. Resolves to { url, close }. */
export function serve(root, prefixes) {
  root = path.resolve(root);
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const file = path.resolve(root, `.${rel}`);
    // Checked on the resolved path, so "/bench/../crate/" is outside "/bench/".
    const norm = `/${path.relative(root, file).split(path.sep).join("/")}`;
    const allowed = file.startsWith(root + path.sep) && prefixes.some((p) => norm.startsWith(p));
    if (!allowed || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) })),
  );
}
