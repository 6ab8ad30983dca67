// Shared by the end-to-end tests: a static server for dist/ on 127.0.0.1 and Debian's
// Chromium driven by playwright-core (no browser download; nothing leaves this machine).
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist");
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json", ".png": "image/png", ".svg": "image/svg+xml" };

/** Serves `root` on an ephemeral loopback port, adding `headers` to every response (e.g. a
 *  Content-Security-Policy); resolves to { url, close }. */
export function serve(root = DIST, headers = {}) {
  if (!fs.existsSync(path.join(root, "index.html"))) throw new Error(`${root}/index.html is missing: run trunk build first`);
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const file = path.join(root, rel.endsWith("/") ? rel + "index.html" : rel);
    if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream", ...headers });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() })));
}

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

/** A page that records every request to a host other than `origin`, and page errors. */
export async function openPage(browser, origin, { locale = "zh-CN" } = {}) {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const foreign = [];
  const errors = [];
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (!["data:", "blob:"].includes(u.protocol) && u.origin !== new URL(origin).origin) foreign.push(r.url());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  return { page, context, foreign, errors };
}

/** Loads `hash` and waits until the app says it is ready. */
export async function gotoView(page, origin, hash) {
  await page.goto(`${origin}${hash}`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 15000 });
}

/**
 * Opens `hash` in a fresh page and returns every file it fetched with its size raw and as
 * gzip -9 would send it (the static server here does not compress, so we measure).
 */
export async function firstLoad(browser, origin, hash) {
  const { gzipSync } = await import("node:zlib");
  const { page, context } = await openPage(browser, origin, { locale: "en-US" });
  const loaded = [];
  page.on("response", async (r) => {
    try {
      loaded.push({ url: new URL(r.url()).pathname, body: await r.body() });
    } catch {
      // Redirects and aborted requests have no body.
    }
  });
  await gotoView(page, origin, hash);
  await page.waitForSelector(".view[data-ready=true]", { timeout: 15000 });
  await page.waitForTimeout(300);
  const files = loaded.map(({ url, body }) => ({ url, raw: body.length, gz: gzipSync(body, { level: 9 }).length }));
  return { page, context, files, total: files.reduce((a, f) => a + f.gz, 0) };
}
