//! Shared pieces of nnplay's browser test suites (the suites themselves are in `wasm/`).

include!(concat!(env!("OUT_DIR"), "/golden_cases.rs"));

/// Random sizes for property tests: a small deterministic generator, as in the core.
pub use nnplay::rng::Rng;

/// Largest |a - b| relative to max(1, |b|), over two equally long slices.
pub fn max_rel_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "lengths differ");
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() / y.abs().max(1.0))
        .fold(0.0, f32::max)
}
