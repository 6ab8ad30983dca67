//! Pooling: max, mean (average) and stochastic, the course's three kinds.

use crate::cnn::{rank, Tensor};
use crate::kernels::scalar;
use crate::rng::Rng;
use crate::shape::{check_buffer, Padding, Window2d};
use crate::{bail, Result};

/// Checks x: [N, C, H, W] and plans the window.
pub fn plan(
    x: &[f32],
    x_shape: &[usize],
    kernel: [usize; 2],
    stride: [usize; 2],
    padding: Padding,
) -> Result<Window2d> {
    let xs: [usize; 4] = rank("x", x_shape, "[N, C, H, W]")?;
    check_buffer("x", x, &xs)?;
    Window2d::plan(xs, kernel, stride, padding)
}

fn out_shape(g: &Window2d) -> Vec<usize> {
    vec![g.n, g.c, g.oh, g.ow]
}

/// Max pooling. Returns y: [N, C, OH, OW] and, per output, the flat index into x of the
/// winning cell (what the page highlights, and where the gradient goes).
pub fn max_pool2d(
    x: &[f32],
    x_shape: &[usize],
    kernel: [usize; 2],
    stride: [usize; 2],
    padding: Padding,
) -> Result<(Tensor, Vec<u32>)> {
    let g = plan(x, x_shape, kernel, stride, padding)?;
    let mut y = vec![0.0; g.y_len(g.c)];
    let mut arg = vec![0; y.len()];
    scalar::max_pool2d(&mut y, &mut arg, x, &g);
    Ok((Tensor::new(out_shape(&g), y), arg))
}

/// Mean pooling; with SAME padding each window divides by its real cells only.
pub fn avg_pool2d(
    x: &[f32],
    x_shape: &[usize],
    kernel: [usize; 2],
    stride: [usize; 2],
    padding: Padding,
) -> Result<Tensor> {
    let g = plan(x, x_shape, kernel, stride, padding)?;
    let mut y = vec![0.0; g.y_len(g.c)];
    scalar::avg_pool2d(&mut y, x, &g);
    Ok(Tensor::new(out_shape(&g), y))
}

/// How stochastic pooling chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stochastic {
    /// The expectation: sum(a_i * p_i) with p_i = a_i / sum(a).
    Inference,
    /// Sample one cell per window with probability p_i, from this seed.
    Train { seed: u64 },
}

/// Stochastic pooling (Zeiler & Fergus 2013). x must be >= 0 (it follows a ReLU). Returns y
/// and, in training mode, the flat index in x of each sampled cell.
pub fn stochastic_pool2d(
    x: &[f32],
    x_shape: &[usize],
    kernel: [usize; 2],
    stride: [usize; 2],
    padding: Padding,
    mode: Stochastic,
) -> Result<(Tensor, Option<Vec<u32>>)> {
    let g = plan(x, x_shape, kernel, stride, padding)?;
    if let Some(i) = x.iter().position(|&v| v < 0.0) {
        bail!(
            "stochastic pooling needs activations >= 0 (p_i = a_i / sum(a) must be a probability), but x[{i}] is {}; put a ReLU before it",
            crate::error::number(f64::from(x[i]))
        );
    }
    let mut y = vec![0.0; g.y_len(g.c)];
    let arg = match mode {
        Stochastic::Inference => {
            scalar::stochastic_pool2d_inference(&mut y, x, &g);
            None
        }
        Stochastic::Train { seed } => {
            let mut arg = vec![0; y.len()];
            scalar::stochastic_pool2d_sample(&mut y, &mut arg, x, &g, &mut Rng::new(seed));
            Some(arg)
        }
    };
    Ok((Tensor::new(out_shape(&g), y), arg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn course_padding_examples() {
        // 2x3 plane, 2x2 window, stride 2: SAME -> 1x2, VALID -> 1x1.
        let x = [1., 2., 3., 4., 5., 6.];
        let (y, arg) = max_pool2d(&x, &[1, 1, 2, 3], [2, 2], [2, 2], Padding::Same).unwrap();
        assert_eq!(
            (y.shape.clone(), y.data.clone(), arg),
            (vec![1, 1, 1, 2], vec![5., 6.], vec![4, 5])
        );
        let (y, _) = max_pool2d(&x, &[1, 1, 2, 3], [2, 2], [2, 2], Padding::Valid).unwrap();
        assert_eq!(y.data, vec![5.]);
        // The SAME edge window holds 2 real cells (3 and 6): mean 4.5, not 9/4.
        let y = avg_pool2d(&x, &[1, 1, 2, 3], [2, 2], [2, 2], Padding::Same).unwrap();
        assert_eq!(y.data, vec![3.0, 4.5]);
        let x28: Vec<f32> = (0..784).map(|i| i as f32).collect();
        for p in [Padding::Same, Padding::Valid] {
            assert_eq!(
                avg_pool2d(&x28, &[1, 1, 28, 28], [2, 2], [2, 2], p)
                    .unwrap()
                    .shape,
                vec![1, 1, 14, 14]
            );
        }
    }

    #[test]
    fn stochastic_expectation_and_errors() {
        let x = [1., 3., 0., 0.];
        let (y, arg) = stochastic_pool2d(
            &x,
            &[1, 1, 2, 2],
            [2, 2],
            [2, 2],
            Padding::Valid,
            Stochastic::Inference,
        )
        .unwrap();
        assert_eq!((y.data, arg), (vec![(1. + 9.) / 4.], None));
        let (y, _) = stochastic_pool2d(
            &[0.; 4],
            &[1, 1, 2, 2],
            [2, 2],
            [2, 2],
            Padding::Valid,
            Stochastic::Inference,
        )
        .unwrap();
        assert_eq!(y.data, vec![0.]);
        let e = stochastic_pool2d(
            &[1., -1., 0., 0.],
            &[1, 1, 2, 2],
            [2, 2],
            [2, 2],
            Padding::Valid,
            Stochastic::Inference,
        )
        .unwrap_err();
        assert!(e.message().contains("x[1] is -1"), "{e}");
    }

    /// Training mode samples cell i with p_i = a_i / sum(a): over many seeds the observed
    /// frequencies match, within 4 standard errors.
    #[test]
    fn stochastic_sample_frequencies_match_p() {
        let x = [1., 2., 3., 4., 0., 6.]; // one 2x3 window; sum 16
        let trials = 40_000;
        let mut counts = [0usize; 6];
        let mut rng = Rng::new(1);
        for _ in 0..trials {
            let seed = rng.next_u64();
            let (y, arg) = stochastic_pool2d(
                &x,
                &[1, 1, 2, 3],
                [2, 3],
                [1, 1],
                Padding::Valid,
                Stochastic::Train { seed },
            )
            .unwrap();
            let i = arg.unwrap()[0] as usize;
            assert_eq!(y.data[0], x[i]);
            counts[i] += 1;
        }
        for (i, &c) in counts.iter().enumerate() {
            let p = x[i] as f64 / 16.0;
            let freq = c as f64 / trials as f64;
            let se = (p * (1.0 - p) / trials as f64).sqrt();
            assert!(
                (freq - p).abs() <= 4.0 * se + 1e-12,
                "cell {i}: p {p:.4}, seen {freq:.4} ({counts:?})"
            );
        }
        assert_eq!(counts[4], 0, "a zero activation is never sampled");
        // The same seed picks the same cells.
        let a = stochastic_pool2d(
            &x,
            &[1, 1, 2, 3],
            [2, 3],
            [1, 1],
            Padding::Valid,
            Stochastic::Train { seed: 9 },
        )
        .unwrap();
        let b = stochastic_pool2d(
            &x,
            &[1, 1, 2, 3],
            [2, 3],
            [1, 1],
            Padding::Valid,
            Stochastic::Train { seed: 9 },
        )
        .unwrap();
        assert_eq!(a, b);
    }
}
