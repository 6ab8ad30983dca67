// The RNN view's wiring diagram in a real browser: for every kind of cell, at three steps and
// three followed units, every number on its wires, units, junctions and strips equals what
// the step-wise wasm API computes for the same network stepped on its own; a unit is followed
// from the table, the chain and the keys (and the URL says which); the text alternative reads
// the values; pointing at a formula's term lights its wire, and the other way round.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedBrowser, openPage, gotoView } from "./harness.mjs";

const env = sharedBrowser();
const CELLS = ["elman", "jordan", "rnn", "gru", "lstm", "peephole", "fc"];
// [pos, unit]: the first, a middle and the last step of "hello", each with another unit.
const CHECKS = [[1, 1], [3, 2], [5, 0]];
const fmt = (v) => {
  const r = Math.round(v * 1000) / 1000;
  return Object.is(r, -0) ? "0" : String(r);
};

/** What the diagram shows: term → every scalar shown for it, and every strip's values. */
const shown = (page) =>
  page.$$eval("#rnn-diagram [data-term]", (gs) => {
    const val = {};
    const vec = {};
    for (const g of gs) {
      const term = g.dataset.term;
      if (g.dataset.value !== undefined) (val[term] ??= []).push(Number(g.dataset.value));
      if (g.dataset.values !== undefined) (vec[term] ??= []).push(g.dataset.values.split(",").map(Number));
    }
    return { val, vec };
  });

/** The same network as the view's (seed 1, 4 hidden units, "hello"), stepped `pos` times
 *  through wasm's API in the page; the values at the last step for unit `u`. */
const expected = (page, cell, pos, u) =>
  page.evaluate(
    async ({ cell, pos, u }) => {
      const w = await (await import(new URL("js/wasm.js", document.baseURI))).seqModule();
      const x = Float32Array.from([0, 1, 2, 2, 3].flatMap((k) => [0, 1, 2, 3].map((j) => (j === k ? 1 : 0))));
      const H = 4;
      const t = pos - 1;
      const at = (a, time, width = H) => (time < 0 ? new Array(width).fill(0) : Array.from(a.subarray(time * width, (time + 1) * width)));
      if (cell === "elman" || cell === "jordan") {
        const net = new w.SimpleNet(cell, 4, H, 2, "sigmoid", 1, x, 5);
        for (let k = 0; k < pos; k++) net.step();
        const hs = net.hidden();
        const ys = net.output();
        const out = { val: { h: at(hs, t)[u] }, vec: { x: at(x, t, 4), h: at(hs, t), y: at(ys, t, 2) } };
        if (cell === "jordan") out.vec.yprev = at(ys, t - 1, 2);
        else out.vec.hprev = at(hs, t - 1);
        net.free();
        return out;
      }
      const kind = cell === "peephole" ? "lstm:peephole" : cell === "fc" ? "lstm:fc" : cell;
      const net = new w.RecurrentNet(kind, 4, H, 1, false, 1);
      net.begin(x, 5);
      for (let k = 0; k < pos; k++) net.step(0, 0);
      const G = net.gateCount;
      const gates = at(net.gates(0, 0), t, G * H);
      const hs = net.hidden(0, 0);
      const h = at(hs, t);
      const hp = at(hs, t - 1);
      const out = { val: { h: h[u] }, vec: { x: at(x, t, 4), h, hprev: hp } };
      const gate = (q) => gates[q * H + u];
      if (G === 3) {
        const [r, z, n] = [gate(0), gate(1), gate(2)];
        // The reset gate's share inside ñ, from the weights: r ⊙ (W_hn h_{t−1} + b_hn).
        const [whh, bhh] = [net.weight("weight_hh_l0"), net.weight("bias_hh_l0")];
        const rec = hp.reduce((acc, v, k) => acc + whh[(2 * H + u) * H + k] * v, bhh[2 * H + u]);
        Object.assign(out.val, { hprev: hp[u], r, z, n, rn: r * rec, omz: 1 - z, omzn: (1 - z) * n, zh: z * hp[u] });
      } else if (G === 4) {
        const cs = net.cell(0, 0);
        const cp = at(cs, t - 1);
        const c = at(cs, t)[u];
        const [i, f, g, o] = [gate(0), gate(1), gate(2), gate(3)];
        Object.assign(out.val, { cprev: cp[u], i, f, g, o, c, ch: Math.tanh(c), fc: f * cp[u], ig: i * g });
        // The course's peephole LSTM reads c_{t−1} where the others read h_{t−1}.
        if (cell === "peephole") {
          out.vec.cprev = cp;
          delete out.vec.hprev;
        }
        // The cell's own arithmetic holds on the diagram's junctions: c = f·c_{t−1} + i·c̃, h = o·σh(c).
        out.check = [c - (f * cp[u] + i * g), h[u] - o * Math.tanh(c)];
      }
      net.free();
      return out;
    },
    { cell, pos, u },
  );

/** Moves the view to `pos` with the scrubber (as a student drags it). */
async function scrub(page, pos) {
  await page.fill("#rnn-scrub", String(pos));
  await page.dispatchEvent("#rnn-scrub", "input");
  await page.waitForFunction((p) => location.hash.includes(`pos=${p}`), pos);
}

for (const cell of CELLS) {
  test(`${cell}: the diagram's values are the step-wise wasm API's, at three steps`, async () => {
    const { page, context, errors } = await openPage(env.browser, env.server.url, { locale: "en-US" });
    await gotoView(page, env.server.url, `#view=rnn&cell=${cell}&seq=hello&lang=en`);
    for (const [pos, u] of CHECKS) {
      await scrub(page, pos);
      await page.click(`#rnn-gates button[data-unit="${u}"]`);
      await page.waitForFunction((u) => (u === 0 ? !location.hash.includes("unit=") : location.hash.includes(`unit=${u}`)), u);
      const got = await shown(page);
      const want = await expected(page, cell, pos, u);
      for (const d of want.check ?? []) assert.ok(Math.abs(d) < 1e-5, `${cell}: the cell's own arithmetic (${d})`);
      for (const [term, v] of Object.entries(want.val)) {
        assert.ok(got.val[term]?.length, `${cell} pos ${pos}: no ${term} on the diagram`);
        for (const g of got.val[term]) assert.ok(Math.abs(g - v) < 1e-4, `${cell} pos ${pos} unit ${u}: ${term} shows ${g}, wasm ${v}`);
      }
      // Nothing on the diagram that wasm does not account for.
      for (const term of Object.keys(got.val)) assert.ok(term in want.val, `${cell}: ${term} unchecked`);
      for (const [term, v] of Object.entries(want.vec)) {
        assert.ok(got.vec[term]?.length, `${cell} pos ${pos}: no ${term} strip`);
        for (const g of got.vec[term]) g.forEach((gv, k) => assert.ok(Math.abs(gv - v[k]) < 1e-4, `${cell} pos ${pos}: ${term}[${k}] shows ${gv}, wasm ${v[k]}`));
      }
      // The followed unit is the table's marked column, and its cell in the h strips.
      assert.equal(await page.getAttribute(`#rnn-gates button[data-unit="${u}"]`, "aria-pressed"), "true");
      assert.equal(await page.locator("#rnn-gates th.followed").count(), 1);
    }
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test("following a unit from the table, the chain and the keys; the text alternative reads its values", async () => {
  const { page, context, errors } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  await gotoView(page, env.server.url, "#view=rnn&cell=lstm&seq=hello&pos=3&lang=en");
  const label = () => page.getAttribute("#rnn-diagram svg", "aria-label");
  const hOnDiagram = () => page.getAttribute('#rnn-diagram .dia-unit[data-term="o"]', "data-value").then(Number);
  const column = (u) => page.$$eval(`#rnn-gates td[data-unit="${u}"]`, (tds) => tds.map((td) => td.textContent));
  // Clicking a column follows its unit: the URL, the diagram and its text alternative change.
  const before = await label();
  await page.click('#rnn-gates td[data-unit="2"]');
  await page.waitForFunction(() => location.hash.includes("unit=2"));
  const col = await column(2); // i, f, c̃, o, c, h as the table shows them
  assert.equal(fmt(await hOnDiagram()), col[3]);
  const text = await label();
  assert.notEqual(text, before);
  assert.match(text, /unit 3 of 4, layer 1 \(forward\), time step 3/);
  const order = ["input gate iₜ", "forget gate fₜ", "cell input c̃ₜ", "cell state cₜ =", "output gate oₜ", "hidden state hₜ ="].map((n) => text.indexOf(n));
  assert.ok(order.every((k, q) => k >= 0 && (q === 0 || k > order[q - 1])), `the values in computation order: ${text}`);
  for (const [q, n] of [[0, "input gate iₜ"], [1, "forget gate fₜ"], [4, "cell state cₜ"], [5, "hidden state hₜ"]]) assert.ok(text.includes(`${n} = ${col[q]}`), `${n} = ${col[q]} in: ${text}`);
  // A cell of h in the chain follows that unit; ] and ↑ move on from there.
  await page.click('.chain-svg .cellbox[data-t="0"] .hcell[data-unit="1"]');
  await page.waitForFunction(() => location.hash.includes("unit=1"));
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press("]");
  await page.waitForFunction(() => location.hash.includes("unit=2"));
  await page.focus("#rnn-diagram svg");
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("ArrowUp");
  await page.waitForFunction(() => !location.hash.includes("unit="));
  // Still at the same step: the unit keys are not the step keys.
  assert.match(page.url(), /pos=3/);
  // In Chinese, the same reading in Chinese.
  // (A link that changes only the hash re-renders after the page's ready flag: wait for it.)
  const labelComes = (re) => page.waitForFunction((src) => new RegExp(src).test(document.querySelector("#rnn-diagram svg")?.getAttribute("aria-label") ?? ""), re.source);
  await gotoView(page, env.server.url, "#view=rnn&cell=gru&seq=hello&pos=2&unit=3&lang=zh");
  await labelComes(/GRU 的连线图，第 4 个单元（共 4 个），第 1 层（正向），第 2 个时间步：.*重置门 rₜ = .*更新门 zₜ = .*隐状态 hₜ = /);
  // Before the first step there is nothing to read, and the label says so.
  await gotoView(page, env.server.url, "#view=rnn&cell=gru&seq=hello&lang=en");
  await labelComes(/nothing computed yet/);
  assert.equal(await page.locator("#rnn-diagram [data-value]").count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test("pointing at a formula's term lights its wire, and pointing at a wire lights the term", async () => {
  const { page, context, errors } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  await gotoView(page, env.server.url, "#view=rnn&cell=fc&seq=hello&pos=2&lang=en");
  // The FC-LSTM's added wires are marked like the formulas' added terms.
  assert.ok((await page.locator('#rnn-diagram .dia-wire.diff[data-term="cprev"]').count()) >= 2);
  await page.hover('.formulas math:nth-of-type(2) [data-term="f"]');
  assert.ok((await page.locator('#rnn-diagram .dia-wire.lit[data-term="f"]').count()) >= 1);
  assert.equal(await page.locator('#rnn-diagram .lit:not([data-term="f"])').count(), 0);
  await page.hover('#rnn-diagram .dia-unit[data-term="o"]');
  assert.ok((await page.locator('.formulas [data-term="o"].lit').count()) >= 2);
  assert.equal(await page.locator('#rnn-diagram .dia-wire.lit[data-term="f"]').count(), 0);
  // The peephole LSTM feeds c_{t−1} to the gates in place of h_{t−1}; σh linear is marked too.
  await gotoView(page, env.server.url, "#view=rnn&cell=peephole&hact=linear&seq=hello&pos=2&lang=en");
  assert.equal(await page.locator('#rnn-diagram .dia-strip.diff[data-term="cprev"]').count(), 1);
  assert.equal(await page.locator('#rnn-diagram .dia-strip[data-term="hprev"]').count(), 0);
  assert.equal(await page.locator('#rnn-diagram .dia-unit.diff[data-term="ch"]').count(), 1);
  const [c, ch] = await Promise.all(["c", "ch"].map((term) => page.getAttribute(`#rnn-diagram [data-term="${term}"][data-value]`, "data-value")));
  assert.equal(c, ch, "σh linear passes c_t through");
  assert.deepEqual(errors, []);
  await context.close();
});

test("a stacked bidirectional LSTM: a backward step of layer 2 reads [h→ ; h←] of layer 1 and the state after it in time", async () => {
  const { page, context, errors } = await openPage(env.browser, env.server.url, { locale: "en-US" });
  // Step 14 of 20: layer 2, backward, its second step (time step 4 of 5).
  await gotoView(page, env.server.url, "#view=rnn&cell=lstm&seq=hello&layers=2&bi=1&pos=14&unit=1&lang=en");
  const got = await shown(page);
  const want = await page.evaluate(async () => {
    const w = await (await import(new URL("js/wasm.js", document.baseURI))).seqModule();
    const x = Float32Array.from([0, 1, 2, 2, 3].flatMap((k) => [0, 1, 2, 3].map((j) => (j === k ? 1 : 0))));
    const net = new w.RecurrentNet("lstm", 4, 4, 2, true, 1);
    net.begin(x, 5);
    let time = -1;
    let n = 0;
    for (let l = 0; l < 2; l++) for (let k = 0; k < 5; k++) for (let d = 0; d < 2; d++) if (n++ < 14) time = net.step(l, d);
    const row = (a, t) => Array.from(a.subarray(t * 4, t * 4 + 4));
    const g = Array.from(net.gates(1, 1).subarray(time * 16, time * 16 + 16));
    const out = {
      time,
      x: row(net.hidden(0, 0), time).concat(row(net.hidden(0, 1), time)),
      hprev: row(net.hidden(1, 1), time + 1),
      val: { i: g[1], f: g[5], g: g[9], o: g[13], c: row(net.cell(1, 1), time)[1], h: row(net.hidden(1, 1), time)[1], cprev: row(net.cell(1, 1), time + 1)[1] },
    };
    net.free();
    return out;
  });
  assert.equal(want.time, 3);
  for (const [term, v] of Object.entries(want.val)) for (const g of got.val[term]) assert.ok(Math.abs(g - v) < 1e-4, `${term}: ${g} vs ${v}`);
  assert.equal(got.vec.x[0].length, 8);
  got.vec.x[0].forEach((g, k) => assert.ok(Math.abs(g - want.x[k]) < 1e-4, `x[${k}]`));
  got.vec.hprev[0].forEach((g, k) => assert.ok(Math.abs(g - want.hprev[k]) < 1e-4, `hprev[${k}]`));
  assert.match(await page.getAttribute("#rnn-diagram svg", "aria-label"), /layer 2 \(backward\), time step 4: input xₜ \(from layer 1\) = \[/);
  assert.deepEqual(errors, []);
  await context.close();
});
