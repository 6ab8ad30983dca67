//! Benchmark entry points (feature `bench`): the SIMD kernel and its scalar twin on the same
//! data in the same module, so `scripts/bench` can time both in one run and report a ratio.

use wasm_bindgen::prelude::*;

use crate::kernels::{layout, scalar, simd128};
use crate::rng::Rng;
use crate::shape::{Padding, Window2d};

/// `len` numbers drawn uniformly from [-1, 1): every benchmark's data.
fn random(rng: &mut Rng, len: usize) -> Vec<f32> {
    (0..len).map(|_| rng.range(-1.0, 1.0)).collect()
}

/// One convolution problem with random data, run by either path.
#[wasm_bindgen]
pub struct ConvBench {
    g: Window2d,
    o: usize,
    x: Vec<f32>,
    w: Vec<f32>,
    b: Vec<f32>,
    y: Vec<f32>,
}

#[wasm_bindgen]
impl ConvBench {
    /// x: [n, c, hw, hw], weight: [o, c, k, k], stride 1.
    #[wasm_bindgen(constructor)]
    pub fn new(
        n: usize,
        c: usize,
        hw: usize,
        o: usize,
        k: usize,
        same: bool,
    ) -> crate::Result<ConvBench> {
        let padding = if same { Padding::Same } else { Padding::Valid };
        let g = Window2d::plan([n, c, hw, hw], [k, k], [1, 1], padding)?;
        let mut rng = Rng::new(42);
        let (x, w, b) = (
            random(&mut rng, g.x_len()),
            random(&mut rng, o * c * k * k),
            random(&mut rng, o),
        );
        Ok(ConvBench {
            g,
            o,
            x,
            w,
            b,
            y: vec![0.0; g.y_len(o)],
        })
    }

    /// Runs the scalar reference `iters` times; returns a checksum so nothing is optimised away.
    pub fn scalar(&mut self, iters: usize) -> f32 {
        for _ in 0..iters {
            scalar::conv2d(&mut self.y, &self.x, &self.w, &self.b, &self.g, self.o);
        }
        self.y.iter().sum()
    }

    pub fn simd(&mut self, iters: usize) -> f32 {
        for _ in 0..iters {
            simd128::conv2d(&mut self.y, &self.x, &self.w, &self.b, &self.g, self.o);
        }
        self.y.iter().sum()
    }
}

/// The recurrent product of one RNN step at batch 1, h: [1, k] times W_hh^T (W_hh: [n, k],
/// packed as `gemm_rows` reads it), by either path. At k = 128, n = 512 (an LSTM with
/// hidden size 128) the packed weights are 256 KB, more than L1 holds, so every call streams
/// them from L2; at n = 48 they are 24 KB and stay in L1.
#[wasm_bindgen]
pub struct RowProductBench {
    k: usize,
    n: usize,
    h: Vec<f32>,
    packed: layout::Panels,
    out: Vec<f32>,
}

#[wasm_bindgen]
impl RowProductBench {
    #[wasm_bindgen(constructor)]
    pub fn new(k: usize, n: usize) -> RowProductBench {
        let mut rng = Rng::new(7);
        let (h, w) = (random(&mut rng, k), random(&mut rng, n * k));
        RowProductBench {
            k,
            n,
            h,
            packed: layout::pack_rows(&w, n, k),
            out: vec![0.0; n],
        }
    }

    /// Runs the scalar twin `iters` times, adding into one output (a step's product adds
    /// into its gates); returns one entry of it, so the call costs no more than the product.
    pub fn scalar(&mut self, iters: usize) -> f32 {
        for _ in 0..iters {
            scalar::gemm_rows(&mut self.out, &self.h, &self.packed, 1, self.k, self.n);
        }
        self.out[0]
    }

    pub fn simd(&mut self, iters: usize) -> f32 {
        for _ in 0..iters {
            simd128::gemm_rows(&mut self.out, &self.h, &self.packed, 1, self.k, self.n);
        }
        self.out[0]
    }

    /// The largest difference between one product by each path, over every entry.
    pub fn max_diff(&mut self) -> f32 {
        let mut twin = vec![0.0; self.n];
        scalar::gemm_rows(&mut twin, &self.h, &self.packed, 1, self.k, self.n);
        self.out.fill(0.0);
        simd128::gemm_rows(&mut self.out, &self.h, &self.packed, 1, self.k, self.n);
        twin.iter()
            .zip(&self.out)
            .fold(0.0, |m, (a, b)| m.max((a - b).abs()))
    }
}

/// `iters` rounds of C independent chains of vector multiply-adds (`simd128::madd`, as the
/// kernels use it) on registers: with one chain it times the multiply-add's latency, with
/// enough chains the engine's peak rate, the two ceilings the row product is measured against.
fn madd_chains<const C: usize>(iters: usize, seed: f32) -> f32 {
    use core::arch::wasm32::*;
    // Each chain from its own start, so no compiler may merge them into one.
    let mut acc: [v128; C] = core::array::from_fn(|i| f32x4_splat(seed + i as f32 * 1e-3));
    let (m, b) = (f32x4_splat(0.999_9), f32x4_splat(1e-4));
    for _ in 0..iters {
        for a in acc.iter_mut() {
            *a = simd128::madd(b, *a, m);
        }
    }
    acc.iter().fold(0.0, |s, &a| s + f32x4_extract_lane::<0>(a))
}

/// One dependent chain of `iters` vector multiply-adds; returns a checksum.
#[wasm_bindgen]
pub fn madd_latency(iters: usize) -> f32 {
    madd_chains::<1>(iters, 1.0)
}

/// `iters` rounds of ten independent multiply-adds (more than latency × issue width on
/// current x64 cores, and few enough to stay in registers); returns a checksum.
#[wasm_bindgen]
pub fn madd_throughput(iters: usize) -> f32 {
    madd_chains::<10>(iters, 1.0)
}
