//! SIMD128 kernels against their scalar twins on random shapes, odd tails included,
//! inside a real browser's wasm engine.
#![cfg(target_arch = "wasm32")]

use nnplay::kernels::{layout, scalar, simd128};
use nnplay::shape::{Padding, Window2d};
use nnplay_tests::{max_rel_diff, Rng};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn random(rng: &mut Rng, len: usize) -> Vec<f32> {
    (0..len).map(|_| rng.range(-2.0, 2.0)).collect()
}

#[wasm_bindgen_test]
fn conv2d_simd_equals_scalar_on_random_shapes() {
    let mut rng = Rng::new(2024);
    let mut tried = 0;
    while tried < 300 {
        let (n, c, o) = (1 + rng.below(3), 1 + rng.below(4), 1 + rng.below(7));
        let (h, w) = (1 + rng.below(19), 1 + rng.below(37)); // widths well past one vector, odd tails
        let (kh, kw) = (1 + rng.below(5), 1 + rng.below(5));
        let stride = [1 + rng.below(3), 1 + rng.below(3)];
        let padding = if rng.below(2) == 0 {
            Padding::Same
        } else {
            Padding::Valid
        };
        let Ok(g) = Window2d::plan([n, c, h, w], [kh, kw], stride, padding) else {
            continue;
        };
        tried += 1;
        let (x, wt, b) = (
            random(&mut rng, g.x_len()),
            random(&mut rng, o * c * kh * kw),
            random(&mut rng, o),
        );
        let (mut ys, mut yv) = (vec![f32::NAN; g.y_len(o)], vec![f32::NAN; g.y_len(o)]);
        scalar::conv2d(&mut ys, &x, &wt, &b, &g, o);
        simd128::conv2d(&mut yv, &x, &wt, &b, &g, o);
        let d = max_rel_diff(&yv, &ys);
        assert!(d < 1e-5, "{g:?} o={o}: SIMD differs from scalar by {d}");
    }
}

#[wasm_bindgen_test]
fn dot_dense_relu_simd_equal_scalar() {
    let mut rng = Rng::new(7);
    for len in 0..70 {
        let (a, b) = (random(&mut rng, len), random(&mut rng, len));
        let (s, v) = (scalar::dot(&a, &b), simd128::dot(&a, &b));
        assert!(
            (s - v).abs() <= 1e-5 * s.abs().max(1.0),
            "len {len}: {s} vs {v}"
        );
        let (mut rs, mut rv) = (vec![0.0; len], vec![0.0; len]);
        scalar::relu(&mut rs, &a);
        simd128::relu(&mut rv, &a);
        assert_eq!(rs, rv, "relu, len {len}");
    }
    for _ in 0..100 {
        let (n, inp, out) = (1 + rng.below(4), 1 + rng.below(70), 1 + rng.below(20));
        let (x, w, b) = (
            random(&mut rng, n * inp),
            random(&mut rng, out * inp),
            random(&mut rng, out),
        );
        let (mut ys, mut yv) = (vec![0.0; n * out], vec![0.0; n * out]);
        scalar::dense(&mut ys, &x, &w, &b, n, inp, out);
        simd128::dense(&mut yv, &x, &w, &b, n, inp, out);
        assert!(
            max_rel_diff(&yv, &ys) < 1e-5,
            "dense n={n} in={inp} out={out}"
        );
    }
}

#[wasm_bindgen_test]
fn gemms_simd_equal_scalar_on_random_shapes() {
    let mut rng = Rng::new(31);
    type Gemm = fn(&mut [f32], &[f32], &[f32], usize, usize, usize);
    for _ in 0..300 {
        let (m, k, n) = (1 + rng.below(13), 1 + rng.below(40), 1 + rng.below(37)); // every tile edge
        let (a, b) = (random(&mut rng, m * k), random(&mut rng, k * n));
        let at: Vec<f32> = (0..k * m).map(|i| a[(i % m) * k + i / m]).collect(); // [k, m]
        let bt: Vec<f32> = (0..n * k).map(|i| b[(i % k) * n + i / k]).collect(); // [n, k]
        let c0 = random(&mut rng, m * n);
        let mut want = c0.clone();
        scalar::gemm_nn(&mut want, &a, &b, m, k, n);
        let cases: [(Gemm, &[f32], &[f32], &str); 3] = [
            (simd128::gemm_nn, &a, &b, "nn"),
            (simd128::gemm_tn, &at, &b, "tn"),
            (simd128::gemm_nt, &a, &bt, "nt"),
        ];
        for (f, x, y, name) in cases {
            let mut got = c0.clone();
            f(&mut got, x, y, m, k, n);
            assert!(max_rel_diff(&got, &want) < 1e-5, "{name} {m}x{k}x{n}");
        }
    }
}

#[wasm_bindgen_test]
fn packed_gemm_simd_equals_scalar_bit_for_bit() {
    // Same summation order in both (each entry over p in order from 0, then added to c), so
    // exactly equal; and one row at a time equals all rows at once, which the recurrent
    // step-wise mode relies on. Sizes cover 1..3 rows (1×24 tiles), 4-row bands, partial
    // panels, and the LSTM's real shapes (k = 32 and 128, n = 512).
    let fused = simd128::madd_fuses();
    #[cfg(not(target_feature = "relaxed-simd"))]
    assert!(!fused, "SIMD128 alone has no fused multiply-add");
    let mut rng = Rng::new(61);
    let mut shapes: Vec<(usize, usize, usize)> = (0..200)
        .map(|_| (1 + rng.below(13), 1 + rng.below(40), 1 + rng.below(60)))
        .collect();
    shapes.extend([
        (1, 128, 512),
        (3, 32, 512),
        (32, 128, 512),
        (37, 32, 384),
        (100, 1, 9),
    ]);
    for (m, k, n) in shapes {
        let (a, w, c0) = (
            random(&mut rng, m * k),
            random(&mut rng, n * k),
            random(&mut rng, m * n),
        );
        let packed = layout::pack_nt(&w, n, k);
        let (mut want, mut got, mut rows) = (c0.clone(), c0.clone(), c0.clone());
        // Rounded as the kernels' multiply-add is on this engine: twice in the SIMD128
        // build, once where the relaxed-SIMD build's engine fuses it.
        scalar::gemm_packed_madd(fused, &mut want, &a, &packed, m, k, n);
        simd128::gemm_packed(&mut got, &a, &packed, m, k, n);
        for i in 0..m {
            simd128::gemm_packed(&mut rows[i * n..][..n], &a[i * k..][..k], &packed, 1, k, n);
        }
        assert_eq!(got, want, "packed {m}x{k}x{n}");
        assert_eq!(rows, want, "packed row by row {m}x{k}x{n}");
        // The 24-column panels for few rows: the same sums, so the same bits.
        let (wide, mut by_rows) = (layout::pack_rows(&w, n, k), c0.clone());
        simd128::gemm_rows(&mut by_rows, &a, &wide, m, k, n);
        assert_eq!(by_rows, want, "rows {m}x{k}x{n}");
        let mut nt = c0.clone();
        scalar::gemm_nt(&mut nt, &a, &w, m, k, n);
        assert!(max_rel_diff(&got, &nt) < 1e-5, "packed vs nt {m}x{k}x{n}");
    }
}

#[wasm_bindgen_test]
fn direct_stride1_conv_simd_equals_scalar() {
    use nnplay::kernels::ConvS1;
    let mut rng = Rng::new(41);
    for _ in 0..200 {
        let (c, o) = (1 + rng.below(7), 1 + rng.below(18));
        let (kh, kw) = (1 + rng.below(5), 1 + rng.below(5));
        let ow = 4 * (1 + rng.below(8)); // the SIMD kernel's contract: whole vectors
        let (hp, wp) = (kh + rng.below(12), ow + kw - 1);
        let d = ConvS1::new(c, hp, wp, o, kh, kw);
        let (xp, wt, b) = (
            random(&mut rng, c * hp * wp),
            random(&mut rng, o * c * kh * kw),
            random(&mut rng, o),
        );
        let g = Window2d::plan([1, c, hp, wp], [kh, kw], [1, 1], Padding::Valid).unwrap();
        let (mut ys, mut yv) = (vec![0.0; o * d.oh * d.ow], vec![f32::NAN; o * d.oh * d.ow]);
        scalar::conv2d(&mut ys, &xp, &wt, &b, &g, o);
        simd128::conv2d_s1(&mut yv, &xp, &wt, &b, &d);
        assert!(max_rel_diff(&yv, &ys) < 1e-5, "{d:?}");
    }
}

/// Random values of which about `zeros` (a fraction) are exactly zero.
fn sparse(rng: &mut Rng, len: usize, zeros: f32) -> Vec<f32> {
    (0..len)
        .map(|_| {
            if rng.range(0.0, 1.0) < zeros {
                0.0
            } else {
                rng.range(-2.0, 2.0)
            }
        })
        .collect()
}

#[wasm_bindgen_test]
fn sparse_conv_and_dense_simd_equal_scalar_bit_for_bit() {
    use nnplay::kernels::ConvS1;
    let mut rng = Rng::new(45);
    for case in 0..300 {
        let zeros = [0.0, 0.5, 0.9, 1.0][case % 4];
        // LeNet's C1 and C3 (the unrolled 5-wide instances), then random shapes.
        let (c, hp, wp, o, kh, kw) = match case {
            0..=3 => (1, 32, 32, 6, 5, 5),
            4..=7 => (6, 14, 14, 16, 5, 5),
            _ => {
                let (kh, kw) = (1 + rng.below(5), 1 + rng.below(6));
                (
                    1 + rng.below(6),
                    kh + rng.below(12),
                    kw + rng.below(12),
                    1 + rng.below(20),
                    kh,
                    kw,
                )
            }
        };
        let d = ConvS1::new(c, hp, wp, o, kh, kw);
        let lanes = o.next_multiple_of(4);
        let (xp, wt, b) = (
            sparse(&mut rng, c * hp * wp, zeros),
            random(&mut rng, o * c * kh * kw),
            random(&mut rng, o),
        );
        let g = Window2d::plan([1, c, hp, wp], [kh, kw], [1, 1], Padding::Valid).unwrap();
        let wk = layout::channels_last_weights(&wt, o, c, kh * kw, lanes);
        let (mut ys, mut yv) = (vec![0.0; o * d.oh * d.ow], vec![f32::NAN; o * d.oh * d.ow]);
        let mut acc = vec![f32::NAN; d.oh * d.ow * lanes];
        scalar::conv2d(&mut ys, &xp, &wt, &b, &g, o);
        simd128::conv2d_s1_sparse(&mut yv, &mut acc, &xp, &wk, &b, &d, lanes);
        assert_eq!(yv, ys, "{d:?}, {zeros} zeros");

        let (inp, out) = (1 + rng.below(130), 1 + rng.below(130));
        let (x, w, b) = (
            sparse(&mut rng, inp, zeros),
            random(&mut rng, out * inp),
            random(&mut rng, out),
        );
        let (mut ys, mut yv) = (vec![0.0; out], vec![f32::NAN; out]);
        scalar::dense(&mut ys, &x, &w, &b, 1, inp, out);
        let mut nz = vec![0; inp];
        simd128::dense_sparse(
            &mut yv,
            &x,
            &layout::transpose(&w, out, inp),
            &b,
            &mut nz,
            inp,
            out,
        );
        assert_eq!(yv, ys, "dense {inp} -> {out}, {zeros} zeros");
    }
}

#[wasm_bindgen_test]
fn exp_sigmoid_tanh_and_pooling_simd_equal_scalar() {
    let mut rng = Rng::new(51);
    for len in 0..40 {
        let x: Vec<f32> = (0..len).map(|_| rng.range(-30.0, 30.0)).collect();
        let (mut s, mut t) = (x.clone(), x.clone());
        simd128::sigmoid_inplace(&mut s);
        simd128::tanh_inplace(&mut t);
        for (i, &v) in x.iter().enumerate() {
            let (ws, wt) = (1.0 / (1.0 + (-v).exp()), v.tanh());
            assert!(
                (s[i] - ws).abs() <= 1e-6 + 1e-5 * ws.abs(),
                "sigmoid({v}) = {} vs {ws}",
                s[i]
            );
            assert!((t[i] - wt).abs() <= 2e-6, "tanh({v}) = {} vs {wt}", t[i]);
        }
    }
    for (planes, oh, ow) in [
        (6, 14, 14),
        (16, 5, 5),
        (2, 3, 9),
        (1, 1, 4),
        (3, 2, 3),
        (1, 1, 1),
    ] {
        // Few distinct values, so ties exercise the first-wins rule.
        let x: Vec<f32> = (0..planes * 4 * oh * ow)
            .map(|_| rng.below(3) as f32)
            .collect();
        let g =
            Window2d::plan([1, planes, 2 * oh, 2 * ow], [2, 2], [2, 2], Padding::Valid).unwrap();
        let n = planes * oh * ow;
        let (mut y0, mut a0, mut y1, mut a1) = (vec![0.0; n], vec![0; n], vec![0.0; n], vec![0; n]);
        scalar::max_pool2d(&mut y0, &mut a0, &x, &g);
        simd128::max_pool2x2(&mut y1, &mut a1, &x, planes, oh, ow);
        assert_eq!((y0, a0), (y1, a1), "{planes}x{oh}x{ow}");
    }
}
