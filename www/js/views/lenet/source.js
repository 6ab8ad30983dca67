// Which network the LeNet view shows: the shipped LeNet-5, a snapshot of the one being
// trained in the training view (renewed every 2 s while it learns), or the student's own
// (a .safetensors file picked or dropped on the view; www/js/network.js), kept in this
// browser (www/js/kept.js) so a reload shows it again.

import { t } from "../../i18n.js";
import { el } from "../../dom.js";
import { loadShippedLenet, trainedLenet, session } from "../../lenet.js";
import { inspect, open } from "../../network.js";
import { MAX_FILE_BYTES, keep, kept } from "../../kept.js";
import { answersForm } from "./answers.js";

/** `changed()` is called whenever `.net` is another network. */
export function netSource({ changed, setState, dropTarget }) {
  const select = el("select", { id: "lenet-net" });
  const shippedOption = el("option", { value: "shipped", text: t("lenet.net.shipped") });
  const localOption = el("option", { value: "local", text: t("lenet.net.local") });
  select.append(shippedOption, el("option", { value: "trained", text: t("lenet.net.trained") }), localOption);
  select.addEventListener("change", () => setState({ net: select.value }));
  const note = el("p", { class: "hint", id: "lenet-net-note", "aria-live": "polite" });
  const file = el("input", { type: "file", id: "lenet-file", accept: ".safetensors" });
  const questions = el("div");
  const timing = el("p", { class: "hint", id: "lenet-timing" });
  let timedAt = 0;

  let shipped = null;
  let local = null; // { name, net, seen (what inspect said), bytes } once a file has loaded
  let net = null;
  let which = null;
  let refresh = null;

  const bad = (name, e) => (note.textContent = t("lenet.file.bad", { name, msg: e.message ?? String(e) }));

  /** Makes `next` ({ name, net, seen, bytes }) the student's network, kept with `described`
   *  (the answers it was built with, or null when the file describes itself), and shows it.
   *  The network it replaces is freed by use() if it is the one shown, else here. */
  async function replaceLocal(next, described) {
    const old = local?.net;
    const shownBefore = old === net;
    local = next;
    await keep("network", { name: next.name, bytes: next.bytes, described, seen: next.seen }).catch(() => {});
    which = null; // show it even if "local" was already chosen
    setState({ net: "local" });
    await use("local");
    if (old && !shownBefore) old.free();
  }

  /** A student's file: read, checked, and shown; any problem is a sentence, and the network
   *  on screen stays until a new one is whole. */
  async function load(f) {
    if (!f) return;
    if (f.size > MAX_FILE_BYTES) return (note.textContent = t("lenet.file.huge", { name: f.name, mb: (f.size / 1048576).toFixed(0) }));
    note.textContent = t("lenet.file.reading", { name: f.name });
    try {
      const bytes = new Uint8Array(await f.arrayBuffer());
      const seen = await inspect(bytes);
      // A file that describes itself (or LeNet-5's) is built as it says; a bare state_dict
      // with what nnplay assumed for what its tensors cannot tell (asked below it).
      const described = seen.questions.length ? { input: seen.input, layers: seen.layers } : null;
      await replaceLocal({ name: f.name, net: await open(bytes, described), seen, bytes }, described);
    } catch (e) {
      bad(f.name, e);
    }
  }
  /** The student's answers to what the file could not tell: the network built with them. */
  async function answer(described) {
    try {
      const opened = await open(local.bytes, described);
      await replaceLocal({ ...local, net: opened, seen: { ...local.seen, ...described } }, described);
    } catch (e) {
      bad(local.name, e);
    }
  }
  file.addEventListener("change", () => load(file.files[0]));
  dropTarget.addEventListener("dragover", (e) => e.preventDefault());
  dropTarget.addEventListener("drop", (e) => {
    e.preventDefault();
    load(e.dataTransfer.files[0]);
  });

  async function use(kind) {
    which = kind;
    select.value = kind;
    clearInterval(refresh);
    questions.replaceChildren();
    timing.textContent = "";
    if (kind === "local" && !local) {
      const entry = await kept("network");
      if (entry) {
        try {
          local = { name: entry.name, net: await open(entry.bytes, entry.described), seen: entry.seen ?? null, bytes: entry.bytes };
        } catch (e) {
          bad(entry.name, e);
        }
      }
    }
    let n = kind === "trained" ? await trainedLenet() : kind === "local" ? local?.net ?? null : null;
    const status = () =>
      kind === "local" ? (local ? t("lenet.file.shown", { name: local.name, params: local.net.params.toLocaleString(), macs: local.net.macs.toLocaleString() }) : t("lenet.file.none"))
      : kind !== "trained" ? "" : !n ? t("lenet.net.none") : session.status === "done" ? t("lenet.net.finished") : t("lenet.net.live");
    note.textContent = status();
    if (kind === "local" && local?.seen?.questions.length) questions.replaceChildren(answersForm(local.seen, answer));
    if (kind === "trained" && n) {
      refresh = setInterval(async () => {
        note.textContent = status();
        if (session.status !== "running") return;
        const fresh = await trainedLenet();
        if (fresh && which === "trained") {
          if (net !== shipped && net !== local?.net) net?.free();
          net = fresh;
          changed();
        }
      }, 2000);
    }
    n ??= shipped;
    if (net && net !== shipped && net !== local?.net && net !== n) net.free();
    net = n;
    changed();
  }

  return {
    nodes: [
      el("label", { for: "lenet-net" }, t("lenet.net") + " ", select),
      el("label", { for: "lenet-file", class: "file-pick" }, t("lenet.file.pick") + " ", file),
      note,
      timing,
      questions,
    ],
    /** How long the shown network's pass over the drawing took (said for a student's
     *  network, whose size is theirs; twice a second at most). */
    timed(ms) {
      if (which !== "local" || !local || performance.now() - timedAt < 500) return;
      timedAt = performance.now();
      timing.textContent = t("lenet.file.timing", { ms: ms < 10 ? ms.toFixed(1) : Math.round(ms) });
    },
    /** The network shown: null until the shipped one has loaded and update() has run. */
    get net() {
      return net;
    },
    /** The name of the file the network shown comes from (as its PyTorch code loads it). */
    get fileName() {
      return which === "local" && local ? local.name : which === "trained" && net !== shipped ? "lenet5-trained-here.safetensors" : "lenet5.safetensors";
    },
    /** Loads the shipped network (the fallback while no other is there). */
    async load() {
      shipped = await loadShippedLenet();
      // Its MNIST accuracy as its file records it (measured when it was trained).
      const acc = Number(shipped.meta("mnist_accuracy"));
      if (acc > 0) shippedOption.textContent = t("lenet.net.shippedAcc", { acc: (acc * 100).toFixed(2) });
    },
    async update(kind) {
      if (kind !== which && shipped) await use(kind);
    },
    destroy() {
      clearInterval(refresh);
      if (net && net !== shipped && net !== local?.net) net.free();
      local?.net.free();
    },
  };
}
