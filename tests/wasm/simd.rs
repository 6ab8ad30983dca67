//! SIMD128 kernels against their scalar twins on random shapes, odd tails included,
//! inside a real browser's wasm engine.
#![cfg(target_arch = "wasm32")]

use nnplay::kernels::{scalar, simd128};
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
