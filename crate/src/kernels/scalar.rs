//! Reference kernels: plain loops, one output at a time, as the formulas are written.
//! Everything else is tested against these; keep them simple rather than fast.

use std::ops::Range;

use super::layout::{PANEL, ROW_PANEL};
use crate::rng::Rng;
use crate::shape::Window2d;

/// y: [n, o, oh, ow] = sum over (c, ky, kx) of x: [n, c, h, w] * wt: [o, c, kh, kw], + b: [o].
/// Padded cells count as zero.
pub fn conv2d(y: &mut [f32], x: &[f32], wt: &[f32], b: &[f32], g: &Window2d, o: usize) {
    for n in 0..g.n {
        for oc in 0..o {
            for oy in 0..g.oh {
                for ox in 0..g.ow {
                    let mut acc = b[oc];
                    for ic in 0..g.c {
                        for ky in 0..g.kh {
                            let Some(iy) = g.in_row(oy, ky) else { continue };
                            for kx in 0..g.kw {
                                let Some(ix) = g.in_col(ox, kx) else { continue };
                                acc += x[((n * g.c + ic) * g.h + iy) * g.w + ix]
                                    * wt[((oc * g.c + ic) * g.kh + ky) * g.kw + kx];
                            }
                        }
                    }
                    y[((n * o + oc) * g.oh + oy) * g.ow + ox] = acc;
                }
            }
        }
    }
}

/// Calls `f(out_index, plane_start, rows, cols)` for every window: the window's real
/// (unpadded) cells are x[plane_start + iy * w + ix] for iy in rows, ix in cols.
#[inline]
pub fn for_each_window(g: &Window2d, mut f: impl FnMut(usize, usize, Range<usize>, Range<usize>)) {
    let cols: Vec<Range<usize>> = (0..g.ow).map(|ox| g.cols(ox)).collect();
    for plane in 0..g.n * g.c {
        for oy in 0..g.oh {
            let rows = g.rows(oy);
            for (ox, c) in cols.iter().enumerate() {
                f(
                    (plane * g.oh + oy) * g.ow + ox,
                    plane * g.h * g.w,
                    rows.clone(),
                    c.clone(),
                );
            }
        }
    }
}

/// y: [n, c, oh, ow] = max over each window of x; `arg` gets the flat index in x of the
/// winner (the first one on ties). Padded cells never win.
pub fn max_pool2d(y: &mut [f32], arg: &mut [u32], x: &[f32], g: &Window2d) {
    for_each_window(g, |o, base, rows, cols| {
        let (mut best, mut at) = (f32::NEG_INFINITY, base + rows.start * g.w + cols.start);
        for iy in rows {
            for ix in cols.clone() {
                let i = base + iy * g.w + ix;
                if x[i] > best {
                    (best, at) = (x[i], i);
                }
            }
        }
        y[o] = best;
        arg[o] = at as u32;
    });
}

/// Sum of a window's real cells and their number.
#[inline]
fn window_sum(
    x: &[f32],
    w: usize,
    base: usize,
    rows: Range<usize>,
    cols: Range<usize>,
    f: impl Fn(f32) -> f32,
) -> (f32, usize) {
    let count = rows.len() * cols.len();
    let mut sum = 0.0;
    for iy in rows {
        for &v in &x[base + iy * w..][cols.clone()] {
            sum += f(v);
        }
    }
    (sum, count)
}

/// y: [n, c, oh, ow] = mean of each window's real cells (SAME padding divides by the number
/// of real cells, not by kh * kw).
pub fn avg_pool2d(y: &mut [f32], x: &[f32], g: &Window2d) {
    for_each_window(g, |o, base, rows, cols| {
        let (sum, count) = window_sum(x, g.w, base, rows, cols, |v| v);
        y[o] = if count > 0 { sum / count as f32 } else { 0.0 };
    });
}

/// Stochastic pooling at inference (Zeiler & Fergus 2013): y = sum(a_i * p_i) with
/// p_i = a_i / sum(a), 0 where the window sums to 0. x must be >= 0.
pub fn stochastic_pool2d_inference(y: &mut [f32], x: &[f32], g: &Window2d) {
    for_each_window(g, |o, base, rows, cols| {
        let (sum, _) = window_sum(x, g.w, base, rows.clone(), cols.clone(), |v| v);
        let (sum_sq, _) = window_sum(x, g.w, base, rows, cols, |v| v * v);
        y[o] = if sum > 0.0 { sum_sq / sum } else { 0.0 };
    });
}

/// Stochastic pooling in training: each window picks one cell at random with p_i = a_i / sum(a)
/// and outputs it; `arg` gets the picked cell's flat index in x. A window summing to 0
/// outputs 0 and points at its first cell. x must be >= 0.
pub fn stochastic_pool2d_sample(
    y: &mut [f32],
    arg: &mut [u32],
    x: &[f32],
    g: &Window2d,
    rng: &mut Rng,
) {
    for_each_window(g, |o, base, rows, cols| {
        let first = base + rows.start * g.w + cols.start;
        let (sum, _) = window_sum(x, g.w, base, rows.clone(), cols.clone(), |v| v);
        if sum <= 0.0 {
            (y[o], arg[o]) = (0.0, first as u32);
            return;
        }
        let r = rng.uniform() * sum;
        let mut acc = 0.0;
        // Rounding can leave r just above the last partial sum: fall back to the last
        // cell with a > 0, which is the one that interval belongs to.
        let mut pick = first;
        'scan: for iy in rows {
            for ix in cols.clone() {
                let i = base + iy * g.w + ix;
                if x[i] > 0.0 {
                    pick = i;
                    acc += x[i];
                    if r < acc {
                        break 'scan;
                    }
                }
            }
        }
        (y[o], arg[o]) = (x[pick], pick as u32);
    });
}

/// Sum of a[i] * b[i].
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// y: [n, out] = x: [n, inp] * wt: [out, inp]^T + b: [out] (PyTorch's Linear layout).
pub fn dense(y: &mut [f32], x: &[f32], wt: &[f32], b: &[f32], n: usize, inp: usize, out: usize) {
    for r in 0..n {
        let xr = &x[r * inp..(r + 1) * inp];
        for j in 0..out {
            y[r * out + j] = dot(xr, &wt[j * inp..(j + 1) * inp]) + b[j];
        }
    }
}

/// y = max(x, 0), elementwise.
pub fn relu(y: &mut [f32], x: &[f32]) {
    for (o, &v) in y.iter_mut().zip(x) {
        *o = v.max(0.0);
    }
}

pub fn tanh(y: &mut [f32], x: &[f32]) {
    for (o, &v) in y.iter_mut().zip(x) {
        *o = v.tanh();
    }
}

pub fn sigmoid(y: &mut [f32], x: &[f32]) {
    for (o, &v) in y.iter_mut().zip(x) {
        // Written on the side that cannot overflow exp().
        *o = if v >= 0.0 {
            1.0 / (1.0 + (-v).exp())
        } else {
            v.exp() / (1.0 + v.exp())
        };
    }
}

/// y: [n, k] = softmax of each row of x: [n, k], shifted by the row max so exp() stays finite.
pub fn softmax(y: &mut [f32], x: &[f32], k: usize) {
    for (yr, xr) in y.chunks_exact_mut(k).zip(x.chunks_exact(k)) {
        let m = xr.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut sum = 0.0;
        for (o, &v) in yr.iter_mut().zip(xr) {
            *o = (v - m).exp();
            sum += *o;
        }
        for o in yr.iter_mut() {
            *o /= sum;
        }
    }
}

/// y: [n, k] = log-softmax of each row of x: [n, k], x - max - ln(sum(exp(x - max))): the
/// largest entry's exp() is 1, so the sum is at least 1 and its log finite, and a row of a
/// large vocabulary never overflows.
pub fn log_softmax(y: &mut [f32], x: &[f32], k: usize) {
    for (yr, xr) in y.chunks_exact_mut(k).zip(x.chunks_exact(k)) {
        let m = xr.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let sum: f32 = xr.iter().map(|&v| (v - m).exp()).sum();
        let shift = m + sum.ln();
        for (o, &v) in yr.iter_mut().zip(xr) {
            *o = v - shift;
        }
    }
}

/// The output columns [lo, hi) at which kernel column `kx` lands inside the input (the rest
/// lie on padding).
#[inline]
pub fn valid_cols(g: &Window2d, kx: usize) -> (usize, usize) {
    let lo = if kx >= g.pad_left {
        0
    } else {
        (g.pad_left - kx).div_ceil(g.sw)
    };
    let last = g.w - 1 + g.pad_left; // ox * sw + kx must stay <= last
    let hi = if last >= kx {
        ((last - kx) / g.sw + 1).min(g.ow)
    } else {
        0
    };
    let lo = lo.min(g.ow);
    (lo, hi.max(lo))
}

/// c: [m, n] += a: [m, k] * b: [k, n].
pub fn gemm_nn(c: &mut [f32], a: &[f32], b: &[f32], m: usize, k: usize, n: usize) {
    for i in 0..m {
        for j in 0..n {
            let mut acc = 0.0;
            for p in 0..k {
                acc += a[i * k + p] * b[p * n + j];
            }
            c[i * n + j] += acc;
        }
    }
}

/// c: [m, n] += a^T * b with a: [k, m], b: [k, n].
pub fn gemm_tn(c: &mut [f32], a: &[f32], b: &[f32], m: usize, k: usize, n: usize) {
    for i in 0..m {
        for j in 0..n {
            let mut acc = 0.0;
            for p in 0..k {
                acc += a[p * m + i] * b[p * n + j];
            }
            c[i * n + j] += acc;
        }
    }
}

/// c: [m, n] += a * b^T with a: [m, k], b: [n, k].
pub fn gemm_nt(c: &mut [f32], a: &[f32], b: &[f32], m: usize, k: usize, n: usize) {
    for i in 0..m {
        for j in 0..n {
            c[i * n + j] += dot(&a[i * k..(i + 1) * k], &b[j * k..(j + 1) * k]);
        }
    }
}

/// c: [m, n] += a: [m, k] * w^T, w: [n, k] given as [`layout::pack_nt`]`(w, n, k)`. Every entry is a
/// sum over p in order, from 0, then added to c: the fast twins keep exactly this order, so
/// they agree with it bit for bit, and one row at a time agrees with many rows at once.
pub fn gemm_packed(c: &mut [f32], a: &[f32], packed: &[f32], m: usize, k: usize, n: usize) {
    gemm_panels(c, a, packed, m, k, n, PANEL, false);
}

/// As [`gemm_packed`] with w given as [`layout::pack_rows`]`(w, n, k)`; the same sums in the same order.
pub fn gemm_rows(c: &mut [f32], a: &[f32], packed: &[f32], m: usize, k: usize, n: usize) {
    gemm_panels(c, a, packed, m, k, n, ROW_PANEL, false);
}

/// As [`gemm_packed`], each product added with one rounding (`f32::mul_add`) when `fused`:
/// the reference for the SIMD kernels of the build with relaxed SIMD, whose multiply-add the
/// engine may fuse (see `simd128::madd_fuses`).
#[allow(clippy::too_many_arguments)]
pub fn gemm_packed_madd(
    fused: bool,
    c: &mut [f32],
    a: &[f32],
    packed: &[f32],
    m: usize,
    k: usize,
    n: usize,
) {
    gemm_panels(c, a, packed, m, k, n, PANEL, fused);
}

#[allow(clippy::too_many_arguments)]
fn gemm_panels(
    c: &mut [f32],
    a: &[f32],
    packed: &[f32],
    m: usize,
    k: usize,
    n: usize,
    width: usize,
    fused: bool,
) {
    for i in 0..m {
        for j in 0..n {
            let mut acc = 0.0f32;
            for p in 0..k {
                let (x, y) = (
                    a[i * k + p],
                    packed[j / width * k * width + p * width + j % width],
                );
                acc = if fused {
                    x.mul_add(y, acc)
                } else {
                    acc + x * y
                };
            }
            c[i * n + j] += acc;
        }
    }
}
