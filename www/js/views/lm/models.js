// The language view's models: which files there are, and each loaded once, when first
// chosen (the view's weights are never part of another view's load).

import { seqWasm } from "../../wasm.js";
import { t } from "../../i18n.js";
import { MAX_FILE_BYTES, keep, kept } from "../../kept.js";
import { fetchBytes } from "../../fetch.js";

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
  // A student's own file (a PyTorch CharLM saved by docs/pytorch/char_lm.py's save_nnplay),
  // kept in this browser.
  local: { file: null, family: "local" },
};

/** The models of `id`'s family, Elman first: what the reach strips compare. */
export const family = (id) => Object.keys(MODELS).filter((m) => MODELS[m].family === MODELS[id].family).sort((a, b) => order(a) - order(b));
const order = (id) => ["rnn", "gru", "lstm"].findIndex((c) => id.endsWith(c));

const loaded = {};
/** The model `id` as a wasm LanguageModel; rejects with the reason a student can read. */
export function model(id) {
  if (id === "local" && !loaded.local) {
    loaded.local = kept("lm").then((e) => {
      if (!e) throw new Error(t("lm.file.none"));
      return seqWasm().LanguageModel.fromBytes(e.bytes);
    });
    loaded.local.catch(() => delete loaded.local);
  }
  if (!MODELS[id].file) return loaded[id] ?? Promise.reject(new Error(t("lm.train.none")));
  loaded[id] ??= fetchBytes(MODELS[id].file).then((bytes) => seqWasm().LanguageModel.fromBytes(bytes));
  // A failed load is tried again the next time the model is chosen.
  loaded[id].catch(() => delete loaded[id]);
  return loaded[id];
}

/** Makes a student's file the model "local" and keeps it in this browser; a file too
 *  large or not a character model is refused with a sentence, the model shown unchanged. */
export async function setLocal(file) {
  if (file.size > MAX_FILE_BYTES) throw new Error(t("lm.file.huge", { name: file.name, mb: (file.size / 1048576).toFixed(0) }));
  const bytes = new Uint8Array(await file.arrayBuffer());
  const lm = seqWasm().LanguageModel.fromBytes(bytes);
  (await loaded.local?.catch(() => null))?.free();
  loaded.local = Promise.resolve(lm);
  await keep("lm", { name: file.name, bytes }).catch(() => {});
  return lm;
}

/** Makes the weights file `bytes` (trained in this page) the model "trained". */
export function setTrained(bytes) {
  loaded.trained = Promise.resolve(seqWasm().LanguageModel.fromBytes(bytes));
  return loaded.trained;
}
