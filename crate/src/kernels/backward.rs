//! Reference backward passes (gradients) of the kernels in `scalar.rs`: given dL/dy, the
//! gradients with respect to inputs and parameters. Written as the chain rule reads; checked
//! against central finite differences in the tests below.
//!
//! Parameter gradients are *accumulated* (`+=`) so a batch can sum into one buffer; input
//! gradients are *overwritten*.

use crate::shape::Window2d;

/// Convolution backward. Given dy: [n, o, oh, ow], x: [n, c, h, w], wt: [o, c, kh, kw]:
/// dx = sum over taps of dy * w (overwritten, if given), dw += dy * x, db += sum(dy).
#[allow(clippy::too_many_arguments)] // three outputs, three inputs and the geometry
pub fn conv2d(
    dx: Option<&mut [f32]>,
    dw: &mut [f32],
    db: &mut [f32],
    dy: &[f32],
    x: &[f32],
    wt: &[f32],
    g: &Window2d,
    o: usize,
) {
    let mut dx = dx;
    if let Some(dx) = dx.as_deref_mut() {
        dx.fill(0.0);
    }
    for n in 0..g.n {
        for oc in 0..o {
            for oy in 0..g.oh {
                for ox in 0..g.ow {
                    let d = dy[((n * o + oc) * g.oh + oy) * g.ow + ox];
                    db[oc] += d;
                    for ic in 0..g.c {
                        for ky in 0..g.kh {
                            let Some(iy) = g.in_row(oy, ky) else { continue };
                            for kx in 0..g.kw {
                                let Some(ix) = g.in_col(ox, kx) else { continue };
                                let xi = ((n * g.c + ic) * g.h + iy) * g.w + ix;
                                let wi = ((oc * g.c + ic) * g.kh + ky) * g.kw + kx;
                                dw[wi] += d * x[xi];
                                if let Some(dx) = dx.as_deref_mut() {
                                    dx[xi] += d * wt[wi];
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Max pooling (and sampled stochastic pooling) backward: each output's gradient goes to
/// the one input cell it took (`arg`, flat indices into x). dx is overwritten.
pub fn routed_pool2d(dx: &mut [f32], dy: &[f32], arg: &[u32]) {
    dx.fill(0.0);
    for (&d, &i) in dy.iter().zip(arg) {
        dx[i as usize] += d;
    }
}

/// Mean pooling backward: each output's gradient is shared equally by its real cells.
pub fn avg_pool2d(dx: &mut [f32], dy: &[f32], g: &Window2d) {
    dx.fill(0.0);
    super::scalar::for_each_window(g, |o, base, rows, cols| {
        let share = dy[o] / (rows.len() * cols.len()).max(1) as f32;
        for iy in rows {
            for v in &mut dx[base + iy * g.w..][cols.clone()] {
                *v += share;
            }
        }
    });
}

/// Dense backward for y = x w^T + b with x: [n, inp], wt: [out, inp]:
/// dx = dy w (overwritten, if given), dw += dy^T x, db += column sums of dy.
#[allow(clippy::too_many_arguments)]
pub fn dense(
    dx: Option<&mut [f32]>,
    dw: &mut [f32],
    db: &mut [f32],
    dy: &[f32],
    x: &[f32],
    wt: &[f32],
    n: usize,
    inp: usize,
    out: usize,
) {
    let mut dx = dx;
    for r in 0..n {
        let xr = &x[r * inp..(r + 1) * inp];
        if let Some(dx) = dx.as_deref_mut() {
            dx[r * inp..(r + 1) * inp].fill(0.0);
        }
        for j in 0..out {
            let d = dy[r * out + j];
            db[j] += d;
            let wrow = &wt[j * inp..(j + 1) * inp];
            for (k, &xv) in xr.iter().enumerate() {
                dw[j * inp + k] += d * xv;
            }
            if let Some(dx) = dx.as_deref_mut() {
                for (k, &wv) in wrow.iter().enumerate() {
                    dx[r * inp + k] += d * wv;
                }
            }
        }
    }
}

/// ReLU backward from its output y, in place: d = dy where y > 0, else 0.
pub fn relu(d: &mut [f32], y: &[f32]) {
    for (o, &v) in d.iter_mut().zip(y) {
        *o = if v > 0.0 { *o } else { 0.0 };
    }
}

/// tanh backward from its output y, in place: d = dy (1 - y^2).
pub fn tanh(d: &mut [f32], y: &[f32]) {
    for (o, &v) in d.iter_mut().zip(y) {
        *o *= 1.0 - v * v;
    }
}

/// sigmoid backward from its output y, in place: d = dy y (1 - y).
pub fn sigmoid(d: &mut [f32], y: &[f32]) {
    for (o, &v) in d.iter_mut().zip(y) {
        *o = *o * v * (1.0 - v);
    }
}

/// Mean softmax cross-entropy over a batch. logits: [n, k], labels: [n] (each < k).
/// Writes dlogits = (softmax - onehot) / n and returns the mean loss.
pub fn softmax_cross_entropy(dlogits: &mut [f32], logits: &[f32], labels: &[u8], k: usize) -> f32 {
    let n = labels.len();
    let mut loss = 0.0f64;
    for ((d, z), &label) in dlogits
        .chunks_exact_mut(k)
        .zip(logits.chunks_exact(k))
        .zip(labels)
    {
        let m = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let sum: f32 = z.iter().map(|&v| (v - m).exp()).sum();
        let log_sum = sum.ln() + m;
        loss += f64::from(log_sum - z[label as usize]);
        for (j, (dj, &zj)) in d.iter_mut().zip(z).enumerate() {
            let p = (zj - log_sum).exp();
            *dj = (p - if j == label as usize { 1.0 } else { 0.0 }) / n as f32;
        }
    }
    (loss / n as f64) as f32
}

/// Cross-entropy of rows of log-probabilities lp: [n, k] (from `scalar::log_softmax`)
/// against target ids [n] (each < k, which the caller has checked): returns the sum of
/// -lp[target] in f64, and writes dlogits = weight · (softmax - onehot), the gradient of
/// weight · that sum with respect to the logits. Labels are u32, for vocabularies beyond
/// the 256 classes that [`softmax_cross_entropy`]'s u8 labels hold.
pub fn nll_from_log_probs(
    dlogits: &mut [f32],
    lp: &[f32],
    targets: &[u32],
    k: usize,
    weight: f32,
) -> f64 {
    let mut sum = 0.0f64;
    for ((d, row), &target) in dlogits
        .chunks_exact_mut(k)
        .zip(lp.chunks_exact(k))
        .zip(targets)
    {
        sum -= f64::from(row[target as usize]);
        for (dj, &l) in d.iter_mut().zip(row) {
            *dj = weight * l.exp();
        }
        d[target as usize] -= weight;
    }
    sum
}

/// Backward of a stride-1 convolution over an (already padded) input xp: [c, hp, wp], visiting
/// only the nonzero entries of dy: [o, oh, ow]. After ReLU and max pooling at most a quarter
/// of dy is nonzero (only pooling winners get a gradient), so this does a fraction of the
/// dense work and needs no im2col. dw += dy ⋆ xp, db += sum(dy), and, if given,
/// dxp += the full correlation of dy with wt (callers zero dxp first).
#[allow(clippy::too_many_arguments)]
pub fn conv2d_s1_sparse(
    dxp: Option<&mut [f32]>,
    dw: &mut [f32],
    db: &mut [f32],
    dy: &[f32],
    xp: &[f32],
    wt: &[f32],
    d: &super::ConvS1,
) {
    // A kernel width known at compile time turns each row update into straight-line code
    // (LeNet's 5 wide: 1.6x faster in V8 than the loop over a runtime width).
    match d.kw {
        5 => sparse_rows::<5>(dxp, dw, db, dy, xp, wt, d),
        3 => sparse_rows::<3>(dxp, dw, db, dy, xp, wt, d),
        _ => sparse_rows::<0>(dxp, dw, db, dy, xp, wt, d),
    }
}

/// The body of [`conv2d_s1_sparse`]; `KW` is the kernel width, or 0 for "read it from d".
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn sparse_rows<const KW: usize>(
    dxp: Option<&mut [f32]>,
    dw: &mut [f32],
    db: &mut [f32],
    dy: &[f32],
    xp: &[f32],
    wt: &[f32],
    d: &super::ConvS1,
) {
    let kw = if KW == 0 { d.kw } else { KW };
    let mut dxp = dxp;
    for o in 0..d.o {
        for oy in 0..d.oh {
            for ox in 0..d.ow {
                let g = dy[(o * d.oh + oy) * d.ow + ox];
                if g == 0.0 {
                    continue;
                }
                db[o] += g;
                for c in 0..d.c {
                    for ky in 0..d.kh {
                        let at = (c * d.hp + oy + ky) * d.wp + ox;
                        let wi = ((o * d.c + c) * d.kh + ky) * kw;
                        let (dwr, xr) = (&mut dw[wi..wi + kw], &xp[at..at + kw]);
                        for k in 0..kw {
                            dwr[k] += g * xr[k];
                        }
                        if let Some(dx) = dxp.as_deref_mut() {
                            let (dxr, wr) = (&mut dx[at..at + kw], &wt[wi..wi + kw]);
                            for k in 0..kw {
                                dxr[k] += g * wr[k];
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! Every backward pass against central finite differences of its forward pass, on
    //! random small shapes. The loss is L = sum(y * r) for a fixed random r, so dL/dy = r.
    #![allow(clippy::needless_range_loop)] // finite differences nudge one indexed entry at a time
    use super::*;
    use crate::kernels::scalar;
    use crate::rng::Rng;
    use crate::shape::Padding;

    fn rand(rng: &mut Rng, n: usize) -> Vec<f32> {
        (0..n).map(|_| rng.range(-1.0, 1.0)).collect()
    }

    /// Numerical dL/dv[i] by central differences in f64 around f32 parameters.
    fn numeric(v: &mut [f32], i: usize, loss: &mut dyn FnMut(&[f32]) -> f64) -> f32 {
        let h = 1e-2f32;
        let old = v[i];
        v[i] = old + h;
        let up = loss(v);
        v[i] = old - h;
        let down = loss(v);
        v[i] = old;
        ((up - down) / (2.0 * h as f64)) as f32
    }

    fn close(analytic: f32, numeric: f32, what: &str) {
        let tol = 2e-3 * (1.0 + analytic.abs().max(numeric.abs()));
        assert!(
            (analytic - numeric).abs() <= tol,
            "{what}: analytic {analytic} vs numeric {numeric}"
        );
    }

    fn weighted(y: &[f32], r: &[f32]) -> f64 {
        y.iter()
            .zip(r)
            .map(|(&a, &b)| f64::from(a) * f64::from(b))
            .sum()
    }

    #[test]
    fn conv2d_matches_finite_differences() {
        let mut rng = Rng::new(3);
        for trial in 0..12 {
            let (n, c, o) = (1 + rng.below(2), 1 + rng.below(3), 1 + rng.below(3));
            let (h, w) = (2 + rng.below(6), 2 + rng.below(6));
            let (kh, kw) = (1 + rng.below(h.min(4)), 1 + rng.below(w.min(4)));
            let stride = [1 + rng.below(2), 1 + rng.below(2)];
            let padding = if trial % 2 == 0 {
                Padding::Same
            } else {
                Padding::Valid
            };
            let g = Window2d::plan([n, c, h, w], [kh, kw], stride, padding).unwrap();
            let (mut x, mut wt, mut b) = (
                rand(&mut rng, g.x_len()),
                rand(&mut rng, o * c * kh * kw),
                rand(&mut rng, o),
            );
            let r = rand(&mut rng, g.y_len(o));
            let (mut dx, mut dw, mut db) = (vec![0.0; x.len()], vec![0.0; wt.len()], vec![0.0; o]);
            conv2d(Some(&mut dx), &mut dw, &mut db, &r, &x, &wt, &g, o);
            let fwd = |x: &[f32], wt: &[f32], b: &[f32]| {
                let mut y = vec![0.0; g.y_len(o)];
                scalar::conv2d(&mut y, x, wt, b, &g, o);
                weighted(&y, &r)
            };
            for i in 0..x.len() {
                let (wt2, b2) = (wt.clone(), b.clone());
                close(
                    dx[i],
                    numeric(&mut x, i, &mut |x| fwd(x, &wt2, &b2)),
                    &format!("dx[{i}] {g:?}"),
                );
            }
            for i in 0..wt.len() {
                let (x2, b2) = (x.clone(), b.clone());
                close(
                    dw[i],
                    numeric(&mut wt, i, &mut |w| fwd(&x2, w, &b2)),
                    &format!("dw[{i}]"),
                );
            }
            for i in 0..o {
                let (x2, w2) = (x.clone(), wt.clone());
                close(
                    db[i],
                    numeric(&mut b, i, &mut |b| fwd(&x2, &w2, b)),
                    &format!("db[{i}]"),
                );
            }
        }
    }

    #[test]
    fn pooling_matches_finite_differences() {
        let mut rng = Rng::new(5);
        for trial in 0..12 {
            let (n, c, h, w) = (
                1 + rng.below(2),
                1 + rng.below(2),
                2 + rng.below(6),
                2 + rng.below(6),
            );
            let k = [1 + rng.below(h.min(3)), 1 + rng.below(w.min(3))];
            let padding = if trial % 2 == 0 {
                Padding::Same
            } else {
                Padding::Valid
            };
            let g = Window2d::plan(
                [n, c, h, w],
                k,
                [1 + rng.below(2), 1 + rng.below(2)],
                padding,
            )
            .unwrap();
            // Distinct values so the max is unique and a small nudge does not change it.
            let mut x: Vec<f32> = (0..g.x_len())
                .map(|i| i as f32 * 0.37 % 1.0 + rng.range(0.0, 0.01))
                .collect();
            let r = rand(&mut rng, g.y_len(c));
            let (mut y, mut arg) = (vec![0.0; r.len()], vec![0; r.len()]);
            scalar::max_pool2d(&mut y, &mut arg, &x, &g);
            let mut dx = vec![0.0; x.len()];
            routed_pool2d(&mut dx, &r, &arg);
            for i in 0..x.len() {
                let num = numeric(&mut x, i, &mut |x| {
                    let (mut y, mut a) = (vec![0.0; r.len()], vec![0; r.len()]);
                    scalar::max_pool2d(&mut y, &mut a, x, &g);
                    weighted(&y, &r)
                });
                // Finite differences of a max need a margin wider than h to the runner-up.
                let h = 1e-2;
                let tie = arg
                    .iter()
                    .any(|&a| a as usize != i && (x[a as usize] - x[i]).abs() < 2.0 * h);
                if !tie {
                    close(dx[i], num, &format!("max dx[{i}]"));
                }
            }
            avg_pool2d(&mut dx, &r, &g);
            for i in 0..x.len() {
                let num = numeric(&mut x, i, &mut |x| {
                    let mut y = vec![0.0; r.len()];
                    scalar::avg_pool2d(&mut y, x, &g);
                    weighted(&y, &r)
                });
                close(dx[i], num, &format!("avg dx[{i}]"));
            }
        }
    }

    #[test]
    fn stochastic_pool_gradient_goes_to_the_sampled_cell() {
        let g = Window2d::plan([1, 1, 2, 2], [2, 2], [2, 2], Padding::Valid).unwrap();
        let x = [0.5, 1.5, 0.0, 2.0];
        let (mut y, mut arg) = ([0.0], [0]);
        scalar::stochastic_pool2d_sample(&mut y, &mut arg, &x, &g, &mut Rng::new(4));
        let mut dx = [9.0; 4];
        routed_pool2d(&mut dx, &[3.0], &arg);
        let picked = arg[0] as usize;
        assert_eq!(y[0], x[picked]);
        for (i, &d) in dx.iter().enumerate() {
            assert_eq!(d, if i == picked { 3.0 } else { 0.0 });
        }
        // With the sample fixed, y = x[picked], so dy/dx[picked] = 1: the same as routing.
        let num = (x[picked] + 0.01 - (x[picked] - 0.01)) / 0.02;
        close(dx[picked] / 3.0, num, "stochastic");
    }

    #[test]
    fn dense_and_activations_match_finite_differences() {
        let mut rng = Rng::new(8);
        let (n, inp, out) = (3, 7, 5);
        let (mut x, mut wt, mut b) = (
            rand(&mut rng, n * inp),
            rand(&mut rng, out * inp),
            rand(&mut rng, out),
        );
        let r = rand(&mut rng, n * out);
        let (mut dx, mut dw, mut db) = (vec![0.0; x.len()], vec![0.0; wt.len()], vec![0.0; out]);
        dense(Some(&mut dx), &mut dw, &mut db, &r, &x, &wt, n, inp, out);
        let fwd = |x: &[f32], w: &[f32], b: &[f32]| {
            let mut y = vec![0.0; n * out];
            scalar::dense(&mut y, x, w, b, n, inp, out);
            weighted(&y, &r)
        };
        for i in 0..x.len() {
            let (w2, b2) = (wt.clone(), b.clone());
            close(
                dx[i],
                numeric(&mut x, i, &mut |x| fwd(x, &w2, &b2)),
                "dense dx",
            );
        }
        for i in 0..wt.len() {
            let (x2, b2) = (x.clone(), b.clone());
            close(
                dw[i],
                numeric(&mut wt, i, &mut |w| fwd(&x2, w, &b2)),
                "dense dw",
            );
        }
        for i in 0..out {
            let (x2, w2) = (x.clone(), wt.clone());
            close(
                db[i],
                numeric(&mut b, i, &mut |b| fwd(&x2, &w2, b)),
                "dense db",
            );
        }
        type Act = (fn(&mut [f32], &[f32]), fn(&mut [f32], &[f32]), &'static str);
        let acts: [Act; 3] = [
            (scalar::relu, relu, "relu"),
            (scalar::tanh, tanh, "tanh"),
            (scalar::sigmoid, sigmoid, "sigmoid"),
        ];
        for (f, df, name) in acts {
            // Keep ReLU inputs away from its kink at 0, where no derivative exists.
            let mut x: Vec<f32> = rand(&mut rng, 20)
                .iter()
                .map(|v| if v.abs() < 0.05 { 0.3 } else { *v })
                .collect();
            let r = rand(&mut rng, 20);
            let mut y = vec![0.0; 20];
            f(&mut y, &x);
            let mut dx = r.clone(); // dL/dy in, dL/dx out
            df(&mut dx, &y);
            for i in 0..20 {
                let num = numeric(&mut x, i, &mut |x| {
                    let mut y = vec![0.0; 20];
                    f(&mut y, x);
                    weighted(&y, &r)
                });
                close(dx[i], num, name);
            }
        }
    }

    #[test]
    fn softmax_cross_entropy_matches_finite_differences() {
        let mut rng = Rng::new(11);
        let (n, k) = (4, 10);
        let mut z: Vec<f32> = (0..n * k).map(|_| rng.range(-3.0, 3.0)).collect();
        let labels = [3u8, 0, 9, 5];
        let mut dz = vec![0.0; n * k];
        let loss = softmax_cross_entropy(&mut dz, &z, &labels, k);
        let mut scratch = vec![0.0; n * k];
        let mut p = vec![0.0; n * k];
        scalar::softmax(&mut p, &z, k);
        let want: f32 = labels
            .iter()
            .enumerate()
            .map(|(i, &l)| -p[i * k + l as usize].ln())
            .sum::<f32>()
            / n as f32;
        assert!((loss - want).abs() < 1e-5, "{loss} vs {want}");
        for i in 0..n * k {
            let num = numeric(&mut z, i, &mut |z| {
                f64::from(softmax_cross_entropy(&mut scratch, z, &labels, k))
            });
            close(dz[i], num, "dlogits");
        }
    }
}

#[cfg(test)]
mod nll_tests {
    use super::*;
    use crate::kernels::scalar;
    use crate::rng::Rng;

    /// Over 300 classes (more than u8 labels hold): the loss equals the direct formula and
    /// the gradient equals central differences of it.
    #[test]
    fn nll_of_log_softmax_matches_its_finite_differences() {
        let mut rng = Rng::new(41);
        let (n, k) = (3, 300);
        let mut z: Vec<f32> = (0..n * k).map(|_| rng.range(-3.0, 3.0)).collect();
        let targets = [299u32, 0, 257];
        let loss = |z: &[f32]| {
            let mut lp = vec![0.0; z.len()];
            scalar::log_softmax(&mut lp, z, k);
            let mut d = vec![0.0; z.len()];
            nll_from_log_probs(&mut d, &lp, &targets, k, 0.5) * 0.5
        };
        let direct: f64 = (0..n)
            .map(|r| {
                let row = &z[r * k..][..k];
                let sum: f64 = row.iter().map(|&v| f64::from(v).exp()).sum();
                sum.ln() - f64::from(row[targets[r] as usize])
            })
            .sum();
        assert!(
            (loss(&z) - 0.5 * direct).abs() < 1e-4,
            "{} vs {direct}",
            loss(&z)
        );
        let mut lp = vec![0.0; z.len()];
        scalar::log_softmax(&mut lp, &z, k);
        let mut d = vec![0.0; z.len()];
        nll_from_log_probs(&mut d, &lp, &targets, k, 0.5);
        for i in [0, 1, 299, k, k + 5, 2 * k + 257, 2 * k + 256] {
            let old = z[i];
            z[i] = old + 1e-2;
            let up = loss(&z);
            z[i] = old - 1e-2;
            let down = loss(&z);
            z[i] = old;
            let num = ((up - down) / 2e-2) as f32;
            assert!(
                (num - d[i]).abs() < 1e-4 * (1.0 + num.abs()),
                "[{i}]: {} vs {num}",
                d[i]
            );
        }
    }
}

#[cfg(test)]
mod sparse_tests {
    use super::*;
    use crate::kernels::ConvS1;
    use crate::rng::Rng;
    use crate::shape::Padding;

    /// The sparse path equals the dense reference on the same (mostly zero) gradient.
    #[test]
    fn sparse_conv_backward_equals_dense() {
        let mut rng = Rng::new(23);
        for _ in 0..30 {
            let (c, o, h, w) = (
                1 + rng.below(4),
                1 + rng.below(5),
                3 + rng.below(10),
                3 + rng.below(10),
            );
            let (kh, kw) = (1 + rng.below(h.min(5)), 1 + rng.below(w.min(5)));
            let g = Window2d::plan([1, c, h, w], [kh, kw], [1, 1], Padding::Valid).unwrap();
            let d = ConvS1::new(c, h, w, o, kh, kw);
            let x: Vec<f32> = (0..c * h * w).map(|_| rng.range(-1.0, 1.0)).collect();
            let wt: Vec<f32> = (0..o * c * kh * kw).map(|_| rng.range(-1.0, 1.0)).collect();
            let dy: Vec<f32> = (0..o * d.oh * d.ow)
                .map(|_| {
                    if rng.below(4) == 0 {
                        rng.range(-1.0, 1.0)
                    } else {
                        0.0
                    }
                })
                .collect();
            let (mut dx0, mut dw0, mut db0) =
                (vec![0.0; x.len()], vec![0.0; wt.len()], vec![0.0; o]);
            conv2d(Some(&mut dx0), &mut dw0, &mut db0, &dy, &x, &wt, &g, o);
            let (mut dx1, mut dw1, mut db1) =
                (vec![0.0; x.len()], vec![0.0; wt.len()], vec![0.0; o]);
            conv2d_s1_sparse(Some(&mut dx1), &mut dw1, &mut db1, &dy, &x, &wt, &d);
            for (a, b) in dx0
                .iter()
                .chain(&dw0)
                .chain(&db0)
                .zip(dx1.iter().chain(&dw1).chain(&db1))
            {
                assert!((a - b).abs() < 1e-5, "{a} vs {b} ({d:?})");
            }
        }
    }
}
