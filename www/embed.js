// nnplay's helper for the pages that embed it: <script src=".../nnplay/embed.js"></script>.
// Every nnplay <iframe> on the page (one marked data-nnplay, or one whose src is the nnplay
// this script was loaded from) takes the height its content posts (the `resize` event of
// nnplay's host protocol, README.md "Embedding"), and window.nnplay.send(iframe, method, args)
// sends a command and resolves to its reply. Plain script, no dependencies, no build step;
// nothing it receives is run or inserted as markup: a height is a number, a reply is data.
(() => {
  "use strict";
  if (window.nnplay) return; // included twice: the first copy serves
  const NAMESPACE = "nnplay";
  // The folder this script came from is nnplay's: its index.html, or the folder itself.
  const here = document.currentScript ? new URL(".", document.currentScript.src) : null;
  // A frame's height stays within this (CSS px), whatever a frame posts.
  const MAX_HEIGHT = 20000;
  // A command whose reply has not come in this time is given up (nnplay's first load, wasm
  // included, takes about a second on a slow phone; a minute means it is not coming).
  const REPLY_MS = 60000;

  const urlOf = (frame) => {
    try {
      return new URL(frame.src, location.href);
    } catch {
      return null;
    }
  };
  function isNnplay(frame) {
    if (frame.hasAttribute("data-nnplay")) return true;
    const url = urlOf(frame);
    return !!(url && here && url.origin === here.origin && (url.pathname === here.pathname || url.pathname === `${here.pathname}index.html`));
  }
  /** The nnplay frame whose window sent `event`, if it came from that frame's origin. */
  function frameOf(event) {
    for (const frame of document.getElementsByTagName("iframe")) {
      if (frame.contentWindow === event.source && isNnplay(frame)) return urlOf(frame)?.origin === event.origin ? frame : null;
    }
    return null;
  }

  // Per frame: a promise that resolves once the frame has said anything (its page listens).
  const heard = new WeakMap();
  function hearing(frame) {
    if (!heard.has(frame)) {
      let resolve;
      const p = new Promise((r) => (resolve = r));
      p.resolve = resolve;
      heard.set(frame, p);
    }
    return heard.get(frame);
  }
  const pending = new Map(); // id → { frame, resolve, reject, timer }
  let lastId = 0;

  function post(frame, message) {
    const url = urlOf(frame);
    // A frame still on its first about:blank (ours: its document is readable) is not nnplay
    // yet: a message would be dropped, with an error in the console.
    const blank = (() => {
      try {
        return frame.contentDocument?.URL === "about:blank";
      } catch {
        return false;
      }
    })();
    if (url && frame.contentWindow && !blank) frame.contentWindow.postMessage(message, url.origin);
  }
  // A frame whose page could not read this page's origin (a strict Referrer-Policy) waits for
  // a first message to learn it: getState is that message (it changes nothing). Sent on every
  // nnplay frame's load, and once now for frames that loaded before this script ran.
  const hello = (frame) => post(frame, { namespace: NAMESPACE, method: "getState", id: `embed-hello-${++lastId}` });
  // On the document, not the window: a frame's load event does not propagate to the window.
  document.addEventListener("load", (e) => e.target instanceof HTMLIFrameElement && isNnplay(e.target) && hello(e.target), true);
  const start = () => {
    for (const frame of document.getElementsByTagName("iframe")) if (isNnplay(frame)) hello(frame);
  };
  if (document.readyState === "loading") addEventListener("DOMContentLoaded", start);
  else start();

  addEventListener("message", (event) => {
    const data = event.data;
    if (!data || typeof data !== "object" || data.namespace !== NAMESPACE) return;
    const frame = frameOf(event);
    if (!frame) return;
    hearing(frame).resolve();
    if (data.event === "resize" && Number.isFinite(data.height) && data.height >= 0) {
      frame.style.height = `${Math.min(MAX_HEIGHT, Math.ceil(data.height))}px`;
    }
    const waiting = pending.get(data.id);
    if (waiting && waiting.frame === frame && !("event" in data)) {
      pending.delete(data.id);
      clearTimeout(waiting.timer);
      if ("error" in data) waiting.reject(new Error(String(data.error)));
      else waiting.resolve(data.result);
    }
  });

  /** Sends command `method` with `args` to nnplay in `frame` once its page listens; resolves
   *  to the reply's result, or rejects with the reply's error sentence. */
  async function send(frame, method, args = []) {
    if (!(frame instanceof HTMLIFrameElement)) throw new TypeError("nnplay.send: the first argument must be an <iframe> element");
    await hearing(frame);
    const id = `embed-${++lastId}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`nnplay.send: no reply to ${method} in ${REPLY_MS / 1000} s`));
      }, REPLY_MS);
      pending.set(id, { frame, resolve, reject, timer });
      post(frame, { namespace: NAMESPACE, method, args, id });
    });
  }

  window.nnplay = Object.freeze({ send });
})();
