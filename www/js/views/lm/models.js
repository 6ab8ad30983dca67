// The language view's models: which files there are, and each loaded once, when first
// chosen (the view's weights are never part of another view's load).

import { seqWasm } from "../../wasm.js";
import { t } from "../../i18n.js";

/** id → the weights file, and the family it is compared within ("modern": People's Daily
 *  and product reviews; "poems": Tang quatrains; "longrange": the slide's controlled
 *  experiment, 我从小生长在{国家}，{k characters}，我可以说一口流利的{语言}). */
export const MODELS = {
  "modern-lstm": { file: "weights/lm-modern-lstm.safetensors", family: "modern" },
  "modern-rnn": { file: "weights/lm-modern-rnn.safetensors", family: "modern" },
  "poems-lstm": { file: "weights/lm-poems-lstm.safetensors", family: "poems" },
  "longrange-lstm": { file: "weights/longrange-lstm.safetensors", family: "longrange" },
  "longrange-gru": { file: "weights/longrange-gru.safetensors", family: "longrange" },
  "longrange-rnn": { file: "weights/longrange-rnn.safetensors", family: "longrange" },
  // The model trained in this page (views/lm/train.js), once there is one.
  trained: { file: null, family: "trained" },
};

/** The models of `id`'s family, Elman first: what the reach strips compare. */
export const family = (id) => Object.keys(MODELS).filter((m) => MODELS[m].family === MODELS[id].family).sort((a, b) => order(a) - order(b));
const order = (id) => ["rnn", "gru", "lstm"].findIndex((c) => id.endsWith(c));

const loaded = {};
/** The model `id` as a wasm LanguageModel; rejects with the reason a student can read. */
export function model(id) {
  if (!MODELS[id].file) return loaded[id] ?? Promise.reject(new Error(t("lm.train.none")));
  loaded[id] ??= fetch(new URL(MODELS[id].file, document.baseURI)).then(async (r) => {
    if (!r.ok) throw new Error(`${MODELS[id].file}: HTTP ${r.status}`);
    return seqWasm().LanguageModel.fromBytes(new Uint8Array(await r.arrayBuffer()));
  });
  // A failed load is tried again the next time the model is chosen.
  loaded[id].catch(() => delete loaded[id]);
  return loaded[id];
}

/** Makes the weights file `bytes` (trained in this page) the model "trained". */
export function setTrained(bytes) {
  loaded.trained = Promise.resolve(seqWasm().LanguageModel.fromBytes(bytes));
  return loaded.trained;
}
