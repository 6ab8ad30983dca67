//! Magnitude pruning (Han, Pool, Tran & Dally 2015, "Learning both weights and connections"):
//! the smallest weights of each weight tensor are set to zero and kept there while training
//! goes on, so the rest learn to do without them. What it buys here is size: a file's runs
//! of zeros cost gzip next to nothing, so a wider network fits the same download. Biases (one
//! axis) are never pruned; each tensor of two or more axes loses the same fraction, its own
//! smallest |w|, so no layer is emptied for another's sake.
//!
//! [`Ramp`] prunes gradually (Zhu & Gupta 2017, "To prune, or not to prune"): the fraction
//! rises over a span of steps, the mask taken anew from the weights as they are then, so the
//! network adapts a little at a time instead of losing half its weights at once.

use crate::params::Table;
use crate::{bail, Result};

/// A fraction of each weight tensor to prune: from 0 up to (not including) 1.
pub fn check_fraction(fraction: f32) -> Result<()> {
    if !(0.0..1.0).contains(&fraction) {
        bail!("the fraction of weights to prune must be from 0 up to (not including) 1, got {fraction}");
    }
    Ok(())
}

/// Which parameters stay, flat in a table's layout.
#[derive(Debug, Clone, PartialEq)]
pub struct Mask {
    keep: Vec<bool>,
}

impl Mask {
    /// Keeps all but the `fraction` smallest |w| of every tensor of two or more axes of
    /// `tensors` (in `table` order); ties at the threshold are pruned in index order, so the
    /// count is exact.
    pub fn by_magnitude(table: &Table, tensors: &[&[f32]], fraction: f32) -> Result<Mask> {
        check_fraction(fraction)?;
        if tensors.len() != table.params().len() {
            bail!(
                "{} tensors for a table of {}",
                tensors.len(),
                table.params().len()
            );
        }
        let mut keep = vec![true; table.numel()];
        for (i, (p, w)) in table.params().iter().zip(tensors).enumerate() {
            if w.len() != p.numel() {
                bail!("{}: {} values for shape {:?}", p.name, w.len(), p.shape);
            }
            if p.shape.len() < 2 {
                continue;
            }
            let cut = (fraction as f64 * w.len() as f64).floor() as usize;
            let mut order: Vec<usize> = (0..w.len()).collect();
            // Smallest magnitude first; equal ones by index, so the mask is reproducible.
            order.sort_by(|&a, &b| w[a].abs().total_cmp(&w[b].abs()).then(a.cmp(&b)));
            let start = table.range_at(i).start;
            for &j in &order[..cut] {
                keep[start + j] = false;
            }
        }
        Ok(Mask { keep })
    }

    /// Sets the pruned parameters of `tensors` (in table order) to zero.
    pub fn apply(&self, table: &Table, tensors: Vec<&mut [f32]>) {
        for (i, t) in tensors.into_iter().enumerate() {
            let keep = &self.keep[table.range_at(i)];
            for (w, &k) in t.iter_mut().zip(keep) {
                if !k {
                    *w = 0.0;
                }
            }
        }
    }

    /// Whether each parameter stays (flat, in table order).
    pub fn keep(&self) -> &[bool] {
        &self.keep
    }

    /// Parameters kept, of all.
    pub fn kept(&self) -> usize {
        self.keep.iter().filter(|&&k| k).count()
    }

    pub fn len(&self) -> usize {
        self.keep.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keep.is_empty()
    }
}

/// A fraction pruned that rises from 0 at step `start` to `fraction` at step `end` as
/// fraction · (1 − (1 − t)³), t the share of the span gone, the mask renewed every `every`
/// steps; from `end` on it stays.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ramp {
    pub fraction: f32,
    pub start: usize,
    pub end: usize,
    pub every: usize,
}

impl Ramp {
    pub fn check(&self) -> Result<()> {
        check_fraction(self.fraction)?;
        if self.end < self.start || self.every == 0 {
            bail!("a pruning ramp runs from a step to a later one, renewing its mask every 1 step or more");
        }
        Ok(())
    }

    /// The fraction to prune to after step `step`, if the mask is due to be renewed then.
    pub fn due(&self, step: usize) -> Option<f32> {
        if step < self.start || step > self.end {
            return None;
        }
        let gone = step - self.start;
        if gone % self.every != 0 && step != self.end {
            return None;
        }
        let t = gone as f64 / (self.end - self.start).max(1) as f64;
        Some((self.fraction as f64 * (1.0 - (1.0 - t).powi(3))) as f32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        let mut t = Table::new();
        t.push("w", &[2, 3]);
        t.push("b", &[2]);
        t
    }

    /// Half of a weight's six values go, the smallest three by magnitude (the tie at 0.5
    /// settled by index); the bias stays whole however small.
    #[test]
    fn prunes_the_smallest_weights_and_never_a_bias() {
        let w = [0.5f32, -3.0, 0.1, -0.5, 2.0, 0.0];
        let b = [0.0f32, 1e-9];
        let mask = Mask::by_magnitude(&table(), &[&w, &b], 0.5).unwrap();
        assert_eq!(mask.kept(), 5);
        let (mut w2, mut b2) = (w, b);
        mask.apply(&table(), vec![&mut w2, &mut b2]);
        assert_eq!(w2, [0.0, -3.0, 0.0, -0.5, 2.0, 0.0]);
        assert_eq!(b2, b);
        assert_eq!(
            mask.keep(),
            [false, true, false, true, true, false, true, true]
        );
    }

    /// The ramp starts at nothing, rises fastest at first, reaches the fraction at its end
    /// and renews the mask on its beat only.
    #[test]
    fn a_ramp_rises_as_a_cubic_to_its_fraction() {
        let r = Ramp {
            fraction: 0.5,
            start: 10,
            end: 110,
            every: 10,
        };
        assert!(r.check().is_ok());
        assert_eq!(r.due(9), None);
        assert_eq!(r.due(10), Some(0.0));
        assert_eq!(r.due(15), None);
        let half = r.due(60).unwrap();
        assert!((half - 0.5 * (1.0 - 0.125)).abs() < 1e-6, "{half}");
        assert_eq!(r.due(110), Some(0.5));
        assert_eq!(r.due(111), None);
        for bad in [
            Ramp { fraction: 1.0, ..r },
            Ramp { end: 5, ..r },
            Ramp { every: 0, ..r },
        ] {
            assert!(bad.check().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn refuses_a_fraction_outside_0_to_1_and_mismatched_tensors() {
        let (w, b) = ([0.0f32; 6], [0.0f32; 2]);
        for f in [-0.1, 1.0, f32::NAN] {
            assert!(Mask::by_magnitude(&table(), &[&w, &b], f).is_err(), "{f}");
        }
        assert!(Mask::by_magnitude(&table(), &[&w], 0.5).is_err());
        assert!(Mask::by_magnitude(&table(), &[&w[..5], &b], 0.5).is_err());
        assert_eq!(
            Mask::by_magnitude(&table(), &[&w, &b], 0.0).unwrap().kept(),
            8
        );
    }
}
