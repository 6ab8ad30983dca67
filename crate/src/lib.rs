//! nnplay's core: every number the teaching playground shows is computed here.
//!
//! Layers, from the bottom:
//! - [`kernels`]: pure functions over slices, shapes passed explicitly. `kernels::scalar` is
//!   the reference; `kernels::simd128` (wasm32 + simd128 only) is its fast twin, and
//!   [`kernels::fast`] picks the best one compiled in.
//! - [`cnn`]: the operators a student meets (conv2d, pooling, dense, activations) with their
//!   inputs validated, so every misuse is an [`Error`] that says what was wrong.
//! - [`golden`] (feature `golden`): the conformance-case format and runner behind
//!   `nnplay check`.
//! - [`wasm`]: the `#[wasm_bindgen]` surface the page calls; it compiles natively too, so a
//!   test can call every export with a million random arguments.

pub mod bmes;
pub mod cnn;
pub mod digits;
pub mod error;
#[cfg(feature = "golden")]
pub mod golden;
pub mod kernels;
pub mod lm;
pub mod mnist;
pub mod params;
pub mod rng;
pub mod rnn;
pub mod safetensors;
pub mod shape;
pub mod train;
pub mod vocab;
pub mod wasm;

pub use error::{Error, Result};
pub use shape::Padding;
