// The RNN view's network source: one made here from the view's settings, a trained one (the
// segmenter's BiLSTM and the character models' LSTMs: their recurrent layers, reading the
// typed text through their embeddings), or a student's own PyTorch nn.RNN / nn.GRU / nn.LSTM
// state dict, kept in this browser. Each file is fetched or read once, when first chosen, as a
// wasm `RecurrentNet.fromBytes` (sizes from its tensors' shapes); the panel says what it held.

import { seqWasm } from "../../wasm.js";
import { t } from "../../i18n.js";
import { el } from "../../dom.js";
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
function loadNet(id) {
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
async function setLocal(file) {
  if (file.size > MAX_FILE_BYTES) throw new Error(t("rnn.file.huge", { name: file.name, mb: (file.size / 1048576).toFixed(0) }));
  const bytes = new Uint8Array(await file.arrayBuffer());
  const net = seqWasm().RecurrentNet.fromBytes(bytes);
  const old = await loaded.local?.catch(() => null);
  loaded.local = Promise.resolve(net);
  await keep("rnn", { name: file.name, bytes }).catch(() => {});
  return old ?? null;
}

const pick = (id, values, label) => el("select", { id }, ...values.map((v) => el("option", { value: v, text: label(v) })));

/** "nn.LSTM(input_size=48, hidden_size=128, num_layers=1, bidirectional=True)" for `net`. */
function moduleOf(net) {
  const cls = { rnn: "RNN", gru: "GRU", lstm: "LSTM" }[net.kind.split(":")[0]];
  const relu = net.kind === "rnn:relu" ? ', nonlinearity="relu"' : "";
  return `nn.${cls}(input_size=${net.inputSize}, hidden_size=${net.hiddenSize}, num_layers=${net.layers}${relu}${net.bidirectional ? ", bidirectional=True" : ""})`;
}

/** What the file held, what was assumed, what the network reads, and the typed characters
 *  it does not know. */
function describe(net, s) {
  const unknown = net.readsText ? net.unknown(s.text) : "";
  const others = net.others();
  return [
    t("rnn.read", { module: moduleOf(net), where: net.prefix }),
    ...net.assumed().map((a) => t(`rnn.assumed.${a}`)),
    others.length ? t("rnn.others", { list: others.join(", ") }) : "",
    net.readsText ? t("rnn.readsText") : t("rnn.readsWaves", { i: net.inputSize }),
    unknown ? t("rnn.unknown", { chars: [...unknown].join(" ") }) : "",
  ].filter(Boolean).join(" · ");
}

/** The panel: which network, a student's file, the text a network with an embedding reads,
 *  a plain nn.RNN's nonlinearity, and what the file held. `refresh()` shows the view again
 *  once a network has arrived; `maxText` is the text field's limit. */
export function networkSource({ setState, refresh, maxText }) {
  const model = pick("rnn-model", Object.keys(SOURCES), (v) => t(`rnn.model.${v}`));
  const file = el("input", { type: "file", id: "rnn-file", accept: ".safetensors" });
  const text = el("input", { type: "text", id: "rnn-text", maxlength: String(maxText), lang: "zh-CN" });
  const nonlin = pick("rnn-nonlin", ["tanh", "relu"], (v) => t(`rnn.nonlin.${v}`));
  const about = el("p", { class: "hint rnn-about", "aria-live": "polite" });
  const labels = {
    file: el("label", { for: "rnn-file" }, t("rnn.file.pick") + " ", file),
    text: el("label", { for: "rnn-text" }, t("rnn.textLabel") + " ", text),
    nonlin: el("label", { for: "rnn-nonlin" }, t("rnn.nonlinLabel") + " ", nonlin),
  };
  const controls = el("div", { class: "controls" }, el("label", { for: "rnn-model" }, t("rnn.modelLabel") + " ", model), labels.file, labels.text, labels.nonlin);
  const error = (msg) => about.replaceChildren(el("span", { class: "error", role: "alert", text: msg }));

  let shown = null; // the network from a file on screen, and its id
  let shownId = "random";
  let retired = null; // a replaced file's network, freed once no run shows it
  let cur = null;
  model.addEventListener("change", () => setState({ model: model.value, pos: 0 }));
  nonlin.addEventListener("change", () => setState({ nonlin: nonlin.value, pos: 0 }));
  let typing = null;
  text.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => setState({ text: text.value, pos: 0 }), 150);
  });
  file.addEventListener("change", async () => {
    const f = file.files[0];
    if (!f) return;
    try {
      retired = await setLocal(f);
      shown = null;
      if (cur.model === "local") refresh();
      else setState({ model: "local", pos: 0 });
    } catch (e) {
      error(t("rnn.file.bad", { name: f.name, msg: e.message }));
    }
  });
  /** Loads network `id`, and shows the view again when it arrives if it is still wanted; a
   *  failure is a sentence, and what is on screen stays. */
  function request(id) {
    about.textContent = t("rnn.loading");
    loadNet(id).then(
      (net) => {
        if (cur.model !== id) return;
        [shown, shownId] = [net, id];
        refresh();
      },
      (e) => cur.model === id && error(e.message),
    );
  }
  return {
    nodes: [controls, about],
    /** The network from a file to show for `state` (its nonlinearity set as `state` asks),
     *  null for one made here, or undefined while it loads. */
    netFor(state) {
      cur = state;
      model.value = state.model;
      if (document.activeElement !== text) text.value = state.text;
      nonlin.value = state.nonlin;
      labels.file.hidden = state.model !== "local";
      if (state.model === "random") return null;
      if (shownId !== state.model || !shown) return request(state.model);
      if (shown.kind.startsWith("rnn") && shown.kind !== (state.nonlin === "relu" ? "rnn:relu" : "rnn")) shown.setNonlinearity(state.nonlin);
      return shown;
    },
    /** Says what network `net` (null: one made here) is, for `state`; false when it cannot
     *  run (a network that reads text, and no text). */
    show(net, state) {
      labels.text.hidden = !net?.readsText;
      labels.nonlin.hidden = !net?.kind.startsWith("rnn");
      if (net?.readsText && !state.text) {
        error(t("rnn.textEmpty"));
        return false;
      }
      about.textContent = net ? describe(net, state) : "";
      return true;
    },
    /** Frees a replaced file's network once the run shown (on `inUse`) has moved off it. */
    release(inUse) {
      if (retired && retired !== inUse) retired.free();
      if (retired !== inUse) retired = null;
    },
  };
}
