//! Fast kernels in plain Rust, shaped so the compiler vectorises them on any target (SSE2
//! natively, SIMD128 in wasm): inner loops run over contiguous memory as `y += a * x`
//! (axpy) or as eight independent partial sums. Used for training natively and wherever no
//! hand-written `simd128` twin exists. Tested equal to `scalar` (tests below, and in wasm).

use super::ConvS1;

/// Sum of a[i] * b[i] with eight partial sums, which the compiler keeps in vector registers
/// (a single running sum is a dependency chain it may not reorder).
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let b = &b[..a.len()];
    let mut acc = [0.0f32; 8];
    let (ac, bc) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ar, br) = (ac.remainder(), bc.remainder());
    for (x, y) in ac.zip(bc) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    let mut sum = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (x, y) in ar.iter().zip(br) {
        sum += x * y;
    }
    sum
}

/// y[i] += a * x[i].
#[inline]
pub fn axpy(y: &mut [f32], a: f32, x: &[f32]) {
    for (o, &v) in y.iter_mut().zip(x) {
        *o += a * v;
    }
}

/// c: [m, n] += a: [m, k] * b: [k, n], as rows of c accumulating scaled rows of b.
pub fn gemm_nn(c: &mut [f32], a: &[f32], b: &[f32], m: usize, k: usize, n: usize) {
    for i in 0..m {
        let ci = &mut c[i * n..(i + 1) * n];
        for p in 0..k {
            let aip = a[i * k + p];
            if aip != 0.0 {
                axpy(ci, aip, &b[p * n..(p + 1) * n]);
            }
        }
    }
}

/// c: [m, n] += a^T * b with a: [k, m], b: [k, n].
pub fn gemm_tn(c: &mut [f32], a: &[f32], b: &[f32], m: usize, k: usize, n: usize) {
    for p in 0..k {
        let bp = &b[p * n..(p + 1) * n];
        for i in 0..m {
            let api = a[p * m + i];
            if api != 0.0 {
                axpy(&mut c[i * n..(i + 1) * n], api, bp);
            }
        }
    }
}

/// c: [m, n] += a * b^T with a: [m, k], b: [n, k]: every entry a dot product of two rows.
pub fn gemm_nt(c: &mut [f32], a: &[f32], b: &[f32], m: usize, k: usize, n: usize) {
    for i in 0..m {
        let ai = &a[i * k..(i + 1) * k];
        for j in 0..n {
            c[i * n + j] += dot(ai, &b[j * k..(j + 1) * k]);
        }
    }
}

/// c: [m, n] += a: [m, k] * w^T from `layout::pack_nt(w, n, k)`, as `scalar::gemm_packed`
/// and bit for bit equal to it: a panel's 8 sums run side by side (the compiler makes them
/// vector lanes), each over p in order.
pub fn gemm_packed(c: &mut [f32], a: &[f32], packed: &[f32], m: usize, k: usize, n: usize) {
    gemm_panels::<{ super::layout::PANEL }>(c, a, packed, m, k, n);
}

/// As [`gemm_packed`] with w from `layout::pack_rows` (24-column panels).
pub fn gemm_rows(c: &mut [f32], a: &[f32], packed: &[f32], m: usize, k: usize, n: usize) {
    gemm_panels::<{ super::layout::ROW_PANEL }>(c, a, packed, m, k, n);
}

fn gemm_panels<const W: usize>(
    c: &mut [f32],
    a: &[f32],
    packed: &[f32],
    m: usize,
    k: usize,
    n: usize,
) {
    for (ci, ai) in c.chunks_exact_mut(n).zip(a.chunks_exact(k)).take(m) {
        for (q, panel) in packed.chunks_exact(k * W).enumerate() {
            let mut acc = [0.0f32; W];
            for (&av, row) in ai.iter().zip(panel.chunks_exact(W)) {
                for l in 0..W {
                    acc[l] += av * row[l];
                }
            }
            for (o, v) in ci[q * W..].iter_mut().zip(acc) {
                *o += v;
            }
        }
    }
}

/// y: [out] = x: [inp] * w^T + b for ONE input row, with wt = w^T: [inp, out] (see
/// `layout::transpose`), visiting only the inputs that are not zero: after a ReLU most of
/// them are (60–75% in LeNet-5's F5 and F6 on MNIST). `nz` is scratch for their indices
/// (length >= inp). Every output is a sum over k in order from 0, then + b, as
/// `scalar::dense`, so the two agree bit for bit (skipped products are exact zeros).
pub fn dense_sparse(
    y: &mut [f32],
    x: &[f32],
    wt: &[f32],
    b: &[f32],
    nz: &mut [u32],
    inp: usize,
    out: usize,
) {
    let count = nonzero_indices(nz, &x[..inp]);
    let y = &mut y[..out];
    y.fill(0.0);
    for &k in &nz[..count] {
        axpy(y, x[k as usize], &wt[k as usize * out..][..out]);
    }
    for (o, bias) in y.iter_mut().zip(b) {
        *o += bias;
    }
}

/// Writes the indices of x's non-zero entries to the front of `nz` and returns how many.
/// Branch-free: whether an activation is zero is a coin toss the predictor cannot learn.
#[inline]
pub fn nonzero_indices(nz: &mut [u32], x: &[f32]) -> usize {
    let mut count = 0;
    for (k, &v) in x.iter().enumerate() {
        nz[count] = k as u32;
        count += (v != 0.0) as usize;
    }
    count
}

/// The stride-1 convolution of [`conv2d_s1`] computed input by input ("scatter"): each
/// non-zero input cell adds its products to the output cells it reaches, and zero cells
/// cost nothing. LeNet-5's inputs are mostly zero on MNIST (82% of the padded image, 56% of
/// S2), so this does a fraction of the products. Weights come as
/// `layout::channels_last_weights(wt, o, c, kh * kw, lanes)`; `acc`: [oh, ow, lanes] is
/// scratch, y: [o, oh, ow] the result. Each output is its bias plus its products in (c, ky,
/// kx) order, the order of `scalar::conv2d`, so the two agree bit for bit.
#[allow(clippy::too_many_arguments)]
pub fn conv2d_s1_sparse(
    y: &mut [f32],
    acc: &mut [f32],
    xp: &[f32],
    wk: &[f32],
    b: &[f32],
    d: &ConvS1,
    lanes: usize,
) {
    let cells = d.oh * d.ow;
    for cell in acc[..cells * lanes].chunks_exact_mut(lanes) {
        cell[..d.o].copy_from_slice(&b[..d.o]);
        cell[d.o..].fill(0.0);
    }
    for c in 0..d.c {
        for iy in 0..d.hp {
            for ix in 0..d.wp {
                let v = xp[(c * d.hp + iy) * d.wp + ix];
                if v == 0.0 {
                    continue;
                }
                // Output (oy, ox) = (iy - ky, ix - kx) must lie inside [oh, ow].
                for ky in iy.saturating_sub(d.oh - 1)..d.kh.min(iy + 1) {
                    for kx in ix.saturating_sub(d.ow - 1)..d.kw.min(ix + 1) {
                        let at = ((iy - ky) * d.ow + ix - kx) * lanes;
                        let w = &wk[((c * d.kh + ky) * d.kw + kx) * lanes..][..lanes];
                        axpy(&mut acc[at..at + lanes], v, w);
                    }
                }
            }
        }
    }
    for o in 0..d.o {
        for (cell, out) in y[o * cells..][..cells].iter_mut().enumerate() {
            *out = acc[cell * lanes + o];
        }
    }
}

/// y: [o, oh, ow] = b + stride-1 convolution of the padded input xp: [c, hp, wp] with
/// wt: [o, c, kh, kw] (see [`ConvS1`]): output rows accumulate scaled input rows (axpy).
pub fn conv2d_s1(y: &mut [f32], xp: &[f32], wt: &[f32], b: &[f32], d: &ConvS1) {
    for o in 0..d.o {
        for oy in 0..d.oh {
            let yrow = &mut y[(o * d.oh + oy) * d.ow..][..d.ow];
            yrow.fill(b[o]);
            for c in 0..d.c {
                for ky in 0..d.kh {
                    let xrow = &xp[(c * d.hp + oy + ky) * d.wp..][..d.wp];
                    for kx in 0..d.kw {
                        axpy(
                            yrow,
                            wt[((o * d.c + c) * d.kh + ky) * d.kw + kx],
                            &xrow[kx..kx + d.ow],
                        );
                    }
                }
            }
        }
    }
}

/// v = 1 / (1 + e^-v) in place (the reference formula; `simd128` has the fast twin).
pub fn sigmoid_inplace(v: &mut [f32]) {
    for x in v {
        *x = if *x >= 0.0 {
            1.0 / (1.0 + (-*x).exp())
        } else {
            x.exp() / (1.0 + x.exp())
        };
    }
}

/// v = tanh(v) in place.
pub fn tanh_inplace(v: &mut [f32]) {
    for x in v {
        *x = x.tanh();
    }
}

/// Max pooling with a 2×2 window and stride 2 over planes whose windows all lie inside
/// (LeNet's S2 and S4): x: [planes, 2 * oh, 2 * ow] -> y: [planes, oh, ow], `arg` the flat
/// index in x of each winner (the first on ties, as `scalar::max_pool2d`).
pub fn max_pool2x2(y: &mut [f32], arg: &mut [u32], x: &[f32], planes: usize, oh: usize, ow: usize) {
    let w = 2 * ow;
    for p in 0..planes {
        let base = p * 4 * oh * ow;
        for oy in 0..oh {
            let top = base + 2 * oy * w;
            for ox in 0..ow {
                let i = top + 2 * ox;
                let mut at = i;
                for j in [i + 1, i + w, i + w + 1] {
                    if x[j] > x[at] {
                        at = j;
                    }
                }
                let o = (p * oh + oy) * ow + ox;
                y[o] = x[at];
                arg[o] = at as u32;
            }
        }
    }
}

/// Mean pooling, 2×2 window, stride 2, windows all inside: as `scalar::avg_pool2d` there.
pub fn avg_pool2x2(y: &mut [f32], x: &[f32], planes: usize, oh: usize, ow: usize) {
    let w = 2 * ow;
    for p in 0..planes {
        let base = p * 4 * oh * ow;
        for oy in 0..oh {
            let top = base + 2 * oy * w;
            for ox in 0..ow {
                let i = top + 2 * ox;
                y[(p * oh + oy) * ow + ox] = ((x[i] + x[i + 1]) + (x[i + w] + x[i + w + 1])) * 0.25;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::{layout, scalar};
    use crate::rng::Rng;

    fn rand(rng: &mut Rng, n: usize) -> Vec<f32> {
        (0..n).map(|_| rng.range(-1.0, 1.0)).collect()
    }

    #[test]
    fn packed_panels_start_on_a_cache_line_and_hold_w_transposed() {
        let mut rng = Rng::new(13);
        for (n, k) in [(1, 1), (3, 5), (9, 7), (512, 128), (25, 33)] {
            let w = rand(&mut rng, n * k); // [n, k]
            for (width, packed) in [
                (layout::PANEL, layout::pack_nt(&w, n, k)),
                (layout::ROW_PANEL, layout::pack_rows(&w, n, k)),
            ] {
                assert_eq!(packed.as_ptr() as usize % 64, 0, "{n}x{k} by {width}");
                assert_eq!(packed.len(), n.div_ceil(width) * k * width);
                for (i, &v) in packed.iter().enumerate() {
                    let (q, p, l) = (i / (k * width), i / width % k, i % width);
                    let j = q * width + l;
                    assert_eq!(v, if j < n { w[j * k + p] } else { 0.0 }, "{n}x{k} at {i}");
                }
            }
        }
    }

    #[test]
    fn gemms_and_dot_equal_the_scalar_reference() {
        let mut rng = Rng::new(12);
        for _ in 0..200 {
            let (m, k, n) = (1 + rng.below(17), 1 + rng.below(40), 1 + rng.below(33));
            let a = rand(&mut rng, m * k);
            let at: Vec<f32> = (0..k * m).map(|i| a[(i % m) * k + i / m]).collect(); // [k, m]
            let b = rand(&mut rng, k * n);
            let bt: Vec<f32> = (0..n * k).map(|i| b[(i % k) * n + i / k]).collect(); // [n, k]
            let c0 = rand(&mut rng, m * n);
            let mut want = c0.clone();
            scalar::gemm_nn(&mut want, &a, &b, m, k, n);
            type Gemm = fn(&mut [f32], &[f32], &[f32], usize, usize, usize);
            let cases: [(Gemm, &[f32], &[f32], &str); 3] = [
                (gemm_nn, &a, &b, "nn"),
                (gemm_tn, &at, &b, "tn"),
                (gemm_nt, &a, &bt, "nt"),
            ];
            for (f, x, y, name) in cases {
                let mut got = c0.clone();
                f(&mut got, x, y, m, k, n);
                for (g, w) in got.iter().zip(&want) {
                    assert!(
                        (g - w).abs() <= 1e-5 * w.abs().max(1.0),
                        "{name} {m}x{k}x{n}: {g} vs {w}"
                    );
                }
            }
            let (mut want, mut got) = (c0.clone(), c0.clone());
            let packed = layout::pack_nt(&bt, n, k);
            scalar::gemm_packed(&mut want, &a, &packed, m, k, n);
            gemm_packed(&mut got, &a, &packed, m, k, n);
            assert_eq!(got, want, "packed {m}x{k}x{n}");
            let mut nn = c0.clone();
            scalar::gemm_nn(&mut nn, &a, &b, m, k, n);
            assert_eq!(want, nn, "packed = nn, same order {m}x{k}x{n}");
            let (mut rows, mut rows_ref) = (c0.clone(), c0.clone());
            let packed_rows = layout::pack_rows(&bt, n, k);
            scalar::gemm_rows(&mut rows_ref, &a, &packed_rows, m, k, n);
            gemm_rows(&mut rows, &a, &packed_rows, m, k, n);
            assert_eq!((&rows, &rows_ref), (&want, &want), "rows {m}x{k}x{n}");
            let (s, p) = (scalar::dot(&a, &at), dot(&a, &at));
            assert!((s - p).abs() <= 1e-5 * s.abs().max(1.0));
        }
    }
}

#[cfg(test)]
mod pool_tests {
    use super::*;
    use crate::kernels::scalar;
    use crate::rng::Rng;
    use crate::shape::{Padding, Window2d};

    #[test]
    fn pool2x2_equals_the_reference() {
        let mut rng = Rng::new(4);
        for (planes, oh, ow) in [(6, 14, 14), (16, 5, 5), (1, 1, 1), (3, 2, 7)] {
            // Few distinct values, so ties happen and the first-wins rule is exercised.
            let x: Vec<f32> = (0..planes * 4 * oh * ow)
                .map(|_| rng.below(4) as f32)
                .collect();
            let g = Window2d::plan([1, planes, 2 * oh, 2 * ow], [2, 2], [2, 2], Padding::Valid)
                .unwrap();
            let (mut y0, mut a0, mut y1, mut a1) = (
                vec![0.0; planes * oh * ow],
                vec![0; planes * oh * ow],
                vec![0.0; planes * oh * ow],
                vec![0; planes * oh * ow],
            );
            scalar::max_pool2d(&mut y0, &mut a0, &x, &g);
            max_pool2x2(&mut y1, &mut a1, &x, planes, oh, ow);
            assert_eq!((y0, a0), (y1, a1));
            let (mut m0, mut m1) = (vec![0.0; planes * oh * ow], vec![0.0; planes * oh * ow]);
            scalar::avg_pool2d(&mut m0, &x, &g);
            avg_pool2x2(&mut m1, &x, planes, oh, ow);
            assert_eq!(m0, m1);
        }
    }
}

#[cfg(test)]
mod conv_tests {
    use super::*;
    use crate::kernels::{layout, scalar};
    use crate::rng::Rng;
    use crate::shape::{Padding, Window2d};

    #[test]
    fn direct_stride1_conv_equals_the_reference() {
        let mut rng = Rng::new(43);
        for _ in 0..100 {
            let (c, o, kh, kw) = (
                1 + rng.below(5),
                1 + rng.below(9),
                1 + rng.below(5),
                1 + rng.below(5),
            );
            let (hp, wp) = (kh + rng.below(10), kw + rng.below(10));
            let d = ConvS1::new(c, hp, wp, o, kh, kw);
            let r = |rng: &mut Rng, n: usize| {
                (0..n).map(|_| rng.range(-1.0, 1.0)).collect::<Vec<f32>>()
            };
            let (xp, wt, b) = (
                r(&mut rng, c * hp * wp),
                r(&mut rng, o * c * kh * kw),
                r(&mut rng, o),
            );
            let g = Window2d::plan([1, c, hp, wp], [kh, kw], [1, 1], Padding::Valid).unwrap();
            let (mut want, mut got) = (vec![0.0; o * d.oh * d.ow], vec![0.0; o * d.oh * d.ow]);
            scalar::conv2d(&mut want, &xp, &wt, &b, &g, o);
            conv2d_s1(&mut got, &xp, &wt, &b, &d);
            for (a, e) in got.iter().zip(&want) {
                assert!((a - e).abs() <= 1e-5 * e.abs().max(1.0), "{d:?}");
            }
        }
    }

    /// Random values of which about `zeros` (a fraction) are exactly zero.
    fn sparse(rng: &mut Rng, n: usize, zeros: f32) -> Vec<f32> {
        (0..n)
            .map(|_| {
                if rng.range(0.0, 1.0) < zeros {
                    0.0
                } else {
                    rng.range(-1.0, 1.0)
                }
            })
            .collect()
    }

    #[test]
    fn sparse_conv_and_dense_equal_the_reference_bit_for_bit() {
        let mut rng = Rng::new(44);
        for case in 0..200 {
            let (c, o, kh, kw) = (
                1 + rng.below(6),
                1 + rng.below(17),
                1 + rng.below(5),
                1 + rng.below(5),
            );
            let (hp, wp) = (kh + rng.below(12), kw + rng.below(12));
            let d = ConvS1::new(c, hp, wp, o, kh, kw);
            let zeros = [0.0, 0.5, 0.9, 1.0][case % 4];
            let xp = sparse(&mut rng, c * hp * wp, zeros);
            let (wt, b) = (
                sparse(&mut rng, o * c * kh * kw, 0.0),
                sparse(&mut rng, o, 0.0),
            );
            let g = Window2d::plan([1, c, hp, wp], [kh, kw], [1, 1], Padding::Valid).unwrap();
            let lanes = o.next_multiple_of(4);
            let wk = layout::channels_last_weights(&wt, o, c, kh * kw, lanes);
            let (mut want, mut got) = (vec![0.0; o * d.oh * d.ow], vec![f32::NAN; o * d.oh * d.ow]);
            let mut acc = vec![f32::NAN; d.oh * d.ow * lanes];
            scalar::conv2d(&mut want, &xp, &wt, &b, &g, o);
            conv2d_s1_sparse(&mut got, &mut acc, &xp, &wk, &b, &d, lanes);
            assert_eq!(got, want, "{d:?}, {zeros} zeros");

            let (inp, out) = (1 + rng.below(70), 1 + rng.below(50));
            let (x, w, b) = (
                sparse(&mut rng, inp, zeros),
                sparse(&mut rng, out * inp, 0.0),
                sparse(&mut rng, out, 0.0),
            );
            let (mut want, mut got) = (vec![0.0; out], vec![f32::NAN; out]);
            scalar::dense(&mut want, &x, &w, &b, 1, inp, out);
            let mut nz = vec![0; inp];
            dense_sparse(
                &mut got,
                &x,
                &layout::transpose(&w, out, inp),
                &b,
                &mut nz,
                inp,
                out,
            );
            assert_eq!(got, want, "dense {inp} -> {out}, {zeros} zeros");
        }
    }
}
