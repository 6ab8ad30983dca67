//! LeNet-5 for the page: an inference handle whose every layer is a `Float32Array` view
//! into wasm memory, and a training handle that a Web Worker drives step by step.

use js_sys::{Float32Array, Uint32Array};
use wasm_bindgen::prelude::*;

use super::{view, view_u32, whole};
use crate::cnn::lenet5::{self, Activations, LeNet5, Prepared, IMAGE};
use crate::cnn::train::{argmax, correct, Trainer};
use crate::cnn::weights;
use crate::kernels::scalar;
use crate::mnist::Mnist;
use crate::rng::Rng;
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
}

#[wasm_bindgen]
impl Lenet {
    /// Loads a weights file (`weights/lenet5.nnw`); a truncated or corrupted file is an error.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> Result<Lenet> {
        let net = weights::decode(bytes)?;
        Ok(Lenet {
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
        let n = whole("n", n, 1, 4096)?;
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
    /// For max pooling, the winner of each S2 / S4 unit: a flat index into that image's C1 / C3.
    #[wasm_bindgen(js_name = argS2)]
    pub fn arg_s2(&self) -> Uint32Array {
        view_u32(&self.acts.arg2)
    }
    #[wasm_bindgen(js_name = argS4)]
    pub fn arg_s4(&self) -> Uint32Array {
        view_u32(&self.acts.arg4)
    }

    /// A copy of a parameter tensor by PyTorch name ("conv1.weight", "fc3.bias", …): a
    /// copy, so that writing into it cannot change one layout of the weights and not the
    /// other.
    pub fn param(&self, name: &str) -> Result<Vec<f32>> {
        let names: Vec<&str> = lenet5::PARAMS.iter().map(|(n, _)| *n).collect();
        match self.net.param(name) {
            Some(p) => Ok(p.to_vec()),
            None => bail!(
                "LeNet-5 has no parameter {name:?}; it has {}",
                names.join(", ")
            ),
        }
    }

    /// How unit `unit` of `layer` ("c1", "s2", "c3", "s4", "f5", "f6", "logits") got its
    /// value for the last image: [bias, sum before the activation, value, then (index into
    /// the layer below, its value, weight) per product; the weight is 1 for pooled cells].
    pub fn explain(&self, layer: &str, unit: f64) -> Result<Vec<f32>> {
        let e = self
            .net
            .explain(&self.acts, layer, whole("unit", unit, 0, 4703)?)?;
        let mut out = vec![e.bias, e.pre, e.value];
        out.extend(e.terms.iter().flat_map(|&(i, x, w)| [i as f32, x, w]));
        Ok(out)
    }

    /// "relu" or "tanh".
    #[wasm_bindgen(getter)]
    pub fn activation(&self) -> String {
        format!("{:?}", self.net.act).to_lowercase()
    }

    /// "max" or "avg".
    #[wasm_bindgen(getter)]
    pub fn pooling(&self) -> String {
        format!("{:?}", self.net.pool).to_lowercase()
    }
}

/// LeNet-5 training on MNIST, advanced a few steps per call so a Web Worker can report
/// progress and answer pause/resume between calls.
#[wasm_bindgen]
pub struct LenetTrainer {
    trainer: Trainer,
    rng: Rng,
    train: Option<Mnist>,
    test: Option<Mnist>,
    batch: usize,
    epochs: usize,
    lr: f32,
    order: Vec<usize>,
    pos: usize,
    epoch: usize,
    step: usize,
    x: Vec<f32>,
    labels: Vec<u8>,
    last_loss: f32,
    last_accuracy: f32,
}

#[wasm_bindgen]
impl LenetTrainer {
    /// A fresh ReLU / max-pool LeNet-5 from `seed`; Adam with learning rate `lr`, cosine
    /// decay over `epochs`, batches of `batch` images shifted by up to 2 pixels.
    #[wasm_bindgen(constructor)]
    pub fn new(seed: f64, batch: f64, lr: f64, epochs: f64) -> Result<LenetTrainer> {
        let seed = whole("seed", seed, 0, u32::MAX as usize)? as u64;
        let batch = whole("batch", batch, 1, 1024)?;
        let epochs = whole("epochs", epochs, 1, 1000)?;
        if !(lr.is_finite() && lr > 0.0 && lr <= 1.0) {
            bail!("learning rate must be above 0 and at most 1, got {lr}");
        }
        let mut rng = Rng::new(seed);
        let net = LeNet5::init(
            rng.next_u64(),
            crate::cnn::activation::Activation::Relu,
            lenet5::Pool::Max,
        );
        let mut trainer = Trainer::new(net, lr as f32, 1);
        trainer.opt.weight_decay = 1e-4;
        Ok(LenetTrainer {
            trainer,
            rng,
            train: None,
            test: None,
            batch,
            epochs,
            lr: lr as f32,
            order: Vec::new(),
            pos: 0,
            epoch: 0,
            step: 0,
            x: vec![0.0; batch * IMAGE],
            labels: vec![0; batch],
            last_loss: f32::NAN,
            last_accuracy: f32::NAN,
        })
    }

    /// The training set as the two IDX files' bytes; malformed files are errors.
    #[wasm_bindgen(js_name = setTrainData)]
    pub fn set_train_data(&mut self, images: &[u8], labels: &[u8]) -> Result<()> {
        let m = Mnist::from_idx(images, labels)?;
        self.order = (0..m.len()).collect();
        self.pos = m.len(); // shuffle before the first step
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
        let steps = whole("steps", steps, 1, 1_000_000)?;
        let Some(train) = self.train.as_ref() else {
            bail!("no training data yet: call setTrainData first")
        };
        let per_epoch = train.len().div_ceil(self.batch);
        let total = per_epoch * self.epochs;
        let mut ran = 0;
        while ran < steps && self.step < total {
            if self.pos >= self.order.len() {
                for i in (1..self.order.len()).rev() {
                    self.order.swap(i, self.rng.below(i + 1));
                }
                self.pos = 0;
            }
            let idx = &self.order[self.pos..(self.pos + self.batch).min(self.order.len())];
            let k = idx.len();
            train.batch(
                idx,
                Some((&mut self.rng, 2)),
                &mut self.x[..k * IMAGE],
                &mut self.labels[..k],
            );
            self.trainer.opt.lr = self.lr
                * 0.5
                * (1.0 + (std::f32::consts::PI * self.step as f32 / total as f32).cos());
            let (loss, right) = self.trainer.step(&self.x[..k * IMAGE], &self.labels[..k]);
            (self.last_loss, self.last_accuracy) = (loss, right as f32 / k as f32);
            self.pos += k;
            self.step += 1;
            self.epoch = self.step / per_epoch;
            ran += 1;
        }
        Ok(ran as u32)
    }

    /// Accuracy on the first `count` test images (all of them if `count` is larger).
    pub fn evaluate(&self, count: f64) -> Result<f64> {
        let Some(test) = self.test.as_ref() else {
            bail!("no test data yet: call setTestData first")
        };
        let count = whole("count", count, 1, usize::MAX)?.min(test.len());
        let mut acts = Activations::default();
        let (mut x, mut labels) = (vec![0.0; 250 * IMAGE], vec![0u8; 250]);
        let idx: Vec<usize> = (0..count).collect();
        let mut right = 0;
        for chunk in idx.chunks(250) {
            let k = chunk.len();
            test.batch(chunk, None, &mut x[..k * IMAGE], &mut labels[..k]);
            self.trainer.net.forward(&x[..k * IMAGE], k, &mut acts);
            right += correct(&acts.logits, &labels[..k]);
        }
        Ok(right as f64 / count as f64)
    }

    /// The network as a weights file, for `Lenet.fromBytes` (the drawing view).
    pub fn weights(&self) -> Vec<u8> {
        weights::encode(&self.trainer.net)
    }

    #[wasm_bindgen(getter)]
    pub fn loss(&self) -> f32 {
        self.last_loss
    }
    /// Fraction right in the last batch (before its update).
    #[wasm_bindgen(getter, js_name = batchAccuracy)]
    pub fn batch_accuracy(&self) -> f32 {
        self.last_accuracy
    }
    #[wasm_bindgen(getter)]
    pub fn seen(&self) -> f64 {
        self.trainer.seen as f64
    }
    #[wasm_bindgen(getter)]
    pub fn epoch(&self) -> u32 {
        self.epoch as u32
    }
    #[wasm_bindgen(getter)]
    pub fn step(&self) -> u32 {
        self.step as u32
    }
    /// Steps in the whole run (epochs × batches per epoch); 0 before data is set.
    #[wasm_bindgen(getter, js_name = totalSteps)]
    pub fn total_steps(&self) -> u32 {
        self.train
            .as_ref()
            .map_or(0, |t| (t.len().div_ceil(self.batch) * self.epochs) as u32)
    }
}
