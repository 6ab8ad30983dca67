//! A network guessed from a bare PyTorch `nn.Sequential` `state_dict` (names and shapes,
//! no metadata), for a file a student saved with `save_file(model.state_dict(), …)`.
//!
//! The shapes tell where the Conv2d (`{i}.weight` with 4 axes: out and in channels, kernel)
//! and Linear layers (2 axes: out and in features) are, and how many layers without
//! parameters lie between them. They do not tell those layers' kinds, a convolution's stride
//! and padding, the image's size, or layers after the last Linear. [`infer`] fills these in
//! with the LeNet family's habits and returns every guess as a [`Question`] for the page
//! to ask:
//!
//! - strides are 1; a padding is 0 or k/2 (PyTorch's "same" for odd kernels);
//! - the first layer of a gap is a ReLU (after a convolution it may be 2×2 max pooling
//!   instead); the next ones are, after a convolution, 2×2 max pooling or a Dropout (an
//!   identity at inference), after a Linear a Dropout; a gap before the first Linear that
//!   follows a map ends with Flatten;
//! - the image is 1×28×28, else 1×32×32, else the smallest square that fits;
//! - nothing follows the last Linear.
//!
//! Among the guesses whose shapes fit the tensors (each Linear's in_features), the first
//! image size wins, then the fewest departures from the first option of each choice.

use super::describe::layer_json;
use super::spec::{dims, Layer, Spec};
use crate::cnn::activation::Activation;
use crate::safetensors::{json, File};
use crate::shape::{Pad, MAX_SEQ_IMAGE_CHANNELS, MAX_SEQ_LAYERS, MAX_SEQ_SIDE};
use crate::{bail, Result};

/// Something the weights cannot tell, and what [`infer`] assumed for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Question {
    /// The image's [C, H, W]: the size assumed, and every size that fits the tensors
    /// with the assumed layers.
    Input {
        assumed: [usize; 3],
        fits: Vec<[usize; 3]>,
    },
    /// Layer `index` has no parameters: its kind (activation, pooling, Flatten, Dropout)
    /// left no trace.
    Layer { index: usize, assumed: Layer },
    /// The Conv2d at `index`: its weight gives channels and kernel, not stride or padding.
    Window { index: usize, assumed: Layer },
    /// Layers from `index` on (a Softmax, say) would leave no name at all.
    After { index: usize },
}

impl Question {
    /// The question as a sentence, with the assumption.
    pub fn sentence(&self) -> String {
        match self {
            Question::Input { assumed, fits } => {
                let fits: Vec<String> = fits.iter().map(|f| dims(f)).collect();
                format!(
                    "What size are the images? The weights fit {}; nnplay assumed {}.",
                    fits.join(", "),
                    dims(assumed)
                )
            }
            Question::Layer { index, assumed } => format!(
                "Layer {index} has no parameters: is it an activation, pooling, Flatten or Dropout? nnplay assumed {}.",
                assumed.class()
            ),
            Question::Window { index, assumed } => {
                let (stride, padding) = match assumed {
                    Layer::Conv2d {
                        stride, padding, ..
                    } => (pair_text(*stride), pad_text(padding)),
                    _ => (String::new(), String::new()),
                };
                format!(
                    "What stride and padding does layer {index} (Conv2d) use? nnplay assumed stride {stride} and padding {padding}."
                )
            }
            Question::After { index } => format!(
                "Are there layers from {index} on (a Softmax, say)? They have no parameters, so the file cannot show them; nnplay assumed none."
            ),
        }
    }

    /// The question as JSON for the page: `{"kind": "input" | "layer" | "window" | "after",
    /// "index", "assumed" (a layer as in the description, or [C, H, W]), "fits",
    /// "sentence"}`.
    pub fn to_json(&self) -> String {
        let list = |v: &[usize]| {
            let v: Vec<String> = v.iter().map(|d| d.to_string()).collect();
            format!("[{}]", v.join(","))
        };
        let body = match self {
            Question::Input { assumed, fits } => {
                let fits: Vec<String> = fits.iter().map(|f| list(f)).collect();
                format!(
                    "\"kind\":\"input\",\"assumed\":{},\"fits\":[{}]",
                    list(assumed),
                    fits.join(",")
                )
            }
            Question::Layer { index, assumed } => {
                format!(
                    "\"kind\":\"layer\",\"index\":{index},\"assumed\":{}",
                    layer_json(assumed)
                )
            }
            Question::Window { index, assumed } => {
                format!(
                    "\"kind\":\"window\",\"index\":{index},\"assumed\":{}",
                    layer_json(assumed)
                )
            }
            Question::After { index } => format!("\"kind\":\"after\",\"index\":{index}"),
        };
        format!("{{{body},\"sentence\":{}}}", json::quote(&self.sentence()))
    }
}

/// A pair as a student would say it: "2" when both sides agree, else "1×2".
fn pair_text([a, b]: [usize; 2]) -> String {
    if a == b {
        a.to_string()
    } else {
        format!("{a}×{b}")
    }
}

fn pad_text(p: &Pad) -> String {
    match p {
        Pad::Rule(r) => r.name().to_uppercase(),
        Pad::Zeros(z) => pair_text(*z),
    }
}

/// What the tensors say about one index of the Sequential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Known {
    /// No tensors: a layer without parameters.
    Free,
    Conv {
        out: usize,
        inp: usize,
        kernel: [usize; 2],
    },
    Linear {
        out: usize,
        inp: usize,
    },
}

/// A guess of the network behind a `state_dict` of (name, shape), with what it assumed.
pub fn infer(tensors: &[(String, Vec<usize>)]) -> Result<(Spec, Vec<Question>)> {
    let known = read_names(tensors)?;
    let choices = Choices::of(&known)?;
    for input in candidate_inputs(&known)? {
        if let Some(spec) = choices.first_fit(&known, input) {
            let questions = questions(&known, &spec);
            return Ok((spec, questions));
        }
    }
    bail!(
        "nnplay found no image size, padding and pooling with which these tensors' shapes fit \
         together (it tries strides of 1, paddings of 0 or half the kernel, 2×2 max pooling); \
         describe the network in the file's metadata (\"input\" and \"layers\")"
    );
}

/// [`infer`] on a file's tensors.
pub fn infer_file(file: &File) -> Result<(Spec, Vec<Question>)> {
    let tensors: Vec<(String, Vec<usize>)> = file
        .tensors
        .iter()
        .map(|t| (t.name.clone(), t.shape.clone()))
        .collect();
    infer(&tensors)
}

/// Splits "features.3.weight" into ("features.", 3, "weight").
fn split_name(name: &str) -> Option<(&str, usize, &str)> {
    let (stem, what) = name.rsplit_once('.')?;
    let digits = stem.len() - stem.bytes().rev().take_while(u8::is_ascii_digit).count();
    let (prefix, index) = stem.split_at(digits);
    if !(prefix.is_empty() || prefix.ends_with('.')) || index.is_empty() || index.len() > 4 {
        return None;
    }
    Some((prefix, index.parse().ok()?, what))
}

/// Every index up to the last with parameters, from the tensors' names and shapes.
fn read_names(tensors: &[(String, Vec<usize>)]) -> Result<Vec<Known>> {
    if tensors.is_empty() {
        bail!("the file has no tensors");
    }
    let mut prefix = None;
    let mut weights: Vec<(usize, &[usize])> = Vec::new();
    let mut biases: Vec<(usize, &[usize])> = Vec::new();
    for (name, shape) in tensors {
        let Some((pre, i, what)) = split_name(name) else {
            bail!(
                "the tensor {} is not named as nn.Sequential names its layers' parameters \
                 (\"0.weight\", \"3.bias\", …); nnplay reads one nn.Sequential of Conv2d and Linear layers",
                json::quote(name)
            );
        };
        if *prefix.get_or_insert(pre) != pre {
            bail!(
                "the tensors {} and {} belong to different modules; nnplay reads one nn.Sequential",
                json::quote(name),
                json::quote(&tensors[0].0)
            );
        }
        if i >= MAX_SEQ_LAYERS {
            bail!(
                "the tensor {} belongs to layer {i}; nnplay draws at most {MAX_SEQ_LAYERS} layers",
                json::quote(name)
            );
        }
        match what {
            "weight" => weights.push((i, shape)),
            "bias" => biases.push((i, shape)),
            _ => bail!(
                "the tensor {} is neither a weight nor a bias: nnplay's layers are Conv2d and Linear \
                 (BatchNorm and others are not among them)",
                json::quote(name)
            ),
        }
    }
    let last = weights
        .iter()
        .chain(&biases)
        .map(|(i, _)| *i)
        .max()
        .unwrap_or(0);
    let mut known = vec![Known::Free; last + 1];
    for (i, k) in known.iter_mut().enumerate() {
        let w = weights.iter().find(|(j, _)| *j == i).map(|(_, s)| *s);
        let b = biases.iter().find(|(j, _)| *j == i).map(|(_, s)| *s);
        let (w, b) = match (w, b) {
            (None, None) => continue,
            (Some(w), Some(b)) => (w, b),
            (None, Some(_)) => bail!("layer {i} has a bias but no weight"),
            (Some(_), None) => bail!(
                "layer {i} has a weight but no bias; nnplay's Conv2d and Linear have both (bias=True)"
            ),
        };
        if b != [w[0]] {
            bail!(
                "layer {i}'s bias has shape {b:?}, but its weight {w:?} needs [{}]",
                w[0]
            );
        }
        *k = match *w {
            [out, inp, kh, kw] => Known::Conv {
                out,
                inp,
                kernel: [kh, kw],
            },
            [out, inp] => Known::Linear { out, inp },
            _ => bail!(
                "layer {i}'s weight has shape {w:?}: a Conv2d's has 4 axes [out, in, kh, kw], a Linear's 2 [out, in]"
            ),
        };
    }
    Ok(known)
}

/// The images tried, best first: 28×28, 32×32, then every other square side; C from the
/// first Conv2d, or for a network that starts with Linear every image of its in_features
/// (1 channel before 3 and 2).
fn candidate_inputs(known: &[Known]) -> Result<Vec<[usize; 3]>> {
    let sides: Vec<usize> = [28, 32]
        .into_iter()
        .chain((1..=MAX_SEQ_SIDE).filter(|s| *s != 28 && *s != 32))
        .collect();
    match known.iter().enumerate().find(|(_, k)| **k != Known::Free) {
        Some((i, Known::Conv { inp, .. })) => {
            if *inp > MAX_SEQ_IMAGE_CHANNELS {
                bail!(
                    "layer {i} (Conv2d) reads {inp} channels, but it is the first layer with weights, \
                     and nnplay's images have 1 to {MAX_SEQ_IMAGE_CHANNELS}"
                );
            }
            Ok(sides.iter().map(|&s| [*inp, s, s]).collect())
        }
        Some((i, Known::Linear { inp, .. })) => {
            let fit: Vec<[usize; 3]> = sides
                .iter()
                .flat_map(|&s| [1, 3, 2].map(|c| [c, s, s]))
                .filter(|[c, h, w]| c * h * w == *inp)
                .collect();
            if fit.is_empty() {
                bail!(
                    "layer {i} (Linear) reads {inp} features, which is no square image of 1 to \
                     {MAX_SEQ_IMAGE_CHANNELS} channels and sides of at most {MAX_SEQ_SIDE}"
                );
            }
            Ok(fit)
        }
        _ => bail!("the file has no Conv2d or Linear weights"),
    }
}

/// The options of each guess, first option first.
struct Choices {
    /// Per index: the layers it may be (one for a layer the tensors fix).
    options: Vec<Vec<Layer>>,
}

impl Choices {
    fn of(known: &[Known]) -> Result<Choices> {
        let relu = Layer::Act(Activation::Relu);
        let identity = Layer::Act(Activation::Identity);
        let max2 = Layer::MaxPool2d {
            kernel: [2, 2],
            stride: [2, 2],
        };
        let mut options = Vec::with_capacity(known.len());
        // Whether the layers so far end in a map, and the free layers since the last fixed one.
        let mut map = true;
        let mut since = 0;
        for (i, k) in known.iter().enumerate() {
            let opts = match *k {
                Known::Free => {
                    since += 1;
                    let next = known[i..].iter().find(|k| **k != Known::Free);
                    let last_free = known.get(i + 1).is_some_and(|k| *k != Known::Free);
                    if map && last_free && matches!(next, Some(Known::Linear { .. })) {
                        vec![Layer::Flatten]
                    } else if !map {
                        if since == 1 {
                            vec![relu]
                        } else {
                            vec![identity]
                        }
                    } else if since == 1 {
                        vec![relu, max2]
                    } else {
                        vec![max2, identity]
                    }
                }
                Known::Conv { out, kernel, .. } => {
                    since = 0;
                    if !map {
                        bail!("layer {i} (Conv2d) comes after a Linear; nnplay's convolutions come before Flatten and Linear");
                    }
                    let conv = |p: usize| Layer::Conv2d {
                        out_channels: out,
                        kernel,
                        stride: [1, 1],
                        padding: Pad::Zeros([p.min(kernel[0] / 2), p.min(kernel[1] / 2)]),
                    };
                    let same = kernel[0].max(kernel[1]) / 2;
                    if same == 0 {
                        vec![conv(0)]
                    } else {
                        vec![conv(0), conv(same)]
                    }
                }
                Known::Linear { out, .. } => {
                    if i == 0 {
                        bail!(
                            "layer 0 (Linear) would read the image itself; nnplay needs a Flatten before it, \
                             which nn.Sequential would number 0"
                        );
                    }
                    if map && since == 0 {
                        bail!(
                            "layer {i} (Linear) follows a Conv2d directly; nnplay needs a Flatten between them, \
                             which nn.Sequential would number"
                        );
                    }
                    since = 0;
                    map = false;
                    vec![Layer::Linear { out_features: out }]
                }
            };
            options.push(opts);
        }
        Ok(Choices { options })
    }

    /// The spec with option `pick[i]` at each index.
    fn spec(&self, input: [usize; 3], pick: &[usize]) -> Spec {
        Spec {
            input,
            layers: self.options.iter().zip(pick).map(|(o, &p)| o[p]).collect(),
        }
    }

    /// The first guess, by fewest departures from the first options, whose shapes fit.
    fn first_fit(&self, known: &[Known], input: [usize; 3]) -> Option<Spec> {
        let open: Vec<usize> = (0..self.options.len())
            .filter(|&i| self.options[i].len() > 1)
            .collect();
        // Every open choice has two options (a bit of `mask`); at most MAX_SEQ_LAYERS bits.
        let combos = 1u32 << open.len();
        for departures in 0..=open.len() as u32 {
            for mask in (0..combos).filter(|m| m.count_ones() == departures) {
                let mut pick = vec![0; self.options.len()];
                for (bit, &i) in open.iter().enumerate() {
                    pick[i] = (mask >> bit & 1) as usize;
                }
                let spec = self.spec(input, &pick);
                if fits(&spec, known) {
                    return Some(spec);
                }
            }
        }
        None
    }
}

/// Whether `spec` is valid and its parameters have the tensors' shapes.
fn fits(spec: &Spec, known: &[Known]) -> bool {
    let Ok(plan) = spec.plan() else {
        return false;
    };
    plan.layers.iter().zip(known).all(|(p, k)| match *k {
        Known::Conv { inp, .. } | Known::Linear { inp, .. } => p.input[0] == inp,
        Known::Free => true,
    })
}

fn questions(known: &[Known], spec: &Spec) -> Vec<Question> {
    let fits_with = |input: [usize; 3]| {
        fits(
            &Spec {
                input,
                layers: spec.layers.clone(),
            },
            known,
        )
    };
    let mut q = vec![Question::Input {
        assumed: spec.input,
        fits: candidate_inputs(known)
            .unwrap_or_default()
            .into_iter()
            .filter(|&i| fits_with(i))
            .collect(),
    }];
    for (index, (k, &assumed)) in known.iter().zip(&spec.layers).enumerate() {
        match k {
            Known::Free => q.push(Question::Layer { index, assumed }),
            Known::Conv { .. } => q.push(Question::Window { index, assumed }),
            Known::Linear { .. } => {}
        }
    }
    q.push(Question::After {
        index: spec.layers.len(),
    });
    q
}
