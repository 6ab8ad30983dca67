//! Choosing the next character from the model's scores: softmax at a temperature (below 1
//! sharper, above 1 flatter), optionally only among the k most likely characters, drawn
//! with the seeded generator so that a seed always writes the same text.

use super::Stepper;
use crate::rng::Rng;
use crate::shape::MAX_GENERATE;
use crate::{bail, Result};

/// How to draw the next character.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sampling {
    /// Divides the scores before the softmax; > 0. Kept in f64 so that a tiny temperature
    /// still divides by a positive number (in f32, 1e-50 would be 0).
    temperature: f64,
    /// Only the k highest scores may be drawn (`None`: any character).
    top_k: Option<usize>,
}

impl Sampling {
    /// Checks the settings for a vocabulary of `vocab` characters.
    pub fn new(temperature: f64, top_k: Option<usize>, vocab: usize) -> Result<Sampling> {
        if !(temperature.is_finite() && temperature > 0.0) {
            bail!(
                "the temperature must be a number above 0 (1 samples the model as it is, smaller is bolder toward the likeliest characters), got {}",
                crate::error::number(temperature)
            );
        }
        if let Some(k) = top_k {
            if k == 0 || k > vocab {
                bail!("top-k must be from 1 (always the likeliest character) to {vocab} (the vocabulary's size), got {k}");
            }
        }
        Ok(Sampling { temperature, top_k })
    }

    pub fn temperature(&self) -> f64 {
        self.temperature
    }

    pub fn top_k(&self) -> Option<usize> {
        self.top_k
    }

    /// The weights the draw uses, one per character: exp((z - max z) / temperature) for the
    /// top k (ties broken toward the lower id, as `argmax` breaks them), 0 for the rest. The
    /// likeliest character's weight is 1, so the sum is at least 1.
    ///
    /// Id 0, the unknown symbol, is never drawn when there is anything else: it stands for
    /// every rare character at once, and written out it would be no character at all.
    fn weights(&self, logits: &[f32]) -> Vec<f64> {
        let unknown = |j: usize| j == 0 && logits.len() > 1;
        let max = logits
            .iter()
            .enumerate()
            .filter(|&(j, _)| !unknown(j))
            .fold(f32::NEG_INFINITY, |m, (_, &z)| m.max(z));
        let mut w: Vec<f64> = logits
            .iter()
            .enumerate()
            .map(|(j, &z)| {
                if unknown(j) {
                    0.0
                } else {
                    ((f64::from(z) - f64::from(max)) / self.temperature).exp()
                }
            })
            .collect();
        let drawable = logits.len() - usize::from(logits.len() > 1);
        if let Some(k) = self.top_k.filter(|&k| k < drawable) {
            // The unknown symbol sorts last, so the k kept are drawable ones.
            let score = |j: usize| {
                if unknown(j) {
                    f32::NEG_INFINITY
                } else {
                    logits[j]
                }
            };
            let mut order: Vec<usize> = (0..logits.len()).collect();
            // Higher score first, then lower id: a total order, so the kept set is unique.
            order.select_nth_unstable_by(k - 1, |&a, &b| {
                score(b).total_cmp(&score(a)).then(a.cmp(&b))
            });
            for &j in &order[k..] {
                w[j] = 0.0;
            }
        }
        w
    }

    /// probs: [V] = the distribution [`Sampling::draw`] draws from, given logits: [V].
    pub fn distribution(&self, probs: &mut [f32], logits: &[f32]) {
        let w = self.weights(logits);
        let sum: f64 = w.iter().sum();
        for (p, v) in probs.iter_mut().zip(w) {
            *p = (v / sum) as f32;
        }
    }

    /// A character id drawn from the distribution over logits: [V] (not empty).
    pub fn draw(&self, logits: &[f32], rng: &mut Rng) -> usize {
        let w = self.weights(logits);
        let sum: f64 = w.iter().sum();
        // 53 random bits: uniform in [0, 1) as finely as an f64 resolves it.
        let target = (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64) * sum;
        let mut acc = 0.0;
        let mut last = 0;
        for (j, &v) in w.iter().enumerate() {
            if v > 0.0 {
                acc += v;
                last = j;
                if acc > target {
                    return j;
                }
            }
        }
        // Rounding left the target at the very end of the sum: the last drawable one.
        last
    }
}

/// Feeds `prompt` to `stepper` (from its current state), then writes `length` characters,
/// each drawn from the model's distribution with `sampling` and fed back; returns them. The
/// same seed, model, state and prompt always write the same text.
pub fn generate(
    stepper: &mut Stepper,
    prompt: &str,
    length: usize,
    sampling: &Sampling,
    seed: u64,
) -> Result<String> {
    if length > MAX_GENERATE {
        bail!("nnplay writes at most {MAX_GENERATE} characters at a time, asked for {length}");
    }
    if prompt.is_empty() && stepper.steps() == 0 {
        bail!("give the model at least one character to start from");
    }
    if prompt.chars().count() > MAX_GENERATE {
        bail!("the prompt may have at most {MAX_GENERATE} characters");
    }
    for c in prompt.chars() {
        stepper.feed_char(c);
    }
    let mut rng = Rng::new(seed);
    let mut ids = Vec::with_capacity(length);
    for _ in 0..length {
        let id = sampling.draw(stepper.logits(), &mut rng) as u32;
        ids.push(id);
        stepper.feed(id)?;
    }
    Ok(stepper.model().decode(&ids))
}
