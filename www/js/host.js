// The host protocol: a page that frames nnplay (course notes, a reveal.js deck, an LMS) drives
// the view over postMessage and hears what happens in it, as reveal.js's postMessage API lets a
// page drive a deck. Commands: getState, setState and the shown view's actions (the views
// register them: a mount handle's `actions`); events: ready, statechange, prediction, resize.
// README.md ("Embedding") documents the messages.
//
// Only the window that frames this page is obeyed (`event.source === window.parent`), and
// replies and events go to that window's origin only: never "*", so a page that navigated
// our frame's parent away, or framed us under another origin, hears nothing. Messages are
// structured-cloned data; nothing in them is ever run as code or inserted as markup.

import { acceptsValue, describeField } from "./state.js";
import { show } from "./hostargs.js";

const NAMESPACE = "nnplay";
const framed = window.parent !== window;

// The parent's origin. document.referrer's origin is a first guess (the framing page's, unless
// its Referrer-Policy hid it or the frame was navigated by another page); the first message
// from the parent replaces it with the true one (event.origin), which is then kept.
let origin = guessOrigin();
let learned = false;
// Until a message from the parent tells its origin: the newest event of each kind, sent then
// if they could not be sent before (no guess) or went to a wrong guess (and were dropped).
const waiting = new Map();

function guessOrigin() {
  try {
    const o = document.referrer ? new URL(document.referrer).origin : null;
    return o && o !== "null" ? o : null;
  } catch {
    return null;
  }
}

/** Sends `message` to the parent's origin, or keeps it (under `key`) until that is known. */
export function toParent(message, key) {
  if (!framed) return;
  if (!learned && key) waiting.set(key, message);
  if (origin) window.parent.postMessage(message, origin);
}

/** Posts protocol event `event` (ready, statechange, prediction, resize) with `data`'s fields. */
export function emit(event, data) {
  toParent({ namespace: NAMESPACE, event, ...data }, event);
}

const isPlain = (v) => v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype;
const KEYS = ["namespace", "method", "args", "id"];

/** The error sentence for a malformed command, or null if `data`'s shape is right. */
function malformed(data) {
  const extra = Object.keys(data).find((k) => !KEYS.includes(k));
  if (extra) return `unknown key ${show(extra)} in the message: a command has only namespace, method, args and id`;
  const { id, method, args } = data;
  if (!(id === undefined || (typeof id === "string" && id.length <= 64) || Number.isFinite(id))) return `id must be a string of at most 64 characters or a finite number, got ${show(id)}`;
  if (typeof method !== "string" || !method) return `method must be the name of a command, got ${show(method)}`;
  if (!(args === undefined || Array.isArray(args))) return `args must be an array of arguments, got ${show(args)}`;
  return null;
}

/** The error sentences for `fields` against `schema` (unknown fields, bad values), or []. */
function fieldErrors(fields, schema, view) {
  const errors = [];
  for (const [key, value] of Object.entries(fields)) {
    if (!Object.hasOwn(schema, key)) errors.push(`unknown field ${show(key)} for the ${view} view (its fields: ${Object.keys(schema).join(", ")})`);
    else if (!acceptsValue(schema[key], value)) errors.push(`field ${show(key)} must be ${describeField(schema[key])}, got ${show(value)}`);
  }
  return errors;
}

/** An error whose sentence is the reply (an action's or setState's refusal). */
class Refusal extends Error {}

/** `page`: what main.js lets the host see and do; see startHost. */
async function setState(page, args) {
  const [fields] = args;
  if (args.length !== 1 || !isPlain(fields)) throw new Refusal(`setState takes one argument, an object of fields, got ${show(args)}`);
  // The view comes first: the other fields are checked against the schema of the view they
  // will be in (a new view's module loads for that).
  const view = fields.view ?? page.state().view;
  const common = fieldErrors("view" in fields ? { view: fields.view } : {}, await page.schema(null), "any");
  if (common.length) throw new Refusal(`setState: ${common.join("; ")}; nothing was changed`);
  const errors = fieldErrors(fields, await page.schema(view), view);
  // A lock (lesson mode's lock=) holds against every path, the host's too: say so.
  const locked = Object.keys(fields).filter((k) => view === page.state().view && page.state().lock?.includes(k));
  if (locked.length) errors.push(`${locked.join(", ")} ${locked.length === 1 ? "is" : "are"} locked by the page's link (lock=)`);
  // All or nothing: a host that sent three fields meant them together.
  if (errors.length) throw new Refusal(`setState: ${errors.join("; ")}; nothing was changed`);
  await page.apply(fields);
  return page.state();
}

/** Runs the shown view's action `method` with `args`. */
async function act(page, method, args) {
  const actions = page.actions();
  if (!Object.hasOwn(actions, method)) {
    const known = ["getState", "setState", ...Object.keys(actions)].join(", ");
    throw new Refusal(`unknown method ${show(method)}: the ${page.state().view} view understands ${known}`);
  }
  // An action's declared parameters are all it takes (optional ones included): more is a mistake.
  const fn = actions[method];
  if (args.length > fn.length) throw new Refusal(`${method} takes at most ${fn.length} argument${fn.length === 1 ? "" : "s"}, got ${args.length}`);
  try {
    await fn(...args);
  } catch (e) {
    // The views' actions refuse bad arguments with a sentence (www/js/hostargs.js).
    throw new Refusal(`${method}: ${e.message}`);
  }
  return page.state();
}

async function run(page, method, args) {
  await page.settled();
  if (method === "getState") {
    if (args.length) throw new Refusal(`getState takes no arguments, got ${args.length}`);
    return page.state();
  }
  if (method === "setState") return setState(page, args);
  return act(page, method, args);
}

/** Obeys one message from the parent; every nnplay message gets one reply. */
async function answer(page, data) {
  const bad = malformed(data);
  const id = bad?.startsWith("id ") ? null : data.id ?? null;
  if (bad) return toParent({ namespace: NAMESPACE, id, error: bad });
  try {
    const result = await run(page, data.method, data.args ?? []);
    toParent({ namespace: NAMESPACE, id, result });
  } catch (e) {
    if (!(e instanceof Refusal)) console.error(e); // a bug, not the host's mistake
    toParent({ namespace: NAMESPACE, id, error: e instanceof Refusal ? e.message : `${data.method} failed: ${e.message}` });
  }
}

/** Learns the parent's origin from its first message and sends what was waiting for it. */
function learn(from) {
  if (learned) return from === origin;
  learned = true;
  const guessed = origin;
  origin = from;
  if (from !== guessed) for (const message of waiting.values()) window.parent.postMessage(message, origin);
  waiting.clear();
  return true;
}

/**
 * Starts listening. `page` is main.js's side:
 *   settled()     resolves once the page has booted and no view is loading;
 *   state()       the current state (every field of the view's schema);
 *   schema(view)  resolves to that view's schema (COMMON + its own; COMMON for null);
 *   apply(fields) applies fields already checked here (may switch view or language);
 *   actions()     the shown view's actions, { name: fn }.
 * Commands are answered in the order they came.
 */
export function startHost(page) {
  if (!framed) return;
  let queue = Promise.resolve();
  addEventListener("message", (event) => {
    if (event.source !== window.parent) return;
    const data = event.data;
    if (!isPlain(data) || data.namespace !== NAMESPACE) return;
    // An opaque origin ("null": a sandboxed or file: page) cannot be replied to by name.
    if (event.origin === "null" || !learn(event.origin)) return;
    queue = queue.then(() => answer(page, data));
  });
}
