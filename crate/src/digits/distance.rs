//! The exact Euclidean distance transform (Felzenszwalb & Huttenlocher, "Distance Transforms
//! of Sampled Functions", 2012): for every pixel, how far the nearest pixel of a set is, in
//! time linear in the pixels — one pass down the columns, one along the rows, each the lower
//! envelope of parabolas. The pen uses it to redraw a drawing's strokes at another width.

/// Squared distance standing for "no pixel of the set in this column": far beyond any real
/// one (a 4096² image has squared distances under 3.4e7) and exact in f64 arithmetic.
const FAR: f64 = 1e12;

/// Buffers for [`distance`], kept between calls so a repaint allocates nothing.
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    /// [h, w] squared distances down the columns.
    cols: Vec<f64>,
    /// One line's function, result, parabola vertices and boundaries.
    f: Vec<f64>,
    d: Vec<f64>,
    v: Vec<usize>,
    z: Vec<f64>,
}

/// d[q] = min over p of (q − p)² + f[p]: the lower envelope of the parabolas rooted at every
/// p (f[p] = 0 where the set is, FAR elsewhere). `v` and `z` (n and n + 1 long) hold the
/// envelope's parabolas and where each takes over.
fn squared_line(f: &[f64], d: &mut [f64], v: &mut [usize], z: &mut [f64]) {
    let n = f.len();
    let meet = |q: usize, p: usize| {
        ((f[q] + (q * q) as f64) - (f[p] + (p * p) as f64)) / (2 * (q - p)) as f64
    };
    let mut k = 0;
    v[0] = 0;
    z[0] = f64::NEG_INFINITY;
    z[1] = f64::INFINITY;
    for q in 1..n {
        let mut s = meet(q, v[k]);
        // z[0] is −∞, so this stops at k = 0 at the latest.
        while s <= z[k] {
            k -= 1;
            s = meet(q, v[k]);
        }
        k += 1;
        v[k] = q;
        z[k] = s;
        z[k + 1] = f64::INFINITY;
    }
    k = 0;
    for (q, dq) in d.iter_mut().enumerate().take(n) {
        while z[k + 1] < q as f64 {
            k += 1;
        }
        let p = v[k];
        *dq = (q as f64 - p as f64).powi(2) + f[p];
    }
}

/// out: [h, w] = the distance from each pixel to the nearest pixel where `site` is true
/// (0 on the set itself), in pixels between centres. With no site at all every distance is
/// 1e6 (the root of FAR): farther than anything on the image.
pub fn distance(site: &[bool], w: usize, h: usize, out: &mut [f32], s: &mut Scratch) {
    s.cols.resize(w * h, 0.0);
    let n = w.max(h);
    s.f.resize(n, 0.0);
    s.d.resize(n, 0.0);
    s.v.resize(n, 0);
    s.z.resize(n + 1, 0.0);
    for x in 0..w {
        for y in 0..h {
            s.f[y] = if site[y * w + x] { 0.0 } else { FAR };
        }
        squared_line(&s.f[..h], &mut s.d[..h], &mut s.v, &mut s.z);
        for y in 0..h {
            s.cols[y * w + x] = s.d[y];
        }
    }
    for y in 0..h {
        s.f[..w].copy_from_slice(&s.cols[y * w..(y + 1) * w]);
        squared_line(&s.f[..w], &mut s.d[..w], &mut s.v, &mut s.z);
        for x in 0..w {
            out[y * w + x] = s.d[x].min(FAR).sqrt() as f32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// Against the definition: every pixel's distance to every site, on random sets of every
    /// density, on square and oblong images, including one site and none.
    #[test]
    fn equals_the_nearest_site_by_brute_force() {
        let mut rng = Rng::new(7);
        let mut s = Scratch::default();
        for (w, h, density) in [
            (9, 9, 0.1),
            (13, 5, 0.3),
            (4, 17, 0.02),
            (30, 30, 0.5),
            (8, 8, 0.0),
        ] {
            let site: Vec<bool> = (0..w * h).map(|_| rng.range(0.0, 1.0) < density).collect();
            let mut out = vec![0.0; w * h];
            distance(&site, w, h, &mut out, &mut s);
            for (i, &got) in out.iter().enumerate() {
                let want = site
                    .iter()
                    .enumerate()
                    .filter(|(_, &on)| on)
                    .map(|(j, _)| {
                        let (dx, dy) = (
                            (i % w) as f32 - (j % w) as f32,
                            (i / w) as f32 - (j / w) as f32,
                        );
                        dx.hypot(dy)
                    })
                    .fold(1e6f32, f32::min);
                assert!(
                    (got - want).abs() < 1e-4,
                    "{w}×{h} pixel {i}: {got} vs {want}"
                );
            }
        }
    }
}
