// Web Worker: trains a character language model in wasm (the sequence views' module) off
// the page's thread, on a text the page hands it, and streams progress.
// Messages in: init {js, wasm, text, cell, hidden, emb, seed, window, batch, lr, epochs,
// prompt}, start, pause, weights.
// Messages out: ready {totalSteps, vocab}, progress, eval {step, heldOut, sample}, paused,
// done, weights {bytes}, error {message}.

import { inChunks } from "./chunks.js";

let trainer = null;
let running = false;
let prompt = "";
/** Held-out characters scored at each evaluation: enough for a steady number, quick enough
 *  to come every few seconds. */
const EVAL_CHARS = 20000;
const EVAL_EVERY_MS = 3000;

async function init(m) {
  const wasm = await import(m.js);
  await wasm.default({ module_or_path: m.wasm });
  trainer = new wasm.LmTrainer(m.text, m.cell, m.hidden, m.emb, m.seed, m.window, m.batch, m.lr, m.epochs);
  prompt = m.prompt;
  postMessage({ type: "ready", totalSteps: trainer.totalSteps, vocab: trainer.vocabSize });
}

function evaluation() {
  postMessage({ type: "eval", step: trainer.step, heldOut: trainer.heldOutBpc(EVAL_CHARS), sample: trainer.sample(prompt, 40, 0.8, trainer.step) });
}

async function loop() {
  let lastEval = performance.now();
  if (trainer.step === 0) evaluation();
  let chars = trainer.chars;
  const over = await inChunks(trainer, () => running, (ran, ms) => {
    postMessage({ type: "progress", bpc: trainer.bpc, step: trainer.step, totalSteps: trainer.totalSteps, epoch: trainer.epoch, chars: trainer.chars, charsPerSecond: ((trainer.chars - chars) * 1000) / ms });
    chars = trainer.chars;
    if (performance.now() - lastEval > EVAL_EVERY_MS) {
      evaluation();
      lastEval = performance.now();
    }
  });
  running = false;
  if (over) evaluation();
  postMessage(over ? { type: "done" } : { type: "paused", step: trainer.step });
}

onmessage = async (e) => {
  const m = e.data;
  try {
    if (m.type === "init") await init(m);
    else if (!trainer) throw new Error("the trainer is not initialised yet");
    else if (m.type === "start" && !running) {
      running = true;
      loop().catch((err) => {
        running = false;
        postMessage({ type: "error", message: err.message ?? String(err) });
      });
    } else if (m.type === "pause") running = false;
    else if (m.type === "weights") {
      const bytes = trainer.weights();
      postMessage({ type: "weights", bytes }, [bytes.buffer]);
    }
  } catch (err) {
    postMessage({ type: "error", message: err.message ?? String(err) });
  }
};
