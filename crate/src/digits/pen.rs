//! The drawing pad: ink on a side × side grid (4× MNIST's 28, so the framing has detail to
//! shrink), drawn with a round pen whose soft edge is like MNIST's anti-aliased strokes, or
//! erased with it. Positions are in pad units, 0 to 1 across, so a pointer on a canvas of any
//! size and a stroke replayed from a file draw the same ink.

use super::framing::SIDE;

/// The pad's resolution: 4× MNIST's.
pub const PAD: usize = 4 * SIDE;
/// The pen's radius and the width of its soft edge, as a fraction of the pad (2 and 1.2
/// pixels of a 28-pixel pad: a stroke about as wide as MNIST's).
const RADIUS: f32 = 2.0 / SIDE as f32;
const EDGE: f32 = 1.2 / SIDE as f32;
/// The same in pixels of the pad.
pub const NIB: Nib = Nib {
    radius: RADIUS * PAD as f32,
    edge: EDGE * PAD as f32,
};

/// A round pen's tip, in pixels: ink is solid within `radius − edge` of the pen's path and
/// fades to nothing at `radius`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nib {
    pub radius: f32,
    pub edge: f32,
}

impl Nib {
    /// The ink at distance `d` from the pen's path.
    pub fn ink(&self, d: f32) -> f32 {
        ((self.radius - d) / self.edge).clamp(0.0, 1.0)
    }
}
/// The eraser is the pen grown by its soft edge: passed along a stroke, it takes the whole
/// stroke, rim included (a pen-sized eraser would leave half the rim, and the framing would
/// find a faint digit where the student sees none).
const ERASER: f32 = RADIUS + EDGE;

#[derive(Debug, Clone)]
pub struct Pen {
    /// [PAD, PAD] ink in [0, 1].
    pub ink: Vec<f32>,
    /// Where the current stroke is, in pad units; None between strokes.
    last: Option<(f32, f32)>,
}

impl Default for Pen {
    fn default() -> Self {
        Pen {
            ink: vec![0.0; PAD * PAD],
            last: None,
        }
    }
}

impl Pen {
    /// Draws (or with `erase`, rubs out) from where the stroke is to (x, y), or a dot if a
    /// stroke starts here. Points off the pad still draw the part of the pen that is on it.
    pub fn stroke_to(&mut self, x: f32, y: f32, erase: bool) {
        let (fx, fy) = self.last.unwrap_or((x, y));
        // Dabs every quarter radius along the segment: a continuous line at any speed.
        let steps = ((x - fx).hypot(y - fy) / (RADIUS / 4.0)).ceil().max(1.0) as usize;
        for s in 1..=steps {
            let t = s as f32 / steps as f32;
            self.dab(fx + (x - fx) * t, fy + (y - fy) * t, erase);
        }
        self.last = Some((x, y));
    }

    /// Ends the stroke: the next `stroke_to` starts a new one.
    pub fn lift(&mut self) {
        self.last = None;
    }

    pub fn clear(&mut self) {
        self.ink.fill(0.0);
        self.last = None;
    }

    /// One pen print at (x, y) in pad units.
    fn dab(&mut self, x: f32, y: f32, erase: bool) {
        let n = PAD as f32;
        let radius = if erase { ERASER } else { RADIUS };
        let (cx, cy, r) = (x * n, y * n, radius * n);
        let lo = |c: f32| ((c - r).floor().max(0.0)) as usize;
        let hi = |c: f32| ((c + r).ceil().min(n)) as usize;
        for py in lo(cy)..hi(cy) {
            for px in lo(cx)..hi(cx) {
                let d = (px as f32 + 0.5 - cx).hypot(py as f32 + 0.5 - cy) / n;
                let v = ((radius - d) / EDGE).clamp(0.0, 1.0);
                let ink = &mut self.ink[py * PAD + px];
                *ink = if erase { ink.min(1.0 - v) } else { ink.max(v) };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stroke_is_continuous_and_erasing_removes_it() {
        let mut p = Pen::default();
        p.stroke_to(0.2, 0.5, false);
        p.stroke_to(0.8, 0.5, false);
        p.lift();
        let row = PAD / 2;
        let line: Vec<f32> = (0..PAD).map(|x| p.ink[row * PAD + x]).collect();
        let inked = |x: f32| line[(x * PAD as f32) as usize];
        assert!(
            (20..80).all(|i| inked(i as f32 / 100.0) > 0.9),
            "a gap in the line"
        );
        assert_eq!(inked(0.05), 0.0);
        // The line is about as wide as MNIST's strokes: ~3 of 28 pixels where it is solid.
        let width = (0..PAD).filter(|&y| p.ink[y * PAD + PAD / 2] > 0.5).count();
        assert!((10..=16).contains(&width), "{width} pad pixels wide");
        p.stroke_to(0.1, 0.5, true);
        p.stroke_to(0.9, 0.5, true);
        assert!(p.ink.iter().all(|&v| v == 0.0), "erasing left ink");
        p.stroke_to(-0.01, 1.2, false); // off the pad: draws what lands on it, no panic
    }
}
