//! Reference kernels: plain loops, one output at a time, as the formulas are written.
//! Everything else is tested against these; keep them simple rather than fast.

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

/// Calls `f(out_index, cells)` for every window; `cells` yields the flat indices into
/// x: [n, c, h, w] of the real (unpadded) cells of that window, row by row.
#[inline]
pub fn for_each_window(g: &Window2d, mut f: impl FnMut(usize, &mut dyn Iterator<Item = usize>)) {
    for plane in 0..g.n * g.c {
        for oy in 0..g.oh {
            for ox in 0..g.ow {
                let base = plane * g.h * g.w;
                let mut cells =
                    (0..g.kh)
                        .filter_map(move |ky| g.in_row(oy, ky))
                        .flat_map(move |iy| {
                            (0..g.kw)
                                .filter_map(move |kx| g.in_col(ox, kx))
                                .map(move |ix| base + iy * g.w + ix)
                        });
                f((plane * g.oh + oy) * g.ow + ox, &mut cells);
            }
        }
    }
}

/// y: [n, c, oh, ow] = max over each window of x; `arg` gets the flat index in x of the
/// winner (the first one on ties). Padded cells never win.
pub fn max_pool2d(y: &mut [f32], arg: &mut [u32], x: &[f32], g: &Window2d) {
    for_each_window(g, |o, cells| {
        let (mut best, mut at) = (f32::NEG_INFINITY, 0);
        for i in cells {
            if x[i] > best {
                (best, at) = (x[i], i);
            }
        }
        y[o] = best;
        arg[o] = at as u32;
    });
}

/// y: [n, c, oh, ow] = mean of each window's real cells (SAME padding divides by the number
/// of real cells, not by kh * kw).
pub fn avg_pool2d(y: &mut [f32], x: &[f32], g: &Window2d) {
    for_each_window(g, |o, cells| {
        let (mut sum, mut count) = (0.0f32, 0usize);
        for i in cells {
            sum += x[i];
            count += 1;
        }
        y[o] = if count > 0 { sum / count as f32 } else { 0.0 };
    });
}

/// Stochastic pooling at inference (Zeiler & Fergus 2013): y = sum(a_i * p_i) with
/// p_i = a_i / sum(a), 0 where the window sums to 0. x must be >= 0.
pub fn stochastic_pool2d_inference(y: &mut [f32], x: &[f32], g: &Window2d) {
    for_each_window(g, |o, cells| {
        let (mut sum, mut sum_sq) = (0.0f32, 0.0f32);
        for i in cells {
            sum += x[i];
            sum_sq += x[i] * x[i];
        }
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
    let mut window = Vec::with_capacity(g.kh * g.kw);
    for_each_window(g, |o, cells| {
        window.clear();
        window.extend(cells);
        let sum: f32 = window.iter().map(|&i| x[i]).sum();
        let first = window.first().copied().unwrap_or(0);
        if sum <= 0.0 {
            (y[o], arg[o]) = (0.0, first as u32);
            return;
        }
        let r = rng.uniform() * sum;
        let mut acc = 0.0;
        // Rounding can leave r just above the last partial sum: fall back to the last
        // cell with a > 0, which is the one that interval belongs to.
        let mut pick = first;
        for &i in &window {
            if x[i] > 0.0 {
                pick = i;
                acc += x[i];
                if r < acc {
                    break;
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

/// col: [c * kh * kw, oh * ow] = the windows of one image x: [c, h, w] laid out as columns
/// (zeros on padding), so a convolution becomes one matrix product: y = wt * col.
pub fn im2col(col: &mut [f32], x: &[f32], g: &Window2d) {
    let p = g.oh * g.ow;
    for ic in 0..g.c {
        for ky in 0..g.kh {
            for kx in 0..g.kw {
                let row = &mut col[((ic * g.kh + ky) * g.kw + kx) * p..][..p];
                for oy in 0..g.oh {
                    for ox in 0..g.ow {
                        row[oy * g.ow + ox] = match (g.in_row(oy, ky), g.in_col(ox, kx)) {
                            (Some(iy), Some(ix)) => x[(ic * g.h + iy) * g.w + ix],
                            _ => 0.0,
                        };
                    }
                }
            }
        }
    }
}

/// The adjoint of [`im2col`]: adds each column entry back onto the input cell it came from.
/// dx: [c, h, w] is accumulated into (callers zero it first).
pub fn col2im(dx: &mut [f32], col: &[f32], g: &Window2d) {
    let p = g.oh * g.ow;
    for ic in 0..g.c {
        for ky in 0..g.kh {
            for kx in 0..g.kw {
                let row = &col[((ic * g.kh + ky) * g.kw + kx) * p..][..p];
                for oy in 0..g.oh {
                    let Some(iy) = g.in_row(oy, ky) else { continue };
                    for ox in 0..g.ow {
                        if let Some(ix) = g.in_col(ox, kx) {
                            dx[(ic * g.h + iy) * g.w + ix] += row[oy * g.ow + ox];
                        }
                    }
                }
            }
        }
    }
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
