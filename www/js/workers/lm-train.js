// Web Worker: trains a character language model in wasm (the sequence views' module) off
// the page's thread, on a text the page hands it, and streams progress.
// Messages in: init {js, wasm, text, cell, hidden, emb, seed, window, batch, lr, epochs,
// prompt}, start, pause, weights.
// Messages out: ready {totalSteps, vocab}, progress, eval {step, heldOut, sample}, paused,
// done, weights {bytes}, error {message} (./serve.js).

import { serve } from "./serve.js";

/** Held-out characters scored at each evaluation: enough for a steady number, quick enough
 *  to come every few seconds. */
const EVAL_CHARS = 20000;
const EVAL_EVERY_MS = 3000;

let prompt = "";

function evaluation(trainer) {
  postMessage({ type: "eval", step: trainer.step, heldOut: trainer.heldOutBpc(EVAL_CHARS), sample: trainer.sample(prompt, 40, 0.8, trainer.step) });
}

serve({
  async setup(m) {
    const wasm = await import(m.js);
    await wasm.default({ module_or_path: m.wasm });
    const trainer = new wasm.LmTrainer(m.text, m.cell, m.hidden, m.emb, m.seed, m.window, m.batch, m.lr, m.epochs);
    prompt = m.prompt;
    postMessage({ type: "ready", totalSteps: trainer.totalSteps, vocab: trainer.vocabSize });
    return trainer;
  },
  chunks(trainer) {
    let [lastEval, chars] = [performance.now(), trainer.chars];
    return {
      before: () => trainer.step === 0 && evaluation(trainer),
      after(ran, ms) {
        postMessage({ type: "progress", bpc: trainer.bpc, step: trainer.step, totalSteps: trainer.totalSteps, epoch: trainer.epoch, chars: trainer.chars, charsPerSecond: ((trainer.chars - chars) * 1000) / ms });
        chars = trainer.chars;
        if (performance.now() - lastEval > EVAL_EVERY_MS) {
          evaluation(trainer);
          lastEval = performance.now();
        }
      },
      end(over) {
        if (over) evaluation(trainer); // the finished model's numbers
        return {};
      },
    };
  },
});
