//! The count baseline the networks are measured against: an interpolated Kneser–Ney
//! character trigram model (Kneser & Ney 1995; the modified discounts of Chen & Goodman
//! 1998, "An empirical study of smoothing techniques for language modeling", §3–4),
//! counted over the same training ids and vocabulary as the network:
//!
//! - trigram: p(w | u v) = max(c(uvw) − D₃(c), 0) / c(uv·) + γ(uv) · p₂(w | v), with
//!   γ(uv) = (D₃,₁ N₁(uv·) + D₃,₂ N₂(uv·) + D₃,₃₊ N₃₊(uv·)) / c(uv·); an unseen context uv
//!   gives p₂(w | v) itself;
//! - bigram, on continuation counts N₁₊(·vw) (how many different characters came before
//!   vw): p₂(w | v) = max(N₁₊(·vw) − D₂, 0) / N₁₊(·v·) + γ(v) · p₁(w);
//! - unigram, on N₁₊(·w), interpolated with the uniform 1 / V so that every id of the
//!   vocabulary (id 0, the unknown character, too) has a probability above zero.
//!
//! Modified discounts per order from the counts of counts n₁ … n₄ of that order's counts:
//! Y = n₁ / (n₁ + 2 n₂), D₁ = 1 − 2Y n₂/n₁, D₂ = 2 − 3Y n₃/n₂, D₃₊ = 3 − 4Y n₄/n₃.
//! [`Discounts::Fixed`] uses one D for every count (plain interpolated Kneser–Ney).

use std::collections::HashMap;

use crate::{bail, Result};

/// How counts are discounted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Discounts {
    /// Chen & Goodman's three discounts per order, estimated from the counts of counts.
    Modified,
    /// One discount D in (0, 1] for every count of every order.
    Fixed(f64),
}

/// For counts of 1, 2 and 3 or more.
type Three = [f64; 3];

/// Discounts of one order from its counts of counts (n[k] = how many counts equal k, k = 1..=4).
fn modified(n: [f64; 5]) -> Three {
    let y = if n[1] + 2.0 * n[2] > 0.0 {
        n[1] / (n[1] + 2.0 * n[2])
    } else {
        0.5
    };
    let d = |k: usize| {
        let k1 = k as f64;
        let v = if n[k] > 0.0 {
            k1 - (k1 + 1.0) * y * n[k + 1] / n[k]
        } else {
            0.5
        };
        // Guards for tiny texts, where the estimate can leave (0, k].
        v.clamp(0.05, k1)
    };
    [d(1), d(2), d(3)]
}

fn discount(d: &Three, count: u32) -> f64 {
    match count {
        0 => 0.0,
        1 => d[0],
        2 => d[1],
        _ => d[2],
    }
}

/// Sum of the discounts a context's followers take away: D₁ N₁ + D₂ N₂ + D₃₊ N₃₊.
#[derive(Debug, Clone, Copy, Default)]
struct Context {
    /// c(uv·) (or N₁₊(·v·) at the bigram order).
    total: u32,
    /// How many followers were seen once, twice, three times or more.
    n: [u32; 3],
}

impl Context {
    fn add(&mut self, count: u32) {
        self.total += count;
        self.n[(count.min(3) - 1) as usize] += 1;
    }

    fn gamma(&self, d: &Three) -> f64 {
        (d[0] * f64::from(self.n[0]) + d[1] * f64::from(self.n[1]) + d[2] * f64::from(self.n[2]))
            / f64::from(self.total)
    }
}

/// An interpolated Kneser–Ney trigram model over ids 0 .. V.
#[derive(Debug, Clone)]
pub struct KneserNey {
    v: usize,
    /// c(uvw), keyed (u·V + v)·V + w.
    tri: HashMap<u64, u32>,
    /// c(uv·) and its followers' counts, keyed u·V + v.
    tri_ctx: HashMap<u64, Context>,
    /// N₁₊(·vw), keyed v·V + w.
    bi: HashMap<u64, u32>,
    /// N₁₊(·v·) and its followers' counts, by v.
    bi_ctx: Vec<Context>,
    /// N₁₊(·w), by w, and their sum.
    uni: Vec<u32>,
    uni_ctx: Context,
    /// Discounts of the trigram, bigram and unigram orders.
    pub d: [Three; 3],
}

impl KneserNey {
    /// Counts `ids` (one text, each id below `vocab`).
    pub fn new(ids: &[u32], vocab: usize, discounts: Discounts) -> Result<KneserNey> {
        if vocab == 0 || vocab > crate::shape::MAX_VOCAB {
            bail!(
                "the vocabulary must have from 1 to {} entries, got {vocab}",
                crate::shape::MAX_VOCAB
            );
        }
        if ids.len() < 3 {
            bail!(
                "a trigram model needs a text of at least 3 characters, got {}",
                ids.len()
            );
        }
        if let Some(i) = ids.iter().position(|&id| id as usize >= vocab) {
            bail!(
                "character {i} of the text has id {}, but the vocabulary has ids 0 to {}",
                ids[i],
                vocab - 1
            );
        }
        if let Discounts::Fixed(d) = discounts {
            if !(d > 0.0 && d <= 1.0) {
                bail!("a fixed discount must be above 0 and at most 1, got {d}");
            }
        }
        let vv = vocab as u64;
        let mut tri: HashMap<u64, u32> = HashMap::new();
        for w in ids.windows(3) {
            let key = (u64::from(w[0]) * vv + u64::from(w[1])) * vv + u64::from(w[2]);
            *tri.entry(key).or_default() += 1;
        }
        let mut tri_ctx: HashMap<u64, Context> = HashMap::new();
        let mut bi: HashMap<u64, u32> = HashMap::new();
        for (&key, &c) in &tri {
            tri_ctx.entry(key / vv).or_default().add(c);
            *bi.entry(key % (vv * vv)).or_default() += 1;
        }
        // The first bigram of the text has no character before it: it counts as one
        // continuation, so that every bigram of the text has a count at this order.
        let first = u64::from(ids[0]) * vv + u64::from(ids[1]);
        bi.entry(first).or_insert(1);
        let mut bi_ctx = vec![Context::default(); vocab];
        let mut uni = vec![0u32; vocab];
        for (&key, &c) in &bi {
            bi_ctx[(key / vv) as usize].add(c);
            uni[(key % vv) as usize] += 1;
        }
        uni[ids[0] as usize] = uni[ids[0] as usize].max(1);
        let mut uni_ctx = Context::default();
        uni.iter().filter(|&&c| c > 0).for_each(|&c| uni_ctx.add(c));
        let d = match discounts {
            Discounts::Fixed(d) => [[d; 3]; 3],
            Discounts::Modified => {
                let counts_of = |counts: &mut dyn Iterator<Item = u32>| {
                    let mut n = [0.0; 5];
                    for c in counts {
                        if (1..=4).contains(&c) {
                            n[c as usize] += 1.0;
                        }
                    }
                    modified(n)
                };
                [
                    counts_of(&mut tri.values().copied()),
                    counts_of(&mut bi.values().copied()),
                    counts_of(&mut uni.iter().copied()),
                ]
            }
        };
        Ok(KneserNey {
            v: vocab,
            tri,
            tri_ctx,
            bi,
            bi_ctx,
            uni,
            uni_ctx,
            d,
        })
    }

    pub fn vocab_size(&self) -> usize {
        self.v
    }

    fn p1(&self, w: u32) -> f64 {
        let ctx = &self.uni_ctx;
        let uniform = 1.0 / self.v as f64;
        if ctx.total == 0 {
            return uniform;
        }
        let c = self.uni[w as usize];
        let d = &self.d[2];
        (f64::from(c) - discount(d, c)).max(0.0) / f64::from(ctx.total) + ctx.gamma(d) * uniform
    }

    fn p2(&self, v: u32, w: u32) -> f64 {
        let ctx = &self.bi_ctx[v as usize];
        if ctx.total == 0 {
            return self.p1(w);
        }
        let vv = self.v as u64;
        let c = *self
            .bi
            .get(&(u64::from(v) * vv + u64::from(w)))
            .unwrap_or(&0);
        let d = &self.d[1];
        (f64::from(c) - discount(d, c)).max(0.0) / f64::from(ctx.total) + ctx.gamma(d) * self.p1(w)
    }

    fn p3(&self, u: u32, v: u32, w: u32) -> f64 {
        let vv = self.v as u64;
        let Some(ctx) = self.tri_ctx.get(&(u64::from(u) * vv + u64::from(v))) else {
            return self.p2(v, w);
        };
        let c = *self
            .tri
            .get(&((u64::from(u) * vv + u64::from(v)) * vv + u64::from(w)))
            .unwrap_or(&0);
        let d = &self.d[0];
        (f64::from(c) - discount(d, c)).max(0.0) / f64::from(ctx.total)
            + ctx.gamma(d) * self.p2(v, w)
    }

    /// p(w | the last two ids of `context`); with one id, the bigram; with none, the
    /// unigram. Ids must be below V.
    pub fn prob(&self, context: &[u32], w: u32) -> f64 {
        match context {
            [] => self.p1(w),
            [v] => self.p2(*v, w),
            [.., u, v] => self.p3(*u, *v, w),
        }
    }

    /// p(w | context) for every id w of the vocabulary.
    pub fn distribution(&self, context: &[u32]) -> Vec<f64> {
        (0..self.v as u32).map(|w| self.prob(context, w)).collect()
    }

    /// −Σ log₂ p(ids[i] | ids[..i]) over `positions`, and how many.
    pub fn bits(&self, ids: &[u32], positions: impl Iterator<Item = usize>) -> (f64, usize) {
        let (mut sum, mut n) = (0.0, 0);
        for i in positions {
            sum -= self.prob(&ids[i.saturating_sub(2)..i], ids[i]).log2();
            n += 1;
        }
        (sum, n)
    }

    /// The bits on exactly the characters [`super::CharLm::held_out_bits`] scores when it
    /// reads `held` as `pieces` pieces (all but each piece's first), so the two compare.
    pub fn held_out_bits(&self, held: &[u32], pieces: usize) -> Result<(f64, usize)> {
        let (pieces, len) = super::corpus::pieces(held.len(), pieces)?;
        Ok(self.bits(held, (0..pieces).flat_map(|p| p * len + 1..(p + 1) * len)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    /// Sums to 1 over the vocabulary for seen and unseen contexts of every length, with
    /// both kinds of discounts, on a random text over a vocabulary some ids never appear in.
    #[test]
    fn every_distribution_sums_to_one() {
        let mut rng = Rng::new(4);
        let ids: Vec<u32> = (0..3000)
            .map(|_| (rng.below(7) * rng.below(4)) as u32)
            .collect();
        for disc in [
            Discounts::Modified,
            Discounts::Fixed(0.75),
            Discounts::Fixed(1.0),
        ] {
            let kn = KneserNey::new(&ids, 25, disc).unwrap();
            for ctx in [
                &[][..],
                &[3],
                &[0, 6],
                &[24, 24],
                &[5, 24],
                &[18, 3],
                &[1, 2, 3],
            ] {
                let p = kn.distribution(ctx);
                let sum: f64 = p.iter().sum();
                assert!((sum - 1.0).abs() < 1e-9, "{disc:?} {ctx:?}: {sum}");
                assert!(p.iter().all(|&x| x > 0.0), "{disc:?} {ctx:?}");
            }
            if let Discounts::Modified = disc {
                for d in kn.d {
                    assert!(d.iter().all(|&x| x > 0.0 && x <= 3.0), "{d:?}");
                }
            }
        }
    }

    /// "abab" (a = 0, b = 1) over V = 3 with D = 0.5, by hand:
    /// trigrams aba, bab (once each); contexts ab → a, ba → b.
    /// Bigram continuations: N₁₊(·ba) = 1 (a·ba), N₁₊(·ab) = 1 (b·ab) and the text's first
    /// bigram ab counts once, so N₁₊(·ab) = 1; N₁₊(a··) = 1, N₁₊(b··) = 1.
    /// Unigram continuations: N₁₊(·a) = 1 (b), N₁₊(·b) = 1 (a); the first id a keeps 1; total 2.
    /// p₁(a) = (1 − .5)/2 + (2·.5/2)·(1/3) = .25 + 1/6 = 5/12; p₁(c) = 1/6.
    /// p₂(b | a) = (1 − .5)/1 + .5·p₁(b) = .5 + 5/24 = 17/24; p₂(c | a) = .5·(1/6) = 1/12.
    /// p₃(a | ab) = .5 + .5·p₂(a | b) where p₂(a | b) = .5 + .5·5/12 = 17/24: 0.5 + 17/48.
    /// p₃(c | ab) = .5·p₂(c | b) = .5·(1/12) = 1/24. Unseen context (c, c): p₂(· | c) = p₁.
    #[test]
    fn matches_hand_computed_values_on_a_toy_text() {
        let kn = KneserNey::new(&[0, 1, 0, 1], 3, Discounts::Fixed(0.5)).unwrap();
        assert!(close(kn.prob(&[], 0), 5.0 / 12.0));
        assert!(close(kn.prob(&[], 2), 1.0 / 6.0));
        assert!(close(kn.prob(&[0], 1), 17.0 / 24.0));
        assert!(close(kn.prob(&[0], 2), 1.0 / 12.0));
        assert!(close(kn.prob(&[0, 1], 0), 0.5 + 17.0 / 48.0));
        assert!(close(kn.prob(&[0, 1], 2), 1.0 / 24.0));
        assert!(close(kn.prob(&[2, 2], 1), 5.0 / 12.0));
        let (bits, n) = kn.bits(&[0, 1, 0], 1..3);
        assert_eq!(n, 2);
        assert!(close(
            bits,
            -(17.0f64 / 24.0).log2() - (0.5f64 + 17.0 / 48.0).log2()
        ));
    }

    /// Chen & Goodman's discounts from counts of counts.
    #[test]
    fn modified_discounts_follow_the_formula() {
        // n1 = 10, n2 = 5, n3 = 2, n4 = 1: Y = 10/20 = 0.5, D1 = 1 − 2·.5·.5 = .5,
        // D2 = 2 − 3·.5·(2/5) = 1.4, D3+ = 3 − 4·.5·(1/2) = 2.
        let d = modified([0.0, 10.0, 5.0, 2.0, 1.0]);
        assert!(
            close(d[0], 0.5) && close(d[1], 1.4) && close(d[2], 2.0),
            "{d:?}"
        );
    }

    #[test]
    fn rejects_bad_input_with_a_sentence() {
        let e = KneserNey::new(&[0, 1, 5], 3, Discounts::Modified).unwrap_err();
        assert!(e.to_string().contains("ids 0 to 2"), "{e}");
        assert!(KneserNey::new(&[0, 1], 3, Discounts::Modified).is_err());
        assert!(KneserNey::new(&[0, 1, 0], 3, Discounts::Fixed(0.0)).is_err());
    }
}
