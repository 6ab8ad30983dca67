// The host protocol (www/js/host.js) and frames that size themselves (www/js/framesize.js,
// www/embed.js), through the real postMessage path: a course page on another origin frames
// nnplay, includes dist/embed.js, drives every command and hears every event; a sibling frame
// and a window that opened nnplay are not obeyed; malformed commands and bad fields get an
// error reply and change nothing; nothing reaches an origin that is not the parent's.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { serve, launch, openPage, DIST } from "./harness.mjs";

const env = {};

/** The course pages: `/` frames nnplay (`hash`) and a sibling frame; `/strict` the same under
 *  Referrer-Policy: no-referrer; `/via` (without embed.js) frames `/go` of another origin,
 *  which sends its frame on to nnplay, so nnplay's referrer names an origin that is not its
 *  parent's. */
function coursePages(app) {
  const record = `
    window.received = [];
    const app = () => document.getElementById("app");
    addEventListener("message", (e) => { if (e.source === app().contentWindow) received.push({ origin: e.origin, data: e.data }); });
    let n = 0;
    // Posts \`message\` as is (its id is set here) and resolves to the reply, or null after \`ms\`.
    window.raw = (message, ms = 4000) => new Promise((resolve) => {
      const id = message.id ?? "raw-" + ++n;
      const since = received.length;
      const t0 = Date.now();
      app().contentWindow.postMessage({ ...message, id }, ${JSON.stringify(new URL(app).origin)});
      (function poll() {
        const reply = received.slice(since).find((m) => m.data.id === id && !("event" in m.data));
        if (reply) resolve(reply.data);
        else if (Date.now() - t0 > ms) resolve(null);
        else setTimeout(poll, 20);
      })();
    });`;
  const page = (hash, frameSrc = `${app}${hash}`, embed = true) => `<!doctype html><html lang="en"><head><title>course notes</title>
    ${embed ? `<script src="${app}embed.js"></script>` : ""}</head><body><h1>Lesson 5</h1>
    <iframe id="app" src="${frameSrc}" width="1000" height="300" style="border:0" title="nnplay"></iframe>
    <iframe id="sibling" src="/sibling" title="another frame"></iframe>
    <script>${record}</script></body></html>`;
  return (req, res) => {
    const url = new URL(req.url, "http://x");
    const html = (body, headers = {}) => res.writeHead(200, { "content-type": "text/html; charset=utf-8", ...headers }).end(body);
    const hash = url.searchParams.get("hash") ?? "#view=ilsvrc&lang=en";
    if (url.pathname === "/") return html(page(hash));
    if (url.pathname === "/strict") return html(page(hash), { "referrer-policy": "no-referrer" });
    if (url.pathname === "/via") return html(page(hash, `${url.searchParams.get("other")}go?hash=${encodeURIComponent(hash)}`, false));
    if (url.pathname === "/go") return html(`<!doctype html><title>go</title><script>location.replace(${JSON.stringify(app + hash)})</script>`);
    if (url.pathname === "/sibling")
      return html(`<!doctype html><title>sibling</title><script>
        window.heard = [];
        addEventListener("message", (e) => heard.push(e.data));
        window.poke = (message) => parent.frames[0].postMessage(message, "*");
      </script>`);
    // The browser's favicon request for the course page: no icon, and no error.
    res.writeHead(url.pathname === "/favicon.ico" ? 204 : 404).end();
  };
}

const listen = (handler) => new Promise((r) => { const s = http.createServer(handler); s.listen(0, "127.0.0.1", () => r(s)); });

// nnplay is served under csp.test.mjs's strict policy: a violation is a console error, which
// fails the test that caused it.
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

before(async () => {
  env.app = await serve(DIST, { "content-security-policy": CSP });
  env.appOrigin = new URL(env.app.url).origin;
  const handler = coursePages(env.app.url);
  env.course = await listen(handler);
  env.other = await listen(handler); // the same pages on a third origin
  env.courseUrl = `http://127.0.0.1:${env.course.address().port}/`;
  env.otherUrl = `http://127.0.0.1:${env.other.address().port}/`;
  env.browser = await launch();
});
after(async () => {
  await env.browser?.close();
  env.app?.close();
  env.course?.close();
  env.other?.close();
});

/** Opens a course page and waits for nnplay's `ready` event in it. */
async function openCourse(pathAndQuery = "") {
  const { page, context, errors } = await openPage(env.browser, env.courseUrl, { locale: "en-US" });
  await page.goto(env.courseUrl + pathAndQuery);
  await waitEvent(page, "ready");
  const frame = page.frames().find((f) => f.url().startsWith(env.app.url));
  return { page, context, errors, frame };
}

/** Waits for event `name` (after `since` messages) whose fields include `fields`; returns it. */
async function waitEvent(page, name, since = 0, fields = {}) {
  const handle = await page.waitForFunction(
    ({ name, since, fields }) => received.slice(since).find((m) => m.data.event === name && Object.entries(fields).every(([k, v]) => JSON.stringify(m.data[k]) === JSON.stringify(v)))?.data,
    { name, since, fields },
    { timeout: 20000 },
  );
  return handle.jsonValue();
}

const count = (page) => page.evaluate(() => received.length);
const send = (page, method, args) => page.evaluate(([method, args]) => nnplay.send(document.getElementById("app"), method, args).then((result) => ({ result }), (e) => ({ error: e.message })), [method, args]);
const raw = (page, message, ms) => page.evaluate(([message, ms]) => raw(message, ms), [message, ms]);

test("ready, resize and lti.frameResize reach the host's origin only, and embed.js sizes the frame to its content", async () => {
  const { page, context, errors, frame } = await openCourse();
  const ready = await waitEvent(page, "ready");
  assert.equal(ready.view, "ilsvrc");
  assert.equal(ready.state.view, "ilsvrc");
  assert.equal(ready.state.lang, "en");
  // Every message came from nnplay's origin (the browser would have dropped any addressed to
  // another origin than this page's, so arriving at all shows the target origin was ours).
  assert.ok(await page.evaluate((origin) => received.every((m) => m.origin === origin), env.appOrigin));
  // The newest height posted, both ways, is the content's height, and the frame has it.
  await page.waitForTimeout(300);
  const short = await frame.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));
  await page.waitForFunction((h) => received.filter((m) => m.data.subject === "lti.frameResize").at(-1)?.data.height === h, short);
  await page.waitForFunction((h) => received.filter((m) => m.data.event === "resize").at(-1)?.data.height === h, short);
  await page.waitForFunction((h) => document.getElementById("app").getBoundingClientRect().height === h, short);
  // Another view, taller: the frame follows it.
  const since = await count(page);
  assert.deepEqual((await send(page, "setState", [{ view: "rnn" }])).result.view, "rnn");
  const resized = await waitEvent(page, "resize", since);
  await waitEvent(page, "ready", since, { view: "rnn" });
  await page.waitForFunction(() => document.getElementById("app").getBoundingClientRect().height > 1000);
  const tall = await frame.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));
  assert.ok(tall > short + 500, `the RNN view (${tall} px) is taller than ImageNet's (${short} px)`);
  assert.ok(resized.height > short);
  await page.waitForFunction((h) => document.getElementById("app").getBoundingClientRect().height === h, tall);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the RNN view is stepped, played, paused, reset and its unit chosen, with a statechange after each", async () => {
  const { page, context, errors, frame } = await openCourse("?hash=" + encodeURIComponent("#view=rnn&cell=lstm&lang=en"));
  const state = (await send(page, "getState", [])).result;
  assert.equal(state.view, "rnn");
  assert.equal(state.pos, 0);
  let since = await count(page);
  assert.equal((await send(page, "step", [])).result.pos, 1);
  assert.equal((await waitEvent(page, "statechange", since, {})).state.pos, 1);
  assert.equal(await frame.inputValue("#rnn-scrub"), "1");
  assert.match(frame.url(), /pos=1/);
  await send(page, "step", []);
  assert.equal((await send(page, "back", [])).result.pos, 1);
  since = await count(page);
  await send(page, "play", []);
  await waitEvent(page, "statechange", since);
  const s1 = await page.waitForFunction((since) => received.slice(since).filter((m) => m.data.event === "statechange").at(-1)?.data.state.pos >= 3, since, { timeout: 10000 });
  assert.ok(s1);
  const paused = (await send(page, "pause", [])).result.pos;
  await page.waitForTimeout(1500);
  assert.equal((await send(page, "getState", [])).result.pos, paused, "nothing moves after pause");
  assert.match(await frame.textContent("#rnn-play"), /^Play/);
  assert.equal((await send(page, "reset", [])).result.pos, 0);
  assert.equal((await send(page, "selectUnit", [2])).result.unit, 2);
  assert.match(frame.url(), /unit=2/);
  const bad = await send(page, "selectUnit", [4]);
  assert.equal(bad.error, "selectUnit: unit must be a whole number from 0 to 3, got 4");
  assert.equal((await send(page, "getState", [])).result.unit, 2);
  assert.match((await send(page, "step", [1])).error, /^step takes at most 0 arguments, got 1$/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("setState takes fields the hash schema accepts, all or nothing; malformed commands get an error and change nothing", async () => {
  const { page, context, errors, frame } = await openCourse("?hash=" + encodeURIComponent("#view=rnn&lang=en"));
  const ok = await send(page, "setState", [{ cell: "gru", hidden: 6, hide: ["intro"] }]);
  assert.equal(ok.result.cell, "gru");
  assert.equal(await frame.inputValue("#rnn-cell"), "gru");
  assert.match(frame.url(), /cell=gru/);
  assert.match(frame.url(), /hidden=6/);
  assert.equal(await frame.isVisible(".view .intro"), false);
  // A field the link locks (lesson mode's lock=) holds against the host too, and says so.
  await send(page, "setState", [{ lock: ["seed"] }]);
  assert.match((await send(page, "setState", [{ seed: 5, pos: 1 }])).error, /seed is locked by the page's link \(lock=\); nothing was changed/);
  await send(page, "setState", [{ lock: [] }]);
  const before = (await send(page, "getState", [])).result;
  const since = await count(page);
  // One good field and two bad ones: none applied, both bad ones named.
  const refused = await send(page, "setState", [{ hidden: 3, cell: "gru2", colour: "red" }]);
  assert.match(refused.error, /^setState: field "cell" must be one of "elman", "jordan", "rnn", "gru", "lstm", "peephole", "fc", got "gru2"; unknown field "colour" for the rnn view \(its fields: view, lang, hide, lock, note, .*\bhidden, pos\b.*\); nothing was changed$/);
  for (const [fields, says] of [
    [{ hidden: 9 }, 'field "hidden" must be a whole number from 2 to 8, got 9'],
    [{ hidden: "4" }, 'field "hidden" must be a whole number from 2 to 8, got "4"'],
    [{ pos: 1.5 }, 'field "pos" must be a whole number from 0 to 999, got 1.5'],
    [{ hide: ["intro", "everything"] }, 'field "hide" must be an array of distinct words'],
    [{ view: "slides" }, 'field "view" must be one of'],
    [{ text: "x".repeat(25) }, 'field "text" must be a string of at most 24 characters'],
  ]) assert.ok((await send(page, "setState", [fields])).error?.includes(says), `${JSON.stringify(fields)} → ${says}`);
  assert.equal((await send(page, "setState", [[1]])).error, "setState takes one argument, an object of fields, got [[1]]");
  // Malformed nnplay messages: each gets an error reply with its id.
  const malformed = [
    [{ namespace: "nnplay", method: 42 }, "method must be the name of a command, got 42"],
    [{ namespace: "nnplay", method: "explode" }, 'unknown method "explode": the rnn view understands getState, setState, step, back, play, pause, reset, selectUnit'],
    [{ namespace: "nnplay", method: "getState", args: "all" }, 'args must be an array of arguments, got "all"'],
    [{ namespace: "nnplay", method: "getState", code: "alert(1)" }, 'unknown key "code" in the message: a command has only namespace, method, args and id'],
    [{ namespace: "nnplay", method: "__proto__" }, 'unknown method "__proto__"'],
    [{ namespace: "nnplay", method: "toString" }, 'unknown method "toString"'],
  ];
  for (const [message, says] of malformed) {
    const reply = await raw(page, message);
    assert.equal(reply?.namespace, "nnplay", JSON.stringify(message));
    assert.ok(reply.error.startsWith(says), `${reply.error} / ${says}`);
    assert.ok(!("result" in reply));
  }
  const badId = await raw(page, { namespace: "nnplay", method: "getState", id: { $gt: 1 } });
  assert.equal(badId, null, "a reply to a malformed id cannot name it");
  assert.ok((await page.evaluate(() => received)).some((m) => m.data.error === 'id must be a string of at most 64 characters or a finite number, got {"$gt":1}' && m.data.id === null));
  // Not nnplay's: ignored silently.
  assert.equal(await raw(page, { namespace: "reveal", method: "step", id: "r1" }, 800), null);
  assert.equal(await raw(page, "step", 800), null);
  assert.deepEqual((await send(page, "getState", [])).result, before, "nothing changed");
  assert.equal(await page.evaluate((since) => received.slice(since).filter((m) => m.data.event === "statechange").length, since), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test("LeNet-5 shows a test digit, reads a host's 28×28 image, selects a unit, and posts each prediction", async () => {
  const { page, context, errors, frame } = await openCourse("?hash=" + encodeURIComponent("#view=lenet&lang=en"));
  const ready = await waitEvent(page, "ready", 0, { view: "lenet" });
  assert.deepEqual(ready.actions, ["showDigit", "setImage", "selectUnit"]);
  const digits = fs.readFileSync(path.join(DIST, "data/mnist/test-100.bin"));
  let since = await count(page);
  assert.equal((await send(page, "showDigit", [42])).result.digit, 42);
  const label = digits[42 * 785];
  const pred = await waitEvent(page, "prediction", since, { digit: label });
  assert.equal(pred.readable, true);
  assert.equal(pred.probabilities.length, 10);
  assert.ok(Math.abs(pred.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-3);
  assert.equal(pred.name, String(label));
  assert.equal(await frame.inputValue("#lenet-digit"), "42");
  // An image of the host's own: test digit 7's pixels, sent while digit 42 is shown.
  const image = Array.from(digits.subarray(7 * 785 + 1, 8 * 785), (b) => b / 255);
  since = await count(page);
  await send(page, "setImage", [image]);
  const read = await waitEvent(page, "prediction", since, { digit: digits[7 * 785] });
  assert.ok(read.probabilities[read.digit] > 0.9);
  assert.equal(await frame.textContent(".truth"), "An image sent by the page this one is embedded in");
  // And showDigit of the digit already shown puts it back over the image.
  since = await count(page);
  await send(page, "showDigit", [42]);
  await waitEvent(page, "prediction", since, { digit: label });
  assert.equal((await send(page, "selectUnit", [5, "c1"])).result.layer, "c1");
  assert.match(frame.url(), /layer=c1&unit=5/);
  assert.equal((await send(page, "selectUnit", [3])).result.unit, 3, "the layer selected stays");
  for (const [method, args, says] of [
    ["showDigit", [100], "showDigit: index must be a whole number from 0 to 99, got 100"],
    ["setImage", [image.slice(1)], "setImage: image must have 784 numbers (28 rows of 28, row by row), got 783"],
    ["setImage", [image.map((v, i) => (i === 300 ? 1.5 : v))], "setImage: image[300] must be a number from 0 (paper) to 1 (ink), got 1.5"],
    ["setImage", ["<img src=x onerror=alert(1)>"], 'setImage: image must be an array of 784 numbers from 0 to 1, got "<img src=x onerror=alert(1)>"'],
    ["selectUnit", [6 * 28 * 28, "c1"], "selectUnit: unit must be a whole number from 0 to 4703, got 4704"],
    ["selectUnit", [0, "input"], 'selectUnit: layer must be one of "c1", "s2", "c3", "s4", "f5", "f6", "logits", got "input"'],
  ]) assert.equal((await send(page, method, args)).error, says);
  const state = (await send(page, "getState", [])).result;
  assert.deepEqual([state.digit, state.layer, state.unit], [42, "c1", 3], "refused commands changed nothing");
  assert.deepEqual(errors, []);
  await context.close();
});

test("a sibling frame and the window that opened nnplay are not obeyed", async () => {
  const { page, context, errors, frame } = await openCourse("?hash=" + encodeURIComponent("#view=rnn&lang=en"));
  const sibling = page.frames().find((f) => f.url().endsWith("/sibling"));
  // The sibling is on the course's own origin: only the source check stops it.
  await sibling.evaluate(() => poke({ namespace: "nnplay", method: "step", id: "s1" }));
  await sibling.evaluate(() => poke({ namespace: "nnplay", method: "setState", args: [{ pos: 4 }], id: "s2" }));
  await page.waitForTimeout(800);
  assert.equal((await send(page, "getState", [])).result.pos, 0);
  assert.deepEqual(await sibling.evaluate(() => heard), []);
  assert.doesNotMatch(frame.url(), /pos=/);
  // A window opened by the course page: its opener is not a parent.
  const [popup] = await Promise.all([context.waitForEvent("page"), page.evaluate((u) => { window.opened = window.open(u); }, `${env.app.url}#view=rnn&lang=en`)]);
  await popup.waitForSelector("body[data-ready=true]");
  await page.evaluate((origin) => {
    window.fromPopup = [];
    addEventListener("message", (e) => e.source === window.opened && fromPopup.push(e.data));
    window.opened.postMessage({ namespace: "nnplay", method: "step", id: "o1" }, origin);
  }, env.appOrigin);
  await page.waitForTimeout(800);
  assert.doesNotMatch(popup.url(), /pos=/);
  assert.deepEqual(await page.evaluate(() => fromPopup), []);
  await popup.close();
  assert.deepEqual(errors, []);
  await context.close();
});

test("with no referrer, events wait for the host's first message; with another origin's referrer, nothing reaches that origin", async () => {
  // Referrer-Policy: no-referrer: nnplay cannot know its parent's origin until embed.js's
  // first message tells it; the ready and resize events are then sent, and the frame sized.
  const strict = await openCourse("strict");
  await strict.page.waitForFunction(() => document.getElementById("app").getBoundingClientRect().height !== 300);
  assert.deepEqual(strict.errors, []);
  await strict.context.close();
  // The frame was sent on to nnplay by a page of a third origin, which its referrer names: the
  // events addressed to that origin never reach this page (which has no embed.js to write
  // first), until this page writes.
  const { page, context } = await openPage(env.browser, env.courseUrl, { locale: "en-US" });
  await page.goto(`${env.courseUrl}via?other=${encodeURIComponent(env.otherUrl)}`);
  let app;
  while (!(app = page.frames().find((f) => f.url().startsWith(env.app.url)))) await page.waitForTimeout(100);
  await app.waitForSelector("body[data-ready=true]");
  await page.waitForTimeout(800);
  assert.deepEqual(await page.evaluate(() => received), [], "nothing was sent to this page's origin");
  assert.equal((await raw(page, { namespace: "nnplay", method: "getState" })).result.view, "ilsvrc");
  await waitEvent(page, "ready");
  await waitEvent(page, "resize");
  await context.close();
});

test("the course deck's next and previous commands turn its slides", async () => {
  const { page, context, errors, frame } = await openCourse("?hash=" + encodeURIComponent("#view=course&lang=en"));
  const ready = await waitEvent(page, "ready", 0, { view: "course" });
  assert.deepEqual(ready.actions, ["next", "previous"]);
  assert.equal((await send(page, "next", [])).result.slide, 2);
  assert.equal((await send(page, "next", [])).result.slide, 3);
  assert.equal((await send(page, "previous", [])).result.slide, 2);
  assert.match(frame.url(), /slide=2/);
  assert.match((await send(page, "next", [5])).error, /next takes at most 0 arguments, got 1/);
  assert.deepEqual(errors, []);
  await context.close();
});
