//! How far back a gradient reaches — the course's "why gates matter" as a measurement.

use crate::cnn::activation::Activation;
use crate::rng::Rng;
use crate::rnn::simple::{Feedback, SimpleRnn};
use crate::rnn::{pytorch_scale, Cell, Recurrent};
use crate::{Error, Result};

/// How far back a gradient reaches (the course's "why gates matter"): a network of `kind`
/// ("elman", "rnn", "gru" or "lstm"; hidden size `hidden`) reads `t` random inputs, and the
/// loss is its last hidden state summed (for Elman: its output). Returns, for every step s,
/// the norm of dLoss/dx_s. LSTMs start with forget-gate bias 1 (Jozefowicz et al. 2015),
/// as is usual; everything else is PyTorch's default initialisation from `seed`.
pub fn gradient_norms(kind: &str, t: usize, h: usize, seed: u64) -> Result<Vec<f32>> {
    let input = 4;
    let mut rng = Rng::new(seed ^ 0x5eed);
    let x: Vec<f32> = (0..t * input).map(|_| rng.normal()).collect();
    let norms = |g: &[f32]| {
        g.chunks_exact(input)
            .map(|r| r.iter().map(|v| v * v).sum::<f32>().sqrt())
            .collect::<Vec<f32>>()
    };
    if kind == "elman" {
        let mut r = Rng::new(seed);
        let mut net = SimpleRnn::random(
            Feedback::Elman,
            (input, h, 1),
            Activation::Identity,
            pytorch_scale(h),
            &mut r,
        );
        // y = the sum of h, so dy at the last step reaches every unit alike.
        (net.w_hy, net.b_hy) = (vec![1.0; h], vec![0.0]);
        let s0 = vec![0.0; h];
        let fwd = net.forward(&x, t, 1, &s0);
        let mut dy = vec![0.0; t];
        dy[t - 1] = 1.0;
        return Ok(norms(&net.backward(&fwd, &x, t, 1, &s0, &[], &dy).x));
    }
    let cell = Cell::from_kind(kind).map_err(|_| {
        Error::new(format!(
            "kind must be elman, rnn, gru or lstm, got {kind:?}"
        ))
    })?;
    let mut net = Recurrent::random(
        cell,
        input,
        h,
        1,
        false,
        pytorch_scale(h),
        &mut Rng::new(seed),
    );
    if let Cell::Lstm { .. } = net.cell {
        let w = &mut net.weights[0];
        w.b_ih[h..2 * h].fill(1.0);
        w.b_hh[h..2 * h].fill(0.0);
    }
    let zeros = vec![0.0; h];
    let fwd = net.forward(&x, t, 1, &zeros, &zeros);
    let mut dy = vec![0.0; t * h];
    dy[(t - 1) * h..].fill(1.0);
    let g = net.backward(&fwd, t, 1, &zeros, &zeros, &dy, &[], &[]);
    Ok(norms(&g.x))
}
