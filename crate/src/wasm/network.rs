//! Any CNN of the LeNet family for the page (`cnn::sequential`): a student's PyTorch
//! `nn.Sequential` saved as safetensors, or LeNet-5's own file. `inspect` reads a file
//! without building anything and says what the network is, or what nnplay had to guess
//! about it (the questions the page asks); `fromBytes` builds it, from the file's own
//! description or the one the page settled with the student. Then, as `Lenet` does for
//! LeNet-5, one image at a time: every stage's output as a `Float32Array` view into wasm
//! memory, a unit's arithmetic, and its receptive field on the image.

use js_sys::Float32Array;
use wasm_bindgen::prelude::*;

use super::{view, whole};
use crate::cnn::sequential::infer::infer_file;
use crate::cnn::sequential::sparse::Prepared;
use crate::cnn::sequential::{Layer, Outputs, Sequential, Spec, Stage};
use crate::kernels::scalar;
use crate::safetensors::File;
use crate::safetensors::{self, json};
use crate::train::argmax;
use crate::{bail, Result};

#[wasm_bindgen]
pub struct Network {
    net: Sequential,
    prepared: Prepared,
    stages: Vec<Stage>,
    out: Outputs,
    probs: Vec<f32>,
    metadata: Vec<(String, String)>,
}

/// A file's network, and what nnplay had to guess about it (questions as JSON; none when
/// the file describes it or is LeNet-5's).
fn described(file: File) -> Result<(Sequential, Vec<String>)> {
    if Sequential::described_by(&file) {
        return Ok((Sequential::from_file(file)?, Vec::new()));
    }
    let (spec, questions) = infer_file(&file)?;
    let net = Sequential::load(&spec, file)?;
    Ok((net, questions.iter().map(|q| q.to_json()).collect()))
}

#[wasm_bindgen]
impl Network {
    /// What a weights file holds, as JSON: `{"input": [C, H, W], "layers": [...] (as
    /// `fromBytes` takes them), "questions": [...] (what the tensors could not tell and
    /// what was assumed; empty when the file describes its network), "params", "macs"}`.
    /// A file nnplay cannot read, or a network outside its limits, is an error.
    pub fn inspect(bytes: &[u8]) -> Result<String> {
        let (net, questions) = described(safetensors::read(bytes)?)?;
        let (spec, plan) = (net.spec(), net.plan());
        Ok(format!(
            "{{\"input\":{},\"layers\":{},\"questions\":[{}],\"params\":{},\"macs\":{}}}",
            spec.input_json(),
            spec.layers_json(),
            questions.join(","),
            plan.params,
            plan.macs
        ))
    }

    /// The network of a weights file: described by `input` (`[C, H, W]`) and `layers`
    /// (a JSON list, as `inspect` gives them) when both are given, else as the file
    /// describes itself. Every tensor must be there with its shape, and finite.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8], input: &str, layers: &str) -> Result<Network> {
        let file = safetensors::read(bytes)?;
        let metadata = file.metadata.clone();
        let net = if input.is_empty() && layers.is_empty() {
            if !Sequential::described_by(&file) {
                bail!("the file does not describe its network: answer what its tensors cannot tell (Network.inspect lists it) and pass the description");
            }
            Sequential::from_file(file)?
        } else {
            Sequential::load(&Spec::from_json(input, layers)?, file)?
        };
        let stages = net.plan().stages();
        Ok(Network {
            prepared: Prepared::new(&net),
            stages,
            out: Outputs::default(),
            probs: Vec::new(),
            metadata,
            net,
        })
    }

    /// The stages the page draws, as JSON: `[{"first", "shown" (layer indices, as
    /// nn.Sequential numbers them), "kind": "conv" | "pool" | "dense" | "other", "class"
    /// (the first layer's PyTorch class), "activation" (or null), "layer" (its description),
    /// "shape" (of what it shows, per image), "params", "macs"}]`.
    pub fn stages(&self) -> String {
        let layers = &self.net.plan().layers;
        let items: Vec<String> = self
            .stages
            .iter()
            .map(|s| {
                let first = &layers[s.first];
                let kind = match first.layer {
                    Layer::Conv2d { .. } => "conv",
                    Layer::MaxPool2d { .. } | Layer::AvgPool2d { .. } => "pool",
                    Layer::Linear { .. } => "dense",
                    _ => "other",
                };
                let shape: Vec<String> = layers[s.shown]
                    .output
                    .iter()
                    .map(|d| d.to_string())
                    .collect();
                let macs: u64 = layers[s.first..=s.shown].iter().map(|l| l.macs).sum();
                format!(
                    "{{\"first\":{},\"shown\":{},\"kind\":\"{kind}\",\"class\":\"{}\",\"activation\":{},\"layer\":{},\"shape\":[{}],\"params\":{},\"macs\":{macs}}}",
                    s.first,
                    s.shown,
                    first.layer.class(),
                    s.act.map_or("null".into(), |a| json::quote(a.name())),
                    crate::cnn::sequential::describe::layer_json(&first.layer),
                    shape.join(","),
                    first.params
                )
            })
            .collect();
        format!("[{}]", items.join(","))
    }

    /// The network as JSON: `{"input": [C, H, W], "layers": [...] (as `inspect` gives
    /// them), "shapes": [...] (each layer's output per image)}`, which the page writes out
    /// as PyTorch code.
    pub fn description(&self) -> String {
        let shapes: Vec<String> = self
            .net
            .plan()
            .layers
            .iter()
            .map(|l| {
                let d: Vec<String> = l.output.iter().map(|d| d.to_string()).collect();
                format!("[{}]", d.join(","))
            })
            .collect();
        format!(
            "{{\"input\":{},\"layers\":{},\"shapes\":[{}]}}",
            self.net.spec().input_json(),
            self.net.spec().layers_json(),
            shapes.join(",")
        )
    }

    /// The image the network reads, [C, H, W].
    #[wasm_bindgen(getter)]
    pub fn input(&self) -> Vec<u32> {
        self.net.spec().input.iter().map(|&d| d as u32).collect()
    }

    /// Runs one image (C·H·W values) and returns the most probable class: the largest
    /// output of the last layer. Every stage's output is then readable through `output`.
    pub fn forward(&mut self, image: &[f32]) -> Result<u32> {
        self.net
            .forward_prepared(&self.prepared, image, 1, &mut self.out)?;
        let last = self.out.y.last().map_or(&[][..], |y| &y[..]);
        self.probs.resize(last.len(), 0.0);
        scalar::softmax(&mut self.probs, last, last.len());
        Ok(argmax(&self.probs) as u32)
    }

    /// What stage `stage` shows for the last image: a view into wasm memory, valid until
    /// the next call into the network.
    pub fn output(&self, stage: f64) -> Result<Float32Array> {
        let s = self.stage(stage)?;
        match self.out.y.get(s.shown) {
            Some(y) => Ok(view(y)),
            None => bail!("run an image through the network first"),
        }
    }

    /// Softmax of the last layer's outputs (the class probabilities of a classifier).
    pub fn probs(&self) -> Float32Array {
        view(&self.probs)
    }

    /// How unit `unit` of stage `stage` got its value for the last image: [bias, sum
    /// before the activation, value, then (index into the stage below's output, its value,
    /// weight) per product; weight 1 for pooled cells], as `Lenet.explain` packs it.
    pub fn explain(&self, stage: f64, unit: f64) -> Result<Vec<f32>> {
        let s = *self.stage(stage)?;
        let unit = whole("unit", unit, 0, u32::MAX as usize)?;
        let e = self.net.explain_stage(&self.out, &s, unit)?;
        let mut out = vec![e.bias, e.pre, e.value];
        out.extend(e.terms.iter().flat_map(|t| [t.index as f32, t.x, t.w]));
        Ok(out)
    }

    /// The image cells [y0, y1, x0, x1] (end exclusive) that unit `unit` of stage `stage`
    /// can see.
    #[wasm_bindgen(js_name = receptiveField)]
    pub fn receptive_field(&self, stage: f64, unit: f64) -> Result<Vec<u32>> {
        let s = *self.stage(stage)?;
        let units: usize = self.net.plan().layers[s.shown].output.iter().product();
        let unit = whole("unit", unit, 0, units - 1)?;
        let r = self.net.plan().receptive_field(s.shown, unit);
        Ok(r.iter().map(|&v| v as u32).collect())
    }

    /// The weights file's metadata entry `key` (`classes`, `command`, …), if any.
    pub fn meta(&self, key: &str) -> Option<String> {
        safetensors::lookup(&self.metadata, key).map(str::to_owned)
    }

    #[wasm_bindgen(getter)]
    pub fn params(&self) -> f64 {
        self.net.plan().params as f64
    }

    /// Multiply-adds per image.
    #[wasm_bindgen(getter)]
    pub fn macs(&self) -> f64 {
        self.net.plan().macs as f64
    }
}

impl Network {
    fn stage(&self, stage: f64) -> Result<&Stage> {
        let i = whole("stage", stage, 0, self.stages.len() - 1)?;
        Ok(&self.stages[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasm::lenet::Lenet;

    const LENET: &[u8] = include_bytes!("../../../weights/lenet5.safetensors");

    fn digit() -> Vec<f32> {
        // A thick 7: a bar across the top, a stroke down to the lower left.
        let mut x = vec![0.0; 784];
        for i in 6..22 {
            x[6 * 28 + i] = 1.0;
            x[7 * 28 + i] = 1.0;
            let c = 21 - (i - 6) * 10 / 16;
            x[i * 28 + c] = 1.0;
            x[i * 28 + c + 1] = 0.8;
        }
        x
    }

    /// LeNet-5's own file as a described network: its seven stages are the view's C1, S2,
    /// C3, S4, F5, F6 and logits, with the same numbers as the tuned `Lenet`.
    #[test]
    fn lenet5_as_stages_agrees_with_the_tuned_handle() {
        let spec = Network::inspect(LENET).unwrap();
        assert!(spec.contains("\"questions\":[]"), "{spec}");
        let mut net = Network::from_bytes(LENET, "", "").unwrap();
        let stages = net.stages();
        let shapes: Vec<&str> = stages
            .split("\"shape\":")
            .skip(1)
            .map(|s| s.split(']').next().unwrap())
            .collect();
        assert_eq!(
            shapes,
            [
                "[6,28,28",
                "[6,14,14",
                "[16,10,10",
                "[16,5,5",
                "[120",
                "[84",
                "[10"
            ]
        );
        let mut lenet = Lenet::from_bytes(LENET).unwrap();
        let x = digit();
        assert_eq!(net.forward(&x).unwrap(), lenet.forward(&x).unwrap());
        for (stage, layer, unit) in [
            (0.0, "c1", 300.0),
            (1.0, "s2", 50.0),
            (2.0, "c3", 777.0),
            (4.0, "f5", 7.0),
            (6.0, "logits", 7.0),
        ] {
            let (a, b) = (
                net.explain(stage, unit).unwrap(),
                lenet.explain(layer, unit).unwrap(),
            );
            assert_eq!(a.len(), b.len(), "{layer}");
            for (p, q) in a.iter().zip(&b) {
                assert!(
                    (p - q).abs() <= 1e-4 * (1.0 + q.abs()),
                    "{layer}: {p} vs {q}"
                );
            }
        }
        // C1's 5×5 window, padded 2, on 28×28; C3's 5×5 over S2's 2×2 over C1's 5×5: 14×14.
        assert_eq!(net.receptive_field(0.0, 0.0).unwrap(), [0, 3, 0, 3]);
        assert_eq!(net.receptive_field(2.0, 0.0).unwrap(), [0, 12, 0, 12]);
        assert_eq!(net.receptive_field(2.0, 55.0).unwrap(), [8, 22, 8, 22]);
        assert_eq!(net.receptive_field(5.0, 0.0).unwrap(), [0, 28, 0, 28]);
    }

    /// A bare state_dict (no metadata) is inspected with its questions, refused until its
    /// description is given, then built from it; bad stages and units are sentences.
    #[test]
    fn a_bare_state_dict_asks_then_loads_with_the_answers() {
        let spec = Spec::from_json(
            "[1,28,28]",
            r#"[{"type":"conv2d","out_channels":4,"kernel":[3,3],"stride":[1,1],"padding":[1,1]},{"type":"relu"},{"type":"max_pool2d","kernel":[2,2],"stride":[2,2]},{"type":"flatten"},{"type":"linear","out_features":10}]"#,
        )
        .unwrap();
        let net = Sequential::init(&spec, 3).unwrap();
        let bytes = safetensors::save(&net, safetensors::Dtype::F32, &[]);
        let bare = safetensors::write(
            &safetensors::read(&bytes)
                .unwrap()
                .tensors
                .iter()
                .map(|t| (t.name.as_str(), &t.shape[..], &t.values[..]))
                .collect::<Vec<_>>(),
            safetensors::Dtype::F32,
            &[],
        );
        let seen = Network::inspect(&bare).unwrap();
        assert!(seen.contains("\"kind\":\"layer\""), "{seen}");
        let e = Network::from_bytes(&bare, "", "").err().unwrap();
        assert!(
            e.message().contains("answer what its tensors cannot tell"),
            "{e}"
        );
        let mut n = Network::from_bytes(&bare, &spec.input_json(), &spec.layers_json()).unwrap();
        assert!(n.output(0.0).is_err(), "nothing to show before an image");
        n.forward(&digit()).unwrap();
        assert_eq!(n.stages().matches("\"first\"").count(), 3);
        assert!(n
            .description()
            .ends_with("\"shapes\":[[4,28,28],[4,28,28],[4,14,14],[784],[10]]}"));
        assert!(n.explain(3.0, 0.0).unwrap_err().message().contains("stage"));
        assert!(n
            .explain(0.0, 4.0 * 784.0)
            .unwrap_err()
            .message()
            .contains("3136 units"));
        assert!(n.receptive_field(1.0, f64::NAN).is_err());
        let e = n.explain(2.0, 9.0).unwrap();
        assert_eq!(e.len(), 3 + 3 * 4 * 14 * 14);
    }
}
