// Web Worker: trains one cell of the long-range experiment in wasm (the sequence views'
// module) off the page's thread, and measures its accuracy per gap as it learns.
// Messages in: init {js, wasm, text, cell, hidden, emb, steps, lr, seed}, start, pause, weights.
// Messages out: ready {totalSteps, chance}, progress {step, loss, accuracy, maxGap,
// sentencesPerSecond}, curve {step, points}, paused, done, weights {bytes}, error (./serve.js).

import { serve } from "./serve.js";

/** Held-out sentences per gap bucket at each measurement (8 buckets), and how often. */
const PER_BUCKET = 40;
const FINAL_PER_BUCKET = 200;
const CURVE_EVERY_MS = 4000;

function curve(trainer, perBucket) {
  postMessage({ type: "curve", step: trainer.step, points: JSON.parse(trainer.curve(perBucket)) });
}

serve({
  async setup(m) {
    const wasm = await import(m.js);
    await wasm.default({ module_or_path: m.wasm });
    const trainer = new wasm.LongRangeTrainer(m.text, m.cell, m.hidden, m.emb, m.steps, m.lr, m.seed);
    postMessage({ type: "ready", totalSteps: trainer.totalSteps, chance: trainer.chance });
    return trainer;
  },
  chunks(trainer) {
    let [lastCurve, seen] = [performance.now(), trainer.sentences];
    return {
      before: () => trainer.step === 0 && curve(trainer, PER_BUCKET),
      after(ran, ms) {
        postMessage({ type: "progress", step: trainer.step, loss: trainer.loss, accuracy: trainer.accuracy, maxGap: trainer.maxGap, sentencesPerSecond: ((trainer.sentences - seen) * 1000) / ms });
        seen = trainer.sentences;
        if (performance.now() - lastCurve > CURVE_EVERY_MS) {
          curve(trainer, PER_BUCKET);
          lastCurve = performance.now();
        }
      },
      end(over) {
        if (over) curve(trainer, FINAL_PER_BUCKET); // the finished net's curve, as the shipped ones are measured
        return {};
      },
    };
  },
});
