//! How much each character read moves one prediction: the norm of the gradient of
//! ln p(character | what came before) with respect to every earlier character's embedded
//! input, by backpropagation through time. The page's "how far back it looks" strip draws
//! these norms; in the long-range experiment the prediction is the language after 流利的,
//! and an Elman net's norms fade over the gap where a gated net's reach the country.

use super::positions::Target;
use super::CharLm;
use crate::train::argmax;
use crate::{bail, Result};

/// The influence of every input character on one prediction.
#[derive(Debug, Clone, PartialEq)]
pub struct Influence {
    /// The character whose log-probability was differentiated (the given one, or the most
    /// probable one when none was given).
    pub target: u32,
    /// ln p(target) after reading `tokens[..=at]`.
    pub log_prob: f32,
    /// Per input character s: ‖∂ ln p(target) / ∂ x_s‖, x_s its embedding row as the
    /// recurrent layers read it; zero for characters after `at`, which cannot matter.
    pub norms: Vec<f32>,
}

impl CharLm {
    /// The influence of each of `tokens` (one sequence, from zero states) on the prediction
    /// made after reading `tokens[at]`, of `target` or, when `None`, of the most probable
    /// next character.
    pub fn influence(&self, tokens: &[u32], at: usize, target: Option<u32>) -> Result<Influence> {
        if at >= tokens.len() {
            bail!(
                "the prediction to explain is after character {at}, but the text has {} characters (positions 0 to {})",
                tokens.len(),
                tokens.len().saturating_sub(1)
            );
        }
        // Characters after `at` cannot change the prediction: they are not read.
        let t = at + 1;
        let read = &tokens[..t];
        let state = self.zero_state(1);
        self.validate()?;
        self.check_input(read, t, 1, &state)?;
        let id = match target {
            Some(id) => id,
            None => {
                let f = self.forward_checked(read, t, 1, &state);
                let v = self.vocab_size();
                argmax(&f.logits[at * v..][..v]) as u32
            }
        };
        let goal = [Target {
            step: at,
            seq: 0,
            id,
            weight: -1.0,
        }];
        self.check_targets(&goal, t, 1)?;
        // weight −1: the "loss" is +ln p, so dx is its gradient.
        let s = self.loss_at_checked(read, t, 1, &state, &goal, None, true);
        let e = self.emb_dim;
        let mut norms: Vec<f32> =
            s.dx.chunks_exact(e)
                .map(|g| g.iter().map(|v| v * v).sum::<f32>().sqrt())
                .collect();
        norms.resize(tokens.len(), 0.0);
        Ok(Influence {
            target: id,
            log_prob: s.log_probs[0],
            norms,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::scalar;
    use crate::rng::Rng;
    use crate::rnn::Cell;

    /// ln p(target) after step `at` for embedded inputs `x` [T, 1, E] given directly.
    fn log_prob(lm: &CharLm, x: &[f32], at: usize, target: u32) -> f64 {
        let (h, v) = (lm.hidden(), lm.vocab_size());
        let t = x.len() / lm.emb_dim;
        let s = lm.zero_state(1);
        let out = lm.rnn.forward(x, t, 1, &s.h, &s.c);
        let logits = lm.output_layer(&out.y[at * h..][..h], 1);
        let mut lp = vec![0.0; v];
        scalar::log_softmax(&mut lp, &logits, v);
        f64::from(lp[target as usize])
    }

    /// Every component of ∂ ln p / ∂ x_s against central differences, for each cell and for
    /// a prediction in the middle of the text (so later characters must get zero).
    #[test]
    fn norms_match_finite_differences() {
        let chars: Vec<char> = "abcde".chars().collect();
        let cells = crate::lm::tests::cells();
        for (c, cell) in cells.into_iter().enumerate() {
            let lm = CharLm::new(&chars, cell, 4, 5, 2, 11 + c as u64).unwrap();
            let tokens = [1, 3, 0, 5, 2, 2, 4, 1];
            let at = 5;
            for target in [None, Some(2)] {
                let inf = lm.influence(&tokens, at, target).unwrap();
                assert_eq!(inf.norms.len(), tokens.len());
                assert!(inf.norms[at + 1..].iter().all(|&v| v == 0.0));
                if let Some(id) = target {
                    assert_eq!(inf.target, id);
                }
                let e = lm.emb_dim;
                let x = lm.embed(&tokens[..=at]);
                let want = log_prob(&lm, &x, at, inf.target);
                assert!((want - f64::from(inf.log_prob)).abs() < 1e-5);
                let eps = 1e-2;
                for s in 0..=at {
                    let mut fd = Vec::new();
                    for j in 0..e {
                        let (mut plus, mut minus) = (x.clone(), x.clone());
                        plus[s * e + j] += eps;
                        minus[s * e + j] -= eps;
                        fd.push(
                            (log_prob(&lm, &plus, at, inf.target)
                                - log_prob(&lm, &minus, at, inf.target))
                                / (2.0 * f64::from(eps)),
                        );
                    }
                    let norm = fd.iter().map(|v| v * v).sum::<f64>().sqrt();
                    let got = f64::from(inf.norms[s]);
                    assert!(
                        (norm - got).abs() < 2e-3 + 2e-2 * norm,
                        "{cell:?} step {s}: {got} vs finite differences {norm}"
                    );
                }
            }
        }
    }

    /// The prediction explained by default is the argmax, and bad positions are sentences.
    #[test]
    fn default_target_is_the_most_probable_and_errors_read() {
        let lm = CharLm::new(&['x', 'y', 'z'], Cell::Gru, 3, 4, 1, 5).unwrap();
        let mut rng = Rng::new(1);
        let tokens: Vec<u32> = (0..6).map(|_| rng.below(4) as u32).collect();
        let inf = lm.influence(&tokens, 3, None).unwrap();
        for id in 0..4 {
            let other = lm.influence(&tokens, 3, Some(id)).unwrap();
            assert!(other.log_prob <= inf.log_prob);
        }
        let e = lm.influence(&tokens, 6, None).unwrap_err();
        assert!(e.message().contains("positions 0 to 5"), "{e}");
        let e = lm.influence(&tokens, 2, Some(9)).unwrap_err();
        assert!(e.message().contains("ids 0 to 3"), "{e}");
    }
}
