//! One direction of one recurrent layer over a whole sequence: the forward recurrence that
//! records every gate, and its backpropagation through time. Gate blocks follow PyTorch:
//! RNN (h), GRU (r, z, n), LSTM (i, f, g, o).

use std::sync::OnceLock;

use super::{LayerWeights, Trace};
use crate::kernels::fast;
use crate::{bail, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LstmVariant {
    /// PyTorch's `nn.LSTM`.
    Standard,
    /// FC-LSTM (Graves; Shi et al.): diagonal peepholes, i and f read c_{t-1}, o reads c_t.
    Fc,
    /// The course's peephole LSTM: i, f, o read [x_t, c_{t-1}] instead of [x_t, h_{t-1}];
    /// the cell input g reads x_t alone.
    Peephole,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh).
    Rnn,
    /// The same with ReLU (PyTorch's `nn.RNN(nonlinearity="relu")`).
    RnnRelu,
    Gru,
    /// `linear_h`: σh is the identity (h_t = o_t * c_t) instead of tanh.
    Lstm {
        variant: LstmVariant,
        linear_h: bool,
    },
}

impl Cell {
    /// Gate blocks per unit: 1, 3 or 4.
    pub fn gates(self) -> usize {
        match self {
            Cell::Rnn | Cell::RnnRelu => 1,
            Cell::Gru => 3,
            Cell::Lstm { .. } => 4,
        }
    }

    pub fn has_cell_state(self) -> bool {
        matches!(self, Cell::Lstm { .. })
    }

    pub fn name(self) -> &'static str {
        match self {
            Cell::Rnn => "the RNN",
            Cell::RnnRelu => "the ReLU RNN",
            Cell::Gru => "the GRU",
            Cell::Lstm {
                variant: LstmVariant::Standard,
                ..
            } => "the LSTM",
            Cell::Lstm {
                variant: LstmVariant::Fc,
                ..
            } => "the FC-LSTM",
            Cell::Lstm {
                variant: LstmVariant::Peephole,
                ..
            } => "the peephole LSTM",
        }
    }

    /// A plain RNN with PyTorch's `nonlinearity`: "tanh" or "relu".
    pub fn rnn(nonlinearity: &str) -> Result<Cell> {
        match nonlinearity {
            "tanh" => Ok(Cell::Rnn),
            "relu" => Ok(Cell::RnnRelu),
            _ => bail!("an RNN's nonlinearity is \"tanh\" or \"relu\", got {nonlinearity:?}"),
        }
    }

    /// The page's name, as [`Cell::from_kind`] reads it.
    pub fn kind(self) -> String {
        match self {
            Cell::Rnn => "rnn".into(),
            Cell::RnnRelu => "rnn:relu".into(),
            Cell::Gru => "gru".into(),
            Cell::Lstm { variant, linear_h } => {
                let v = match variant {
                    LstmVariant::Standard => "",
                    LstmVariant::Fc => ":fc",
                    LstmVariant::Peephole => ":peephole",
                };
                format!("lstm{v}{}", if linear_h { ":linear" } else { "" })
            }
        }
    }

    /// From the page's names: "rnn" (or "rnn:relu"), "gru", "lstm", "lstm:fc",
    /// "lstm:peephole", each LSTM optionally ":linear" (σh = identity).
    pub fn from_kind(kind: &str) -> Result<Cell> {
        let wrong = || {
            crate::Error::new(format!("network kind must be rnn, rnn:relu, gru, lstm, lstm:fc or lstm:peephole (LSTMs may add :linear); got {kind:?}"))
        };
        let mut parts = kind.split(':');
        let op = parts
            .next()
            .filter(|op| ["rnn", "gru", "lstm"].contains(op))
            .ok_or_else(wrong)?;
        let (mut variant, mut h_act, mut nonlinearity) = ("standard", "tanh", "tanh");
        for p in parts {
            match p {
                "fc" | "peephole" | "standard" if op == "lstm" => variant = p,
                "linear" | "tanh" if op == "lstm" => h_act = p,
                "relu" | "tanh" if op == "rnn" => nonlinearity = p,
                _ => return Err(wrong()),
            }
        }
        if op == "rnn" {
            return Cell::rnn(nonlinearity);
        }
        Cell::parse(op, variant, h_act)
    }

    /// From the golden format's attributes: op "rnn" | "gru" | "lstm", LSTM variant
    /// "standard" | "fc" | "peephole", σh "tanh" | "linear".
    pub fn parse(op: &str, variant: &str, h_activation: &str) -> Result<Cell> {
        Ok(match op {
            "rnn" => Cell::Rnn,
            "gru" => Cell::Gru,
            "lstm" => Cell::Lstm {
                variant: match variant {
                    "standard" => LstmVariant::Standard,
                    "fc" => LstmVariant::Fc,
                    "peephole" => LstmVariant::Peephole,
                    _ => bail!("LSTM variant must be \"standard\", \"fc\" or \"peephole\", got {variant:?}"),
                },
                linear_h: match h_activation {
                    "tanh" => false,
                    "linear" => true,
                    _ => bail!("h_activation must be \"tanh\" or \"linear\", got {h_activation:?}"),
                },
            },
            _ => bail!("recurrent cell must be rnn, gru or lstm, got {op:?}"),
        })
    }
}

/// Sizes of one direction's sequence.
#[derive(Debug, Clone, Copy)]
pub struct Dims {
    pub t: usize,
    pub n: usize,
    pub input: usize,
    pub hidden: usize,
}

/// Which time step is processed `step`-th: forward 0, 1, …; reverse T-1, T-2, ….
#[inline]
pub fn at(step: usize, t: usize, reverse: bool) -> usize {
    if reverse {
        t - 1 - step
    } else {
        step
    }
}

/// The layer's weight matrices packed for `fast::gemm_packed` (column panels of W^T, see
/// `layout::pack_nt`) and, for steps of one to three rows, `fast::gemm_rows`. The kernels
/// keep 1×24 or 4×8 blocks of the result in registers and sum each entry over k in order
/// from 0 whatever the number of rows, so the step-wise mode (one row) and the
/// whole-sequence pass (T·N rows, one product) agree bit for bit. Packing reads W once (5–8%
/// of an LSTM pass at batch 1), so a handle that runs many sequences keeps its `Packed`
/// (see `Recurrent::pack`). Pass it with the weights it was made from.
#[derive(Debug, Clone, Default)]
pub struct Packed {
    /// W_ih: [G·H, In], packed.
    pub w_ih: fast::Panels,
    /// W_hh: [G·H, H] in 8-column panels for steps of 4 rows or more, and in 24-column
    /// panels (`pack_rows`) for fewer: each packed on first use, since a pass needs only
    /// one of them. Unused by the peephole LSTM.
    w_hh: OnceLock<fast::Panels>,
    w_hh_rows: OnceLock<fast::Panels>,
    /// The peephole LSTM's U: [3H, H], packed; empty otherwise.
    pub w_ch: fast::Panels,
}

impl Packed {
    pub fn new(cell: Cell, w: &LayerWeights, h: usize) -> Packed {
        let gh = cell.gates() * h;
        let peephole = matches!(
            cell,
            Cell::Lstm {
                variant: LstmVariant::Peephole,
                ..
            }
        );
        Packed {
            w_ih: fast::pack_nt(&w.w_ih, gh, w.w_ih.len() / gh),
            w_hh: OnceLock::new(),
            w_hh_rows: OnceLock::new(),
            w_ch: if peephole {
                fast::pack_nt(&w.w_ch, 3 * h, h)
            } else {
                fast::Panels::default()
            },
        }
    }
}

/// rec: [n, G·H] = b_hh + h_prev W_hh^T (standard cells) or, for the peephole LSTM,
/// b_hh + c_prev U^T added to the i, f, o blocks.
#[allow(clippy::too_many_arguments)] // the cell, its weights, two outputs, two states, sizes
fn recurrent_input(
    cell: Cell,
    w: &LayerWeights,
    wt: &Packed,
    rec: &mut [f32],
    peep: &mut [f32],
    h_prev: &[f32],
    c_prev: &[f32],
    n: usize,
    h: usize,
) {
    let gh = cell.gates() * h;
    for row in rec.chunks_exact_mut(gh) {
        row.copy_from_slice(&w.b_hh);
    }
    if let Cell::Lstm {
        variant: LstmVariant::Peephole,
        ..
    } = cell
    {
        peep.fill(0.0);
        fast::gemm_packed(peep, c_prev, &wt.w_ch, n, h, 3 * h);
        for b in 0..n {
            for (q, blk) in [0, 1, 3].into_iter().enumerate() {
                for j in 0..h {
                    rec[b * gh + blk * h + j] += peep[b * 3 * h + q * h + j];
                }
            }
        }
    } else if n < 4 {
        let rows = wt.w_hh_rows.get_or_init(|| fast::pack_rows(&w.w_hh, gh, h));
        fast::gemm_rows(rec, h_prev, rows, n, h, gh);
    } else {
        let panels = wt.w_hh.get_or_init(|| fast::pack_nt(&w.w_hh, gh, h));
        fast::gemm_packed(rec, h_prev, panels, n, h, gh);
    }
}

/// Where one step writes: gates [n, G·H], h and c [n, H], and the GRU's W_hn h + b_hn [n, H].
pub struct StepOut<'a> {
    pub gates: &'a mut [f32],
    pub h: &'a mut [f32],
    pub c: &'a mut [f32],
    pub rec_n: &'a mut [f32],
}

/// Scratch for [`step`]: the recurrent share of every gate and the peephole product.
#[derive(Debug, Clone, Default)]
pub struct StepScratch {
    rec: Vec<f32>,
    peep: Vec<f32>,
}

/// One time step for a batch of n: `out.gates` [n, G·H] holds the input's share of every
/// gate (b_ih + W_ih x_t, from [`input_share`]) on entry and the activated gates on return;
/// h_prev and c_prev [n, H] are the states it follows. In place, so the whole-sequence pass
/// writes the input share straight into its record (no [T, N, G·H] buffer besides it).
#[allow(clippy::too_many_arguments)] // the cell, its weights, the inputs, sizes and outputs
pub fn step(
    cell: Cell,
    w: &LayerWeights,
    wt: &Packed,
    h_prev: &[f32],
    c_prev: &[f32],
    n: usize,
    h: usize,
    scratch: &mut StepScratch,
    out: StepOut,
) {
    let gh = cell.gates() * h;
    scratch.rec.resize(n * gh, 0.0);
    scratch.peep.resize(n * 3 * h, 0.0);
    recurrent_input(
        cell,
        w,
        wt,
        &mut scratch.rec,
        &mut scratch.peep,
        h_prev,
        c_prev,
        n,
        h,
    );
    // Gate by gate over whole blocks, so the activations run as vector loops.
    for b in 0..n {
        let r = &scratch.rec[b * gh..][..gh];
        let gates = &mut out.gates[b * gh..][..gh];
        let hs = &mut out.h[b * h..][..h];
        // The GRU's n block adds its recurrent share only after the reset gate scales it.
        let summed = if cell == Cell::Gru { 2 * h } else { gh };
        for (g, &rv) in gates[..summed].iter_mut().zip(r) {
            *g += rv;
        }
        match cell {
            Cell::Rnn => {
                fast::tanh_inplace(gates);
                hs.copy_from_slice(gates);
            }
            Cell::RnnRelu => {
                gates.iter_mut().for_each(|g| *g = g.max(0.0));
                hs.copy_from_slice(gates);
            }
            Cell::Gru => {
                fast::sigmoid_inplace(&mut gates[..2 * h]);
                let hp = &h_prev[b * h..][..h];
                let rec_n = &mut out.rec_n[b * h..][..h];
                rec_n.copy_from_slice(&r[2 * h..]);
                // n = tanh(W_in x + b_in + r * (W_hn h + b_hn)).
                let (rz, nb) = gates.split_at_mut(2 * h);
                for ((g, &rg), &rn) in nb.iter_mut().zip(&rz[..h]).zip(&*rec_n) {
                    *g += rg * rn;
                }
                fast::tanh_inplace(&mut gates[2 * h..]);
                for j in 0..h {
                    let (z, nv) = (gates[h + j], gates[2 * h + j]);
                    hs[j] = (1.0 - z) * nv + z * hp[j];
                }
            }
            Cell::Lstm { variant, linear_h } => {
                let cp = &c_prev[b * h..][..h];
                let cs = &mut out.c[b * h..][..h];
                if variant == LstmVariant::Fc {
                    for j in 0..h {
                        gates[j] += w.w_ch[j] * cp[j];
                        gates[h + j] += w.w_ch[h + j] * cp[j];
                    }
                }
                fast::sigmoid_inplace(&mut gates[..2 * h]);
                fast::tanh_inplace(&mut gates[2 * h..3 * h]);
                for j in 0..h {
                    cs[j] = gates[h + j] * cp[j] + gates[j] * gates[2 * h + j];
                }
                if variant == LstmVariant::Fc {
                    for j in 0..h {
                        gates[3 * h + j] += w.w_ch[2 * h + j] * cs[j];
                    }
                }
                fast::sigmoid_inplace(&mut gates[3 * h..]);
                hs.copy_from_slice(cs);
                if !linear_h {
                    fast::tanh_inplace(hs);
                }
                for (hv, &o) in hs.iter_mut().zip(&gates[3 * h..]) {
                    *hv *= o;
                }
            }
        }
    }
}

/// pre: [rows, G·H] = b_ih + x: [rows, In] W_ih^T, the input's share of every gate, all
/// rows in one product. The step-wise mode calls it with one row at a time and gets bit for
/// bit the same numbers (see [`Packed`]).
#[allow(clippy::too_many_arguments)] // output, weights both ways, input and sizes
pub fn input_share(
    pre: &mut [f32],
    w: &LayerWeights,
    wt: &Packed,
    x: &[f32],
    rows: usize,
    input: usize,
    gh: usize,
) {
    let pre = &mut pre[..rows * gh];
    for row in pre.chunks_exact_mut(gh) {
        row.copy_from_slice(&w.b_ih);
    }
    fast::gemm_packed(pre, &x[..rows * input], &wt.w_ih, rows, input, gh);
}

/// An empty record for `t` steps of `n` rows.
pub fn empty_trace(cell: Cell, t: usize, n: usize, h: usize) -> Trace {
    let rows = t * n;
    Trace {
        gates: vec![0.0; rows * cell.gates() * h],
        h: vec![0.0; rows * h],
        c: if cell.has_cell_state() {
            vec![0.0; rows * h]
        } else {
            Vec::new()
        },
        rec_n: if cell == Cell::Gru {
            vec![0.0; rows * h]
        } else {
            Vec::new()
        },
    }
}

/// The slices of `tr` that time step `s` (of n rows) writes.
pub fn step_out(tr: &mut Trace, s: usize, n: usize, h: usize, gh: usize) -> StepOut<'_> {
    fn part(v: &mut [f32], s: usize, width: usize) -> &mut [f32] {
        if v.is_empty() {
            v
        } else {
            &mut v[s * width..(s + 1) * width]
        }
    }
    let Trace {
        gates,
        h: hs,
        c,
        rec_n,
    } = tr;
    StepOut {
        gates: part(gates, s, n * gh),
        h: part(hs, s, n * h),
        c: part(c, s, n * h),
        rec_n: part(rec_n, s, n * h),
    }
}

/// Sizes `tr` for `t` steps of `n` rows, keeping its buffers (a forward pass overwrites
/// every entry, so a record reused from the previous call needs no zeroing: at batch 32
/// the LSTM's record is 10 MB, and zeroing fresh allocations was 5% of the pass).
pub fn fit_trace(tr: &mut Trace, cell: Cell, t: usize, n: usize, h: usize) {
    let rows = t * n;
    let fit = |v: &mut Vec<f32>, len: usize| v.resize(len, 0.0);
    fit(&mut tr.gates, rows * cell.gates() * h);
    fit(&mut tr.h, rows * h);
    fit(&mut tr.c, if cell.has_cell_state() { rows * h } else { 0 });
    fit(&mut tr.rec_n, if cell == Cell::Gru { rows * h } else { 0 });
}

/// Runs one direction over x: [T, N, In] from h0, c0: [N, H], recording into `tr`.
#[allow(clippy::too_many_arguments)]
pub fn run(
    cell: Cell,
    w: &LayerWeights,
    wt: &Packed,
    x: &[f32],
    t: usize,
    n: usize,
    input: usize,
    h: usize,
    h0: &[f32],
    c0: &[f32],
    reverse: bool,
    tr: &mut Trace,
) {
    let gh = cell.gates() * h;
    fit_trace(tr, cell, t, n, h);
    // The input's share of every gate, for all steps in one matrix product, written where
    // each step then completes its gates.
    input_share(&mut tr.gates, w, wt, x, t * n, input, gh);
    let (mut h_prev, mut c_prev) = (h0.to_vec(), c0.to_vec());
    let mut scratch = StepScratch::default();
    for k in 0..t {
        let s = at(k, t, reverse);
        step(
            cell,
            w,
            wt,
            &h_prev,
            &c_prev,
            n,
            h,
            &mut scratch,
            step_out(tr, s, n, h, gh),
        );
        h_prev.copy_from_slice(&tr.h[s * n * h..][..n * h]);
        if cell.has_cell_state() {
            c_prev.copy_from_slice(&tr.c[s * n * h..][..n * h]);
        }
    }
}

/// Backpropagation through time for one direction. `dh_out`: dL/dh at every step [T, N, H]
/// (from the layer's output), `dh_n`, `dc_n`: dL/d(final states). Adds into `gw` and into
/// dx: [T, N, In]; returns (dL/dh0, dL/dc0).
#[allow(clippy::too_many_arguments)]
pub fn backward(
    cell: Cell,
    w: &LayerWeights,
    gw: &mut LayerWeights,
    tr: &Trace,
    x: &[f32],
    dx: &mut [f32],
    dims: Dims,
    h0: &[f32],
    c0: &[f32],
    dh_out: &[f32],
    dh_n: &[f32],
    dc_n: &[f32],
    reverse: bool,
) -> (Vec<f32>, Vec<f32>) {
    let Dims {
        t,
        n,
        input,
        hidden: h,
    } = dims;
    let gh = cell.gates() * h;
    let mut dh_next = dh_n.to_vec();
    let mut dc_next = if cell.has_cell_state() {
        dc_n.to_vec()
    } else {
        Vec::new()
    };
    let (mut dpre, mut drec) = (vec![0.0; n * gh], vec![0.0; n * gh]);
    let mut dpeep = vec![0.0; n * 3 * h];
    for step in (0..t).rev() {
        let s = at(step, t, reverse);
        let prev = (step > 0).then(|| at(step - 1, t, reverse));
        let h_prev = prev.map_or(h0, |q| &tr.h[q * n * h..][..n * h]);
        let c_prev = if cell.has_cell_state() {
            prev.map_or(c0, |q| &tr.c[q * n * h..][..n * h])
        } else {
            &[][..]
        };
        let mut dh_prev = vec![0.0; n * h];
        let mut dc_prev = vec![0.0; if cell.has_cell_state() { n * h } else { 0 }];
        for b in 0..n {
            let g = &tr.gates[(s * n + b) * gh..][..gh];
            let (dp, dr) = (&mut dpre[b * gh..][..gh], &mut drec[b * gh..][..gh]);
            for j in 0..h {
                let dh = dh_out[(s * n + b) * h + j] + dh_next[b * h + j];
                match cell {
                    Cell::Rnn => {
                        let v = dh * (1.0 - g[j] * g[j]);
                        (dp[j], dr[j]) = (v, v);
                    }
                    Cell::RnnRelu => {
                        let v = if g[j] > 0.0 { dh } else { 0.0 };
                        (dp[j], dr[j]) = (v, v);
                    }
                    Cell::Gru => {
                        let (rg, zg, ng) = (g[j], g[h + j], g[2 * h + j]);
                        let hp = h_prev[b * h + j];
                        let rn = tr.rec_n[(s * n + b) * h + j];
                        let dn_pre = dh * (1.0 - zg) * (1.0 - ng * ng);
                        let dz_pre = dh * (hp - ng) * zg * (1.0 - zg);
                        let dr_pre = dn_pre * rn * rg * (1.0 - rg);
                        dh_prev[b * h + j] += dh * zg;
                        (dp[j], dp[h + j], dp[2 * h + j]) = (dr_pre, dz_pre, dn_pre);
                        (dr[j], dr[h + j], dr[2 * h + j]) = (dr_pre, dz_pre, dn_pre * rg);
                    }
                    Cell::Lstm { variant, linear_h } => {
                        let (ig, fg, gg, og) = (g[j], g[h + j], g[2 * h + j], g[3 * h + j]);
                        let (cv, cp) = (tr.c[(s * n + b) * h + j], c_prev[b * h + j]);
                        let (th, dth) = if linear_h {
                            (cv, 1.0)
                        } else {
                            (cv.tanh(), 1.0 - cv.tanh() * cv.tanh())
                        };
                        let do_pre = dh * th * og * (1.0 - og);
                        let mut dc = dc_next[b * h + j] + dh * og * dth;
                        if variant == LstmVariant::Fc {
                            dc += do_pre * w.w_ch[2 * h + j];
                            gw.w_ch[2 * h + j] += do_pre * cv;
                        }
                        let di_pre = dc * gg * ig * (1.0 - ig);
                        let df_pre = dc * cp * fg * (1.0 - fg);
                        let dg_pre = dc * ig * (1.0 - gg * gg);
                        let mut dcp = dc * fg;
                        if variant == LstmVariant::Fc {
                            dcp += di_pre * w.w_ch[j] + df_pre * w.w_ch[h + j];
                            gw.w_ch[j] += di_pre * cp;
                            gw.w_ch[h + j] += df_pre * cp;
                        }
                        dc_prev[b * h + j] = dcp;
                        (dp[j], dp[h + j], dp[2 * h + j], dp[3 * h + j]) =
                            (di_pre, df_pre, dg_pre, do_pre);
                    }
                }
            }
            if let Cell::Lstm { .. } = cell {
                // The recurrent side sees the same pre-activation gradients as the input side.
                drec[b * gh..][..gh].copy_from_slice(&dpre[b * gh..][..gh]);
            }
        }
        // Input side: dW_ih += dpre^T x_s, db_ih += sum(dpre), dx_s += dpre W_ih.
        let xs = &x[s * n * input..][..n * input];
        fast::gemm_tn(&mut gw.w_ih, &dpre, xs, gh, n, input);
        fast::gemm_nn(
            &mut dx[s * n * input..][..n * input],
            &dpre,
            &w.w_ih,
            n,
            gh,
            input,
        );
        for row in dpre.chunks_exact(gh) {
            for (a, v) in gw.b_ih.iter_mut().zip(row) {
                *a += v;
            }
        }
        for row in drec.chunks_exact(gh) {
            for (a, v) in gw.b_hh.iter_mut().zip(row) {
                *a += v;
            }
        }
        match cell {
            Cell::Lstm {
                variant: LstmVariant::Peephole,
                ..
            } => {
                // i, f, o read c_{t-1} through U: [3H, H].
                for b in 0..n {
                    for (q, blk) in [0, 1, 3].into_iter().enumerate() {
                        dpeep[b * 3 * h + q * h..][..h]
                            .copy_from_slice(&drec[b * gh + blk * h..][..h]);
                    }
                }
                fast::gemm_tn(&mut gw.w_ch, &dpeep, c_prev, 3 * h, n, h);
                fast::gemm_nn(&mut dc_prev, &dpeep, &w.w_ch, n, 3 * h, h);
            }
            _ => {
                fast::gemm_tn(&mut gw.w_hh, &drec, h_prev, gh, n, h);
                fast::gemm_nn(&mut dh_prev, &drec, &w.w_hh, n, gh, h);
            }
        }
        dh_next = dh_prev;
        dc_next = dc_prev;
    }
    (dh_next, dc_next)
}
