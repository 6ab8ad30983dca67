//! Seeded distortions of a 28×28 digit, so a network trained on MNIST also meets the
//! slants, sizes, stroke widths and wobbles of people's handwriting: a random affine map
//! (rotation, scale, shear, shift), a thicker or thinner stroke, and an elastic distortion
//! (Simard, Steinkraus & Platt 2003: a random displacement field smoothed by a Gaussian of
//! σ pixels and scaled by α), all in one bilinear resampling.

use crate::rng::Rng;
use crate::{bail, Result};

const SIDE: usize = 28;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Augment {
    /// Largest rotation either way, in degrees.
    pub rotate: f32,
    /// Largest relative change of size either way (0.1: 90% to 110%).
    pub scale: f32,
    /// Largest horizontal shear either way (x moves by shear × y).
    pub shear: f32,
    /// Largest shift either way, in pixels.
    pub shift: f32,
    /// How often the stroke is made a pixel thicker, or (as often) thinner.
    pub thickness: f32,
    /// The elastic distortion's strength α (pixels) and smoothness σ (pixels); α 0 is none.
    pub elastic: f32,
    pub sigma: f32,
}

impl Augment {
    /// Whole-pixel shifts of up to 2 pixels and nothing else: what `train-lenet` did before
    /// it learnt handwriting.
    pub const SHIFTS: Augment = Augment {
        rotate: 0.0,
        scale: 0.0,
        shear: 0.0,
        shift: 2.0,
        thickness: 0.0,
        elastic: 0.0,
        sigma: 4.0,
    };

    /// The distortions the shipped LeNet-5 is trained with (`train-lenet`'s defaults).
    pub const HANDWRITING: Augment = Augment {
        rotate: 12.0,
        scale: 0.12,
        shear: 0.25,
        shift: 2.0,
        thickness: 0.3,
        elastic: 12.0,
        sigma: 4.0,
    };

    /// Every setting within what still looks like a digit, or the sentence that says which
    /// is not (the command line's flags).
    pub fn check(&self) -> Result<()> {
        let within = |v: f32, hi: f32| v.is_finite() && (0.0..=hi).contains(&v);
        if !(within(self.rotate, 45.0)
            && within(self.scale, 0.5)
            && within(self.shear, 1.0)
            && within(self.shift, 4.0)
            && within(self.thickness, 1.0)
            && within(self.elastic, 40.0)
            && self.sigma.is_finite()
            && (1.0..=10.0).contains(&self.sigma))
        {
            bail!("distortions must be: rotate 0-45 degrees, scale 0-0.5, shear 0-1, shift 0-4 pixels, thicken 0-1, elastic 0-40 pixels, sigma 1-10 pixels; got {self:?}");
        }
        if self.shifts_only() && self.shift.fract() != 0.0 {
            bail!("with no other distortion, --shift must be a whole number of pixels");
        }
        Ok(())
    }

    /// Only whole-pixel shifts (none of the other distortions)?
    pub fn shifts_only(&self) -> bool {
        self.rotate == 0.0
            && self.scale == 0.0
            && self.shear == 0.0
            && self.thickness == 0.0
            && self.elastic == 0.0
    }

    /// out: [28, 28] = `img` distorted by draws from `rng`.
    pub fn apply(&self, out: &mut [f32], img: &[f32], rng: &mut Rng) {
        let mut src = img.to_vec();
        let t = rng.uniform();
        if t < self.thickness / 2.0 {
            morph(&mut src, img, f32::max);
        } else if t < self.thickness {
            morph(&mut src, img, f32::min);
        }
        let either = |rng: &mut Rng, m: f32| rng.range(-m, m);
        let angle = either(rng, self.rotate).to_radians();
        let s = 1.0 + either(rng, self.scale);
        let k = either(rng, self.shear);
        let (tx, ty) = (either(rng, self.shift), either(rng, self.shift));
        // Forward map p' = c + t + R·Sh·S·(p - c); each output pixel samples its inverse.
        let (sin, cos) = angle.sin_cos();
        let m = [
            [cos * s, (cos * k - sin) * s],
            [sin * s, (sin * k + cos) * s],
        ];
        let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
        let inv = [
            [m[1][1] / det, -m[0][1] / det],
            [-m[1][0] / det, m[0][0] / det],
        ];
        let (dx, dy) = if self.elastic > 0.0 {
            (self.field(rng), self.field(rng))
        } else {
            (vec![0.0; SIDE * SIDE], vec![0.0; SIDE * SIDE])
        };
        let c = SIDE as f32 / 2.0;
        for y in 0..SIDE {
            for x in 0..SIDE {
                let i = y * SIDE + x;
                let (px, py) = (x as f32 + 0.5 - c - tx, y as f32 + 0.5 - c - ty);
                let sx = inv[0][0] * px + inv[0][1] * py + c + dx[i];
                let sy = inv[1][0] * px + inv[1][1] * py + c + dy[i];
                out[i] = bilinear(&src, sx - 0.5, sy - 0.5);
            }
        }
    }

    /// One axis of an elastic displacement field: uniform in ±1 per pixel, smoothed by a
    /// Gaussian of σ, scaled by α.
    fn field(&self, rng: &mut Rng) -> Vec<f32> {
        let raw: Vec<f32> = (0..SIDE * SIDE).map(|_| rng.range(-1.0, 1.0)).collect();
        let r = (3.0 * self.sigma).ceil() as isize;
        let kernel: Vec<f32> = (-r..=r)
            .map(|d| (-(d * d) as f32 / (2.0 * self.sigma * self.sigma)).exp())
            .collect();
        let norm: f32 = kernel.iter().sum();
        let blur = |src: &[f32], along_x: bool| -> Vec<f32> {
            let mut out = vec![0.0; SIDE * SIDE];
            for (i, o) in out.iter_mut().enumerate() {
                let (x, y) = ((i % SIDE) as isize, (i / SIDE) as isize);
                for (j, w) in kernel.iter().enumerate() {
                    let d = j as isize - r;
                    let (sx, sy) = if along_x { (x + d, y) } else { (x, y + d) };
                    *o += w * src[mirror(sy) * SIDE + mirror(sx)];
                }
                *o /= norm;
            }
            out
        };
        blur(&blur(&raw, true), false)
            .into_iter()
            .map(|v| v * self.elastic)
            .collect()
    }
}

/// A coordinate outside the frame reflected back into it, so that the smoothed field is as
/// strong at the edges as inside.
fn mirror(v: isize) -> usize {
    let n = SIDE as isize;
    let m = if v < 0 {
        -v - 1
    } else if v >= n {
        2 * n - v - 1
    } else {
        v
    };
    m.clamp(0, n - 1) as usize
}

/// out = `f` (max: thicker, min: thinner) of each pixel and its four neighbours.
fn morph(out: &mut [f32], img: &[f32], f: fn(f32, f32) -> f32) {
    let at = |x: isize, y: isize| {
        if (0..SIDE as isize).contains(&x) && (0..SIDE as isize).contains(&y) {
            img[y as usize * SIDE + x as usize]
        } else {
            0.0
        }
    };
    for (i, o) in out.iter_mut().enumerate() {
        let (x, y) = ((i % SIDE) as isize, (i / SIDE) as isize);
        *o = [(1, 0), (-1, 0), (0, 1), (0, -1)]
            .iter()
            .fold(img[i], |v, (dx, dy)| f(v, at(x + dx, y + dy)));
    }
}

/// `img` at (x, y) in pixel-index coordinates, bilinear, zero outside.
fn bilinear(img: &[f32], x: f32, y: f32) -> f32 {
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let at = |xi: f32, yi: f32| {
        if (0.0..SIDE as f32).contains(&xi) && (0.0..SIDE as f32).contains(&yi) {
            img[yi as usize * SIDE + xi as usize]
        } else {
            0.0
        }
    };
    let top = at(x0, y0) * (1.0 - fx) + at(x0 + 1.0, y0) * fx;
    let bottom = at(x0, y0 + 1.0) * (1.0 - fx) + at(x0 + 1.0, y0 + 1.0) * fx;
    top * (1.0 - fy) + bottom * fy
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar() -> Vec<f32> {
        // A vertical bar 2 pixels wide, rows 6..22.
        (0..SIDE * SIDE)
            .map(|i| {
                f32::from(u8::from(
                    (13..15).contains(&(i % SIDE)) && (6..22).contains(&(i / SIDE)),
                ))
            })
            .collect()
    }

    #[test]
    fn nothing_drawn_changes_nothing_and_each_distortion_does_what_it_says() {
        let none = Augment {
            shift: 0.0,
            ..Augment::SHIFTS
        };
        let mut out = vec![0.0; SIDE * SIDE];
        none.apply(&mut out, &bar(), &mut Rng::new(1));
        assert_eq!(out, bar(), "no distortion must be the identity");
        // A 90° rotation lays the bar down: its ink moves from columns to rows.
        let rot = Augment {
            rotate: 90.0,
            ..none
        };
        let mut rng = Rng::new(3);
        let mut turned = 0;
        for _ in 0..20 {
            rot.apply(&mut out, &bar(), &mut rng);
            let row14: f32 = out[14 * SIDE..15 * SIDE].iter().sum();
            turned += usize::from(row14 > 10.0);
        }
        assert!(turned > 0, "never turned far enough to lie down");
        // Thicker strokes carry more ink, thinner less; elastic wobble keeps about the same.
        let mut ink = |a: Augment, seed| {
            a.apply(&mut out, &bar(), &mut Rng::new(seed));
            out.iter().sum::<f32>()
        };
        let always = Augment {
            thickness: 1.0,
            ..none
        };
        let sums: Vec<f32> = (0..8).map(|s| ink(always, s)).collect();
        assert!(
            sums.iter().any(|&v| v > 40.0) && sums.iter().any(|&v| v < 20.0),
            "{sums:?}"
        );
        let wobble = ink(
            Augment {
                elastic: 12.0,
                ..none
            },
            5,
        );
        assert!(
            (wobble - 32.0).abs() < 8.0,
            "elastic changed the ink to {wobble}"
        );
        assert!(!Augment::HANDWRITING.shifts_only() && Augment::SHIFTS.shifts_only());
    }
}
