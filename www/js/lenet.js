// LeNet-5 for the views: the shipped network (fetched from this origin when a view first
// needs it) and training in a Web Worker whose progress arrives as events.

import { wasm, wasmUrls } from "./wasm.js";
import { fetchBytes } from "./fetch.js";

let shipped = null;

/** The shipped, trained LeNet-5 (weights/lenet5.safetensors) as a wasm `Lenet` handle. */
export async function loadShippedLenet() {
  if (!shipped) {
    shipped = fetchBytes("weights/lenet5.safetensors").then((bytes) => wasm().Lenet.fromBytes(bytes));
  }
  return shipped;
}

/**
 * LeNet-5 training in a worker. Events: status, ready, progress, eval, done, error (each a
 * CustomEvent whose detail is the worker's message). `weights()` resolves to a weights file
 * that `Lenet.fromBytes` loads, so the drawing view can use the net being trained.
 */
export class LenetTraining extends EventTarget {
  constructor({ seed = 1, batch = 64, lr = 0.002, epochs = 1, handwriting = true } = {}) {
    super();
    this.options = { seed, batch, lr, epochs, handwriting };
    this.worker = new Worker(new URL("./workers/lenet-train.js", import.meta.url), { type: "module" });
    this.pending = null;
    this.worker.onmessage = (e) => {
      const m = e.data;
      if (m.type === "weights" && this.pending) {
        this.pending.resolve(m);
        this.pending = null;
      }
      this.dispatchEvent(new CustomEvent(m.type, { detail: m }));
    };
    this.worker.onerror = (e) => this.dispatchEvent(new CustomEvent("error", { detail: { message: e.message } }));
  }

  /** Loads wasm in the worker and downloads MNIST (gzipped IDX, from this origin). */
  init() {
    const ready = new Promise((resolve, reject) => {
      this.addEventListener("ready", (e) => resolve(e.detail), { once: true });
      this.addEventListener("error", (e) => reject(new Error(e.detail.message)), { once: true });
    });
    const { js, wasm: wasmUrl } = wasmUrls();
    this.worker.postMessage({ type: "init", js, wasm: wasmUrl, data: new URL("data/mnist/", document.baseURI).href, ...this.options });
    return ready;
  }

  start() {
    this.worker.postMessage({ type: "start" });
  }

  pause() {
    this.worker.postMessage({ type: "pause" });
  }

  /** The current network as a weights file; with `evaluate`, its accuracy on that many test images. */
  weights(evaluate = 0) {
    return new Promise((resolve) => {
      this.pending = { resolve };
      this.worker.postMessage({ type: "weights", evaluate });
    });
  }

  terminate() {
    this.worker.terminate();
  }
}

/**
 * The page's one training session, kept across views so a student can switch to the LeNet
 * view and draw on the net while it trains. Views listen to `session` events ("change").
 */
export const session = Object.assign(new EventTarget(), {
  training: null, // a LenetTraining, once started
  options: null,
  status: "idle", // idle | loading | running | pausing | paused | done | error
  history: [], // progress messages: { step, loss, batchAccuracy, imagesPerSecond, seen, epoch }
  evals: [], // { epoch, testAccuracy }
  totalSteps: 0,
  error: "",
});

function changed() {
  session.dispatchEvent(new Event("change"));
}

/** Starts (or resumes) training with `options` ({ seed, batch, lr, epochs }). */
export async function startTraining(options) {
  if (session.training && session.status === "paused") {
    session.training.start();
    session.status = "running";
    return changed();
  }
  if (session.training) return;
  const tr = new LenetTraining(options);
  Object.assign(session, { training: tr, options, status: "loading", history: [], evals: [], error: "" });
  changed();
  tr.addEventListener("progress", (e) => {
    session.history.push(e.detail);
    session.totalSteps = e.detail.totalSteps;
    changed();
  });
  tr.addEventListener("eval", (e) => {
    session.evals.push(e.detail);
    changed();
  });
  tr.addEventListener("done", () => {
    session.status = "done";
    changed();
  });
  tr.addEventListener("paused", () => {
    session.status = "paused";
    changed();
  });
  tr.addEventListener("error", (e) => {
    session.status = "error";
    session.error = e.detail.message;
    changed();
  });
  try {
    const ready = await tr.init();
    session.totalSteps = ready.totalSteps;
    tr.start();
    session.status = "running";
  } catch (e) {
    session.status = "error";
    session.error = e.message;
  }
  changed();
}

/** Asks the worker to stop after its current chunk; the status turns "paused" when it has. */
export function pauseTraining() {
  if (session.training && session.status === "running") {
    session.training.pause();
    session.status = "pausing";
    changed();
  }
}

export function resetTraining() {
  session.training?.terminate();
  Object.assign(session, { training: null, status: "idle", history: [], evals: [], totalSteps: 0, error: "" });
  changed();
}

/** The net being trained, as a wasm `Lenet` (a snapshot of its weights right now). */
export async function trainedLenet() {
  if (!session.training) return null;
  const { bytes } = await session.training.weights();
  return wasm().Lenet.fromBytes(bytes);
}
