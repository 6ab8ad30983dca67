//! MNIST's framing of a handwritten digit (LeCun et al.'s description of the data set): the
//! digit's bounding box is scaled, aspect kept, so that its longer side is 20 pixels, with
//! anti-aliasing, and the result is placed in a 28×28 frame with its centre of mass at the
//! centre. Every MNIST digit went through this; a digit drawn on the pad must too, or the
//! network reads a shape it never saw (drawn small in a corner, or across the whole pad).

/// MNIST's frame and the box its digits are scaled into.
pub const SIDE: usize = 28;
pub const BOX: usize = 20;
/// Ink at or below this is paper when looking for the digit's bounding box (the pen's soft
/// edge leaves faint pixels around a stroke that are not part of its shape).
const PAPER: f32 = 0.05;

/// The digit's bounding box in `ink` (side × side): [x0, y0, x1, y1), or None when blank.
pub fn bounding_box(ink: &[f32], side: usize) -> Option<[usize; 4]> {
    let mut b = [side, side, 0, 0];
    for (i, _) in ink.iter().enumerate().filter(|(_, &v)| v > PAPER) {
        let (x, y) = (i % side, i / side);
        b = [b[0].min(x), b[1].min(y), b[2].max(x + 1), b[3].max(y + 1)];
    }
    (b[2] > b[0]).then_some(b)
}

/// out: [oh, ow] = the rectangle `r` of `ink` (side × side) resampled to ow × oh by area:
/// each output pixel is the mean of the source over its footprint, fractional pixels
/// weighted by how much of them it covers. Anti-aliased when shrinking; when growing, each
/// source pixel becomes a block with soft edges.
pub fn resample(out: &mut [f32], ow: usize, oh: usize, ink: &[f32], side: usize, r: [usize; 4]) {
    let (sx, sy) = (
        (r[2] - r[0]) as f32 / ow as f32,
        (r[3] - r[1]) as f32 / oh as f32,
    );
    // The source pixels an output interval [a, b) covers, with the covered fraction of each.
    let spans = |a: f32, b: f32| {
        let (first, last) = (
            a.floor() as usize,
            (b.ceil() as usize).max(a.floor() as usize + 1),
        );
        (first..last).map(move |p| (p, (b.min(p as f32 + 1.0) - a.max(p as f32)).max(0.0)))
    };
    for v in 0..oh {
        let (y0, y1) = (
            r[1] as f32 + v as f32 * sy,
            r[1] as f32 + (v + 1) as f32 * sy,
        );
        for u in 0..ow {
            let (x0, x1) = (
                r[0] as f32 + u as f32 * sx,
                r[0] as f32 + (u + 1) as f32 * sx,
            );
            let mut sum = 0.0;
            for (py, wy) in spans(y0, y1) {
                for (px, wx) in spans(x0, x1) {
                    sum += ink[py.min(side - 1) * side + px.min(side - 1)] * wx * wy;
                }
            }
            out[v * ow + u] = sum / (sx * sy);
        }
    }
}

/// The centre of mass (x, y) of img: [h, w], in pixel coordinates (a pixel's centre is at
/// +0.5); None when the image is blank.
pub fn centre_of_mass(img: &[f32], w: usize) -> Option<(f32, f32)> {
    let (mut m, mut mx, mut my) = (0.0f64, 0.0f64, 0.0f64);
    for (i, &v) in img.iter().enumerate() {
        let v = f64::from(v);
        m += v;
        mx += v * ((i % w) as f64 + 0.5);
        my += v * ((i / w) as f64 + 0.5);
    }
    (m > 0.0).then(|| ((mx / m) as f32, (my / m) as f32))
}

/// out: [28, 28] = `ink` (side × side) framed as MNIST's digits were: the bounding box
/// scaled so its longer side is [`BOX`] pixels, then moved by whole pixels (as MNIST was) so
/// its centre of mass is nearest the frame's centre. Returns false, with `out` all zeros,
/// when the ink is blank.
pub fn frame(out: &mut [f32], ink: &[f32], side: usize) -> bool {
    out.fill(0.0);
    let Some(b) = bounding_box(ink, side) else {
        return false;
    };
    let (w, h) = (b[2] - b[0], b[3] - b[1]);
    let long = w.max(h) as f32;
    let (bw, bh) = (
        ((w as f32 * BOX as f32 / long).round() as usize).max(1),
        ((h as f32 * BOX as f32 / long).round() as usize).max(1),
    );
    let mut boxed = vec![0.0; bw * bh];
    resample(&mut boxed, bw, bh, ink, side, b);
    let Some((cx, cy)) = centre_of_mass(&boxed, bw) else {
        return false;
    };
    let half = SIDE as f32 / 2.0;
    let (dx, dy) = ((half - cx).round() as isize, (half - cy).round() as isize);
    for (i, &v) in boxed.iter().enumerate() {
        let (x, y) = ((i % bw) as isize + dx, (i / bw) as isize + dy);
        if (0..SIDE as isize).contains(&x) && (0..SIDE as isize).contains(&y) {
            out[y as usize * SIDE + x as usize] = v;
        }
    }
    true
}

/// out: [28, 28] = `ink` (side × side, a multiple of 28) averaged down block by block: what
/// the network sees without the framing, the drawing as it lies on the pad.
pub fn shrink(out: &mut [f32], ink: &[f32], side: usize) {
    resample(out, SIDE, SIDE, ink, side, [0, 0, side, side]);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A filled rectangle [x0, y0, x1, y1) of ink on a side × side pad.
    fn rect(side: usize, r: [usize; 4]) -> Vec<f32> {
        let mut ink = vec![0.0; side * side];
        for y in r[1]..r[3] {
            ink[y * side + r[0]..y * side + r[2]].fill(1.0);
        }
        ink
    }

    /// A bar anywhere on the pad, of any size, comes out 20 pixels long, centred, with its
    /// ink kept (area resampling preserves the mean).
    #[test]
    fn any_size_and_place_becomes_mnists_box() {
        let mut out = vec![0.0; SIDE * SIDE];
        for r in [
            [4, 6, 12, 46],
            [70, 60, 110, 108],
            [0, 0, 112, 56],
            [50, 50, 55, 60],
        ] {
            assert!(frame(&mut out, &rect(112, r), 112));
            let b = bounding_box(&out, SIDE).unwrap();
            let (w, h) = (b[2] - b[0], b[3] - b[1]);
            assert_eq!(w.max(h), BOX, "{r:?} framed into {b:?}");
            let (cx, cy) = centre_of_mass(&out, SIDE).unwrap();
            assert!(
                (cx - 14.0).abs() <= 0.5 && (cy - 14.0).abs() <= 0.5,
                "{r:?}: {cx}, {cy}"
            );
            let (rw, rh) = ((r[2] - r[0]) as f32, (r[3] - r[1]) as f32);
            let want = rw * rh * (BOX as f32 / rw.max(rh)).powi(2);
            let got: f32 = out.iter().sum();
            assert!(
                (got - want).abs() < 0.06 * want,
                "{r:?}: ink {got} vs {want}"
            );
        }
        assert!(
            !frame(&mut out, &vec![0.02; 112 * 112], 112),
            "faint noise is paper"
        );
        assert!(out.iter().all(|&v| v == 0.0));
    }

    /// The same shape drawn small in a corner and large in the middle frames to nearly the
    /// same image: what makes the network indifferent to where and how big a digit is.
    #[test]
    fn position_and_size_do_not_matter_once_framed() {
        // An "L": a vertical bar and a foot, drawn at two scales.
        let l = |s: usize, ox: usize, oy: usize| {
            let mut ink = rect(112, [ox, oy, ox + s, oy + 5 * s]);
            for y in oy + 4 * s..oy + 5 * s {
                ink[y * 112 + ox..y * 112 + ox + 3 * s].fill(1.0);
            }
            ink
        };
        let (mut a, mut b) = (vec![0.0; SIDE * SIDE], vec![0.0; SIDE * SIDE]);
        frame(&mut a, &l(4, 2, 3), 112);
        frame(&mut b, &l(20, 30, 6), 112);
        let diff: f32 = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).sum();
        assert!(
            diff < 0.02 * a.iter().sum::<f32>(),
            "framed images differ by {diff}"
        );
    }

    /// An MNIST-like digit already framed at 28 and shown 4× larger on the pad shrinks back
    /// to itself exactly.
    #[test]
    fn shrinking_undoes_a_four_times_enlargement() {
        let small: Vec<f32> = (0..SIDE * SIDE)
            .map(|i| ((i * 37) % 11) as f32 / 10.0)
            .collect();
        let big: Vec<f32> = (0..112 * 112)
            .map(|i| small[(i / 112 / 4) * SIDE + (i % 112) / 4])
            .collect();
        let mut back = vec![0.0; SIDE * SIDE];
        shrink(&mut back, &big, 112);
        for (a, b) in small.iter().zip(&back) {
            assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        }
    }
}
