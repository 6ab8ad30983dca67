//! Pure numeric kernels over slices. Shapes come in explicitly (a [`Window2d`] or sizes);
//! callers validate them first (see [`crate::cnn`]), so kernels only index.
//!
//! `scalar` is the reference, compiled everywhere and written to be obviously right.
//! `simd128` is its fast twin for wasm32 with the `simd128` target feature; `fast` re-exports
//! whichever is best for the target being compiled, and property tests hold the two equal.
//!
//! [`Window2d`]: crate::shape::Window2d

pub mod backward;
pub mod layout;
pub mod portable;
pub mod scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod simd128;

/// The fastest kernels compiled into this build: hand-written SIMD128 in wasm where it
/// exists, else the compiler-vectorised `portable` ones, else the scalar reference.
/// Sizes of a stride-1 convolution over an input that is already padded: xp: [c, hp, wp],
/// wt: [o, c, kh, kw], y: [o, oh, ow] with oh = hp - kh + 1 and ow = wp - kw + 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvS1 {
    pub c: usize,
    pub hp: usize,
    pub wp: usize,
    pub o: usize,
    pub kh: usize,
    pub kw: usize,
    pub oh: usize,
    pub ow: usize,
}

impl ConvS1 {
    pub fn new(c: usize, hp: usize, wp: usize, o: usize, kh: usize, kw: usize) -> ConvS1 {
        assert!(kh <= hp && kw <= wp, "kernel larger than the padded input");
        ConvS1 {
            c,
            hp,
            wp,
            o,
            kh,
            kw,
            oh: hp - kh + 1,
            ow: wp - kw + 1,
        }
    }
}

pub mod fast {
    pub use super::layout::{pack_nt, pack_rows, Panels};
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    pub use super::portable::{
        conv2d_s1, conv2d_s1_sparse, dense_sparse, dot, gemm_nn, gemm_nt, gemm_packed, gemm_rows,
        gemm_tn, max_pool2x2, sigmoid_inplace, tanh_inplace,
    };
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    pub use super::scalar::{conv2d, dense, relu};
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    pub use super::simd128::{
        conv2d, conv2d_s1, conv2d_s1_sparse, dense, dense_sparse, dot, gemm_nn, gemm_nt,
        gemm_packed, gemm_rows, gemm_tn, max_pool2x2, relu, sigmoid_inplace, tanh_inplace,
    };
}
