//! Why a unit of a described network has its value: the inputs and weights that fed it,
//! as LeNet-5's `explain` gives them to the page's unit panel (same `Explanation`).

use super::{numel, Layer, Outputs, Sequential};
use crate::cnn::lenet5::{Explanation, Term};
use crate::shape::Window2d;
use crate::{bail, Result};

impl Sequential {
    /// How unit `unit` (flat index within one image's output of layer `layer`) of image
    /// `image` got its value in the pass that filled `out`: the inputs and weights that fed
    /// it (indices into the layer's input for that image; weight 1 for a pooled, activated
    /// or flattened value), the bias, the value before any nonlinearity, and the value.
    pub fn explain(
        &self,
        out: &Outputs,
        layer: usize,
        image: usize,
        unit: usize,
    ) -> Result<Explanation> {
        let layers = &self.plan.layers;
        let Some(p) = layers.get(layer) else {
            bail!(
                "the network has layers 0 to {}, got layer {layer}",
                layers.len() - 1
            );
        };
        // Outputs of another network (or none yet) would be read at the wrong places.
        let [c, h, w] = self.plan.spec.input;
        let ours = out.n > 0
            && out.input.len() == out.n * c * h * w
            && out.y.len() == layers.len()
            && out
                .y
                .iter()
                .zip(layers)
                .all(|(y, l)| y.len() == out.n * numel(&l.output));
        if !ours {
            bail!("run an image through the network first");
        }
        if image >= out.n {
            bail!("the last pass ran {} images, got image {image}", out.n);
        }
        let units = numel(&p.output);
        if unit >= units {
            bail!(
                "layer {layer} ({}) has {units} units, got unit {unit}",
                p.layer.class()
            );
        }
        let len = numel(&p.input);
        let x = match layer {
            0 => &out.input[image * len..][..len],
            _ => &out.y[layer - 1][image * len..][..len],
        };
        let (wt, b) = self.weights(layer);
        let (terms, bias, pre) = match p.layer {
            Layer::Conv2d { .. } => conv(&window(p.window), wt, b, x, unit),
            Layer::Linear { .. } => linear(wt, b, x, unit),
            Layer::MaxPool2d { .. } => pool(&window(p.window), x, unit, true),
            Layer::AvgPool2d { .. } => pool(&window(p.window), x, unit, false),
            Layer::Act(_) | Layer::Flatten => (vec![cell(x, unit)], 0.0, x[unit]),
        };
        Ok(Explanation {
            terms,
            bias,
            pre,
            value: out.y[layer][image * units + unit],
        })
    }
}

fn window(g: Option<Window2d>) -> Window2d {
    g.expect("a planned convolution or pooling has a window")
}

/// Input `i` as a term of weight 1.
fn cell(x: &[f32], i: usize) -> Term {
    Term {
        index: i,
        x: x[i],
        w: 1.0,
    }
}

/// (terms, bias, sum) of output `unit` = (o, oy, ox) of a convolution over x: [C, H, W]:
/// the window's real cells in (channel, row, column) order; padding adds no terms.
fn conv(g: &Window2d, wt: &[f32], b: &[f32], x: &[f32], unit: usize) -> (Vec<Term>, f32, f32) {
    let (o, oy, ox) = (unit / (g.oh * g.ow), unit / g.ow % g.oh, unit % g.ow);
    let mut terms = Vec::with_capacity(g.c * g.kh * g.kw);
    for c in 0..g.c {
        for ky in 0..g.kh {
            for kx in 0..g.kw {
                if let (Some(iy), Some(ix)) = (g.in_row(oy, ky), g.in_col(ox, kx)) {
                    let i = (c * g.h + iy) * g.w + ix;
                    let w = wt[((o * g.c + c) * g.kh + ky) * g.kw + kx];
                    terms.push(Term {
                        index: i,
                        x: x[i],
                        w,
                    });
                }
            }
        }
    }
    let sum = terms.iter().map(|t| t.x * t.w).sum::<f32>() + b[o];
    (terms, b[o], sum)
}

/// (terms, bias, sum) of output `unit` of a Linear layer, wt: [out, in].
fn linear(wt: &[f32], b: &[f32], x: &[f32], unit: usize) -> (Vec<Term>, f32, f32) {
    let row = &wt[unit * x.len()..][..x.len()];
    let terms: Vec<Term> = x
        .iter()
        .zip(row)
        .enumerate()
        .map(|(i, (&x, &w))| Term { index: i, x, w })
        .collect();
    let sum = terms.iter().map(|t| t.x * t.w).sum::<f32>() + b[unit];
    (terms, b[unit], sum)
}

/// (cells, 0, max or mean) of output `unit` = (c, oy, ox) of a pooling over x: [C, H, W].
fn pool(g: &Window2d, x: &[f32], unit: usize, max: bool) -> (Vec<Term>, f32, f32) {
    let (c, oy, ox) = (unit / (g.oh * g.ow), unit / g.ow % g.oh, unit % g.ow);
    let mut terms = Vec::with_capacity(g.kh * g.kw);
    for iy in g.rows(oy) {
        for ix in g.cols(ox) {
            terms.push(cell(x, (c * g.h + iy) * g.w + ix));
        }
    }
    let pre = if max {
        terms.iter().map(|t| t.x).fold(f32::NEG_INFINITY, f32::max)
    } else {
        terms.iter().map(|t| t.x).sum::<f32>() / terms.len() as f32
    };
    (terms, 0.0, pre)
}
