//! Training LeNet-5: mini-batch Adam on softmax cross-entropy, the batch split across
//! threads natively (each thread a slice of the batch, gradients summed in a fixed order, so
//! a seed and thread count give bit-for-bit the same run) and on one thread in wasm.

use crate::cnn::lenet5::{Activations, Grads, LeNet5, CLASSES, IMAGE, N_PARAMS};

/// Adam (Kingma & Ba 2015) with decoupled weight decay on the weights (AdamW).
#[derive(Debug, Clone)]
pub struct Adam {
    pub lr: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub eps: f32,
    pub weight_decay: f32,
    m: Vec<f32>,
    v: Vec<f32>,
    t: i32,
}

impl Adam {
    pub fn new(lr: f32, n: usize) -> Self {
        Adam {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            m: vec![0.0; n],
            v: vec![0.0; n],
            t: 0,
        }
    }

    pub fn step(&mut self, params: &mut [f32], grads: &[f32], decay_mask: &[bool]) {
        self.t += 1;
        let c1 = 1.0 - self.beta1.powi(self.t);
        let c2 = 1.0 - self.beta2.powi(self.t);
        for i in 0..params.len() {
            let g = grads[i];
            self.m[i] = self.beta1 * self.m[i] + (1.0 - self.beta1) * g;
            self.v[i] = self.beta2 * self.v[i] + (1.0 - self.beta2) * g * g;
            let update = (self.m[i] / c1) / ((self.v[i] / c2).sqrt() + self.eps);
            if decay_mask[i] {
                params[i] -= self.lr * self.weight_decay * params[i];
            }
            params[i] -= self.lr * update;
        }
    }
}

/// One thread's share of a batch: its activations and gradient scratch.
struct Part {
    acts: Activations,
    grads: Grads,
}

pub struct Trainer {
    pub net: LeNet5,
    pub opt: Adam,
    parts: Vec<Part>,
    decay_mask: Vec<bool>,
    /// Images seen so far.
    pub seen: u64,
}

impl Trainer {
    /// `threads` parts per batch (1 in wasm).
    pub fn new(net: LeNet5, lr: f32, threads: usize) -> Self {
        let parts = (0..threads.max(1))
            .map(|_| Part {
                acts: Activations::default(),
                grads: Grads::new(1),
            })
            .collect();
        // Decay weights, not biases (biases are the 1-D tensors).
        let mut decay_mask = vec![false; N_PARAMS];
        for (i, (_, shape)) in crate::cnn::lenet5::PARAMS.iter().enumerate() {
            let start = crate::cnn::lenet5::offset(i);
            let len: usize = shape.iter().product();
            decay_mask[start..start + len].fill(shape.len() > 1);
        }
        Trainer {
            net,
            opt: Adam::new(lr, N_PARAMS),
            parts,
            decay_mask,
            seen: 0,
        }
    }

    /// One optimisation step on x: [n, 784], labels: [n]; returns the batch's mean loss and
    /// how many it classified right (before the update).
    pub fn step(&mut self, x: &[f32], labels: &[u8]) -> (f32, usize) {
        let n = labels.len();
        let k = self.parts.len().min(n);
        let chunk = n.div_ceil(k);
        let net = &self.net;
        let work = |(i, part): (usize, &mut Part)| -> (f32, usize) {
            let lo = (i * chunk).min(n);
            let hi = ((i + 1) * chunk).min(n);
            part.grads.params.fill(0.0);
            if lo == hi {
                return (0.0, 0);
            }
            net.forward(&x[lo * IMAGE..hi * IMAGE], hi - lo, &mut part.acts);
            let right = correct(&part.acts.logits, &labels[lo..hi]);
            (
                net.backward_scaled(&part.acts, &labels[lo..hi], &mut part.grads, n),
                right,
            )
        };
        #[cfg(not(target_arch = "wasm32"))]
        let results: Vec<(f32, usize)> = if k > 1 {
            std::thread::scope(|s| {
                let handles: Vec<_> = self.parts[..k]
                    .iter_mut()
                    .enumerate()
                    .map(|p| s.spawn(move || work(p)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().expect("training thread panicked"))
                    .collect()
            })
        } else {
            self.parts[..1].iter_mut().enumerate().map(work).collect()
        };
        #[cfg(target_arch = "wasm32")]
        let results: Vec<(f32, usize)> = self.parts[..k].iter_mut().enumerate().map(work).collect();
        // Sum the parts' gradients in a fixed order: the same seed and thread count give the
        // same bits.
        let (first, rest) = self.parts.split_at_mut(1);
        for part in &rest[..k - 1] {
            for (a, b) in first[0].grads.params.iter_mut().zip(&part.grads.params) {
                *a += b;
            }
        }
        self.opt.step(
            &mut self.net.params,
            &first[0].grads.params,
            &self.decay_mask,
        );
        self.seen += n as u64;
        results
            .iter()
            .fold((0.0, 0), |(l, r), &(pl, pr)| (l + pl, r + pr))
    }
}

/// How many rows of logits: [n, 10] have their largest entry at the label.
pub fn correct(logits: &[f32], labels: &[u8]) -> usize {
    logits
        .chunks_exact(CLASSES)
        .zip(labels)
        .filter(|(z, &l)| argmax(z) == l as usize)
        .count()
}

/// How many rows of logits: [n, 4] have their largest entry at the tag.
pub fn correct4(logits: &[f32], tags: &[u8]) -> usize {
    logits
        .chunks_exact(4)
        .zip(tags)
        .filter(|(z, &l)| argmax(z) == l as usize)
        .count()
}

pub fn argmax(z: &[f32]) -> usize {
    z.iter()
        .enumerate()
        .fold(0, |best, (i, &v)| if v > z[best] { i } else { best })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cnn::activation::Activation;
    use crate::cnn::lenet5::Pool;
    use crate::rng::Rng;

    /// A learnable toy problem (class = which quarter of the image is bright) must be learnt
    /// in a few dozen steps, and threads must not change a single bit of the result.
    #[test]
    fn learns_a_toy_task_and_threads_do_not_change_the_result() {
        let mut rng = Rng::new(2);
        let n = 16;
        let mut x = vec![0.0; n * IMAGE];
        let labels: Vec<u8> = (0..n).map(|i| (i % 4) as u8).collect();
        for (i, &l) in labels.iter().enumerate() {
            let (oy, ox) = ((l as usize / 2) * 14, (l as usize % 2) * 14);
            for y in 0..14 {
                for xx in 0..14 {
                    x[i * IMAGE + (oy + y) * 28 + ox + xx] = 0.5 + 0.5 * rng.uniform();
                }
            }
        }
        let run = |threads| {
            let mut t = Trainer::new(LeNet5::init(3, Activation::Relu, Pool::Max), 2e-3, threads);
            let mut last = (0.0, 0);
            for _ in 0..30 {
                last = t.step(&x, &labels);
            }
            (t.net.params, last)
        };
        let (p1, (loss, right)) = run(1);
        let (p2, _) = run(2);
        assert!(loss < 0.1 && right == n, "loss {loss}, {right}/{n} right");
        let diff = p1
            .iter()
            .zip(&p2)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(diff < 1e-5, "threads changed the parameters by {diff}");
    }
}
