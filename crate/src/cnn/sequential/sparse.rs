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

use super::{conv, numel, Layer, Outputs, Sequential};
use crate::kernels::{fast, layout, ConvS1};
use crate::{bail, Result};

/// A network's weights laid out for [`Sequential::forward_prepared`]. Made from one
/// network's parameters; it does not follow later changes to them.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    /// A stride-1 convolution: its taps channels-last (`lanes` per cell), its input's
    /// background per channel, its response [o, oh, ow], and the geometry over the padded
    /// input.
    Conv {
        wk: Vec<f32>,
        lanes: usize,
        bg: Vec<f32>,
        response: Vec<f32>,
        zeros: Vec<f32>,
        d: ConvS1,
        pad: [usize; 2],
    },
    /// A Linear layer: its weight transposed [in, out], its input's background per
    /// feature, its response W·bg + b.
    Linear {
        wt: Vec<f32>,
        bg: Vec<f32>,
        response: Vec<f32>,
    },
    /// Anything else runs as in the batch pass.
    Plain,
}

impl Prepared {
    pub fn new(net: &Sequential) -> Prepared {
        let mut scratch = super::Scratch::default();
        // The background of the current layer's input: per channel of a map, per feature.
        let mut bg = vec![0.0; net.plan.spec.input[0]];
        let mut steps = Vec::with_capacity(net.plan.layers.len());
        for (i, p) in net.plan.layers.iter().enumerate() {
            let (wt, b) = net.weights(i);
            let step = match p.layer {
                Layer::Conv2d {
                    out_channels: o, ..
                } => {
                    let g = p.window.expect("a planned convolution has a window");
                    let constant: Vec<f32> = bg
                        .iter()
                        .flat_map(|&v| std::iter::repeat_n(v, g.h * g.w))
                        .collect();
                    let mut response = vec![0.0; numel(&p.output)];
                    let cells = g.oh * g.ow;
                    let s = &mut scratch;
                    conv(
                        &mut response,
                        &constant,
                        wt,
                        b,
                        &g,
                        o,
                        1,
                        (&mut s.padded, &mut s.wide),
                    );
                    let middle = (g.oh / 2) * g.ow + g.ow / 2;
                    let next: Vec<f32> = (0..o).map(|c| response[c * cells + middle]).collect();
                    let step = if [g.sh, g.sw] == [1, 1] {
                        let lanes = o.next_multiple_of(4);
                        Step::Conv {
                            wk: layout::channels_last_weights(wt, o, g.c, g.kh * g.kw, lanes),
                            lanes,
                            bg: std::mem::take(&mut bg),
                            response,
                            zeros: vec![0.0; o],
                            d: ConvS1::new(g.c, g.oh + g.kh - 1, g.ow + g.kw - 1, o, g.kh, g.kw),
                            pad: [g.pad_top, g.pad_left],
                        }
                    } else {
                        Step::Plain
                    };
                    bg = next;
                    step
                }
                Layer::Linear { out_features } => {
                    let inp = p.input[0];
                    let mut response = vec![0.0; out_features];
                    crate::kernels::scalar::dense(&mut response, &bg, wt, b, 1, inp, out_features);
                    Step::Linear {
                        wt: layout::transpose(wt, out_features, inp),
                        bg: std::mem::replace(&mut bg, response.clone()),
                        response,
                    }
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
                Layer::MaxPool2d { .. } | Layer::AvgPool2d { .. } => Step::Plain,
            };
            steps.push(step);
        }
        Prepared { steps }
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
        let s = &mut out.scratch;
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
                    Step::Conv {
                        wk,
                        lanes,
                        bg,
                        response,
                        zeros,
                        d,
                        pad,
                    } => {
                        let plane = len / d.c;
                        let w = l.input[2];
                        s.delta.clear();
                        s.delta.resize(d.c * d.hp * d.wp, 0.0);
                        for (c, (plane_x, &bg)) in src.chunks_exact(plane).zip(bg).enumerate() {
                            for (iy, row) in plane_x.chunks_exact(w).enumerate() {
                                let at = (c * d.hp + pad[0] + iy) * d.wp + pad[1];
                                for (dv, &v) in s.delta[at..at + w].iter_mut().zip(row) {
                                    *dv = v - bg;
                                }
                            }
                        }
                        s.acc.resize(d.oh * d.ow * lanes, 0.0);
                        fast::conv2d_s1_sparse(dst, &mut s.acc, &s.delta, wk, zeros, d, *lanes);
                        dst.iter_mut().zip(response).for_each(|(y, r)| *y += r);
                    }
                    Step::Linear { wt, bg, response } => {
                        s.delta.clear();
                        s.delta.extend(src.iter().zip(bg).map(|(v, b)| v - b));
                        s.nz.resize(len, 0);
                        fast::dense_sparse(dst, &s.delta, wt, response, &mut s.nz, len, units);
                    }
                    Step::Plain => self.layer(i, dst, src, 1, s),
                }
            }
        }
        Ok(())
    }
}
