//! Benchmark entry points (feature `bench`): the SIMD kernel and its scalar twin on the same
//! data in the same module, so `scripts/bench` can time both in one run and report a ratio.

use wasm_bindgen::prelude::*;

use crate::kernels::{scalar, simd128};
use crate::rng::Rng;
use crate::shape::{Padding, Window2d};

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
        let mut fill = |len: usize| (0..len).map(|_| rng.range(-1.0, 1.0)).collect::<Vec<f32>>();
        let (x, w, b) = (fill(g.x_len()), fill(o * c * k * k), fill(o));
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
