// The pooling lab: one plane of non-negative activations through the course's three kinds
// of pooling — max, mean and stochastic (Zeiler & Fergus 2013) — with the probabilities
// p_i = a_i / Σa of the selected window, a seeded sample, and a thousand samples to show
// that the frequencies follow p_i. Every output comes from wasm.

import { codePanel } from "../codepanel.js";
import { poolCode } from "../pytorch.js";
import { t } from "../i18n.js";
import { el, subscripted } from "../dom.js";
import { wasm } from "../wasm.js";
import { makeGrid } from "../grid.js";
import { fmt } from "../format.js";
import { diverging, activationShade } from "../palette.js";

const DEFAULT = [1.6, 0, 0.2, 0.9, 0, 0.4, 2.4, 0, 0, 1.2, 0, 1.5, 0.3, 0.6, 0.5, 0.2];
const SIDE = 4;

export const schema = {
  seed: { kind: "int", min: 0, max: 999999, default: 1, always: true },
  win: { kind: "int", min: 0, max: 3, default: 0 },
  a: { kind: "list", max: 16, default: null },
};


/** The flat input indices of window `w` (2×2, stride 2) of the 4×4 plane. */
const cellsOf = (w) => {
  const [oy, ox] = [Math.floor(w / 2), w % 2];
  return [0, 1, 2, 3].map((k) => (2 * oy + Math.floor(k / 2)) * SIDE + 2 * ox + (k % 2));
};

export function mount(root, state, setState) {
  const view = el("section", { class: "view pool", "aria-labelledby": "pool-title" });
  view.append(el("h2", { id: "pool-title", text: t("pool.title") }), el("p", { class: "intro" }, ...subscripted(t("pool.intro"))));
  const seedIn = el("input", { type: "number", id: "pool-seed", min: "0", max: "999999", step: "1" });
  const resample = el("button", { type: "button", id: "pool-resample", text: t("pool.resample") });
  const many = el("button", { type: "button", id: "pool-many", text: t("pool.many") });
  view.append(el("div", { class: "controls" }, el("label", { for: "pool-seed" }, t("pool.seed") + " ", seedIn), resample, many));
  const inHost = el("div", { class: "grid-host" });
  const outs = {};
  const row = el("div", { class: "lab" }, el("figure", { class: "in-panel" }, el("figcaption", { text: t("pool.input") }), inHost));
  for (const kind of ["max", "mean", "expect", "sample"]) {
    outs[kind] = { host: el("div", { class: "grid-host" }), grid: null };
    row.append(el("figure", { class: `out pool-${kind}` }, el("figcaption", {}, el("strong", { text: t(`pool.${kind}`) }), el("br"), el("span", { class: "rule" }, ...subscripted(t(`pool.${kind}Rule`)))), outs[kind].host));
  }
  const detail = el("div", { class: "pool-detail", "aria-live": "polite" });
  const code = codePanel("pool-code");
  view.append(row, detail, code.node);
  root.append(view);

  let cur = null;
  seedIn.addEventListener("change", () => {
    const v = Number(seedIn.value);
    if (Number.isInteger(v) && v >= 0 && v <= 999999) setState({ seed: v });
    else seedIn.value = String(cur.seed);
  });
  resample.addEventListener("click", () => setState({ seed: (cur.seed + 1) % 1000000 }));
  many.addEventListener("click", () => showDetail(cur.win, 1000));

  function pools(a, seed) {
    const w = wasm();
    const args = [a, [1, 1, SIDE, SIDE], [2, 2], [2, 2], "valid"];
    const max = w.maxPool2d(...args);
    const mean = w.avgPool2d(...args);
    const expect = w.stochasticPool2d(...args, "inference", 0);
    const sample = w.stochasticPool2d(...args, "train", seed);
    const res = { max: max.data, maxAt: max.index, mean: mean.data, expect: expect.data, sample: sample.data, sampleAt: sample.index };
    for (const o of [max, mean, expect, sample]) o.free();
    return res;
  }

  function showDetail(win, samples = 0) {
    const { a, res, seed } = cur;
    const cells = cellsOf(win);
    const vals = cells.map((i) => a[i]);
    const sum = vals.reduce((s, v) => s + v, 0);
    cur.inGrid.highlight(cells.map((i) => [Math.floor(i / SIDE), i % SIDE]), "win");
    cur.inGrid.highlight([[Math.floor(res.maxAt[win] / SIDE), res.maxAt[win] % SIDE]], "sel");
    cur.inGrid.highlight([[Math.floor(res.sampleAt[win] / SIDE), res.sampleAt[win] % SIDE]], "tap");
    for (const k of Object.keys(outs)) outs[k].grid.highlight([[Math.floor(win / 2), win % 2]], "sel");
    const table = el("table", { class: "probs" });
    // One row of the table: its heading in the course's notation, then one number per cell.
    const row = (head, nums, attrs = {}) => el("tr", attrs, el("th", {}, ...subscripted(head)), ...nums.map((v) => el("td", { text: fmt(v) })));
    table.append(row("a_i", vals), row("p_i = a_i / Σa", vals.map((v) => (sum > 0 ? v / sum : 0))));
    // Frequencies over many seeds, next to p_i: the sampler really draws with these odds.
    let freqs = null;
    if (samples) {
      const counts = [0, 0, 0, 0];
      const w = wasm();
      for (let s = 0; s < samples; s++) {
        const o = w.stochasticPool2d(a, [1, 1, SIDE, SIDE], [2, 2], [2, 2], "valid", "train", s);
        counts[cells.indexOf(o.index[win])]++;
        o.free();
      }
      freqs = counts.map((c) => c / samples);
      table.append(row(t("pool.freq", { n: samples }), freqs, { class: "freq" }));
    }
    const expectText = `Σ a_i p_i = ${vals.map((v) => (sum > 0 ? `${fmt(v)}×${fmt(v / sum)}` : "0")).join(" + ")} = ${fmt(res.expect[win])}`;
    detail.replaceChildren(
      el("p", { class: "unit-head" }, el("strong", { text: t("pool.window", { n: win + 1 }) })),
      table,
      el("p", { class: "arith", id: "pool-arith-max", text: `max(${vals.map(fmt).join(", ")}) = ${fmt(res.max[win])}` }),
      el("p", { class: "arith", id: "pool-arith-mean", text: `(${vals.map(fmt).join(" + ")}) / 4 = ${fmt(res.mean[win])}` }),
      el("p", { class: "arith", id: "pool-arith-expect" }, ...subscripted(expectText)),
      el("p", { class: "arith", id: "pool-arith-sample", text: t("pool.sampled", { seed, v: fmt(res.sample[win]) }) }),
    );
  }

  function update(s) {
    const a = Float32Array.from(s.a?.length === SIDE * SIDE && s.a.every((v) => v >= 0) ? s.a : DEFAULT);
    // Stochastic pooling has no PyTorch function: the code shows max and mean.
    code.set(["max", "avg"].map((kind) => poolCode({ x: a, xShape: [1, 1, SIDE, SIDE], kernel: [2, 2], stride: [2, 2], kind })).join("\n\n"));
    seedIn.value = String(s.seed);
    const res = pools(a, s.seed);
    const amax = Math.max(...a, 1e-6);
    const inGrid = makeGrid({
      rows: SIDE, cols: SIDE, values: a, editable: "type",
      label: (r, c, v) => t("conv.cellInput", { r: r + 1, c: c + 1, v: fmt(v) }),
      color: (v) => activationShade(v / amax), dark: () => false,
      onEdit: (i, v) => {
        // To 4 decimals, as the hash stores them (a Float32Array's 1.6 is 1.600000023841858).
        const next = Array.from(a, (x) => Math.round(x * 1e4) / 1e4);
        next[i] = Math.max(0, Math.round(v * 1e4) / 1e4); // activations after a ReLU: never negative
        setState({ a: next });
      },
    });
    inHost.replaceChildren(inGrid.el);
    for (const k of Object.keys(outs)) {
      const vals = res[k];
      const vmax = Math.max(...vals, 1e-6);
      outs[k].grid = makeGrid({
        rows: 2, cols: 2, values: vals, editable: false,
        label: (r, c, v) => t("pool.cellOut", { kind: t(`pool.${k}`), n: r * 2 + c + 1, v: fmt(v) }),
        color: (v) => diverging(v / vmax), dark: () => false,
        onFocus: (r, c) => setState({ win: r * 2 + c }),
      });
      outs[k].host.replaceChildren(outs[k].grid.el);
    }
    cur = { a, res, seed: s.seed, win: s.win, inGrid };
    showDetail(s.win);
  }

  update(state);
  return { update, destroy: () => view.remove() };
}
