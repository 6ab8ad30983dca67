//! The character model's loss at a few chosen positions only: the next character is scored
//! where a task asks a question (after 流利的 in the long-range experiment) and nowhere else,
//! and the gradient flows back from there alone, through time, to every input character.
//! Only the chosen rows pass the output layer ([V, H] products for a handful of rows instead
//! of T·N), which at V = 500 and H = 64 is most of a whole-sequence step's work saved.

use super::{CharLm, State};
use crate::kernels::{fast, scalar};
use crate::params::Named;
use crate::train::argmax;
use crate::{bail, Result};

/// One scored prediction: after reading step `step` of sequence `seq` (time-major [T, N]),
/// the next character should be `id`; its −ln p counts `weight` times in the loss.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    pub step: usize,
    pub seq: usize,
    pub id: u32,
    pub weight: f32,
}

/// What [`CharLm::loss_at`] computed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scored {
    /// Σ weight · (−ln p(target)), in f64.
    pub sum: f64,
    /// Per target: ln p(target) and the most probable character (argmax over the
    /// vocabulary, ties to the lower id).
    pub log_probs: Vec<f32>,
    pub predicted: Vec<u32>,
    /// dLoss/dx [T, N, E], the gradient at every step's embedded input (empty when no
    /// backward pass ran).
    pub dx: Vec<f32>,
}

impl CharLm {
    /// The weighted loss of `targets` for `tokens` [T, N] from `state`; with `grads`, adds
    /// the gradient of that loss there (flat, in the table's layout). Nothing outside the
    /// targets is scored, so padding after a sequence's last target changes nothing.
    #[allow(clippy::too_many_arguments)] // the ids, their sizes, the state, targets, output
    pub fn loss_at(
        &self,
        tokens: &[u32],
        t: usize,
        n: usize,
        state: &State,
        targets: &[Target],
        grads: Option<&mut [f32]>,
    ) -> Result<Scored> {
        self.validate()?;
        self.check_input(tokens, t, n, state)?;
        self.check_targets(targets, t, n)?;
        if let Some(g) = &grads {
            if g.len() != self.table().numel() {
                bail!(
                    "the gradient buffer has {} numbers; this model has {} parameters",
                    g.len(),
                    self.table().numel()
                );
            }
        }
        let backward = grads.is_some();
        Ok(self.loss_at_checked(tokens, t, n, state, targets, grads, backward))
    }

    /// Each target inside [T, N], its id below V, its weight finite.
    pub(crate) fn check_targets(&self, targets: &[Target], t: usize, n: usize) -> Result<()> {
        let v = self.vocab_size();
        for (i, g) in targets.iter().enumerate() {
            if g.step >= t || g.seq >= n {
                bail!(
                    "target {i} is at step {} of sequence {}, outside the [T, N] = [{t}, {n}] input",
                    g.step,
                    g.seq
                );
            }
            if g.id as usize >= v {
                bail!(
                    "target {i} is character id {}, but the vocabulary has ids 0 to {}",
                    g.id,
                    v - 1
                );
            }
            if !g.weight.is_finite() {
                bail!("target {i}'s weight is {}; it must be finite", g.weight);
            }
        }
        Ok(())
    }

    /// As [`CharLm::loss_at`] for checked inputs; `backward` runs the backward pass (for
    /// `dx`) even without `grads`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn loss_at_checked(
        &self,
        tokens: &[u32],
        t: usize,
        n: usize,
        state: &State,
        targets: &[Target],
        grads: Option<&mut [f32]>,
        backward: bool,
    ) -> Scored {
        let (v, h) = (self.vocab_size(), self.hidden());
        let x = self.embed(tokens);
        let rnn = self.rnn.forward(&x, t, n, &state.h, &state.c);
        let m = targets.len();
        // ys: [m, H], the top layer's state at each target's step.
        let mut ys = Vec::with_capacity(m * h);
        for g in targets {
            ys.extend_from_slice(&rnn.y[(g.step * n + g.seq) * h..][..h]);
        }
        let logits = if m == 0 {
            Vec::new()
        } else {
            self.output_layer(&ys, m)
        };
        let mut lp = vec![0.0; m * v];
        scalar::log_softmax(&mut lp, &logits, v);
        let mut out = Scored::default();
        // dL/dlogits = weight · (softmax − one-hot), row by row.
        let mut dlogits = vec![0.0; m * v];
        for (i, g) in targets.iter().enumerate() {
            let row = &lp[i * v..][..v];
            let p = row[g.id as usize];
            out.sum -= f64::from(g.weight) * f64::from(p);
            out.log_probs.push(p);
            out.predicted.push(argmax(&logits[i * v..][..v]) as u32);
            let d = &mut dlogits[i * v..][..v];
            d.iter_mut()
                .zip(row)
                .for_each(|(d, &l)| *d = g.weight * l.exp());
            d[g.id as usize] -= g.weight;
        }
        if !backward && grads.is_none() {
            return out;
        }
        let mut dys = vec![0.0; m * h];
        fast::gemm_nn(&mut dys, &dlogits, self.out_weight(), m, v, h);
        let mut dy = vec![0.0; t * n * h];
        for (g, d) in targets.iter().zip(dys.chunks_exact(h)) {
            let row = &mut dy[(g.step * n + g.seq) * h..][..h];
            row.iter_mut().zip(d).for_each(|(a, b)| *a += b);
        }
        let back = self
            .rnn
            .backward(&rnn, t, n, &state.h, &state.c, &dy, &[], &[]);
        if let Some(grads) = grads {
            self.add_grads(grads, &dlogits, &ys, m, &back, tokens);
        }
        out.dx = back.x;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use crate::rnn::Cell;

    /// Scoring every position with weight w is the whole-sequence loss with weight w: the
    /// same sum and the same gradient (that one is held to central differences of an f64
    /// re-implementation in `lm/tests.rs`), and padding after the targets changes nothing.
    #[test]
    fn every_position_scored_is_the_plain_loss() {
        let chars: Vec<char> = "abcdefg".chars().collect();
        let cells = crate::lm::tests::cells();
        for (c, cell) in cells.into_iter().enumerate() {
            let lm = CharLm::new(&chars, cell, 5, 6, 2, 3 + c as u64).unwrap();
            let (t, n) = (6, 3);
            let mut rng = Rng::new(7);
            let tokens: Vec<u32> = (0..t * n).map(|_| rng.below(8) as u32).collect();
            let next: Vec<u32> = (0..t * n).map(|_| rng.below(8) as u32).collect();
            let state = lm.zero_state(n);
            let w = 1.0 / (t * n) as f32;
            let numel = lm.table().numel();
            let mut want = vec![0.0; numel];
            let plain = lm
                .loss(&tokens, &next, t, n, &state, w, Some(&mut want))
                .unwrap();
            let targets: Vec<Target> = (0..t * n)
                .map(|k| Target {
                    step: k / n,
                    seq: k % n,
                    id: next[k],
                    weight: w,
                })
                .collect();
            let mut got = vec![0.0; numel];
            let s = lm
                .loss_at(&tokens, t, n, &state, &targets, Some(&mut got))
                .unwrap();
            assert!((s.sum - plain.sum * f64::from(w)).abs() < 1e-5);
            let diff = got
                .iter()
                .zip(&want)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f32::max);
            assert!(diff < 1e-5, "{cell:?}: gradients differ by {diff}");
            // Only the first 4 steps scored; steps 4 and 5 are padding, set to anything.
            let early: Vec<Target> = targets.iter().copied().filter(|g| g.step < 4).collect();
            let a = lm.loss_at(&tokens, t, n, &state, &early, None).unwrap();
            let mut padded = tokens.clone();
            padded[4 * n..].fill(0);
            let b = lm.loss_at(&padded, t, n, &state, &early, None).unwrap();
            assert_eq!(a.log_probs, b.log_probs);
        }
    }

    /// At the long-range experiment's sizes (H 64, E 32, a batch of 32, one target per
    /// sequence near its end), random entries of every tensor's gradient against central
    /// differences of the loss (the packed many-row kernels run here, not the small ones).
    #[test]
    fn gradients_at_training_sizes_match_finite_differences() {
        let chars: Vec<char> = (0..60)
            .map(|i| char::from_u32(0x4e00 + i).unwrap())
            .collect();
        let cells = crate::lm::tests::cells();
        for cell in cells {
            let mut lm = CharLm::new(&chars, cell, 32, 64, 1, 3).unwrap();
            let (t, n) = (20, 32);
            let mut rng = Rng::new(7);
            let tokens: Vec<u32> = (0..t * n).map(|_| rng.below(61) as u32).collect();
            let targets: Vec<Target> = (0..n)
                .map(|j| Target {
                    step: t - 3 + j % 3,
                    seq: j,
                    id: rng.below(61) as u32,
                    weight: 1.0,
                })
                .collect();
            let state = lm.zero_state(n);
            let table = lm.table();
            let mut g = vec![0.0; table.numel()];
            lm.loss_at(&tokens, t, n, &state, &targets, Some(&mut g))
                .unwrap();
            let mut flat: Vec<f32> = lm.tensors().concat();
            let loss_with = |flat: &[f32], lm: &mut CharLm| {
                for (dst, src) in lm.tensors_mut().into_iter().zip(table.split(flat)) {
                    dst.copy_from_slice(src);
                }
                lm.loss_at(&tokens, t, n, &state, &targets, None)
                    .unwrap()
                    .sum
            };
            for p in table.params() {
                let r = table.range(&p.name).unwrap();
                for _ in 0..6 {
                    let i = r.start + rng.below(r.len());
                    let (orig, eps) = (flat[i], 1e-2);
                    flat[i] = orig + eps;
                    let a = loss_with(&flat, &mut lm);
                    flat[i] = orig - eps;
                    let b = loss_with(&flat, &mut lm);
                    flat[i] = orig;
                    let fd = (a - b) / (2.0 * f64::from(eps));
                    let err = (fd - f64::from(g[i])).abs() / (1e-2 + fd.abs());
                    assert!(
                        err < 0.05,
                        "{cell:?} {}: {} against finite differences {fd}",
                        p.name,
                        g[i]
                    );
                }
            }
        }
    }

    #[test]
    fn targets_outside_the_input_are_refused() {
        let lm = CharLm::new(&['a', 'b'], Cell::Gru, 2, 3, 1, 1).unwrap();
        let bad = Target {
            step: 2,
            seq: 0,
            id: 1,
            weight: 1.0,
        };
        let e = lm
            .loss_at(&[1, 2], 2, 1, &lm.zero_state(1), &[bad], None)
            .unwrap_err();
        assert!(e.message().contains("outside"), "{e}");
        let bad = Target {
            step: 0,
            id: 3,
            ..bad
        };
        let e = lm
            .loss_at(&[1, 2], 2, 1, &lm.zero_state(1), &[bad], None)
            .unwrap_err();
        assert!(e.message().contains("ids 0 to 2"), "{e}");
    }
}
