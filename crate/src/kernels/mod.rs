//! Pure numeric kernels over slices. Shapes come in explicitly (a [`Window2d`] or sizes);
//! callers validate them first (see [`crate::cnn`]), so kernels only index.
//!
//! `scalar` is the reference, compiled everywhere and written to be obviously right.
//! `simd128` is its fast twin for wasm32 with the `simd128` target feature; `fast` re-exports
//! whichever is best for the target being compiled, and property tests hold the two equal.
//!
//! [`Window2d`]: crate::shape::Window2d

pub mod backward;
pub mod portable;
pub mod scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod simd128;

/// The fastest kernels compiled into this build: hand-written SIMD128 in wasm where it
/// exists, else the compiler-vectorised `portable` ones, else the scalar reference.
pub mod fast {
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    pub use super::portable::dot;
    pub use super::portable::{gemm_nn, gemm_nt, gemm_tn};
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    pub use super::scalar::{conv2d, dense, relu};
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    pub use super::simd128::{conv2d, dense, dot, relu};
}
