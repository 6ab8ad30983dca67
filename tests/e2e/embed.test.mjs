// Embedding: a course page on another origin frames a view in lesson mode (header, intro and
// controls hidden through the hash) and the view still works inside the iframe.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { serve, launch, openPage } from "./harness.mjs";

test("a view embedded in an iframe on another local origin, in lesson mode, is driven", async () => {
  const app = await serve();
  const src = `${app.url}#view=conv&preset=course&lang=en&hide=header,intro,controls`;
  // The "course notes": another server, another port, another origin.
  const notes = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><title>notes</title><h1>Lesson 3</h1><iframe id="demo" src="${src}" width="1100" height="700" title="nnplay"></iframe>`);
  });
  await new Promise((r) => notes.listen(0, "127.0.0.1", r));
  const browser = await launch();
  try {
    const { page, errors } = await openPage(browser, `http://127.0.0.1:${notes.address().port}/`);
    await page.goto(`http://127.0.0.1:${notes.address().port}/`);
    const frame = await (await page.waitForSelector("#demo")).contentFrame();
    await frame.waitForSelector("body[data-ready=true]");
    assert.equal(await frame.isVisible("header.top"), false);
    assert.equal(await frame.isVisible(".view .controls"), false);
    assert.equal(await frame.isVisible(".view .intro"), false);
    await frame.hover(".out-valid .grid .cell:not(.pad) >> nth=0");
    assert.match(await frame.textContent("#conv-arith"), /= 4$/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    notes.close();
    app.close();
  }
});
