//! The optimisers, over a network's named tensors and a flat gradient in its table's layout:
//! Adam with decoupled weight decay (AdamW, Loshchilov & Hutter 2019) and SGD with momentum
//! as PyTorch's `torch.optim.SGD` defines it. Weight decay applies to tensors of two or more
//! axes (weights, embeddings), never to biases.

use crate::params::Table;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    /// Kingma & Ba 2015, with bias correction.
    Adam { beta1: f32, beta2: f32, eps: f32 },
    /// buf = momentum · buf + (g + wd · p), p -= lr · buf (buf = g + wd · p on the first step).
    Sgd { momentum: f32 },
}

impl Method {
    pub const ADAM: Method = Method::Adam {
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
    };
}

#[derive(Debug, Clone)]
pub struct Optimizer {
    pub method: Method,
    pub weight_decay: f32,
    /// Adam's first moment, or SGD's momentum buffer; flat, in table order.
    m: Vec<f32>,
    /// Adam's second moment (empty for SGD).
    v: Vec<f32>,
    /// Steps taken.
    t: i32,
}

impl Optimizer {
    pub fn new(method: Method, weight_decay: f32, numel: usize) -> Optimizer {
        let v = match method {
            Method::Adam { .. } => vec![0.0; numel],
            Method::Sgd { .. } => Vec::new(),
        };
        Optimizer {
            method,
            weight_decay,
            m: vec![0.0; numel],
            v,
            t: 0,
        }
    }

    pub fn steps(&self) -> i32 {
        self.t
    }

    /// One update of `params` (the network's tensors, in `table` order) by `grads` (flat)
    /// with learning rate `lr`.
    pub fn step(&mut self, table: &Table, params: Vec<&mut [f32]>, grads: &[f32], lr: f32) {
        self.t += 1;
        for (i, p) in params.into_iter().enumerate() {
            let r = table.range_at(i);
            let decay = if table.params()[i].shape.len() > 1 {
                self.weight_decay
            } else {
                0.0
            };
            let (g, m) = (&grads[r.clone()], &mut self.m[r.clone()]);
            match self.method {
                Method::Adam { beta1, beta2, eps } => {
                    let (c1, c2) = (1.0 - beta1.powi(self.t), 1.0 - beta2.powi(self.t));
                    adam(
                        p,
                        g,
                        m,
                        &mut self.v[r],
                        [beta1, beta2, eps, c1, c2],
                        lr,
                        decay,
                    );
                }
                Method::Sgd { momentum } => {
                    for ((p, &g), b) in p.iter_mut().zip(g).zip(m.iter_mut()) {
                        let d = g + decay * *p;
                        *b = if self.t == 1 { d } else { momentum * *b + d };
                        *p -= lr * *b;
                    }
                }
            }
        }
    }
}

/// One tensor's Adam update; `k` = [beta1, beta2, eps, 1 - beta1^t, 1 - beta2^t].
fn adam(p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], k: [f32; 5], lr: f32, decay: f32) {
    let [beta1, beta2, eps, c1, c2] = k;
    for i in 0..p.len() {
        m[i] = beta1 * m[i] + (1.0 - beta1) * g[i];
        v[i] = beta2 * v[i] + (1.0 - beta2) * g[i] * g[i];
        let update = (m[i] / c1) / ((v[i] / c2).sqrt() + eps);
        if decay != 0.0 {
            p[i] -= lr * decay * p[i];
        }
        p[i] -= lr * update;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        let mut t = Table::new();
        t.push("w", &[1, 2]);
        t.push("b", &[1]);
        t
    }

    /// Adam's first step moves every parameter by lr against its gradient's sign (bias
    /// correction makes m/√v = ±1), weights also decay and biases do not.
    #[test]
    fn adams_first_step_is_lr_times_the_sign() {
        let mut p = [1.0f32, -2.0, 0.5];
        let mut opt = Optimizer::new(Method::ADAM, 0.1, 3);
        let (w, b) = p.split_at_mut(2);
        opt.step(&table(), vec![w, b], &[0.3, -4.0, 2.0], 0.01);
        let want = [
            1.0 - 0.01 * 0.1 - 0.01,
            -2.0 + 0.01 * 0.1 * 2.0 + 0.01,
            0.5 - 0.01,
        ];
        for (a, b) in p.iter().zip(want) {
            assert!((a - b).abs() < 1e-6, "{a} vs {b}");
        }
    }

    /// SGD with momentum follows PyTorch's recurrence, and both optimisers find the minimum
    /// of a quadratic.
    #[test]
    fn both_minimise_a_quadratic() {
        for method in [Method::ADAM, Method::Sgd { momentum: 0.9 }] {
            let mut p = vec![3.0f32, -1.0, 2.0];
            let mut opt = Optimizer::new(method, 0.0, 3);
            for _ in 0..500 {
                // loss = Σ (p - 1)², gradient 2 (p - 1).
                let g: Vec<f32> = p.iter().map(|x| 2.0 * (x - 1.0)).collect();
                let (w, b) = p.split_at_mut(2);
                opt.step(&table(), vec![w, b], &g, 0.02);
            }
            assert!(
                p.iter().all(|x| (x - 1.0).abs() < 1e-2),
                "{method:?}: {p:?}"
            );
        }
        let mut p = vec![0.0f32, 0.0, 0.0];
        let mut opt = Optimizer::new(Method::Sgd { momentum: 0.5 }, 0.0, 3);
        for _ in 0..2 {
            let (w, b) = p.split_at_mut(2);
            opt.step(&table(), vec![w, b], &[1.0, 1.0, 1.0], 0.1);
        }
        // buf 1 then 1.5: p = -0.1 - 0.15.
        assert!((p[0] + 0.25).abs() < 1e-6, "{p:?}");
    }
}
