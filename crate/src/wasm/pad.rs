//! The LeNet-5 view's drawing pad for the page: the ink lives here (a `Float32Array` view to
//! paint), the pointer draws with `strokeTo`, and `see` makes what the network reads — the
//! drawing written in MNIST's proportions and framed as MNIST's digits were, or as it lies on
//! the pad.

use js_sys::Float32Array;
use wasm_bindgen::prelude::*;

use super::view;
use crate::digits::framing::{self, SIDE};
use crate::digits::pen::{Pen, NIB, PAD};
use crate::digits::stroke::{self, Buffers};
use crate::error::number;
use crate::shape::check_buffer;
use crate::{bail, Result};

#[wasm_bindgen]
pub struct DrawingPad {
    pen: Pen,
    /// A test digit shown as MNIST has it, until the pen touches it: MNIST already framed
    /// it, so the network reads it exactly as the data set has it, framing or not.
    digit: Option<Vec<f32>>,
    /// [28, 28]: what the network reads.
    seen: Vec<f32>,
    buffers: Buffers,
}

impl Default for DrawingPad {
    fn default() -> Self {
        DrawingPad {
            pen: Pen::default(),
            digit: None,
            seen: vec![0.0; SIDE * SIDE],
            buffers: Buffers::default(),
        }
    }
}

#[wasm_bindgen]
impl DrawingPad {
    #[wasm_bindgen(constructor)]
    pub fn new() -> DrawingPad {
        DrawingPad::default()
    }

    /// Pixels along a side of the ink (4× MNIST's 28).
    #[wasm_bindgen(getter)]
    pub fn side() -> u32 {
        PAD as u32
    }

    /// Draws (or erases) from where the stroke is to (x, y), in pad units (0 to 1 across).
    /// A pointer dragged far off the pad is held at a pad's width beyond its edge: what
    /// lies there draws nothing, and the stroke comes back from there.
    #[wasm_bindgen(js_name = strokeTo)]
    pub fn stroke_to(&mut self, x: f64, y: f64, erase: bool) -> Result<()> {
        if !(x.is_finite() && y.is_finite()) {
            bail!(
                "a pen position must be a number (0 to 1 across the pad), got ({}, {})",
                number(x),
                number(y)
            );
        }
        self.digit = None;
        let at = |v: f64| v.clamp(-1.0, 2.0) as f32;
        self.pen.stroke_to(at(x), at(y), erase);
        Ok(())
    }

    /// Ends the stroke.
    pub fn lift(&mut self) {
        self.pen.lift();
    }

    pub fn clear(&mut self) {
        self.pen.clear();
        self.digit = None;
    }

    /// Shows a 28×28 image (an MNIST digit, values 0 to 1) on the pad, each pixel 4×4.
    #[wasm_bindgen(js_name = showDigit)]
    pub fn show_digit(&mut self, image: &[f32]) -> Result<()> {
        check_buffer("image", image, &[SIDE, SIDE])?;
        if image.iter().any(|v| !(0.0..=1.0).contains(v)) {
            bail!("an image's values must be from 0 (paper) to 1 (ink)");
        }
        self.pen.clear();
        for (i, ink) in self.pen.ink.iter_mut().enumerate() {
            *ink = image[(i / PAD) / 4 * SIDE + (i % PAD) / 4];
        }
        self.digit = Some(image.to_vec());
        Ok(())
    }

    /// [side, side]: the ink, to paint.
    pub fn ink(&self) -> Float32Array {
        view(&self.pen.ink)
    }

    /// Makes what the network reads (`seen()`): with `frame`, the drawing's strokes redrawn
    /// in MNIST's proportions and framed as MNIST's digits were; without, shrunk to 28×28
    /// where it lies. Returns false when the pad is blank (nothing to read).
    pub fn see(&mut self, frame: bool) -> bool {
        if let Some(d) = &self.digit {
            self.seen.copy_from_slice(d);
            return true;
        }
        if frame {
            return stroke::frame(&mut self.seen, &self.pen.ink, PAD, NIB, &mut self.buffers);
        }
        framing::shrink(&mut self.seen, &self.pen.ink, PAD);
        framing::bounding_box(&self.pen.ink, PAD).is_some()
    }

    /// [28, 28]: what the network read at the last `see`.
    pub fn seen(&self) -> Float32Array {
        view(&self.seen)
    }
}
