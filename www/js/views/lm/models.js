// The language view's models: which files there are, and each loaded once, when first
// chosen (the view's weights are never part of another view's load).

import { wasm } from "../../wasm.js";

/** id → the weights file and what it was trained on ("modern": People's Daily and product
 *  reviews; "poems": Tang quatrains). */
export const MODELS = {
  "modern-lstm": { file: "weights/lm-modern-lstm.safetensors", corpus: "modern" },
  "modern-gru": { file: "weights/lm-modern-gru.safetensors", corpus: "modern" },
  "modern-rnn": { file: "weights/lm-modern-rnn.safetensors", corpus: "modern" },
  "poems-lstm": { file: "weights/lm-poems-lstm.safetensors", corpus: "poems" },
};

const loaded = {};
/** The model `id` as a wasm LanguageModel; rejects with the reason a student can read. */
export function model(id) {
  loaded[id] ??= fetch(new URL(MODELS[id].file, document.baseURI)).then(async (r) => {
    if (!r.ok) throw new Error(`${MODELS[id].file}: HTTP ${r.status}`);
    return wasm().LanguageModel.fromBytes(new Uint8Array(await r.arrayBuffer()));
  });
  // A failed load is tried again the next time the model is chosen.
  loaded[id].catch(() => delete loaded[id]);
  return loaded[id];
}
