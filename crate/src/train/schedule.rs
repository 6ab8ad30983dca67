//! The learning-rate schedule: linear warm-up from lr/warmup to lr, then cosine decay to 0
//! at the last step (SGDR without restarts, Loshchilov & Hutter 2017); or constant.

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    pub lr: f32,
    pub warmup: usize,
    /// Steps in the whole run.
    pub total: usize,
    pub cosine: bool,
}

impl Schedule {
    pub fn cosine(lr: f32, total: usize) -> Schedule {
        Schedule {
            lr,
            warmup: 0,
            total,
            cosine: true,
        }
    }

    /// The learning rate of step `step` (counted from 0).
    pub fn lr_at(&self, step: usize) -> f32 {
        if step < self.warmup {
            return self.lr * (step + 1) as f32 / self.warmup as f32;
        }
        if !self.cosine {
            return self.lr;
        }
        let (s, n) = (
            step - self.warmup,
            self.total.saturating_sub(self.warmup).max(1),
        );
        self.lr * 0.5 * (1.0 + (std::f32::consts::PI * s as f32 / n as f32).cos())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warms_up_then_decays_to_zero() {
        let s = Schedule {
            warmup: 4,
            ..Schedule::cosine(0.1, 104)
        };
        assert!((s.lr_at(0) - 0.025).abs() < 1e-7 && (s.lr_at(3) - 0.1).abs() < 1e-7);
        assert!((s.lr_at(4) - 0.1).abs() < 1e-7);
        assert!((s.lr_at(54) - 0.05).abs() < 1e-6);
        assert!(s.lr_at(103) < 1e-4 && s.lr_at(103) > 0.0);
        let flat = Schedule { cosine: false, ..s };
        assert_eq!(flat.lr_at(90), 0.1);
    }
}
