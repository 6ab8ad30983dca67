//! Sizes, padding and the limits every operator checks before it touches a buffer.
//!
//! SAME padding is TensorFlow's rule, the one the course teaches:
//! `out = ceil(in / stride)`, `total = max((out - 1) * stride + k - in, 0)`, the smaller
//! half before (top/left), the larger half after. VALID: `out = floor((in - k) / stride) + 1`.

use crate::{bail, Error, Result};

/// Largest size of one axis (a 65,536-pixel-wide image is already far past teaching use).
pub const MAX_DIM: usize = 1 << 16;
/// Largest number of elements in one tensor: 2^24 floats = 64 MiB of wasm memory.
pub const MAX_ELEMENTS: usize = 1 << 24;
/// Largest stride; beyond it windows skip most of the input and nothing is left to show.
pub const MAX_STRIDE: usize = 16;
/// Most multiply-adds one call may ask for (about 4 s of work in a browser at worst).
pub const MAX_WORK: u64 = 1 << 32;

// Networks. A file or a golden case may bring the larger sizes; what the page builds from
// its own controls stays within the smaller ones, which every view can draw.
/// Most layers of a stacked recurrent network.
pub const MAX_LAYERS: usize = 8;
/// Largest hidden state and input of any recurrent network.
pub const MAX_HIDDEN: usize = 4096;
pub const MAX_INPUT: usize = 1 << 16;
/// Largest hidden state and input of a network the page builds.
pub const MAX_PAGE_HIDDEN: usize = 1024;
pub const MAX_PAGE_INPUT: usize = 4096;
/// Longest sequence (time steps) and largest batch one call runs.
pub const MAX_STEPS: usize = 100_000;
pub const MAX_BATCH: usize = 4096;
/// The gradient-reach experiment: its longest sequence and largest hidden state.
pub const MAX_REACH_STEPS: usize = 1000;
pub const MAX_REACH_HIDDEN: usize = 256;
/// Largest embedding of a character model read from a file.
pub const MAX_EMBEDDING: usize = 1024;
/// Longest text the segmenter tags at once, in characters.
pub const MAX_TEXT: usize = 2000;
/// Largest vocabulary of any character model (`vocab.rs`), unknown-character row included: the
/// 55k Tang poems use about 7,000 distinct characters, and GB2312's 6,763 common hanzi
/// plus punctuation also fit. The output layer [V, H] must also stay within
/// [`MAX_ELEMENTS`] (16,384 × 1,024), which the model checks.
pub const MAX_VOCAB: usize = 1 << 14;
/// Longest training window (truncated BPTT's T): the whole window's gates are kept for the
/// backward pass, and a few hundred characters already span several lines of a poem.
pub const MAX_WINDOW: usize = 4096;
/// Most characters one `generate` call writes.
pub const MAX_GENERATE: usize = 10_000;
/// Longest gap of the long-range experiment (`lm::longrange`): the course's question is
/// about tens of characters, and its sentences stay within a few hundred.
pub const MAX_LONGRANGE_GAP: usize = 500;
/// Most sentences per gap bucket when measuring long-range accuracy (a bucket of 10,000
/// sentences of 500 characters is about a minute of native work).
pub const MAX_LONGRANGE_EVAL: usize = 10_000;
/// Longest text the page's language-model trainer takes: the Tang quatrains (430 k
/// characters) twice over; a pasted novel beyond it is refused with this number.
pub const MAX_TRAIN_TEXT: usize = 1_000_000;

// A described CNN (`cnn::sequential`): the LeNet family the page can draw layer by layer.
/// Most layers, counting activations, pooling and Flatten (LeNet-5 has 12).
pub const MAX_SEQ_LAYERS: usize = 12;
/// Most channels of the image, and of any convolution's output (one row of maps each).
pub const MAX_SEQ_IMAGE_CHANNELS: usize = 3;
pub const MAX_SEQ_CHANNELS: usize = 64;
/// Largest side of the image (MNIST is 28, LeNet-5's paper 32).
pub const MAX_SEQ_SIDE: usize = 64;
/// Largest kernel side (convolution and pooling) and stride.
pub const MAX_SEQ_KERNEL: usize = 7;
pub const MAX_SEQ_STRIDE: usize = 7;
/// Largest number of outputs of a Linear layer (a column of units the page still draws).
pub const MAX_SEQ_FEATURES: usize = 4096;
/// Most parameters and multiply-adds per image of the whole network: 2 M numbers are 8 MB
/// of wasm memory, 100 M multiply-adds about 50 ms per image in a browser.
pub const MAX_SEQ_PARAMS: usize = 2_000_000;
pub const MAX_SEQ_MACS: u64 = 100_000_000;

// Training in the page.
/// Largest batch, most epochs, most steps one `run` call may take.
pub const MAX_TRAIN_BATCH: usize = 1024;
pub const MAX_EPOCHS: usize = 1000;
pub const MAX_RUN_STEPS: usize = 1_000_000;

// Weight files.
/// Most bytes of a safetensors header (the safetensors library's own limit).
pub const MAX_HEADER: u64 = 100_000_000;
/// Most tensors (and metadata entries) in a file: ResNet-152 has about 900.
pub const MAX_TENSORS: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Padding {
    /// Zeros around the plane so that `out = ceil(in / stride)`.
    Same,
    /// No zeros: windows stay inside the plane.
    Valid,
}

impl Padding {
    pub fn parse(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "same" => Ok(Padding::Same),
            "valid" => Ok(Padding::Valid),
            _ => bail!("padding must be \"same\" or \"valid\", got {s:?}"),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Padding::Same => "same",
            Padding::Valid => "valid",
        }
    }
}

/// How a window is padded: TensorFlow's rule (SAME / VALID), or PyTorch's `padding=(ph, pw)`:
/// that many zeros on both sides (top and bottom, left and right).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pad {
    Rule(Padding),
    Zeros([usize; 2]),
}

impl From<Padding> for Pad {
    fn from(p: Padding) -> Pad {
        Pad::Rule(p)
    }
}

/// One axis of a sliding window: where it starts, how many positions, how many zeros.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Axis {
    pub input: usize,
    pub kernel: usize,
    pub stride: usize,
    pub out: usize,
    pub pad_before: usize,
    pub pad_after: usize,
}

impl Axis {
    /// Plans one axis; `what` names it in errors ("height").
    pub fn plan(
        what: &str,
        input: usize,
        kernel: usize,
        stride: usize,
        padding: Padding,
    ) -> Result<Axis> {
        check_dim(&format!("input {what}"), input)?;
        check_dim(&format!("kernel {what}"), kernel)?;
        check_stride(stride)?;
        let (out, total) = match padding {
            Padding::Same => {
                let out = input.div_ceil(stride);
                (out, ((out - 1) * stride + kernel).saturating_sub(input))
            }
            Padding::Valid => {
                if kernel > input {
                    bail!(
                        "the kernel {what} {kernel} is larger than the input {what} {input}: VALID padding adds no zeros, \
                         so use SAME padding or a kernel {what} of at most {input}"
                    );
                }
                ((input - kernel) / stride + 1, 0)
            }
        };
        Ok(Axis {
            input,
            kernel,
            stride,
            out,
            pad_before: total / 2,
            pad_after: total - total / 2,
        })
    }

    /// Plans one axis with `zeros` zeros on both sides, as PyTorch's int padding:
    /// `out = floor((in + 2 * zeros - k) / stride) + 1`. Zeros the last window does not reach
    /// are not counted in `pad_after`.
    pub fn plan_zeros(
        what: &str,
        input: usize,
        kernel: usize,
        stride: usize,
        zeros: usize,
    ) -> Result<Axis> {
        check_dim(&format!("input {what}"), input)?;
        check_dim(&format!("kernel {what}"), kernel)?;
        check_stride(stride)?;
        if zeros >= kernel {
            bail!(
                "a padding of {zeros} on the {what} is not smaller than the kernel {what} {kernel}: \
                 the outermost windows would see only zeros"
            );
        }
        let padded = input + 2 * zeros;
        if kernel > padded {
            bail!(
                "the kernel {what} {kernel} is larger than the input {what} {input} with {zeros} zeros on each side"
            );
        }
        let out = (padded - kernel) / stride + 1;
        Ok(Axis {
            input,
            kernel,
            stride,
            out,
            pad_before: zeros,
            pad_after: ((out - 1) * stride + kernel).saturating_sub(input + zeros),
        })
    }

    /// [`Axis::plan`] or [`Axis::plan_zeros`], as `pad` says (`axis` 0: rows, 1: columns).
    pub fn plan_pad(
        what: &str,
        input: usize,
        kernel: usize,
        stride: usize,
        pad: Pad,
        axis: usize,
    ) -> Result<Axis> {
        match pad {
            Pad::Rule(p) => Axis::plan(what, input, kernel, stride, p),
            Pad::Zeros(z) => Axis::plan_zeros(what, input, kernel, stride, z[axis]),
        }
    }
}

/// The geometry of a 2-D sliding window over `x: [n, c, h, w]`, shared by conv and pooling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window2d {
    pub n: usize,
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub kh: usize,
    pub kw: usize,
    pub sh: usize,
    pub sw: usize,
    pub oh: usize,
    pub ow: usize,
    pub pad_top: usize,
    pub pad_left: usize,
}

impl Window2d {
    /// Plans the window for input `[n, c, h, w]`, kernel `[kh, kw]`, stride `[sh, sw]`.
    pub fn plan(
        x: [usize; 4],
        kernel: [usize; 2],
        stride: [usize; 2],
        padding: Padding,
    ) -> Result<Window2d> {
        Window2d::plan_pad(x, kernel, stride, Pad::Rule(padding))
    }

    /// As [`Window2d::plan`], with either kind of padding.
    pub fn plan_pad(
        x: [usize; 4],
        kernel: [usize; 2],
        stride: [usize; 2],
        pad: Pad,
    ) -> Result<Window2d> {
        check_shape("x", &x)?;
        let rows = Axis::plan_pad("height", x[2], kernel[0], stride[0], pad, 0)?;
        let cols = Axis::plan_pad("width", x[3], kernel[1], stride[1], pad, 1)?;
        check_shape("the output", &[x[0], x[1], rows.out, cols.out])?;
        Ok(Window2d {
            n: x[0],
            c: x[1],
            h: x[2],
            w: x[3],
            kh: kernel[0],
            kw: kernel[1],
            sh: stride[0],
            sw: stride[1],
            oh: rows.out,
            ow: cols.out,
            pad_top: rows.pad_before,
            pad_left: cols.pad_before,
        })
    }

    pub fn x_len(&self) -> usize {
        self.n * self.c * self.h * self.w
    }

    /// Elements of the output with `channels` output channels.
    pub fn y_len(&self, channels: usize) -> usize {
        self.n * channels * self.oh * self.ow
    }

    /// The input rows that output row `oy`'s window covers (padding excluded).
    #[inline]
    pub fn rows(&self, oy: usize) -> std::ops::Range<usize> {
        let start = oy * self.sh;
        start.saturating_sub(self.pad_top)
            ..(start + self.kh).saturating_sub(self.pad_top).min(self.h)
    }

    /// The input columns that output column `ox`'s window covers (padding excluded).
    #[inline]
    pub fn cols(&self, ox: usize) -> std::ops::Range<usize> {
        let start = ox * self.sw;
        start.saturating_sub(self.pad_left)
            ..(start + self.kw).saturating_sub(self.pad_left).min(self.w)
    }

    /// Input row of kernel row `ky` at output row `oy`, or None where it falls on padding.
    #[inline]
    pub fn in_row(&self, oy: usize, ky: usize) -> Option<usize> {
        (oy * self.sh + ky)
            .checked_sub(self.pad_top)
            .filter(|&r| r < self.h)
    }

    /// Input column of kernel column `kx` at output column `ox`, or None on padding.
    #[inline]
    pub fn in_col(&self, ox: usize, kx: usize) -> Option<usize> {
        (ox * self.sw + kx)
            .checked_sub(self.pad_left)
            .filter(|&c| c < self.w)
    }
}

pub fn check_dim(what: &str, v: usize) -> Result<()> {
    if v == 0 || v > MAX_DIM {
        bail!("{what} must be between 1 and {MAX_DIM}, got {v}");
    }
    Ok(())
}

pub fn check_stride(s: usize) -> Result<()> {
    if s == 0 || s > MAX_STRIDE {
        bail!("stride must be between 1 and {MAX_STRIDE}, got {s}");
    }
    Ok(())
}

/// Every axis in range and the product within [`MAX_ELEMENTS`]; returns the product.
pub fn check_shape(what: &str, shape: &[usize]) -> Result<usize> {
    let mut total: usize = 1;
    for (i, &d) in shape.iter().enumerate() {
        check_dim(&format!("{what} axis {i}"), d)
            .map_err(|e| Error::new(format!("{e} (shape {shape:?})")))?;
        total = total.saturating_mul(d);
    }
    if total > MAX_ELEMENTS {
        bail!("{what} would have {total} elements (shape {shape:?}); the playground allows at most {MAX_ELEMENTS}");
    }
    Ok(total)
}

/// The buffer holds exactly `shape`'s elements, and every one is a finite number.
pub fn check_buffer(what: &str, data: &[f32], shape: &[usize]) -> Result<()> {
    let want = check_shape(what, shape)?;
    if data.len() != want {
        bail!(
            "{what} has {} numbers, but its shape {shape:?} needs {want}",
            data.len()
        );
    }
    check_finite(what, data)
}

pub fn check_finite(what: &str, data: &[f32]) -> Result<()> {
    if let Some(i) = data.iter().position(|v| !v.is_finite()) {
        bail!(
            "{what}[{i}] is {}, but every value must be a finite number",
            crate::error::number(f64::from(data[i]))
        );
    }
    Ok(())
}

pub fn check_work(what: &str, macs: u64) -> Result<()> {
    if macs > MAX_WORK {
        bail!("{what} would need {macs} multiply-adds; the playground allows at most {MAX_WORK}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(i: usize, k: usize, s: usize, p: Padding) -> usize {
        Axis::plan("width", i, k, s, p).unwrap().out
    }

    #[test]
    fn the_course_examples() {
        // 28x28, 2x2 window, stride 2: 14x14 both ways.
        assert_eq!(out(28, 2, 2, Padding::Same), 14);
        assert_eq!(out(28, 2, 2, Padding::Valid), 14);
        // 2x3, 2x2 window, stride 2: SAME 1x2, VALID 1x1.
        assert_eq!(
            (out(2, 2, 2, Padding::Same), out(3, 2, 2, Padding::Same)),
            (1, 2)
        );
        assert_eq!(
            (out(2, 2, 2, Padding::Valid), out(3, 2, 2, Padding::Valid)),
            (1, 1)
        );
        // 5x5 with 3x3 stride 1 VALID: the 3x3 map of the convolution slide.
        assert_eq!(out(5, 3, 1, Padding::Valid), 3);
    }

    #[test]
    fn same_puts_the_smaller_half_first() {
        let a = Axis::plan("width", 3, 2, 2, Padding::Same).unwrap();
        assert_eq!((a.out, a.pad_before, a.pad_after), (2, 0, 1));
        let a = Axis::plan("width", 5, 4, 1, Padding::Same).unwrap();
        assert_eq!((a.out, a.pad_before, a.pad_after), (5, 1, 2));
    }

    #[test]
    fn pytorch_int_padding_puts_zeros_on_both_sides() {
        let a = Axis::plan_zeros("width", 28, 5, 1, 2).unwrap();
        assert_eq!((a.out, a.pad_before, a.pad_after), (28, 2, 2));
        // 5 + 2 zeros = 7 cells, 3-wide windows by 2: 3 outputs, both zeros used.
        let a = Axis::plan_zeros("width", 5, 3, 2, 1).unwrap();
        assert_eq!((a.out, a.pad_before, a.pad_after), (3, 1, 1));
        // 6 + 2 zeros = 8 cells, 3-wide windows by 2: 3 outputs; the last zero is never read.
        let a = Axis::plan_zeros("width", 6, 3, 2, 1).unwrap();
        assert_eq!((a.out, a.pad_before, a.pad_after), (3, 1, 0));
        let e = Axis::plan_zeros("width", 6, 3, 1, 3).unwrap_err();
        assert!(e.message().contains("not smaller than the kernel"), "{e}");
        let e = Axis::plan_zeros("width", 2, 5, 1, 1).unwrap_err();
        assert!(e.message().contains("larger than the input"), "{e}");
        let g = Window2d::plan_pad([1, 1, 7, 9], [3, 5], [1, 2], Pad::Zeros([1, 2])).unwrap();
        assert_eq!((g.oh, g.ow, g.pad_top, g.pad_left), (7, 5, 1, 2));
    }

    #[test]
    fn bad_sizes_say_what_is_allowed() {
        let e = Axis::plan("width", 3, 5, 1, Padding::Valid).unwrap_err();
        assert!(e.message().contains("larger than the input"), "{e}");
        let e = Axis::plan("width", 3, 2, 0, Padding::Same).unwrap_err();
        assert!(
            e.message()
                .contains("stride must be between 1 and 16, got 0"),
            "{e}"
        );
        let e = check_shape("x", &[1, 0, 3, 3]).unwrap_err();
        assert!(e.message().contains("got 0"), "{e}");
        let e = check_shape("x", &[4096, 4096, 4, 1]).unwrap_err();
        assert!(e.message().contains("at most"), "{e}");
        let e = check_buffer("x", &[1.0, f32::NAN], &[2]).unwrap_err();
        assert!(e.message().contains("x[1] is NaN"), "{e}");
        let e = check_buffer("x", &[1.0], &[2]).unwrap_err();
        assert!(e.message().contains("has 1 numbers"), "{e}");
        assert!(Padding::parse("full").is_err());
    }
}
