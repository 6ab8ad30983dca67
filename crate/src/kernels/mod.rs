//! Pure numeric kernels over slices. Shapes come in explicitly (a [`Window2d`] or sizes);
//! callers validate them first (see [`crate::cnn`]), so kernels only index.
//!
//! `scalar` is the reference, compiled everywhere and written to be obviously right.
//! `simd128` is its fast twin for wasm32 with the `simd128` target feature; `fast` re-exports
//! whichever is best for the target being compiled, and property tests hold the two equal.
//!
//! [`Window2d`]: crate::shape::Window2d

pub mod scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod simd128;

/// The fastest kernels compiled into this build: SIMD128 in wasm, the scalar reference
/// elsewhere (native code is only used for tests, the check command and training tools).
pub mod fast {
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    pub use super::scalar::{conv2d, dense, dot, relu};
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    pub use super::simd128::{conv2d, dense, dot, relu};
}
