//! The forward pass for the page: images one at a time, where most of every layer's input
//! is background (82% of an MNIST image is blank), run as LeNet-5's `forward_prepared` runs
//! them but for any described network. Each stride-1 convolution and each Linear layer
//! reads its input minus a known background value and visits only the cells where that
//! is not zero (`fast::conv2d_s1_sparse`, `fast::dense_sparse`); what the background itself
//! gives is computed once, when the weights are prepared:
//!
//! conv(x) = conv(x − bg) + conv(bg) with the same zero padding, and conv(bg) ("the
//! response", bias included) is a fixed map: constant inside, other values near a padded
//! border. Linear: W·x + b = W·(x − bg) + (W·bg + b).
//!
//! The background starts as 0 (a blank image) and is followed through the layers: an
//! activation maps it, pooling keeps it, a convolution's is its response in the middle of
//! the map, a Linear's its response. It only decides what is skipped: the sums are exact
//! for any background, and differ from the dense pass by float rounding only.

use super::{conv, numel, Layer, Outputs, Scratch, Sequential};
use crate::kernels::{fast, layout, scalar, ConvS1};
use crate::shape::Window2d;
use crate::{bail, Result};

/// A network's weights laid out for [`Sequential::forward_prepared`]. Made from one
/// network's parameters; it does not follow later changes to them.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Conv(SparseConv),
    Linear(SparseLinear),
    /// Anything else runs as in the batch pass.
    Plain,
}

/// A stride-1 convolution over its input minus the background.
#[derive(Debug, Clone, PartialEq)]
struct SparseConv {
    /// Taps channels-last, `lanes` per cell (`layout::channels_last_weights`).
    wk: Vec<f32>,
    lanes: usize,
    /// The input's background per channel, and the convolution of that background with
    /// the layer's padding, bias included: [o, oh, ow].
    bg: Vec<f32>,
    response: Vec<f32>,
    /// The sparse kernel's bias (the response holds the real one).
    zeros: Vec<f32>,
    /// Geometry over the padded input, and where the image starts in it.
    d: ConvS1,
    pad: [usize; 2],
}

/// A Linear layer over its input minus the background.
#[derive(Debug, Clone, PartialEq)]
struct SparseLinear {
    /// The weight transposed, [in, out] (`layout::transpose`).
    wt: Vec<f32>,
    /// The input's background per feature, and W·bg + b.
    bg: Vec<f32>,
    response: Vec<f32>,
}

impl Prepared {
    pub fn new(net: &Sequential) -> Prepared {
        // The background of the current layer's input: per channel of a map, per feature.
        let mut bg = vec![0.0; net.plan.spec.input[0]];
        let mut steps = Vec::with_capacity(net.plan.layers.len());
        for (i, p) in net.plan.layers.iter().enumerate() {
            let (wt, b) = net.weights(i);
            let step = match p.layer {
                Layer::Conv2d { out_channels, .. } => {
                    let g = p.window.expect("a planned convolution has a window");
                    let conv = SparseConv::new(&g, out_channels, wt, b, std::mem::take(&mut bg));
                    // A blank cell in the middle of the map has the response's value there.
                    let middle = (g.oh / 2) * g.ow + g.ow / 2;
                    let cells = g.oh * g.ow;
                    bg = (0..out_channels)
                        .map(|c| conv.response[c * cells + middle])
                        .collect();
                    // Strided convolutions keep the batch kernel (the sparse one is stride 1).
                    match [g.sh, g.sw] {
                        [1, 1] => Step::Conv(conv),
                        _ => Step::Plain,
                    }
                }
                Layer::Linear { out_features } => {
                    let linear = SparseLinear::new(wt, b, p.input[0], out_features, bg);
                    bg = linear.response.clone();
                    Step::Linear(linear)
                }
                Layer::Act(f) => {
                    let mut next = vec![0.0; bg.len()];
                    f.apply(&mut next, &bg);
                    bg = next;
                    Step::Plain
                }
                Layer::Flatten => {
                    let plane = numel(&p.input) / bg.len().max(1);
                    bg = bg
                        .iter()
                        .flat_map(|&v| std::iter::repeat_n(v, plane))
                        .collect();
                    Step::Plain
                }
                // Pooling a constant gives the constant.
                Layer::MaxPool2d { .. } | Layer::AvgPool2d { .. } => Step::Plain,
            };
            steps.push(step);
        }
        Prepared { steps }
    }
}

impl SparseConv {
    /// The convolution of window `g` with `o` outputs, wt: [o, c, kh, kw], b: [o], over an
    /// input whose background is `bg` per channel.
    fn new(g: &Window2d, o: usize, wt: &[f32], b: &[f32], bg: Vec<f32>) -> SparseConv {
        // The response: the batch pass's convolution of a map that is background everywhere.
        let constant: Vec<f32> = bg
            .iter()
            .flat_map(|&v| std::iter::repeat_n(v, g.h * g.w))
            .collect();
        let mut response = vec![0.0; o * g.oh * g.ow];
        let (mut padded, mut wide) = (Vec::new(), Vec::new());
        conv(
            &mut response,
            &constant,
            wt,
            b,
            g,
            o,
            1,
            (&mut padded, &mut wide),
        );
        let lanes = o.next_multiple_of(4);
        SparseConv {
            wk: layout::channels_last_weights(wt, o, g.c, g.kh * g.kw, lanes),
            lanes,
            bg,
            response,
            zeros: vec![0.0; o],
            d: ConvS1::new(g.c, g.oh + g.kh - 1, g.ow + g.kw - 1, o, g.kh, g.kw),
            pad: [g.pad_top, g.pad_left],
        }
    }

    /// y: [o, oh, ow] of one image x: [c, h, w] (w wide); `s` holds the padded difference
    /// from the background and the kernel's sums.
    fn run(&self, y: &mut [f32], x: &[f32], w: usize, s: &mut Scratch) {
        let d = &self.d;
        s.delta.clear();
        s.delta.resize(d.c * d.hp * d.wp, 0.0);
        for (c, (plane, &bg)) in x.chunks_exact(x.len() / d.c).zip(&self.bg).enumerate() {
            for (iy, row) in plane.chunks_exact(w).enumerate() {
                let at = (c * d.hp + self.pad[0] + iy) * d.wp + self.pad[1];
                for (dv, &v) in s.delta[at..at + w].iter_mut().zip(row) {
                    *dv = v - bg;
                }
            }
        }
        s.acc.resize(d.oh * d.ow * self.lanes, 0.0);
        fast::conv2d_s1_sparse(
            y,
            &mut s.acc,
            &s.delta,
            &self.wk,
            &self.zeros,
            d,
            self.lanes,
        );
        y.iter_mut().zip(&self.response).for_each(|(v, r)| *v += r);
    }
}

impl SparseLinear {
    /// wt: [out, inp], b: [out], over an input whose background is `bg` per feature.
    fn new(wt: &[f32], b: &[f32], inp: usize, out: usize, bg: Vec<f32>) -> SparseLinear {
        let mut response = vec![0.0; out];
        scalar::dense(&mut response, &bg, wt, b, 1, inp, out);
        SparseLinear {
            wt: layout::transpose(wt, out, inp),
            bg,
            response,
        }
    }

    /// y: [out] of one input row x: [inp].
    fn run(&self, y: &mut [f32], x: &[f32], s: &mut Scratch) {
        s.delta.clear();
        s.delta.extend(x.iter().zip(&self.bg).map(|(v, b)| v - b));
        s.nz.resize(x.len(), 0);
        let (inp, out) = (x.len(), y.len());
        fast::dense_sparse(y, &s.delta, &self.wt, &self.response, &mut s.nz, inp, out);
    }
}

impl Sequential {
    /// As [`forward`](Sequential::forward) with `p = Prepared::new(self)`, image by image,
    /// visiting only inputs that differ from the background (see the module's notes): the
    /// page's pass over a drawn digit. Layers agree with the batch pass up to float
    /// rounding.
    pub fn forward_prepared(
        &self,
        p: &Prepared,
        x: &[f32],
        n: usize,
        out: &mut Outputs,
    ) -> Result<()> {
        if p.steps.len() != self.plan.layers.len() {
            bail!("these prepared weights belong to another network");
        }
        self.check_input(x, n)?;
        out.prepare(x, n, &self.plan);
        for image in 0..n {
            for (i, (l, step)) in self.plan.layers.iter().zip(&p.steps).enumerate() {
                let (len, units) = (numel(&l.input), numel(&l.output));
                let (done, rest) = out.y.split_at_mut(i);
                let src = match i {
                    0 => &x[image * len..][..len],
                    _ => &done[i - 1][image * len..][..len],
                };
                let dst = &mut rest[0][image * units..][..units];
                match step {
                    Step::Conv(c) => c.run(dst, src, l.input[2], &mut out.scratch),
                    Step::Linear(f) => f.run(dst, src, &mut out.scratch),
                    Step::Plain => self.layer(i, dst, src, 1, &mut out.scratch),
                }
            }
        }
        Ok(())
    }
}
