//! A [`Spec`] as text, both ways: the JSON list of layers that the golden `sequential_cnn`
//! cases hold in `attrs.layers` and that a weights file holds in its `__metadata__`
//! (`"layers"`, with `"input"`: `[C, H, W]` and `"arch"`: `"sequential_cnn"`, since
//! safetensors metadata values are strings). Read with the safetensors JSON reader, so the
//! page parses it without a JSON library; every malformed field is a sentence naming the
//! layer and the field.
//!
//! A layer is `{"type": "conv2d", "out_channels": 6, "kernel": [5, 5], "stride": [1, 1],
//! "padding": [2, 2]}` (kernel, stride and padding also as one number for both sides;
//! padding also `"same"` / `"valid"`, TensorFlow's rule; stride 1 and padding 0 when
//! absent, as in PyTorch), `{"type": "relu" | "tanh" | "sigmoid" | "identity"}`,
//! `{"type": "max_pool2d" | "avg_pool2d", "kernel": 2, "stride": 2}` (stride = kernel when
//! absent, as in PyTorch), `{"type": "flatten"}`, `{"type": "linear", "out_features": 10}`.

use super::spec::{Layer, Spec};
use crate::cnn::activation::Activation;
use crate::safetensors::json::{self, Value};
use crate::safetensors::File;
use crate::shape::{Pad, Padding};
use crate::{bail, Error, Result};

/// The value of `__metadata__["arch"]` for a described network.
pub const ARCH: &str = "sequential_cnn";

/// A whole number of the JSON as a size; one too large for this machine's `usize` (wasm32's
/// is 32 bits) becomes `usize::MAX`, which every limit refuses, rather than wrapping.
fn size(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// How a value looks in a message: `"5"`, `-`, `a list of 3`, …
fn shown(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(n) => n.to_string(),
        Value::Str(s) => json::quote(s),
        Value::Arr(a) => format!("a list of {}", a.len()),
        Value::Obj(_) => "an object".into(),
    }
}

/// One layer's JSON object, read field by field; `at` names it in messages.
struct Fields<'a> {
    at: String,
    fields: &'a [(String, Value)],
}

impl Fields<'_> {
    fn get(&self, key: &str) -> Option<&Value> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn whole(&self, key: &str) -> Result<usize> {
        match self.get(key) {
            Some(Value::Int(n)) => Ok(size(*n)),
            Some(v) => bail!(
                "{}: \"{key}\" must be a whole number, got {}",
                self.at,
                shown(v)
            ),
            None => bail!("{} needs \"{key}\" (a whole number)", self.at),
        }
    }

    /// `[a, b]`, or one number for both; `default` when absent (None: required).
    fn pair(&self, key: &str, default: Option<[usize; 2]>) -> Result<[usize; 2]> {
        let bad = |v: &Value| {
            Error::new(format!(
                "{}: \"{key}\" must be a whole number or [height, width], got {}",
                self.at,
                shown(v)
            ))
        };
        match self.get(key) {
            None => default.ok_or_else(|| {
                Error::new(format!(
                    "{} needs \"{key}\" (a whole number or [height, width])",
                    self.at
                ))
            }),
            Some(Value::Int(n)) => Ok([size(*n); 2]),
            Some(v @ Value::Arr(a)) => match a.as_slice() {
                [Value::Int(r), Value::Int(c)] => Ok([size(*r), size(*c)]),
                _ => Err(bad(v)),
            },
            Some(v) => Err(bad(v)),
        }
    }

    fn padding(&self) -> Result<Pad> {
        match self.get("padding") {
            Some(Value::Str(s)) => Padding::parse(s)
                .map(Pad::Rule)
                .map_err(|_| {
                    Error::new(format!(
                        "{}: \"padding\" must be \"same\", \"valid\", a whole number or [height, width], got {}",
                        self.at,
                        json::quote(s)
                    ))
                }),
            _ => self.pair("padding", Some([0, 0])).map(Pad::Zeros),
        }
    }

    /// Refuses fields the layer does not have, except PyTorch arguments at the values
    /// nnplay computes anyway (a `"dilation": 2` must not be ignored silently).
    fn only(&self, known: &[&str]) -> Result<()> {
        for (k, v) in self.fields {
            let neutral = match (k.as_str(), v) {
                ("type", _) => true,
                ("bias", Value::Bool(true)) | ("ceil_mode", Value::Bool(false)) => true,
                ("dilation" | "groups", Value::Int(1)) => true,
                ("dilation", Value::Arr(a)) => a.iter().all(|d| *d == Value::Int(1)),
                ("padding_mode", Value::Str(s)) => s == "zeros",
                _ => false,
            };
            if !neutral && !known.contains(&k.as_str()) {
                let has = match known {
                    [] => "no field but \"type\"".to_string(),
                    _ => known.join(", "),
                };
                bail!(
                    "{}: nnplay cannot read the field \"{k}\" = {}; this layer has {has}",
                    self.at,
                    shown(v),
                );
            }
        }
        // Sizes a description may state beside those nnplay infers must be numbers too
        // (whether they agree is checked once the shapes are known).
        for key in ["in_channels", "in_features"] {
            if self.get(key).is_some() {
                self.whole(key)?;
            }
        }
        Ok(())
    }
}

/// The layer types a description may name (PyTorch's class names are read too).
const TYPES: &str =
    "conv2d, relu, tanh, sigmoid, identity, max_pool2d, avg_pool2d, flatten, linear";

fn layer(i: usize, v: &Value) -> Result<Layer> {
    let Value::Obj(fields) = v else {
        bail!(
            "layer {i} must be an object such as {{\"type\": \"relu\"}}, got {}",
            shown(v)
        );
    };
    let ty = match fields.iter().find(|(k, _)| k == "type") {
        Some((_, Value::Str(s))) => s.to_ascii_lowercase(),
        Some((_, v)) => bail!("layer {i}: \"type\" must be a string, got {}", shown(v)),
        None => bail!("layer {i} has no \"type\"; the types are {TYPES}"),
    };
    let f = Fields {
        at: format!("layer {i} ({ty})"),
        fields,
    };
    let layer = match ty.as_str() {
        "conv2d" | "conv" => {
            f.only(&["out_channels", "in_channels", "kernel", "stride", "padding"])?;
            Layer::Conv2d {
                out_channels: f.whole("out_channels")?,
                kernel: f.pair("kernel", None)?,
                stride: f.pair("stride", Some([1, 1]))?,
                padding: f.padding()?,
            }
        }
        "relu" | "tanh" | "sigmoid" | "identity" | "dropout" => {
            f.only(if ty == "dropout" { &["p"] } else { &[] })?;
            Layer::Act(Activation::parse(if ty == "dropout" {
                "identity"
            } else {
                &ty
            })?)
        }
        "max_pool2d" | "maxpool2d" | "avg_pool2d" | "avgpool2d" => {
            f.only(&["kernel", "stride", "padding"])?;
            match f.get("padding") {
                None | Some(Value::Int(0)) => {}
                Some(Value::Str(s)) if s.eq_ignore_ascii_case("valid") => {}
                Some(Value::Arr(a)) if a.iter().all(|v| *v == Value::Int(0)) => {}
                Some(v) => bail!(
                    "{}: \"padding\" is {}, but nnplay's pooling has no padding (its windows stay inside the map); leave it out",
                    f.at,
                    shown(v)
                ),
            }
            let kernel = f.pair("kernel", None)?;
            let stride = f.pair("stride", Some(kernel))?;
            if ty.starts_with("max") {
                Layer::MaxPool2d { kernel, stride }
            } else {
                Layer::AvgPool2d { kernel, stride }
            }
        }
        "flatten" => {
            f.only(&[])?;
            Layer::Flatten
        }
        "linear" | "dense" => {
            f.only(&["out_features", "in_features"])?;
            Layer::Linear {
                out_features: f.whole("out_features")?,
            }
        }
        _ => bail!(
            "layer {i} has the type {}; nnplay knows {TYPES}",
            json::quote(&ty)
        ),
    };
    Ok(layer)
}

/// Checks the sizes a description may state beside those nnplay infers (`in_channels`,
/// `in_features`), once the plan knows them.
fn stated_inputs(layers: &[Value], spec: &Spec) -> Result<()> {
    let plan = spec.plan()?;
    for (i, (v, p)) in layers.iter().zip(&plan.layers).enumerate() {
        let Value::Obj(fields) = v else { continue };
        for key in ["in_channels", "in_features"] {
            let Some((_, Value::Int(n))) = fields.iter().find(|(k, _)| k == key) else {
                continue;
            };
            if size(*n) != p.input[0] {
                bail!(
                    "layer {i} ({}) says {key} = {n}, but the layer before it gives {}",
                    p.layer.class(),
                    p.input[0]
                );
            }
        }
    }
    Ok(())
}

impl Spec {
    /// The layers of a JSON list (the golden cases' `attrs.layers`, a file's `"layers"`),
    /// for an image of `input` = [C, H, W]; checked whole (the plan must succeed).
    pub fn from_layers_json(input: [usize; 3], layers: &str) -> Result<Spec> {
        let v = json::parse_named(layers, "the description of the layers")?;
        let Value::Arr(list) = &v else {
            bail!(
                "the description of the layers must be a JSON list such as [{{\"type\": \"flatten\"}}, …], got {}",
                shown(&v)
            );
        };
        let spec = Spec {
            input,
            layers: list
                .iter()
                .enumerate()
                .map(|(i, v)| layer(i, v))
                .collect::<Result<_>>()?,
        };
        stated_inputs(list, &spec)?;
        Ok(spec)
    }

    /// A spec from its two texts: `input` as `[C, H, W]` and `layers` as a JSON list.
    pub fn from_json(input: &str, layers: &str) -> Result<Spec> {
        Spec::from_layers_json(input_from_json(input)?, layers)
    }

    /// The layers as a JSON list, as [`Spec::layers_from_json`] reads them back.
    pub fn layers_json(&self) -> String {
        let items: Vec<String> = self.layers.iter().map(layer_json).collect();
        format!("[{}]", items.join(","))
    }

    /// The input as `[C,H,W]`.
    pub fn input_json(&self) -> String {
        let [c, h, w] = self.input;
        format!("[{c},{h},{w}]")
    }

    /// What a weights file says about this network (`arch`, `input`, `layers`).
    pub fn metadata(&self) -> Vec<(String, String)> {
        vec![
            ("arch".into(), ARCH.into()),
            ("input".into(), self.input_json()),
            ("layers".into(), self.layers_json()),
        ]
    }

    /// The spec a file's metadata describes.
    pub fn from_file(file: &File) -> Result<Spec> {
        if let Some(arch) = file.meta("arch").filter(|a| *a != ARCH) {
            bail!(
                "this file holds a {} network, not a described CNN ({ARCH})",
                json::quote(arch)
            );
        }
        let (Some(input), Some(layers)) = (file.meta("input"), file.meta("layers")) else {
            bail!(
                "the file's metadata does not describe the network (it needs \"input\" and \"layers\"); \
                 without them nnplay can guess the layers from the tensors' names and shapes, and asks what they cannot tell"
            );
        };
        Spec::from_json(input, layers).map_err(|e| Error::new(format!("the file's metadata: {e}")))
    }
}

fn input_from_json(text: &str) -> Result<[usize; 3]> {
    let v = json::parse_named(text, "the input's description")?;
    match &v {
        Value::Arr(a) => match a.as_slice() {
            [Value::Int(c), Value::Int(h), Value::Int(w)] => Ok([size(*c), size(*h), size(*w)]),
            _ => bail!(
                "the input must be [channels, height, width] such as [1, 28, 28], got {}",
                text.trim()
            ),
        },
        _ => bail!(
            "the input must be [channels, height, width] such as [1, 28, 28], got {}",
            shown(&v)
        ),
    }
}

fn pair_json([a, b]: [usize; 2]) -> String {
    format!("[{a},{b}]")
}

/// One layer as the JSON object [`Spec::from_layers_json`] reads.
pub fn layer_json(l: &Layer) -> String {
    match *l {
        Layer::Conv2d {
            out_channels,
            kernel,
            stride,
            padding,
        } => {
            let padding = match padding {
                Pad::Rule(p) => json::quote(p.name()),
                Pad::Zeros(z) => pair_json(z),
            };
            format!(
                "{{\"type\":\"conv2d\",\"out_channels\":{out_channels},\"kernel\":{},\"stride\":{},\"padding\":{padding}}}",
                pair_json(kernel),
                pair_json(stride)
            )
        }
        Layer::Act(a) => format!("{{\"type\":\"{}\"}}", a.name()),
        Layer::MaxPool2d { kernel, stride } | Layer::AvgPool2d { kernel, stride } => format!(
            "{{\"type\":\"{}\",\"kernel\":{},\"stride\":{}}}",
            if matches!(l, Layer::MaxPool2d { .. }) {
                "max_pool2d"
            } else {
                "avg_pool2d"
            },
            pair_json(kernel),
            pair_json(stride)
        ),
        Layer::Flatten => "{\"type\":\"flatten\"}".into(),
        Layer::Linear { out_features } => {
            format!("{{\"type\":\"linear\",\"out_features\":{out_features}}}")
        }
    }
}
