// The RNN view's trained networks: the segmenter's BiLSTM and the character models' LSTMs
// (their recurrent layers, reading the typed text through their embeddings), or a student's
// own PyTorch nn.RNN / nn.GRU / nn.LSTM state dict, kept in this browser. Each file is fetched
// or read once, when first chosen, as a wasm `RecurrentNet.fromBytes` (sizes from its
// tensors' shapes).

import { seqWasm } from "../../wasm.js";
import { t } from "../../i18n.js";
import { MAX_FILE_BYTES, keep, kept } from "../../kept.js";
import { fetchBytes } from "../../fetch.js";

/** id → its weights file; "random" is the view's own networks, "local" a student's file. */
export const SOURCES = {
  random: null,
  bmes: "weights/bmes.safetensors",
  "lm-poems": "weights/lm-poems-lstm.safetensors",
  "lm-modern": "weights/lm-modern-lstm.safetensors",
  local: null,
};

const loaded = {};

/** The network `id` (not "random"); rejects with a sentence a student can read. The same
 *  handle is handed out every time: the view does not free it. */
export function loadNet(id) {
  if (id === "local") {
    loaded.local ??= kept("rnn").then((e) => {
      if (!e) throw new Error(t("rnn.file.none"));
      return seqWasm().RecurrentNet.fromBytes(e.bytes);
    });
  } else {
    loaded[id] ??= fetchBytes(SOURCES[id]).then((bytes) => seqWasm().RecurrentNet.fromBytes(bytes));
  }
  // A failed load is tried again the next time the network is chosen.
  loaded[id].catch(() => delete loaded[id]);
  return loaded[id];
}

/** Makes a student's file the network "local" and keeps it in this browser; a file too large
 *  or without a recurrent layer is refused with a sentence, the network shown unchanged.
 *  Resolves to the network it replaced (for the caller to free once nothing shows it). */
export async function setLocal(file) {
  if (file.size > MAX_FILE_BYTES) throw new Error(t("rnn.file.huge", { name: file.name, mb: (file.size / 1048576).toFixed(0) }));
  const bytes = new Uint8Array(await file.arrayBuffer());
  const net = seqWasm().RecurrentNet.fromBytes(bytes);
  const old = await loaded.local?.catch(() => null);
  loaded.local = Promise.resolve(net);
  await keep("rnn", { name: file.name, bytes }).catch(() => {});
  return old ?? null;
}
