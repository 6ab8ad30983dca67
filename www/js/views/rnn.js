// Recurrent networks unrolled over time: the folded cell and its chain of steps, stepped,
// played or scrubbed; Elman vs Jordan (which wire feeds back); the gates of the LSTM, the
// course's peephole LSTM, the FC-LSTM and the GRU at any step, next to their formulas in
// MathML; bidirectional and stacked layers animated in their own directions. Every value
// comes from wasm's step-wise API (`RecurrentNet.step`, `SimpleNet.step`).

import { t } from "../i18n.js";
import { el, svg, subscripted } from "../dom.js";
import { wasm } from "../wasm.js";
import { fmt } from "../grid.js";
import { COLORS, diverging } from "../palette.js";

const CELLS = ["elman", "jordan", "rnn", "gru", "lstm", "peephole", "fc"];
const SEQS = {
  // "hello" as one-hot letters over h, e, l, o: the classic character example.
  hello: { i: 4, x: [0, 1, 2, 2, 3].flatMap((k) => [0, 1, 2, 3].map((j) => (j === k ? 1 : 0))), labels: ["h", "e", "l", "l", "o"] },
  sine: { i: 2, x: Array.from({ length: 10 }, (_, s) => [Math.sin(s / 2), Math.cos(s / 2)]).flat(), labels: null },
  ramp: { i: 1, x: Array.from({ length: 8 }, (_, s) => s / 7), labels: null },
};

export const schema = {
  cell: { kind: "enum", values: CELLS, default: "lstm", always: true },
  hact: { kind: "enum", values: ["tanh", "linear"], default: "tanh" },
  seq: { kind: "enum", values: Object.keys(SEQS), default: "hello" },
  layers: { kind: "int", min: 1, max: 3, default: 1 },
  bi: { kind: "int", min: 0, max: 1, default: 0 },
  hidden: { kind: "int", min: 2, max: 8, default: 4 },
  pos: { kind: "int", min: 0, max: 999, default: 0 },
  seed: { kind: "int", min: 0, max: 999999, default: 1 },
};

const GATES = { rnn: ["h"], gru: ["r", "z", "n"], lstm: ["i", "f", "g", "o"] };

// The formulas, in MathML (rendered by the browser; no library). Wires that differ from the
// standard LSTM are marked class="diff" and highlighted.
const MI = (s) => `<mi>${s}</mi>`;
const SUB = (a, b) => `<msub>${a}<mrow>${b}</mrow></msub>`;
const xt = SUB(MI("x"), MI("t"));
const hp = SUB(MI("h"), "<mrow><mi>t</mi><mo>−</mo><mn>1</mn></mrow>");
const cp = SUB(MI("c"), "<mrow><mi>t</mi><mo>−</mo><mn>1</mn></mrow>");
const line = (lhs, rhs) => `<math display="block"><mrow>${lhs}<mo>=</mo>${rhs}</mrow></math>`;
const sig = (inner) => `<mi>σ</mi><mo>(</mo>${inner}<mo>)</mo>`;
const lin = (w, v) => `${SUB(MI("W"), MI(w))}${v}`;
function formulas(cell, linear) {
  const h = SUB(MI("h"), MI("t"));
  const c = SUB(MI("c"), MI("t"));
  const g = (n, extra = "") => `${lin(n, `<mo>[</mo>${xt}<mo>,</mo>${extra || hp}<mo>]</mo>`)}<mo>+</mo>${SUB(MI("b"), MI(n))}`;
  const diff = (s) => `<mrow class="diff">${s}</mrow>`;
  const sh = linear ? c : `<mi>tanh</mi><mo>(</mo>${c}<mo>)</mo>`;
  switch (cell) {
    case "elman":
      return [line(h, `<mi>tanh</mi><mo>(</mo>${lin("ih", xt)}<mo>+</mo>${diff(lin("hh", hp))}<mo>+</mo><mi>b</mi><mo>)</mo>`), line(SUB(MI("y"), MI("t")), `<mi>act</mi><mo>(</mo>${lin("hy", h)}<mo>+</mo>${SUB(MI("b"), MI("y"))}<mo>)</mo>`)];
    case "jordan":
      return [line(h, `<mi>tanh</mi><mo>(</mo>${lin("ih", xt)}<mo>+</mo>${diff(lin("yh", SUB(MI("y"), "<mrow><mi>t</mi><mo>−</mo><mn>1</mn></mrow>")))}<mo>+</mo><mi>b</mi><mo>)</mo>`), line(SUB(MI("y"), MI("t")), `<mi>act</mi><mo>(</mo>${lin("hy", h)}<mo>+</mo>${SUB(MI("b"), MI("y"))}<mo>)</mo>`)];
    case "rnn":
      return [line(h, `<mi>tanh</mi><mo>(</mo>${g("h")}<mo>)</mo>`)];
    case "gru":
      return [
        line(SUB(MI("r"), MI("t")), sig(g("r"))),
        line(SUB(MI("z"), MI("t")), sig(g("z"))),
        line(SUB(MI("ñ"), MI("t")), `<mi>tanh</mi><mo>(</mo>${lin("in", xt)}<mo>+</mo>${SUB(MI("r"), MI("t"))}<mo>⊙</mo><mo>(</mo>${lin("hn", hp)}<mo>+</mo>${SUB(MI("b"), MI("hn"))}<mo>)</mo><mo>)</mo>`),
        line(h, `<mo>(</mo><mn>1</mn><mo>−</mo>${SUB(MI("z"), MI("t"))}<mo>)</mo><mo>⊙</mo>${SUB(MI("ñ"), MI("t"))}<mo>+</mo>${SUB(MI("z"), MI("t"))}<mo>⊙</mo>${hp}`),
      ];
    default: {
      const peep = cell === "peephole";
      const fc = cell === "fc";
      const gate = (n) => (peep ? sig(g(n, diff(cp))) : fc ? sig(`${g(n)}<mo>+</mo>${diff(`${SUB(MI("p"), MI(n))}<mo>⊙</mo>${n === "o" ? c : cp}`)}`) : sig(g(n)));
      return [
        line(SUB(MI("i"), MI("t")), gate("i")),
        line(SUB(MI("f"), MI("t")), gate("f")),
        line(SUB(MI("c̃"), MI("t")), `<mi>tanh</mi><mo>(</mo>${peep ? diff(`${lin("g", xt)}<mo>+</mo>${SUB(MI("b"), MI("g"))}`) : g("g")}<mo>)</mo>`),
        line(c, `${SUB(MI("f"), MI("t"))}<mo>⊙</mo>${cp}<mo>+</mo>${SUB(MI("i"), MI("t"))}<mo>⊙</mo>${SUB(MI("c̃"), MI("t"))}`),
        line(SUB(MI("o"), MI("t")), gate("o")),
        line(h, `${SUB(MI("o"), MI("t"))}<mo>⊙</mo>${linear ? diff(sh) : sh}`),
      ];
    }
  }
}



export function mount(root, state, setState) {
  const view = el("section", { class: "view rnn", "aria-labelledby": "rnn-title" });
  view.append(el("h2", { id: "rnn-title", text: t("rnn.title") }), el("p", { class: "intro" }, ...subscripted(t("rnn.intro"))));
  const pick = (id, values, label) => {
    const s = el("select", { id });
    for (const v of values) s.append(el("option", { value: String(v), text: label(v) }));
    return s;
  };
  const cellSel = pick("rnn-cell", CELLS, (v) => t(`rnn.cell.${v}`));
  const hactSel = pick("rnn-hact", ["tanh", "linear"], (v) => t(`rnn.hact.${v}`));
  const seqSel = pick("rnn-seq", Object.keys(SEQS), (v) => t(`rnn.seq.${v}`));
  const layersSel = pick("rnn-layers", [1, 2, 3], String);
  const biBox = el("input", { type: "checkbox", id: "rnn-bi" });
  const stepBtn = el("button", { type: "button", id: "rnn-step", text: t("rnn.step") });
  const playBtn = el("button", { type: "button", id: "rnn-play", text: t("rnn.play") });
  const resetBtn = el("button", { type: "button", id: "rnn-reset", text: t("rnn.reset") });
  const scrub = el("input", { type: "range", id: "rnn-scrub", min: "0", max: "1", step: "1", value: "0" });
  const speed = el("input", { type: "range", id: "rnn-speed", min: "1", max: "10", value: "4" });
  view.append(
    el("div", { class: "controls" },
      el("label", { for: "rnn-cell" }, t("rnn.cellLabel") + " ", cellSel),
      el("label", { for: "rnn-hact", class: "hact" }, "σh ", hactSel),
      el("label", { for: "rnn-seq" }, t("rnn.seqLabel") + " ", seqSel),
      el("label", { for: "rnn-layers", class: "stack" }, t("rnn.layers") + " ", layersSel),
      el("label", { for: "rnn-bi", class: "stack" }, biBox, " " + t("rnn.bi"))),
    el("div", { class: "controls" }, stepBtn, playBtn, resetBtn,
      el("label", { for: "rnn-scrub" }, t("rnn.scrub") + " ", scrub),
      el("label", { for: "rnn-speed" }, t("rnn.speed") + " ", speed)),
  );
  const chain = el("div", { class: "chain", role: "img", "aria-label": t("rnn.chainLabel") });
  const status = el("p", { class: "rnn-status", id: "rnn-status", "aria-live": "polite" });
  const gates = el("div", { class: "gates" });
  const math = el("div", { class: "formulas" });
  view.append(chain, status, el("div", { class: "gate-row" }, gates, math), el("p", { class: "hint", text: t("rnn.keys") }));
  // The same sequence through every kind of cell; why gates matter; what RNNs are used for.
  const compare = el("div", { class: "compare", id: "rnn-compare" });
  const grads = el("div", { class: "grad-chart", id: "rnn-grads" });
  const apps = el("ul", { class: "apps" });
  for (const k of ["speech", "classify", "translate", "tagging"]) {
    const li = el("li", {}, el("strong", { text: t(`rnn.app.${k}`) }), " ", t(`rnn.app.${k}.text`));
    if (k === "tagging") li.append(" ", el("a", { href: `#view=seg&lang=${state.lang}`, text: t("rnn.app.tagging.link") }));
    apps.append(li);
  }
  view.append(
    el("h3", { text: t("rnn.compareTitle") }), el("p", { class: "hint", text: t("rnn.compareHint") }), compare,
    el("h3", { text: t("rnn.gradTitle") }), el("p", { class: "hint", text: t("rnn.gradHint") }), grads,
    el("h3", { text: t("rnn.appsTitle") }), apps,
  );
  root.append(view);

  const on = (elm, ev, f) => elm.addEventListener(ev, f);
  on(cellSel, "change", () => setState({ cell: cellSel.value, pos: 0 }));
  on(hactSel, "change", () => setState({ hact: hactSel.value, pos: 0 }));
  on(seqSel, "change", () => setState({ seq: seqSel.value, pos: 0 }));
  on(layersSel, "change", () => setState({ layers: Number(layersSel.value), pos: 0 }));
  on(biBox, "change", () => setState({ bi: biBox.checked ? 1 : 0, pos: 0 }));
  on(scrub, "input", () => setState({ pos: Number(scrub.value) }));
  on(stepBtn, "click", () => setState({ pos: Math.min(cur.total, cur.pos + 1) }));
  on(resetBtn, "click", () => setState({ pos: 0 }));
  let timer = null;
  const stop = () => {
    clearInterval(timer);
    timer = null;
    playBtn.textContent = t("rnn.play");
  };
  const tick = () => (cur.pos >= cur.total ? stop() : setState({ pos: cur.pos + 1 }));
  const run = () => {
    clearInterval(timer);
    timer = setInterval(tick, 1100 - 100 * Number(speed.value));
  };
  on(playBtn, "click", () => {
    if (timer) return stop();
    playBtn.textContent = t("rnn.pause");
    if (cur.pos >= cur.total) setState({ pos: 0 });
    run();
  });
  // The speed takes effect while playing, not only at the next Play.
  on(speed, "input", () => timer && run());
  // The step keys work wherever the focus is on the page (after loading it is on <body>), but
  // not while a control that uses them has it.
  const onKey = (e) => {
    if (!view.isConnected || e.altKey || e.ctrlKey || e.metaKey) return;
    if (["SELECT", "INPUT", "TEXTAREA"].includes(e.target.tagName) || e.target.isContentEditable) return;
    if (e.key === "ArrowRight" || e.key === ".") setState({ pos: Math.min(cur.total, cur.pos + 1) });
    else if (e.key === "ArrowLeft" || e.key === ",") setState({ pos: Math.max(0, cur.pos - 1) });
    else return;
    e.preventDefault();
  };
  document.addEventListener("keydown", onKey);

  let cur = null; // { key, net, simple, schedule, total, pos, T, H, ... }

  /** A network for these settings, rewound to step 0. */
  function build(s) {
    const w = wasm();
    const seq = SEQS[s.seq];
    const T = seq.x.length / seq.i;
    const x = Float32Array.from(seq.x);
    const simple = s.cell === "elman" || s.cell === "jordan";
    cur?.net?.free();
    let net;
    let schedule;
    if (simple) {
      net = new w.SimpleNet(s.cell, seq.i, s.hidden, 2, "sigmoid", s.seed, x, T);
      schedule = Array.from({ length: T }, () => [0, 0]);
    } else {
      const kind = s.cell === "peephole" ? "lstm:peephole" : s.cell === "fc" ? "lstm:fc" : s.cell;
      const full = kind.startsWith("lstm") && s.hact === "linear" ? `${kind}:linear` : kind;
      net = new w.RecurrentNet(full, seq.i, s.hidden, s.layers, s.bi === 1, s.seed);
      // Layer by layer; in a bidirectional layer both directions step together, in opposite
      // directions through time.
      schedule = [];
      for (let l = 0; l < s.layers; l++) for (let k = 0; k < T; k++) for (let d = 0; d <= s.bi; d++) schedule.push([l, d]);
    }
    return { key: JSON.stringify([s.cell, s.hact, s.seq, s.layers, s.bi, s.hidden, s.seed]), net, simple, schedule, x, T, seq, pos: 0, last: null, total: schedule.length, s };
  }

  /** Brings the network to `pos` steps: forward from where it is, or from the start. */
  function goTo(pos) {
    if (pos < cur.pos) {
      const fresh = build(cur.s);
      cur = fresh;
    }
    if (!cur.simple && cur.pos === 0) cur.net.begin(cur.x, cur.T);
    while (cur.pos < pos) {
      const [l, d] = cur.schedule[cur.pos];
      const time = cur.simple ? cur.net.step() : cur.net.step(l, d);
      cur.last = { l, d, time };
      cur.pos++;
    }
  }

  function draw() {
    const { s, T, simple } = cur;
    const D = simple ? 1 : s.bi + 1;
    const L = simple ? 1 : s.layers;
    const rows = L * D;
    const [cw, ch, gx, gy] = [86, 44, 34, 26];
    // Room above the top row: for the concatenated outputs, or for the folded cell's loop
    // and its label (at 40 the label's top was cut off by the frame).
    const top = D > 1 ? 40 + ch + gy : 56;
    const fold = 210; // the folded cell, drawn left of its unrolled chain
    const W = fold + 70 + T * (cw + gx);
    const H = top + (rows + (simple ? 1 : 0)) * (ch + gy) + 70;
    const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chain-svg" });
    const defs = svg("defs");
    const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse" });
    marker.append(svg("path", { d: "M0,0 L10,5 L0,10 z" }));
    defs.append(marker);
    root.append(defs);
    const xOf = (time) => fold + 60 + time * (cw + gx);
    const rowY = (r) => top + (rows - 1 - r + (simple ? 1 : 0)) * (ch + gy);
    // Inputs along the bottom.
    const inY = rowY(0) + ch + gy;
    for (let time = 0; time < T; time++) {
      root.append(svg("rect", { x: xOf(time), y: inY, width: cw, height: 26, rx: 4, class: "xbox" }));
      root.append(svg("text", { x: xOf(time) + cw / 2, y: inY + 17, "text-anchor": "middle" }, cur.seq.labels ? `x${time + 1} = "${cur.seq.labels[time]}"` : `x${time + 1}`));
    }
    const H_ = s.hidden;
    const feedback = s.cell === "jordan" ? "y" : s.cell === "peephole" ? "c" : s.cell === "lstm" || s.cell === "fc" ? "h, c" : "h";
    for (let l = 0; l < L; l++) {
      for (let d = 0; d < D; d++) {
        const r = l * D + d;
        const y = rowY(r);
        const done = simple ? cur.net.done : cur.pos === 0 ? 0 : cur.net.done(l, d);
        const hs = simple ? cur.net.hidden() : cur.net.hidden(l, d);
        const label = simple ? t(`rnn.cell.${s.cell}`) : `${t("rnn.layerN", { n: l + 1 })}${D > 1 ? (d ? " ←" : " →") : ""}`;
        if (!simple) root.append(svg("text", { x: fold - 4, y: y + ch / 2 + 4, class: "rowlabel", "text-anchor": "end" }, label));
        for (let time = 0; time < T; time++) {
          const computed = d === 0 ? time < done : time >= T - done;
          const isLast = cur.last && cur.last.l === l && cur.last.d === d && cur.last.time === time;
          const g = svg("g", { class: `cellbox${computed ? " done" : ""}${isLast ? " last" : ""}`, "data-row": r, "data-t": time });
          g.append(svg("rect", { x: xOf(time), y, width: cw, height: ch, rx: 6 }));
          // h as a strip of H coloured cells inside the box.
          for (let j = 0; j < H_; j++) {
            g.append(svg("rect", { x: xOf(time) + 6 + (j * (cw - 12)) / H_, y: y + 8, width: (cw - 12) / H_ - 1, height: ch - 16, fill: computed ? diverging(hs[time * H_ + j]) : COLORS.empty, class: "hcell" }));
          }
          root.append(g);
          // The recurrent wire to the next step in this direction.
          const nxt = d === 0 ? time + 1 : time - 1;
          // (Jordan's feedback runs from y_t, drawn with the outputs below, not from h_t.)
          if (nxt >= 0 && nxt < T && s.cell !== "jordan") {
            const [x1, x2] = d === 0 ? [xOf(time) + cw, xOf(nxt)] : [xOf(time), xOf(nxt) + cw];
            const yy = s.cell === "jordan" ? y - 8 : y + ch / 2;
            root.append(svg("line", { x1, y1: yy, x2, y2: yy, class: `wire rec${computed ? " on" : ""}`, "marker-end": "url(#arrow)" }));
            root.append(svg("text", { x: (x1 + x2) / 2, y: yy - 4, "text-anchor": "middle", class: "wire-label" }, feedback));
          }
          // Input wire from below (the layer below, or x).
          const fromY = r === 0 || (D > 1 && r === 1 && l === 0) ? inY : rowY(r - (r % D) - 1) + 0;
          if (l === 0) root.append(svg("line", { x1: xOf(time) + cw / 2 + (d ? 8 : -8), y1: inY, x2: xOf(time) + cw / 2 + (d ? 8 : -8), y2: y + ch, class: "wire up", "marker-end": "url(#arrow)" }));
          else root.append(svg("line", { x1: xOf(time) + cw / 2 + (d ? 8 : -8), y1: fromY, x2: xOf(time) + cw / 2 + (d ? 8 : -8), y2: y + ch, class: "wire up" }));
        }
      }
    }
    if (!simple && D > 1) {
      // The top layer's output at each step: [forward h ; backward h], once both exist.
      const l = L - 1;
      const [hf, hb] = [cur.net.hidden(l, 0), cur.net.hidden(l, 1)];
      const [df, db] = cur.pos === 0 ? [0, 0] : [cur.net.done(l, 0), cur.net.done(l, 1)];
      const y0 = 40 - 10;
      for (let time = 0; time < T; time++) {
        const ready = time < df && time >= T - db;
        const g = svg("g", { class: `concat${ready ? " done" : ""}`, "data-t": time });
        g.append(svg("rect", { x: xOf(time), y: y0, width: cw, height: ch - 8, rx: 4 }));
        for (let j = 0; j < 2 * H_; j++) {
          const v = j < H_ ? hf[time * H_ + j] : hb[time * H_ + j - H_];
          g.append(svg("rect", { x: xOf(time) + 4 + (j * (cw - 8)) / (2 * H_), y: y0 + 6, width: (cw - 8) / (2 * H_) - 1, height: ch - 20, fill: ready ? diverging(v) : COLORS.empty }));
        }
        g.append(svg("line", { x1: xOf(time) + cw / 2, y1: y0 + 4, x2: xOf(time) + cw / 2, y2: y0 + ch - 12, class: "concat-split" }));
        root.append(g);
        root.append(svg("line", { x1: xOf(time) + cw / 2, y1: rowY(rows - 1), x2: xOf(time) + cw / 2, y2: y0 + ch - 8, class: "wire up", "marker-end": "url(#arrow)" }));
      }
      root.append(svg("text", { x: 4, y: y0 + ch / 2, class: "rowlabel" }, t("rnn.concat")));
    }
    if (simple) {
      // Outputs y_t above the hidden row; Jordan's feedback starts there.
      const y0 = rowY(0) - ch - gy + 10;
      const ys = cur.net.output();
      for (let time = 0; time < T; time++) {
        const computed = time < cur.net.done;
        root.append(svg("rect", { x: xOf(time) + 10, y: y0, width: cw - 20, height: ch - 10, rx: 4, class: `ybox${computed ? " done" : ""}` }));
        root.append(svg("text", { x: xOf(time) + cw / 2, y: y0 + 21, "text-anchor": "middle" }, computed ? `y = ${fmt(ys[time * 2])}, ${fmt(ys[time * 2 + 1])}` : "y"));
        root.append(svg("line", { x1: xOf(time) + cw / 2, y1: rowY(0), x2: xOf(time) + cw / 2, y2: y0 + ch - 10, class: "wire up", "marker-end": "url(#arrow)" }));
        if (s.cell === "jordan" && time + 1 < T) {
          root.append(svg("path", { d: `M${xOf(time) + cw - 10},${y0 + 8} C${xOf(time) + cw + 20},${y0 + 8} ${xOf(time + 1) - 10},${rowY(0) - 20} ${xOf(time + 1) + 6},${rowY(0)}`, class: `wire rec jordan${computed ? " on" : ""}`, "marker-end": "url(#arrow)" }));
        }
      }
    }
    // The folded cell: one box whose output loops back into itself; "=" the chain beside it.
    {
      const [fx, fy] = [24, rowY(0)];
      root.append(svg("text", { x: fx + cw / 2, y: fy - 34, "text-anchor": "middle", class: "rowlabel" }, t("rnn.folded")));
      root.append(svg("rect", { x: fx, y: fy, width: cw, height: ch, rx: 6, class: "folded" }));
      root.append(svg("text", { x: fx + cw / 2, y: fy + ch / 2 + 4, "text-anchor": "middle" }, t(`rnn.cell.${s.cell}`).split(" ")[0]));
      root.append(svg("path", { d: `M${fx + cw - 14},${fy} C${fx + cw + 10},${fy - 30} ${fx + 14 - 24},${fy - 30} ${fx + 14},${fy}`, class: "wire rec on", "marker-end": "url(#arrow)" }));
      root.append(svg("text", { x: fx + cw / 2, y: fy - 16, "text-anchor": "middle", class: "wire-label" }, feedback));
      root.append(svg("line", { x1: fx + cw / 2, y1: inY, x2: fx + cw / 2, y2: fy + ch, class: "wire up", "marker-end": "url(#arrow)" }));
      root.append(svg("rect", { x: fx, y: inY, width: cw, height: 26, rx: 4, class: "xbox" }));
      const xt = svg("text", { x: fx + cw / 2, y: inY + 17, "text-anchor": "middle" }, "x");
      xt.append(svg("tspan", { "baseline-shift": "sub", "font-size": "75%" }, "t"));
      root.append(xt);
      root.append(svg("text", { x: fx + cw + 16, y: fy + ch / 2 + 8, "text-anchor": "middle", class: "equals" }, "="));
    }
    chain.replaceChildren(root);
  }

  function drawGates() {
    const { s, simple } = cur;
    const last = cur.last;
    math.innerHTML = formulas(s.cell, s.hact === "linear").join("");
    math.classList.toggle("variant", s.cell === "peephole" || s.cell === "fc" || s.cell === "jordan" || s.cell === "elman" || s.hact === "linear");
    if (!last) {
      status.textContent = t("rnn.ready", { n: cur.total });
      gates.replaceChildren();
      return;
    }
    status.textContent = simple ? t("rnn.atSimple", { t: last.time + 1, pos: cur.pos, n: cur.total }) : t("rnn.at", { l: last.l + 1, d: t(last.d ? "rnn.backward" : "rnn.forward"), t: last.time + 1, pos: cur.pos, n: cur.total });
    const H_ = s.hidden;
    const rows = [];
    if (simple) {
      rows.push(["h", Array.from(cur.net.hidden().subarray(last.time * H_, (last.time + 1) * H_))]);
      rows.push(["y", Array.from(cur.net.output().subarray(last.time * 2, last.time * 2 + 2))]);
    } else {
      const kind = s.cell === "gru" ? "gru" : s.cell === "rnn" ? "rnn" : "lstm";
      const names = kind === "lstm" ? ["i", "f", "c̃", "o"] : kind === "gru" ? ["r", "z", "ñ"] : [];
      const G = GATES[kind].length;
      const gv = cur.net.gates(last.l, last.d);
      names.forEach((n, q) => rows.push([n, Array.from(gv.subarray(last.time * G * H_ + q * H_, last.time * G * H_ + (q + 1) * H_))]));
      if (kind === "lstm") rows.push(["c", Array.from(cur.net.cell(last.l, last.d).subarray(last.time * H_, (last.time + 1) * H_))]);
      rows.push(["h", Array.from(cur.net.hidden(last.l, last.d).subarray(last.time * H_, (last.time + 1) * H_))]);
    }
    const table = el("table", { class: "gate-table", id: "rnn-gates" });
    table.append(el("tr", {}, el("th", { text: t("rnn.gate") }), ...rows[0][1].map((_, j) => el("th", { text: `${t("rnn.unit")} ${j + 1}` }))));
    for (const [name, vals] of rows) {
      table.append(el("tr", { "data-gate": name }, el("th", { text: name }), ...vals.map((v) => {
        const td = el("td", { text: fmt(v) });
        td.style.backgroundColor = diverging(Math.max(-1, Math.min(1, v)));
        return td;
      })));
    }
    gates.replaceChildren(el("p", { class: "hint", text: t("rnn.gatesAt") }), table);
  }

  /** Every cell kind over the current sequence: its hidden state at each step, one row each. */
  function drawCompare(s) {
    const w = wasm();
    const seq = SEQS[s.seq];
    const T = seq.x.length / seq.i;
    const x = Float32Array.from(seq.x);
    const rows = [];
    for (const cell of CELLS) {
      let hs;
      if (cell === "elman" || cell === "jordan") {
        const n = new w.SimpleNet(cell, seq.i, s.hidden, 2, "sigmoid", s.seed, x, T);
        for (let k = 0; k < T; k++) n.step();
        hs = Array.from(n.hidden());
        n.free();
      } else {
        const kind = cell === "peephole" ? "lstm:peephole" : cell === "fc" ? "lstm:fc" : cell;
        const n = new w.RecurrentNet(kind, seq.i, s.hidden, 1, false, s.seed);
        n.forward(x, T, 1, new Float32Array(0), new Float32Array(0));
        hs = Array.from(n.y());
        n.free();
      }
      const row = el("div", { class: "cmp-row", "data-cell": cell }, el("span", { class: "cmp-label", text: t(`rnn.cell.${cell}`) }));
      for (let k = 0; k < T; k++) {
        const step = el("span", { class: "cmp-step", title: `t = ${k + 1}` });
        for (let j = 0; j < s.hidden; j++) {
          const c = el("span", { class: "cmp-cell" });
          c.style.backgroundColor = diverging(hs[k * s.hidden + j]);
          step.append(c);
        }
        row.append(step);
      }
      rows.push(row);
    }
    compare.replaceChildren(...rows);
  }

  /** ‖dLoss/dx_t‖ against steps back from the loss, log scale, for Elman, GRU and LSTM. */
  function drawGrads(s) {
    const w = wasm();
    const T = 30;
    const kinds = ["elman", "gru", "lstm"];
    const series = kinds.map((k) => Array.from(w.gradientNorms(k, T, 16, s.seed)));
    const [W, H, left, bottom] = [640, 240, 52, 34];
    const lg = (v) => Math.log10(Math.max(v, 1e-12));
    const all = series.flat().map(lg);
    const [lo, hi] = [Math.floor(Math.min(...all)), Math.ceil(Math.max(...all))];
    const X = (k) => left + ((W - left - 10) * k) / (T - 1);
    const Y = (v) => 10 + (H - bottom - 10) * (1 - (lg(v) - lo) / Math.max(1, hi - lo));
    const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart grads", role: "img", "aria-label": t("rnn.gradTitle") });
    for (let e = lo; e <= hi; e++) {
      const yy = Y(10 ** e);
      chart.append(svg("line", { x1: left, x2: W - 10, y1: yy, y2: yy, class: "grid-line" }));
      chart.append(svg("text", { x: left - 6, y: yy + 4, "text-anchor": "end", class: "tick" }, `1e${e}`));
    }
    for (const k of [0, 9, 19, 29]) chart.append(svg("text", { x: X(k), y: H - 12, "text-anchor": "middle", class: "tick" }, String(T - 1 - k)));
    chart.append(svg("text", { x: W / 2, y: H - 1, "text-anchor": "middle", class: "tick" }, t("rnn.gradAxis")));
    series.forEach((v, q) => {
      const d = v.map((n, k) => `${k ? "L" : "M"}${X(k).toFixed(1)},${Y(n).toFixed(1)}`).join(" ");
      chart.append(svg("path", { d, class: `series s${q}`, "data-kind": kinds[q] }));
    });
    // Each label just above where its curve starts, one line (15 units, for 12px text) below
    // the one above it where curves start together (Elman's and the GRU's often do); then,
    // from the bottom up, kept above the axis.
    const LINE = 15;
    const labels = series.map((v, q) => ({ q, y: Y(v[0]) - 5 })).sort((a, b) => a.y - b.y);
    for (let i = 1; i < labels.length; i++) labels[i].y = Math.max(labels[i].y, labels[i - 1].y + LINE);
    for (let i = labels.length - 1; i >= 0; i--) labels[i].y = Math.min(labels[i].y, i === labels.length - 1 ? H - bottom - 4 : labels[i + 1].y - LINE);
    for (const l of labels) chart.append(svg("text", { x: X(0) + 4, y: l.y, class: `series-label s${l.q}` }, t(`rnn.cell.${kinds[l.q]}`)));
    grads.replaceChildren(chart);
    grads.dataset.first = series.map((v) => v[0].toExponential(2)).join(",");
  }

  let lastCompare = "";
  function update(s) {
    cellSel.value = s.cell;
    hactSel.value = s.hact;
    seqSel.value = s.seq;
    layersSel.value = String(s.layers);
    biBox.checked = s.bi === 1;
    const simple = s.cell === "elman" || s.cell === "jordan";
    const lstm = ["lstm", "peephole", "fc"].includes(s.cell);
    for (const e of view.querySelectorAll(".hact")) e.hidden = !lstm;
    for (const e of view.querySelectorAll(".stack")) e.hidden = simple;
    const key = JSON.stringify([s.cell, s.hact, s.seq, s.layers, s.bi, s.hidden, s.seed]);
    if (!cur || cur.key !== key) cur = build(s);
    cur.s = s;
    goTo(Math.min(s.pos, cur.total));
    scrub.max = String(cur.total);
    scrub.value = String(cur.pos);
    draw();
    drawGates();
    const ckey = JSON.stringify([s.seq, s.hidden, s.seed]);
    if (ckey !== lastCompare) {
      lastCompare = ckey;
      drawCompare(s);
      drawGrads(s);
    }
  }

  update(state);
  return {
    update,
    destroy() {
      stop();
      document.removeEventListener("keydown", onKey);
      cur?.net?.free();
      view.remove();
    },
  };
}
