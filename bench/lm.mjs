// The character language model's benchmark, shared by scripts/bench-lm.mjs (Node) and the
// page bench/chromium/main.mjs (headless Chromium): one LSTM model in nnplay and in
// TensorFlow.js's layers API (embedding → LSTM → dense softmax, on its wasm and cpu
// backends, each where it can do the task), with the same sizes: the vocabulary nnplay
// builds from the first 100,000 characters of the Tang quatrains, embedding 32, hidden 128,
// windows of 64 characters, batches of 16 windows. Two tasks:
//   - one training step (Adam): nnplay's LmTrainer.run(1) against tf.Model.trainOnBatch;
//   - writing 100 characters one at a time after a short prompt, at temperature 1: nnplay's
//     LanguageModel (what the page's view writes with) against a stateful tfjs model that
//     reads one character per call.
// Timing only: the two libraries start from different random weights, so they write
// different texts. The libraries and the text come in as arguments (Node loads tfjs with
// require, the page from its browser bundles), so this file imports nothing
// environment-specific.

export const LM = { chars: 100000, E: 32, H: 128, T: 64, B: 16, lr: 0.005, prompt: "床前明月光", length: 100, seed: 1 };

/** Draws an index with probability p[i] / Σp. */
function draw(p) {
  let total = 0;
  for (const v of p) total += v;
  let u = Math.random() * total;
  for (let i = 0; i < p.length; i++) if ((u -= p[i]) < 0) return i;
  return p.length - 1; // rounding left u a hair above 0
}

/** nnplay and tfjs on both tasks. `nn` is nnplay's module, `tf` comes ready (its wasm
 *  backend registered with its wasm paths), `text` is the quatrains. Returns the tasks to time
 *  (each with the characters one call handles, for characters per second) and, per task,
 *  notes on the contestants that cannot do it. */
export async function setupLm({ nn, tf, text }, cfg = LM) {
  const { E, H, T, B, length } = cfg;
  const head = Array.from(text).slice(0, cfg.chars).join("");
  // Adam at lr with cosine decay over the most epochs the trainer allows: the timed steps
  // never reach the schedule's end.
  const trainer = new nn.LmTrainer(head, "lstm", H, E, cfg.seed, T, B, cfg.lr, 1000);
  // The view's model with the trainer's weights. trainer.sample would write the same way
  // but copies the whole model on every call, a cost of the trainer's API, not of writing.
  const lm = nn.LanguageModel.fromBytes(trainer.weights());
  const V = lm.vocabSize;
  const symbols = Array.from({ length: V }, (_, id) => lm.symbol(id));
  // The text as nnplay reads it (white space skipped), in nnplay's ids, for tfjs.
  const ids = Array.from(head.replace(/\s/g, ""))
    .slice(0, B * T + 1)
    .map((c) => lm.id(c));
  const promptIds = Array.from(cfg.prompt, (c) => lm.id(c));

  const train = [{ name: "nnplay", call: () => trainer.run(1) }];
  const write = [
    {
      name: "nnplay",
      call: () => {
        lm.read(cfg.prompt);
        return lm.write(length, 1, 0, cfg.seed);
      },
    },
  ];
  const notes = { train: [], sample: [] };
  for (const backend of ["wasm", "cpu"]) {
    const name = `tfjs-${backend}`;
    if (!(await tf.setBackend(backend))) throw new Error(`${name} did not start`);
    // Without SIMD the wasm backend would fall back to its slower scalar build, silently.
    if (backend === "wasm" && !(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"))) throw new Error("tfjs-wasm: no SIMD");
    const enter = () => tf.setBackend(backend);

    // Each backend's own models and tensors. Targets are the next characters' ids.
    const x = tf.tensor2d(Array.from({ length: B }, (_, b) => ids.slice(b * T, b * T + T)), [B, T], "int32");
    const y = tf.tensor3d(Array.from({ length: B }, (_, b) => ids.slice(b * T + 1, b * T + T + 1).map((v) => [v])), [B, T, 1]);
    const model = tf.sequential({
      layers: [tf.layers.embedding({ inputDim: V, outputDim: E, inputLength: T }), tf.layers.lstm({ units: H, returnSequences: true }), tf.layers.dense({ units: V, activation: "softmax" })],
    });
    model.compile({ optimizer: tf.train.adam(cfg.lr), loss: "sparseCategoricalCrossentropy" });
    try {
      await model.trainOnBatch(x, y);
      train.push({ name, async: true, enter, call: () => model.trainOnBatch(x, y) });
    } catch (e) {
      notes.train.push([name, `cannot train: ${String(e.message ?? e).split("\n")[0]}`]);
    }

    // Writing, in the fair form for tf.layers: a stateful LSTM with batchInputShape [1, 1]
    // reads one character per call and keeps its state, the probabilities are read back and
    // the next character is drawn on the CPU. (TensorFlow.js's own lstm-text-generation
    // example instead predicts on the whole window again for every character, which is
    // slower.) Of predict, predictOnBatch and apply, apply was the fastest per character
    // (1.2 against 1.5 and 2.0 ms on the wasm backend in Node).
    // At temperature 1 the draw is from the softmax's probabilities as they are.
    const gen = tf.sequential({
      layers: [tf.layers.embedding({ inputDim: V, outputDim: E, batchInputShape: [1, 1] }), tf.layers.lstm({ units: H, stateful: true }), tf.layers.dense({ units: V, activation: "softmax" })],
    });
    const next = (id) => tf.tidy(() => gen.apply(tf.tensor2d([[id]], [1, 1], "int32")).dataSync());
    const call = () => {
      gen.resetStates();
      let p;
      for (const id of promptIds) p = next(id);
      const out = [];
      for (let i = 0; i < length; i++) {
        const id = draw(p);
        out.push(symbols[id]);
        p = next(id);
      }
      return out.join("");
    };
    try {
      call();
      write.push({ name, enter, call });
    } catch (e) {
      notes.sample.push([name, `cannot write: ${String(e.message ?? e).split("\n")[0]}`]);
    }
  }

  const tasks = [
    { key: "train", name: `one training step: ${B} windows of ${T} characters, LSTM ${H}, embedding ${E}, vocabulary ${V}`, chars: B * T, contestants: () => train },
    { key: "sample", name: `writing ${length} characters one at a time after a ${promptIds.length}-character prompt, temperature 1`, chars: length, contestants: () => write },
  ];
  return { tasks, notes };
}

/** Characters per second of one timed row of `task`. */
export const charsPerS = (task, row) => Math.round((task.chars * 1000) / row.ms);

/** One task's sentence for the docs: every contestant's characters per second, then the
 *  notes on those that could not do the task. */
export const speedLine = (task, rows, notes) =>
  `${task.key === "train" ? "Training" : "Writing"}, characters per second: ${rows.map((r) => `${r.name} ${charsPerS(task, r)}`).join(", ")}.` +
  notes.map(([who, note]) => ` ${who}: ${note}.`).join("");
