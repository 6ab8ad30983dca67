// Which network the LeNet-5 view shows: the shipped one, or a snapshot of the one being
// trained in the training view, renewed every 2 s while it learns.

import { t } from "../../i18n.js";
import { el } from "../../dom.js";
import { loadShippedLenet, trainedLenet, session } from "../../lenet.js";

/** `changed()` is called whenever `.net` is another network. */
export function netSource({ changed, setState }) {
  const select = el("select", { id: "lenet-net" });
  const shippedOption = el("option", { value: "shipped", text: t("lenet.net.shipped") });
  select.append(shippedOption, el("option", { value: "trained", text: t("lenet.net.trained") }));
  select.addEventListener("change", () => setState({ net: select.value }));
  const note = el("p", { class: "hint", id: "lenet-net-note" });

  let shipped = null;
  let net = null;
  let which = null;
  let refresh = null;
  async function use(kind) {
    which = kind;
    select.value = kind;
    clearInterval(refresh);
    let n = kind === "trained" ? await trainedLenet() : null;
    const status = () => (kind !== "trained" ? "" : !n ? t("lenet.net.none") : session.status === "done" ? t("lenet.net.finished") : t("lenet.net.live"));
    note.textContent = status();
    if (n) {
      refresh = setInterval(async () => {
        note.textContent = status();
        if (session.status !== "running") return;
        const fresh = await trainedLenet();
        if (fresh && which === "trained") {
          if (net !== shipped) net?.free();
          net = fresh;
          changed();
        }
      }, 2000);
    }
    n ??= shipped;
    if (net && net !== shipped && net !== n) net.free();
    net = n;
    changed();
  }

  return {
    nodes: [el("label", { for: "lenet-net" }, t("lenet.net") + " ", select), note],
    /** The network shown: null until the shipped one has loaded and update() has run. */
    get net() {
      return net;
    },
    /** Loads the shipped network (the fallback while no training has started). */
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
      if (net && net !== shipped) net.free();
    },
  };
}
