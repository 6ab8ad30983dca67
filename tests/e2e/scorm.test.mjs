// Inside an LMS's SCORM 1.2 player: a stand-in player page (same origin, as players serve
// their packages) records every call of the API it offers; the course deck opened in it says
// "incomplete", then "completed" once every slide has been seen, keeps the slide reached and
// the slides seen, and ends the session when it is left.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sharedBrowser, openPage, serve, DIST } from "./harness.mjs";

const env = sharedBrowser();

const PLAYER = `<!doctype html><meta charset="utf-8"><title>LMS</title><link rel="icon" href="data:,">
<script>
  window.calls = [];
  window.data = { "cmi.core.lesson_status": "not attempted", "cmi.suspend_data": "" };
  const call = (name, result) => (...args) => (calls.push([name, ...args]), result(...args));
  window.API = {
    LMSInitialize: call("LMSInitialize", () => "true"),
    LMSFinish: call("LMSFinish", () => "true"),
    LMSGetValue: call("LMSGetValue", (k) => data[k] ?? ""),
    LMSSetValue: call("LMSSetValue", (k, v) => ((data[k] = v), "true")),
    LMSCommit: call("LMSCommit", () => "true"),
    LMSGetLastError: () => "0", LMSGetErrorString: () => "", LMSGetDiagnostic: () => "",
  };
</script>
<iframe id="sco" src="nnplay/index.html#view=course&lang=en" width="1200" height="900"></iframe>`;

test("the course deck in a SCORM player: incomplete, then completed once every slide is seen", async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "nnplay-lms-"));
  fs.writeFileSync(path.join(root, "index.html"), PLAYER);
  fs.symlinkSync(DIST, path.join(root, "nnplay"));
  const lms = await serve(root);
  try {
    const { page, errors, context } = await openPage(env.browser, lms.url);
    await page.goto(lms.url);
    const sco = await (await page.waitForSelector("#sco")).contentFrame();
    await sco.waitForSelector(".view.course[data-ready=true]");
    const data = () => page.evaluate(() => ({ ...window.data }));
    const calls = () => page.evaluate(() => window.calls.map((c) => c[0]));
    assert.equal((await calls())[0], "LMSInitialize");
    assert.equal((await data())["cmi.core.lesson_status"], "incomplete");
    const total = await sco.locator("#course-slide option").count();
    assert.ok(total > 20, `${total} slides`);
    // The keys reach the package's frame once a student has clicked in it.
    await sco.click(".slide-text");
    for (let n = 2; n < total; n++) await page.keyboard.press("PageDown");
    await sco.waitForFunction((n) => location.hash.includes(`slide=${n}`), total - 1);
    assert.equal((await data())["cmi.core.lesson_status"], "incomplete", "one slide is still unseen");
    await page.keyboard.press("PageDown");
    await page.waitForFunction(() => window.data["cmi.core.lesson_status"] === "completed");
    const d = await data();
    assert.equal(d["cmi.core.lesson_location"], String(total - 1));
    assert.equal(d["cmi.suspend_data"], Array.from({ length: total }, (_, i) => i).join(","));
    assert.ok((await calls()).includes("LMSCommit"));
    assert.deepEqual(errors, []);
    // Leaving the package ends the session (what its figure was still fetching is cut off).
    await sco.evaluate(() => (location.href = "about:blank"));
    await page.waitForFunction(() => window.calls.some((c) => c[0] === "LMSFinish"));
    await context.close();
  } finally {
    lms.close();
  }
});
