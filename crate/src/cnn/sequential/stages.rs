//! The layers a student sees. `nn.Sequential` lists a convolution and its activation as two
//! layers; the course (and LeNet-5's view) draws them as one, C1, whose maps are after the
//! activation. A [`Stage`] is that: a Conv2d or Linear with the activations (and a Flatten)
//! that follow it, or a pooling layer with a Flatten after it. Its units are the output of
//! its last layer that is not a Flatten (pooled maps stay maps). What a stage's unit read
//! is indexed in the output of the stage before, which is exactly the input of its first
//! layer, as a Flatten keeps (C, H, W) order.

use super::{numel, Layer, Outputs, Plan, Sequential};
use crate::cnn::activation::Activation;
use crate::cnn::lenet5::Explanation;
use crate::{bail, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stage {
    /// Index of its first layer (the one with weights, or the pooling) in the Sequential.
    pub first: usize,
    /// Index of the layer whose output it shows.
    pub shown: usize,
    /// The activation after the first layer, if one follows it.
    pub act: Option<Activation>,
}

impl Plan {
    /// The stages in order. A network that begins with activations or a Flatten has them
    /// as a stage of their own: nothing comes before them to join.
    pub fn stages(&self) -> Vec<Stage> {
        let mut out: Vec<Stage> = Vec::new();
        for (i, p) in self.layers.iter().enumerate() {
            match (p.layer, out.last_mut()) {
                (Layer::Flatten, Some(_)) => {}
                (Layer::Act(a), Some(s)) => {
                    s.act.get_or_insert(a);
                    s.shown = i;
                }
                (layer, _) => out.push(Stage {
                    first: i,
                    shown: i,
                    act: match layer {
                        Layer::Act(a) => Some(a),
                        _ => None,
                    },
                }),
            }
        }
        out
    }

    /// The cells [y0, y1) × [x0, x1) of the input that unit `unit` of layer `layer`'s
    /// output can see: its window, the windows under that, down to the image (clipped to
    /// it; padding sees nothing). A unit of a Linear layer sees the whole image.
    pub fn receptive_field(&self, layer: usize, unit: usize) -> [usize; 4] {
        let [_, h, w] = self.spec.input;
        let out = &self.layers[layer].output;
        if out.len() != 3 {
            return [0, h, 0, w];
        }
        let plane = out[1] * out[2];
        let (y, x) = (unit % plane / out[2], unit % out[2]);
        // Signed bounds: a padded window starts above or left of the map.
        let (mut r, mut c) = ([y as i64, y as i64 + 1], [x as i64, x as i64 + 1]);
        for p in self.layers[..=layer].iter().rev() {
            // Below a map every layer is a window or keeps its cells (activations).
            if let Some(g) = p.window {
                let back = |[a, b]: [i64; 2], s: usize, k: usize, pad: usize| {
                    let (s, k, pad) = (s as i64, k as i64, pad as i64);
                    [a * s - pad, (b - 1) * s - pad + k]
                };
                r = back(r, g.sh, g.kh, g.pad_top);
                c = back(c, g.sw, g.kw, g.pad_left);
            }
        }
        let clip = |v: i64, hi: usize| v.clamp(0, hi as i64) as usize;
        [clip(r[0], h), clip(r[1], h), clip(c[0], w), clip(c[1], w)]
    }
}

impl Sequential {
    /// How unit `unit` of stage `s` got its value for image 0 of the pass that filled `out`:
    /// the first layer's terms, bias and sum, and the value the stage shows (after its
    /// activation).
    pub fn explain_stage(&self, out: &Outputs, s: &Stage, unit: usize) -> Result<Explanation> {
        let units = numel(&self.plan.layers[s.shown].output);
        if unit >= units {
            bail!("this layer has {units} units, got unit {unit}");
        }
        let e = self.explain(out, s.first, 0, unit)?;
        Ok(Explanation {
            value: out.y[s.shown][unit],
            ..e
        })
    }
}
