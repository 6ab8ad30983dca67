// Web Worker: trains LeNet-5 in wasm off the page's thread. It loads the same wasm module
// as the page, fetches gzipped MNIST from the page's own origin, and streams progress.
// Messages in: init {js, wasm, data, seed, batch, lr, epochs, handwriting}, start, pause,
// weights {evaluate}.
// Messages out: status, ready, progress, eval, paused, done, weights, error (./serve.js).

import { serve } from "./serve.js";

async function fetchIdx(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  const plain = r.body.pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(plain).arrayBuffer());
}

let batch = 64;

serve({
  async setup(m) {
    const wasm = await import(m.js);
    await wasm.default({ module_or_path: m.wasm });
    batch = m.batch;
    const trainer = new wasm.LenetTrainer(m.seed, m.batch, m.lr, m.epochs, m.handwriting);
    postMessage({ type: "status", status: "downloading" });
    const files = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];
    const [ti, tl, vi, vl] = await Promise.all(files.map((f) => fetchIdx(`${m.data}${f}.gz`)));
    trainer.setTrainData(ti, tl);
    trainer.setTestData(vi, vl);
    postMessage({ type: "ready", totalSteps: trainer.totalSteps });
    return trainer;
  },
  chunks(trainer) {
    let epoch = trainer.epoch;
    return {
      after(ran, ms) {
        postMessage({
          type: "progress", loss: trainer.loss, batchAccuracy: trainer.batchAccuracy, seen: trainer.seen,
          epoch: trainer.epoch, step: trainer.step, totalSteps: trainer.totalSteps, imagesPerSecond: (ran * batch * 1000) / ms,
        });
        if (trainer.epoch !== epoch) {
          epoch = trainer.epoch;
          postMessage({ type: "eval", epoch, testAccuracy: trainer.evaluate(10000) });
        }
      },
      end: (over) => (over ? { seen: trainer.seen } : {}),
    };
  },
  reply: (trainer, m) => ({ testAccuracy: m.evaluate ? trainer.evaluate(m.evaluate) : null }),
});
