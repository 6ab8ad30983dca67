// Shared by the end-to-end tests: a static server for dist/ on 127.0.0.1 and Debian's
// Chromium or Firefox ESR driven by playwright-core (no browser download; nothing leaves this
// machine). E2E_BROWSER=firefox picks Firefox (over WebDriver BiDi); the default is Chromium.
// (Not $BROWSER: desktops set that to the user's browser for xdg-open and friends.)
import { spawn } from "node:child_process";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { before, after } from "node:test";
import { chromium, firefox } from "playwright-core";

export const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist");
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json", ".png": "image/png", ".svg": "image/svg+xml" };

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

export const BROWSER = process.env.E2E_BROWSER || "chromium";
if (!["chromium", "firefox"].includes(BROWSER)) throw new Error(`E2E_BROWSER=${BROWSER}: chromium or firefox`);
/** Where the tests put their screenshots, one folder per engine. */
export const RESULTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "results", BROWSER);
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const FIREFOX = process.env.FIREFOX ?? "/usr/bin/firefox-esr";

/** Starts Xvfb on a free display; resolves to its process and display name (":N"). */
function xvfb() {
  const proc = spawn("Xvfb", ["-displayfd", "1", "-screen", "0", "1400x1000x24", "-nolisten", "tcp"], { stdio: ["ignore", "pipe", "ignore"] });
  return new Promise((resolve, reject) => {
    let out = "";
    proc.on("error", reject);
    proc.on("exit", (code) => reject(new Error(`Xvfb exited with ${code}`)));
    proc.stdout.on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve({ proc, display: `:${out.trim()}` });
    });
  });
}

/** Debian's Chromium, or with E2E_BROWSER=firefox Debian's Firefox ESR. playwright-core is pinned
 *  to 1.64.1: in 1.65, browser.newContext sends emulation.setMediaFeaturesOverride, which
 *  Firefox 153 ESR rejects ("unknown command"). */
export async function launch() {
  if (BROWSER === "firefox") {
    // Headless Firefox has no WebGL at all (bugzilla.mozilla.org/1375585), and the LeNet view's
    // 3D mode needs WebGL 2: so Firefox runs with a window, on a private Xvfb display that
    // nobody sees (Mesa's llvmpipe renders). Without Xvfb, headless, and the 3D test fails.
    const x = await xvfb().catch((e) => {
      console.error(`no Xvfb (${e.message}): Firefox runs headless, without WebGL`);
      return null;
    });
    // MOZ_DISABLE_NONLOCAL_CONNECTIONS (Mozilla's own test switch): Firefox takes the remote
    // agent's dummy remote-settings server instead of polling firefox.settings.services.
    // mozilla.com, and any connection beyond loopback, the page's or Firefox's own, aborts
    // the browser ("FATAL ERROR: Non-local network connections are disabled and a connection
    // attempt to <host> was made"), which fails the test that was running.
    const env = { ...process.env, MOZ_DISABLE_NONLOCAL_CONNECTIONS: "1" };
    if (x) env.DISPLAY = x.display;
    const stopX = () => x?.proc.kill();
    process.on("exit", stopX);
    const browser = await firefox.launch({ channel: "moz-firefox", executablePath: FIREFOX, headless: !x, env }).catch((e) => {
      stopX();
      throw e;
    });
    browser.on("disconnected", () => {
      stopX();
      process.off("exit", stopX);
    });
    return browser;
  }
  // Despite --disable-background-networking and friends, Chromium still called
  // update.googleapis.com, accounts.google.com and content-autofill.googleapis.com (seen
  // through a logging proxy): so everything but loopback (which Chromium never proxies) goes
  // to a proxy that is not there, and fails. The page's own requests still reach
  // page.on("request") first, so a page reaching out still fails the tests.
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--proxy-server=http://127.0.0.1:9"],
  });
}

/** For a test file whose tests share one server for dist/ and one browser: registers the
 *  node:test hooks that start them before the file's first test and stop them after its
 *  last. Returns { server, browser }, filled in once the hook has run. */
export function sharedBrowser() {
  const shared = {};
  before(async () => {
    shared.server = await serve();
    shared.browser = await launch();
  });
  after(async () => {
    await shared.browser?.close();
    shared.server?.close();
  });
  return shared;
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

/** Presses the header's language button and waits until the page speaks the other language
 *  (that language's strings load on the first press). */
export async function switchLang(page) {
  const was = await page.evaluate(() => document.documentElement.lang);
  await page.click("#lang-switch");
  await page.waitForFunction((l) => document.documentElement.lang !== l, was);
}

/**
 * Opens `hash` in a fresh page and returns every file it fetched with its size raw and as
 * gzip -9 would send it (the static server here does not compress, so we measure). Firefox
 * fetches the favicon for its tab, not for the page, so its list lacks that one file.
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

/**
 * Clicks `selector`, which makes the page offer a file (www/js/download.js), and returns
 * {name, bytes} of that file. Read from the page's own Blob rather than through the
 * browser's download manager, which Firefox ESR driven over WebDriver BiDi does not report.
 */
export async function offeredFile(page, selector) {
  await page.evaluate(() => {
    const click = HTMLAnchorElement.prototype.click;
    window.__offered = new Promise((resolve) => {
      HTMLAnchorElement.prototype.click = function () {
        if (!this.download) return click.call(this);
        HTMLAnchorElement.prototype.click = click;
        fetch(this.href)
          .then((r) => r.arrayBuffer())
          .then((b) => resolve({ name: this.download, bytes: Array.from(new Uint8Array(b)) }));
      };
    });
  });
  await page.click(selector);
  const { name, bytes } = await page.evaluate(() => window.__offered);
  return { name, bytes: Uint8Array.from(bytes) };
}

/** A safetensors file of `shapes` (name → shape), values uniform in ±0.1, with `metadata`. */
export function safetensors(shapes, metadata) {
  const header = { __metadata__: metadata };
  let offset = 0;
  for (const [name, shape] of Object.entries(shapes)) {
    const bytes = 4 * shape.reduce((a, b) => a * b, 1);
    header[name] = { dtype: "F32", shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let text = JSON.stringify(header);
  text += " ".repeat((8 - (text.length % 8)) % 8);
  const head = Buffer.from(text);
  const out = Buffer.alloc(8 + head.length + offset);
  out.writeBigUInt64LE(BigInt(head.length), 0);
  head.copy(out, 8);
  let seed = 1;
  for (let i = 8 + head.length; i < out.length; i += 4) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    out.writeFloatLE((seed / 2147483648 - 0.5) * 0.2, i);
  }
  return out;
}

/** Every visible element of a document with text of its own, and the size it is drawn at in
 *  CSS px (an SVG label's font size times the SVG's scale). */
export const textSizes = (doc) =>
  doc.evaluate(() => {
    const out = [];
    for (const e of document.body.querySelectorAll("*")) {
      if (["SCRIPT", "STYLE", "OPTION", "IFRAME"].includes(e.tagName)) continue;
      const own = [...e.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim()) || ["SELECT", "BUTTON", "INPUT", "TEXTAREA"].includes(e.tagName);
      if (!own) continue;
      const r = e.getBoundingClientRect();
      if (r.width < 1 || r.height < 1 || !e.checkVisibility({ visibilityProperty: true, opacityProperty: true })) continue;
      let px = parseFloat(getComputedStyle(e).fontSize);
      if (e instanceof SVGElement) {
        const m = e.getScreenCTM();
        px *= Math.hypot(m.a, m.b);
      }
      out.push({ what: `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}.${e.getAttribute("class") ?? ""} "${e.textContent.trim().slice(0, 30)}"`, px: Math.round(px * 10) / 10 });
    }
    return out;
  });
