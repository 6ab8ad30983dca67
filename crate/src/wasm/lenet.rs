//! LeNet-5 for the page: an inference handle whose every layer is a `Float32Array` view
//! into wasm memory, and a training handle that a Web Worker drives step by step.

use js_sys::Float32Array;
use wasm_bindgen::prelude::*;

use super::{view, whole};
use crate::cnn::activation::Activation;
use crate::cnn::lenet5::{self, Activations, LeNet5, Pool, Prepared, INPUT, LAYERS};
use crate::digits::augment::Augment;
use crate::kernels::scalar;
use crate::mnist::{Digits, Mnist};
use crate::params::{Named, COURSE};
use crate::rng::Rng;
use crate::safetensors::{self, Dtype};
use crate::shape::{MAX_BATCH, MAX_EPOCHS, MAX_RUN_STEPS, MAX_TRAIN_BATCH};
use crate::train::{argmax, evaluate, Method, Optimizer, Schedule, Trainer};
use crate::{bail, Result};

/// A trained LeNet-5 and the activations of the last image it saw.
#[wasm_bindgen]
pub struct Lenet {
    net: LeNet5,
    /// The net's weights laid out for one image at a time; the net never changes after
    /// loading (`param` hands out copies), so this stays in step with it.
    prepared: Prepared,
    acts: Activations,
    probs: Vec<f32>,
    /// The file's `__metadata__` (what made it, its measured accuracy).
    metadata: Vec<(String, String)>,
}

#[wasm_bindgen]
impl Lenet {
    /// Loads a safetensors file with PyTorch's names (`weights/lenet5.safetensors`, or a
    /// `state_dict` saved from docs/pytorch/lenet5.py); a damaged file is an error.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> Result<Lenet> {
        let file = safetensors::read(bytes)?;
        let metadata = file.metadata.clone();
        let net = LeNet5::from_file(file)?;
        Ok(Lenet {
            metadata,
            prepared: Prepared::new(&net),
            net,
            acts: Activations::new(1),
            probs: vec![0.0; 10],
        })
    }

    /// Runs one 28×28 image (784 values, 0 = background, 1 = ink) and returns the predicted
    /// digit. Every layer's activations are then readable through the views below.
    pub fn forward(&mut self, image: &[f32]) -> Result<u32> {
        crate::shape::check_buffer("image", image, &[28, 28])?;
        self.net
            .forward_prepared(&self.prepared, image, 1, &mut self.acts);
        scalar::softmax(&mut self.probs, &self.acts.logits, 10);
        Ok(argmax(&self.probs) as u32)
    }

    /// Runs `n` images (x: [n, 28, 28]) at once and returns each one's predicted digit; the
    /// layer views then hold the whole batch ([n, 6, 28, 28] and so on).
    #[wasm_bindgen(js_name = forwardBatch)]
    pub fn forward_batch(&mut self, images: &[f32], n: f64) -> Result<Vec<u32>> {
        let n = whole("n", n, 1, MAX_BATCH)?;
        crate::shape::check_buffer("images", images, &[n, 28, 28])?;
        self.net
            .forward_prepared(&self.prepared, images, n, &mut self.acts);
        Ok(self
            .acts
            .logits
            .chunks_exact(10)
            .map(|z| argmax(z) as u32)
            .collect())
    }

    /// C1 after its activation: [6, 28, 28].
    pub fn c1(&self) -> Float32Array {
        view(&self.acts.c1)
    }
    /// S2: [6, 14, 14].
    pub fn s2(&self) -> Float32Array {
        view(&self.acts.s2)
    }
    /// C3: [16, 10, 10].
    pub fn c3(&self) -> Float32Array {
        view(&self.acts.c3)
    }
    /// S4: [16, 5, 5], flattened in this order into F5.
    pub fn s4(&self) -> Float32Array {
        view(&self.acts.s4)
    }
    pub fn f5(&self) -> Float32Array {
        view(&self.acts.f5)
    }
    pub fn f6(&self) -> Float32Array {
        view(&self.acts.f6)
    }
    pub fn logits(&self) -> Float32Array {
        view(&self.acts.logits)
    }
    /// Softmax of the logits: the ten probabilities.
    pub fn probs(&self) -> Float32Array {
        view(&self.probs)
    }

    /// A copy of a parameter tensor by PyTorch name ("conv1.weight", "fc3.bias", …): a
    /// copy, so that writing into it cannot change one layout of the weights and not the
    /// other.
    pub fn param(&self, name: &str) -> Result<Vec<f32>> {
        self.net.tensor(name)
    }

    /// The layers in order, the input first, as JSON: `[{"name": "c1", "shape": [6, 28,
    /// 28], "window": [5, 1, 2]}, …]` (window: size, stride, padding on the layer below;
    /// absent for dense layers). The page lays out its canvases and receptive fields by it.
    pub fn layers() -> String {
        let list = |v: &[usize]| {
            v.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        let layers: Vec<String> = std::iter::once(&INPUT)
            .chain(&LAYERS)
            .map(|l| {
                let window = l
                    .window
                    .map_or(String::new(), |w| format!(",\"window\":[{}]", list(&w)));
                format!(
                    "{{\"name\":\"{}\",\"shape\":[{}]{window}}}",
                    l.name,
                    list(l.shape)
                )
            })
            .collect();
        format!("[{}]", layers.join(","))
    }

    /// How unit `unit` of `layer` ("c1", "s2", "c3", "s4", "f5", "f6", "logits") got its
    /// value for the last image: [bias, sum before the activation, value, then (index into
    /// the layer below, its value, weight) per product; the weight is 1 for pooled cells].
    /// Packed floats rather than objects: see ARCHITECTURE.md on serde-wasm-bindgen.
    pub fn explain(&self, layer: &str, unit: f64) -> Result<Vec<f32>> {
        let unit = whole("unit", unit, 0, u32::MAX as usize)?;
        let e = self.net.explain(&self.acts, layer, unit)?;
        let mut out = vec![e.bias, e.pre, e.value];
        out.extend(e.terms.iter().flat_map(|t| [t.index as f32, t.x, t.w]));
        Ok(out)
    }

    /// The weights file's metadata entry `key` ("mnist_accuracy", "command", …), if any.
    pub fn meta(&self, key: &str) -> Option<String> {
        safetensors::lookup(&self.metadata, key).map(str::to_owned)
    }

    /// "relu" or "tanh".
    #[wasm_bindgen(getter)]
    pub fn activation(&self) -> String {
        self.net.act.name().into()
    }

    /// "max" or "avg".
    #[wasm_bindgen(getter)]
    pub fn pooling(&self) -> String {
        self.net.pool.name().into()
    }
}

/// LeNet-5 training on MNIST, advanced a few steps per call so a Web Worker can report
/// progress and answer pause/resume between calls: a thin driver of [`Trainer`].
#[wasm_bindgen]
pub struct LenetTrainer {
    trainer: Trainer<LeNet5>,
    train: Option<Mnist>,
    test: Option<Mnist>,
    epochs: usize,
    augment: Augment,
}

#[wasm_bindgen]
impl LenetTrainer {
    /// A fresh ReLU / max-pool LeNet-5 from `seed`; Adam with learning rate `lr`, cosine
    /// decay over `epochs`, batches of `batch` images shifted by up to 2 pixels, and with
    /// `handwriting` distorted as `train-lenet` does by default (rotation, scale, shear,
    /// stroke width, elastic).
    #[wasm_bindgen(constructor)]
    pub fn new(
        seed: f64,
        batch: f64,
        lr: f64,
        epochs: f64,
        handwriting: bool,
    ) -> Result<LenetTrainer> {
        let seed = whole("seed", seed, 0, u32::MAX as usize)? as u64;
        let batch = whole("batch", batch, 1, MAX_TRAIN_BATCH)?;
        let epochs = whole("epochs", epochs, 1, MAX_EPOCHS)?;
        if !(lr.is_finite() && lr > 0.0 && lr <= 1.0) {
            bail!(
                "learning rate must be above 0 and at most 1, got {}",
                crate::error::number(lr)
            );
        }
        // One generator, as `train-lenet` uses it: the net's initialisation, then every
        // shuffle and shift.
        let mut rng = Rng::new(seed);
        let net = LeNet5::init(rng.next_u64(), Activation::Relu, Pool::Max);
        let opt = Optimizer::new(Method::ADAM, 1e-4, lenet5::N_PARAMS);
        // No steps until the training set's size is known (`setTrainData`).
        let schedule = Schedule::cosine(lr as f32, 0);
        Ok(LenetTrainer {
            trainer: Trainer::new(net, opt, schedule, 0, batch, 1, rng),
            train: None,
            test: None,
            epochs,
            augment: if handwriting {
                Augment::HANDWRITING
            } else {
                Augment::SHIFTS
            },
        })
    }

    /// The training set as the two IDX files' bytes; malformed files are errors. The run
    /// (its epochs over this set) starts afresh from the next step.
    #[wasm_bindgen(js_name = setTrainData)]
    pub fn set_train_data(&mut self, images: &[u8], labels: &[u8]) -> Result<()> {
        let m = Mnist::from_idx(images, labels)?;
        self.trainer.set_examples(m.len(), self.epochs);
        self.train = Some(m);
        Ok(())
    }

    #[wasm_bindgen(js_name = setTestData)]
    pub fn set_test_data(&mut self, images: &[u8], labels: &[u8]) -> Result<()> {
        self.test = Some(Mnist::from_idx(images, labels)?);
        Ok(())
    }

    /// Runs up to `steps` optimisation steps (stopping early when the last epoch ends);
    /// returns how many ran. Loss and accuracy of the last batch are then in the getters.
    pub fn run(&mut self, steps: f64) -> Result<u32> {
        let steps = whole("steps", steps, 1, MAX_RUN_STEPS)?;
        let Some(set) = self.train.as_ref() else {
            bail!("no training data yet: call setTrainData first")
        };
        let digits = Digits {
            set,
            augment: self.augment,
        };
        Ok(self.trainer.run(&digits, steps) as u32)
    }

    /// Accuracy on the first `count` test images (all of them if `count` is larger).
    pub fn evaluate(&self, count: f64) -> Result<f64> {
        let Some(set) = self.test.as_ref() else {
            bail!("no test data yet: call setTestData first")
        };
        let count = whole("count", count, 1, usize::MAX)?;
        let digits = Digits {
            set,
            augment: Augment::SHIFTS,
        };
        Ok(evaluate(&self.trainer.model, &digits, count, 250).accuracy())
    }

    /// The network as a safetensors file (f32, so nothing is rounded) that `Lenet.fromBytes`
    /// loads: the drawing view uses it, and a student can download it for PyTorch.
    pub fn weights(&self) -> Vec<u8> {
        let meta = [
            ("course", COURSE),
            ("made_by", "nnplay's training view, in the browser"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()));
        safetensors::save(&self.trainer.model, Dtype::F32, &meta)
    }

    #[wasm_bindgen(getter)]
    pub fn loss(&self) -> f32 {
        if self.trainer.step == 0 {
            return f32::NAN;
        }
        self.trainer.last.loss
    }
    /// Fraction right in the last batch (before its update).
    #[wasm_bindgen(getter, js_name = batchAccuracy)]
    pub fn batch_accuracy(&self) -> f32 {
        if self.trainer.step == 0 {
            return f32::NAN;
        }
        self.trainer.last.accuracy() as f32
    }
    #[wasm_bindgen(getter)]
    pub fn seen(&self) -> f64 {
        self.trainer.seen as f64
    }
    #[wasm_bindgen(getter)]
    pub fn epoch(&self) -> u32 {
        self.trainer.epoch() as u32
    }
    #[wasm_bindgen(getter)]
    pub fn step(&self) -> u32 {
        self.trainer.step as u32
    }
    /// Steps in the whole run (epochs × batches per epoch); 0 before data is set.
    #[wasm_bindgen(getter, js_name = totalSteps)]
    pub fn total_steps(&self) -> u32 {
        self.trainer.schedule.total as u32
    }
}
