//! A described CNN of the LeNet family: the layers of a PyTorch `nn.Sequential`, checked
//! against the limits in `shape.rs` and followed shape by shape, so that every layer's
//! output shape, parameter count and multiply-adds are known before a buffer exists. Each
//! refusal is a sentence that names the layer by its index, as `nn.Sequential` numbers it.

use crate::cnn::activation::Activation;
use crate::params::Table;
use crate::shape::{
    Pad, Padding, Window2d, MAX_SEQ_CHANNELS, MAX_SEQ_FEATURES, MAX_SEQ_IMAGE_CHANNELS,
    MAX_SEQ_KERNEL, MAX_SEQ_LAYERS, MAX_SEQ_MACS, MAX_SEQ_PARAMS, MAX_SEQ_SIDE, MAX_SEQ_STRIDE,
};
use crate::{bail, Error, Result};

/// One layer, with what PyTorch's constructor would be told (input sizes are inferred).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// `nn.Conv2d(in, out_channels, kernel, stride, padding)`, with a bias.
    Conv2d {
        out_channels: usize,
        kernel: [usize; 2],
        stride: [usize; 2],
        padding: Pad,
    },
    /// `nn.ReLU()`, `nn.Tanh()`, `nn.Sigmoid()`, or `nn.Identity()` (also `nn.Dropout` at
    /// inference).
    Act(Activation),
    /// `nn.MaxPool2d(kernel, stride)` / `nn.AvgPool2d(kernel, stride)`: no padding, windows
    /// inside the map (PyTorch's floor rule, TensorFlow's VALID).
    MaxPool2d {
        kernel: [usize; 2],
        stride: [usize; 2],
    },
    AvgPool2d {
        kernel: [usize; 2],
        stride: [usize; 2],
    },
    /// `nn.Flatten()`: [C, H, W] to [C·H·W] in (C, H, W) order.
    Flatten,
    /// `nn.Linear(in, out_features)`, with a bias.
    Linear { out_features: usize },
}

impl Layer {
    /// PyTorch's class name, as messages call the layer ("layer 3 (Conv2d) …").
    pub fn class(&self) -> &'static str {
        match self {
            Layer::Conv2d { .. } => "Conv2d",
            Layer::Act(Activation::Relu) => "ReLU",
            Layer::Act(Activation::Tanh) => "Tanh",
            Layer::Act(Activation::Sigmoid) => "Sigmoid",
            Layer::Act(Activation::Identity) => "Identity",
            Layer::MaxPool2d { .. } => "MaxPool2d",
            Layer::AvgPool2d { .. } => "AvgPool2d",
            Layer::Flatten => "Flatten",
            Layer::Linear { .. } => "Linear",
        }
    }

    /// Whether the layer has `{i}.weight` and `{i}.bias`.
    pub fn has_params(&self) -> bool {
        matches!(self, Layer::Conv2d { .. } | Layer::Linear { .. })
    }
}

/// A network: the image it reads, [channels, height, width], and its layers in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub input: [usize; 3],
    pub layers: Vec<Layer>,
}

/// One layer after shape inference (sizes per image).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub layer: Layer,
    /// [C, H, W] for a map, [F] for features.
    pub input: Vec<usize>,
    pub output: Vec<usize>,
    /// Convolutions and pooling: the window over one image (n = 1), padding included.
    pub window: Option<Window2d>,
    pub params: usize,
    pub macs: u64,
}

/// A whole checked network: every layer's shapes and costs, and their totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub spec: Spec,
    pub layers: Vec<Planned>,
    pub params: usize,
    pub macs: u64,
}

/// "16×5×5", "120".
pub fn dims(shape: &[usize]) -> String {
    let v: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    v.join("×")
}

/// 2000000 as "2,000,000": the limits' sentences compare big counts.
fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

impl Spec {
    /// Checks every layer and the totals against nnplay's limits and infers all shapes.
    pub fn plan(&self) -> Result<Plan> {
        let [c, h, w] = self.input;
        if !(1..=MAX_SEQ_IMAGE_CHANNELS).contains(&c)
            || !(1..=MAX_SEQ_SIDE).contains(&h)
            || !(1..=MAX_SEQ_SIDE).contains(&w)
        {
            bail!(
                "the input is {} (channels × height × width); nnplay reads images of 1 to \
                 {MAX_SEQ_IMAGE_CHANNELS} channels and sides of 1 to {MAX_SEQ_SIDE} pixels, \
                 such as 1×28×28 (MNIST) or 1×32×32",
                dims(&self.input)
            );
        }
        if self.layers.is_empty() {
            bail!("the network has no layers; give it at least one, such as a Linear");
        }
        if self.layers.len() > MAX_SEQ_LAYERS {
            bail!(
                "the network has {} layers; nnplay draws at most {MAX_SEQ_LAYERS} (activations, \
                 pooling and Flatten count as layers, as in nn.Sequential)",
                self.layers.len()
            );
        }
        let mut shape = self.input.to_vec();
        let mut layers = Vec::with_capacity(self.layers.len());
        for (i, layer) in self.layers.iter().enumerate() {
            let planned = plan_layer(layer, &shape)
                .map_err(|e| Error::new(format!("layer {i} ({}) {e}", layer.class())))?;
            shape = planned.output.clone();
            layers.push(planned);
        }
        let params: u64 = layers.iter().map(|l| l.params as u64).sum();
        let macs: u64 = layers.iter().map(|l| l.macs).sum();
        let largest = |cost: &dyn Fn(&Planned) -> u64| {
            let (i, l) = layers
                .iter()
                .enumerate()
                .max_by_key(|(_, l)| cost(l))
                .expect("at least one layer");
            format!(
                "layer {i} ({}) alone has {}",
                l.layer.class(),
                count(cost(l))
            )
        };
        if params > MAX_SEQ_PARAMS as u64 {
            bail!(
                "the network has {} parameters ({}); nnplay holds at most {}",
                count(params),
                largest(&|l| l.params as u64),
                count(MAX_SEQ_PARAMS as u64)
            );
        }
        if macs > MAX_SEQ_MACS {
            bail!(
                "the network needs {} multiply-adds per image ({}); nnplay runs at most {}",
                count(macs),
                largest(&|l| l.macs),
                count(MAX_SEQ_MACS)
            );
        }
        Ok(Plan {
            spec: self.clone(),
            layers,
            params: params as usize,
            macs,
        })
    }
}

/// `v` within `1..=max`, or the reason it is not (the caller adds the layer's name).
fn within(what: &str, v: [usize; 2], max: usize) -> Result<()> {
    if v.iter().any(|&d| d == 0 || d > max) {
        bail!(
            "has a {} {what}; nnplay's {what}s are 1 to {max} on each side",
            dims(&v)
        );
    }
    Ok(())
}

/// The map a convolution or pooling reads, or the reason the layer cannot read `shape`.
fn map(shape: &[usize]) -> Result<[usize; 3]> {
    match *shape {
        [c, h, w] => Ok([c, h, w]),
        _ => bail!(
            "reads {} features, not a map of channels: convolutions and pooling come before Flatten",
            dims(shape)
        ),
    }
}

/// One layer reading `shape` (per image); errors are completed by the caller with the layer.
fn plan_layer(layer: &Layer, shape: &[usize]) -> Result<Planned> {
    let mut p = Planned {
        layer: *layer,
        input: shape.to_vec(),
        output: shape.to_vec(),
        window: None,
        params: 0,
        macs: 0,
    };
    match *layer {
        Layer::Conv2d {
            out_channels,
            kernel,
            stride,
            padding,
        } => {
            let [c, h, w] = map(shape)?;
            if out_channels == 0 {
                bail!("has 0 output channels; it needs at least 1");
            }
            if out_channels > MAX_SEQ_CHANNELS {
                bail!(
                    "has {out_channels} output channels; nnplay draws at most {MAX_SEQ_CHANNELS}"
                );
            }
            within("kernel", kernel, MAX_SEQ_KERNEL)?;
            within("stride", stride, MAX_SEQ_STRIDE)?;
            let g = Window2d::plan_pad([1, c, h, w], kernel, stride, padding)
                .map_err(|e| Error::new(format!("on its {}×{h}×{w} input: {e}", c)))?;
            p.output = vec![out_channels, g.oh, g.ow];
            p.params = out_channels * c * kernel[0] * kernel[1] + out_channels;
            p.macs = (out_channels * g.oh * g.ow) as u64 * (c * kernel[0] * kernel[1]) as u64;
            p.window = Some(g);
        }
        Layer::MaxPool2d { kernel, stride } | Layer::AvgPool2d { kernel, stride } => {
            let [c, h, w] = map(shape)?;
            within("kernel", kernel, MAX_SEQ_KERNEL)?;
            within("stride", stride, MAX_SEQ_STRIDE)?;
            let g = Window2d::plan([1, c, h, w], kernel, stride, Padding::Valid)
                .map_err(|e| Error::new(format!("on its {}×{h}×{w} input: {e}", c)))?;
            p.output = vec![c, g.oh, g.ow];
            p.window = Some(g);
        }
        Layer::Flatten => p.output = vec![shape.iter().product()],
        Layer::Act(_) => {}
        Layer::Linear { out_features } => {
            let [inp] = *shape else {
                bail!(
                    "reads a {} map; put a Flatten (nn.Flatten()) before it",
                    dims(shape)
                );
            };
            if out_features == 0 {
                bail!("has 0 outputs; it needs at least 1");
            }
            if out_features > MAX_SEQ_FEATURES {
                bail!("has {out_features} outputs; nnplay draws at most {MAX_SEQ_FEATURES}");
            }
            p.output = vec![out_features];
            // In u64: up to 2^20 inputs × 2^12 outputs overflow wasm32's usize; a count that
            // large saturates, and the total's limit refuses it.
            let macs = out_features as u64 * inp as u64;
            p.params = usize::try_from(macs + out_features as u64).unwrap_or(usize::MAX);
            p.macs = macs;
        }
    }
    Ok(p)
}

impl Plan {
    /// The parameters as `nn.Sequential` names them: `{i}.weight` then `{i}.bias` for
    /// every Conv2d ([O, C, kh, kw], [O]) and Linear ([out, in], [out]) at index i.
    pub fn table(&self) -> Table {
        let mut t = Table::new();
        for (i, l) in self.layers.iter().enumerate() {
            let weight = match l.layer {
                Layer::Conv2d {
                    out_channels,
                    kernel,
                    ..
                } => vec![out_channels, l.input[0], kernel[0], kernel[1]],
                Layer::Linear { out_features } => vec![out_features, l.input[0]],
                _ => continue,
            };
            t.push(format!("{i}.weight"), &weight);
            t.push(format!("{i}.bias"), &weight[..1]);
        }
        t
    }

    /// The shape of the last layer's output per image (the logits for a classifier).
    pub fn output(&self) -> &[usize] {
        &self.layers.last().expect("a plan has layers").output
    }
}
