//! The JavaScript surface (wasm-bindgen). Every function checks its arguments and returns a
//! JS `Error` whose message says what was wrong and what is allowed; none may panic.
//! Sizes arrive as JS numbers (`f64`) so that -1, 2.5 or NaN are reported as such instead
//! of wrapping around into a huge unsigned value.

//!
//! The page loads two modules built from it, so that a view's first load carries only its
//! own code: with the feature `main-module`, the image views' (convolution, pooling, LeNet-5,
//! its pad and training); with `seq-module`, the sequence views' (recurrent networks, word
//! segmentation, the language model), loaded when one of them is first opened, and a
//! student's own CNN (`network`), loaded when a file is. Without
//! either (tests, benchmarks) and natively, everything is compiled.

// The scalar twins it exports exist beside SIMD128 kernels only in wasm.
#[cfg(all(feature = "bench", target_arch = "wasm32"))]
pub mod bench;
#[cfg(any(not(feature = "main-module"), not(target_arch = "wasm32")))]
pub mod bmes;
#[cfg(any(not(feature = "main-module"), not(target_arch = "wasm32")))]
mod guard;
#[cfg(any(not(feature = "seq-module"), not(target_arch = "wasm32")))]
pub mod lenet;
#[cfg(any(not(feature = "main-module"), not(target_arch = "wasm32")))]
pub mod lm;
#[cfg(any(not(feature = "main-module"), not(target_arch = "wasm32")))]
pub mod lm_train;
#[cfg(any(not(feature = "main-module"), not(target_arch = "wasm32")))]
pub mod longrange_train;
// A student's own CNN: loaded with the second module, on demand, to keep LeNet-5's first
// load small (the shipped net runs on the tuned `lenet` handle).
#[cfg(any(not(feature = "main-module"), not(target_arch = "wasm32")))]
pub mod network;
#[cfg(any(not(feature = "seq-module"), not(target_arch = "wasm32")))]
mod ops;
#[cfg(any(not(feature = "seq-module"), not(target_arch = "wasm32")))]
pub mod pad;
#[cfg(any(not(feature = "main-module"), not(target_arch = "wasm32")))]
pub mod rnn;
#[cfg(any(not(feature = "seq-module"), not(target_arch = "wasm32")))]
pub use ops::*;

use wasm_bindgen::prelude::*;

use crate::{bail, Error, Result};

#[wasm_bindgen(start)]
fn start() {
    // Only the safety net: a panic is a bug, but if one happens the console says where.
    console_error_panic_hook::set_once();
}

/// Bytes of wasm linear memory in use by the module (it only grows): the soak benchmark reads
/// it to show memory stays flat over thousands of frames.
#[wasm_bindgen(js_name = memoryBytes)]
pub fn memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    return (core::arch::wasm32::memory_size(0) * 65536) as f64;
    #[cfg(not(target_arch = "wasm32"))]
    0.0
}

/// The arithmetic this build runs: "simd128", or with relaxed SIMD "relaxed-simd fused" or
/// "relaxed-simd unfused", as the engine does the kernels' multiply-add (see
/// `kernels::simd128::madd`). The end-to-end tests check with it that the engines that have
/// relaxed SIMD got that build, and the benchmarks name the build they timed.
#[wasm_bindgen]
pub fn arithmetic() -> String {
    #[cfg(all(target_arch = "wasm32", target_feature = "relaxed-simd"))]
    return format!(
        "relaxed-simd {}",
        if crate::kernels::simd128::madd_fuses() {
            "fused"
        } else {
            "unfused"
        }
    );
    #[cfg(all(target_arch = "wasm32", not(target_feature = "relaxed-simd")))]
    return "simd128".into();
    #[cfg(not(target_arch = "wasm32"))]
    "native".into()
}

/// Every export returns `Result<T>`: its `Error` reaches JS as a thrown `Error` whose message
/// is ours. (Plain Rust types on both sides, so the fuzz test can call the exports natively.)
impl From<Error> for JsValue {
    fn from(e: Error) -> JsValue {
        js_sys::Error::new(e.message()).into()
    }
}

/// A `Float32Array` view of a slice that lives in a handle: valid until the next call into
/// wasm that may allocate (JS reads it at once; see www/js/wasm.js).
pub(crate) fn view(v: &[f32]) -> js_sys::Float32Array {
    // SAFETY: the slice outlives this call (it is owned by the handle that returns the view),
    // and JS reads the view before calling into wasm again.
    #[cfg(target_arch = "wasm32")]
    return unsafe { js_sys::Float32Array::view(v) };
    // Natively (the fuzz test) there is no JS to view the slice: a placeholder that costs no
    // call into JS.
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = v;
        JsValue::UNDEFINED.unchecked_into()
    }
}

/// A JS number that must be a whole number in `lo..=hi`.
pub(crate) fn whole(what: &str, v: f64, lo: usize, hi: usize) -> Result<usize> {
    if !(v.is_finite() && v.fract() == 0.0 && v >= lo as f64 && v <= hi as f64) {
        bail!(
            "{what} must be a whole number from {lo} to {hi}, got {}",
            crate::error::number(v)
        );
    }
    Ok(v as usize)
}
