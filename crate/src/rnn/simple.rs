//! Elman and Jordan networks (the course's two kinds of simple RNN), each with an output
//! layer y_t = act(W_hy h_t + b_hy). They differ in one wire, which the page highlights:
//! Elman feeds back the hidden state, h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh);
//! Jordan feeds back the output, h_t = tanh(W_ih x_t + b_ih + W_yh y_{t-1} + b_hh).

use crate::cnn::activation::Activation;
use crate::kernels::fast;
use crate::shape::{MAX_HIDDEN, MAX_INPUT};
use crate::{bail, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feedback {
    /// h_{t-1} feeds the hidden layer.
    Elman,
    /// y_{t-1} feeds the hidden layer.
    Jordan,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SimpleRnn {
    pub feedback: Feedback,
    pub input: usize,
    pub hidden: usize,
    pub output: usize,
    pub out_act: Activation,
    /// [H, I]
    pub w_ih: Vec<f32>,
    /// [H, H] (Elman's weight_hh) or [H, O] (Jordan's weight_yh).
    pub w_rec: Vec<f32>,
    pub b_ih: Vec<f32>,
    pub b_hh: Vec<f32>,
    /// [O, H]
    pub w_hy: Vec<f32>,
    pub b_hy: Vec<f32>,
}

/// h: [T, N, H] and y: [T, N, O].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SimpleOutput {
    pub h: Vec<f32>,
    pub y: Vec<f32>,
}

/// Gradients in the shapes of the weights, plus x and the initial state.
#[derive(Debug, Clone, PartialEq)]
pub struct SimpleGrads {
    pub w_ih: Vec<f32>,
    pub w_rec: Vec<f32>,
    pub b_ih: Vec<f32>,
    pub b_hh: Vec<f32>,
    pub w_hy: Vec<f32>,
    pub b_hy: Vec<f32>,
    pub x: Vec<f32>,
    pub s0: Vec<f32>,
}

impl SimpleRnn {
    /// A network whose every weight and bias is uniform in ±`scale` (PyTorch's default is
    /// 1/√hidden), drawn from `rng` in field order, as `Recurrent::random` does.
    pub fn random(
        feedback: Feedback,
        (input, hidden, output): (usize, usize, usize),
        out_act: Activation,
        scale: f32,
        rng: &mut crate::rng::Rng,
    ) -> SimpleRnn {
        let state = match feedback {
            Feedback::Elman => hidden,
            Feedback::Jordan => output,
        };
        let mut u = |n: usize| {
            (0..n)
                .map(|_| rng.range(-scale, scale))
                .collect::<Vec<f32>>()
        };
        SimpleRnn {
            feedback,
            input,
            hidden,
            output,
            out_act,
            w_ih: u(hidden * input),
            w_rec: u(hidden * state),
            b_ih: u(hidden),
            b_hh: u(hidden),
            w_hy: u(output * hidden),
            b_hy: u(output),
        }
    }

    /// Width of the state that feeds back: H (Elman) or O (Jordan).
    pub fn state(&self) -> usize {
        match self.feedback {
            Feedback::Elman => self.hidden,
            Feedback::Jordan => self.output,
        }
    }

    pub fn validate(&self) -> Result<()> {
        let (i, h, o, s) = (self.input, self.hidden, self.output, self.state());
        if i == 0 || h == 0 || o == 0 || h > MAX_HIDDEN || o > MAX_HIDDEN || i > MAX_INPUT {
            bail!("input, hidden and output sizes must be between 1 and {MAX_HIDDEN} (input {MAX_INPUT})");
        }
        let rec = if self.feedback == Feedback::Elman {
            "weight_hh"
        } else {
            "weight_yh"
        };
        for (name, v, len) in [
            ("weight_ih", &self.w_ih, h * i),
            (rec, &self.w_rec, h * s),
            ("bias_ih", &self.b_ih, h),
            ("bias_hh", &self.b_hh, h),
            ("weight_hy", &self.w_hy, o * h),
            ("bias_hy", &self.b_hy, o),
        ] {
            if v.len() != len {
                bail!("{name} has {} numbers, needs {len}", v.len());
            }
            crate::shape::check_finite(name, v)?;
        }
        Ok(())
    }

    /// Runs x: [T, N, I] from s0 ([N, H] for Elman's h0, [N, O] for Jordan's y0).
    pub fn forward(&self, x: &[f32], t: usize, n: usize, s0: &[f32]) -> SimpleOutput {
        let (i, h, o, s) = (self.input, self.hidden, self.output, self.state());
        let mut out = SimpleOutput {
            h: vec![0.0; t * n * h],
            y: vec![0.0; t * n * o],
        };
        let mut prev = s0.to_vec();
        for step in 0..t {
            let hs = &mut out.h[step * n * h..][..n * h];
            for row in hs.chunks_exact_mut(h) {
                for (v, (a, b)) in row.iter_mut().zip(self.b_ih.iter().zip(&self.b_hh)) {
                    *v = a + b;
                }
            }
            fast::gemm_nt(hs, &x[step * n * i..][..n * i], &self.w_ih, n, i, h);
            fast::gemm_nt(hs, &prev, &self.w_rec, n, s, h);
            hs.iter_mut().for_each(|v| *v = v.tanh());
            let ys = &mut out.y[step * n * o..][..n * o];
            for row in ys.chunks_exact_mut(o) {
                row.copy_from_slice(&self.b_hy);
            }
            fast::gemm_nt(ys, hs, &self.w_hy, n, h, o);
            let pre = ys.to_vec();
            self.out_act.apply(ys, &pre);
            prev.copy_from_slice(if self.feedback == Feedback::Elman {
                hs
            } else {
                ys
            });
        }
        out
    }

    /// BPTT given dL/dh [T, N, H] (may be empty for none) and dL/dy [T, N, O].
    #[allow(clippy::too_many_arguments)] // the forward record, its inputs and both gradients
    pub fn backward(
        &self,
        fwd: &SimpleOutput,
        x: &[f32],
        t: usize,
        n: usize,
        s0: &[f32],
        dh_out: &[f32],
        dy: &[f32],
    ) -> SimpleGrads {
        let (i, h, o, s) = (self.input, self.hidden, self.output, self.state());
        let mut g = SimpleGrads {
            w_ih: vec![0.0; self.w_ih.len()],
            w_rec: vec![0.0; self.w_rec.len()],
            b_ih: vec![0.0; h],
            b_hh: vec![0.0; h],
            w_hy: vec![0.0; self.w_hy.len()],
            b_hy: vec![0.0; o],
            x: vec![0.0; x.len()],
            s0: vec![0.0; s0.len()],
        };
        let mut ds_next = vec![0.0; n * s]; // dL/d(state fed to the next step)
        for step in (0..t).rev() {
            let hs = &fwd.h[step * n * h..][..n * h];
            let ys = &fwd.y[step * n * o..][..n * o];
            // dL/d(output pre-activation)
            let mut dyp: Vec<f32> = (0..n * o)
                .map(|k| {
                    dy[step * n * o + k]
                        + if self.feedback == Feedback::Jordan {
                            ds_next[k]
                        } else {
                            0.0
                        }
                })
                .collect();
            for (d, &v) in dyp.iter_mut().zip(ys) {
                *d *= match self.out_act {
                    Activation::Identity => 1.0,
                    Activation::Sigmoid => v * (1.0 - v),
                    Activation::Tanh => 1.0 - v * v,
                    Activation::Relu => f32::from(v > 0.0),
                };
            }
            fast::gemm_tn(&mut g.w_hy, &dyp, hs, o, n, h);
            for row in dyp.chunks_exact(o) {
                g.b_hy.iter_mut().zip(row).for_each(|(a, v)| *a += v);
            }
            let mut dh: Vec<f32> = (0..n * h).map(|k| if dh_out.is_empty() { 0.0 } else { dh_out[step * n * h + k] } + if self.feedback == Feedback::Elman { ds_next[k] } else { 0.0 }).collect();
            fast::gemm_nn(&mut dh, &dyp, &self.w_hy, n, o, h);
            for (d, &v) in dh.iter_mut().zip(hs) {
                *d *= 1.0 - v * v;
            }
            let prev = if step == 0 {
                s0
            } else if self.feedback == Feedback::Elman {
                &fwd.h[(step - 1) * n * h..][..n * h]
            } else {
                &fwd.y[(step - 1) * n * o..][..n * o]
            };
            fast::gemm_tn(&mut g.w_ih, &dh, &x[step * n * i..][..n * i], h, n, i);
            fast::gemm_nn(&mut g.x[step * n * i..][..n * i], &dh, &self.w_ih, n, h, i);
            fast::gemm_tn(&mut g.w_rec, &dh, prev, h, n, s);
            for row in dh.chunks_exact(h) {
                g.b_ih.iter_mut().zip(row).for_each(|(a, v)| *a += v);
                g.b_hh.iter_mut().zip(row).for_each(|(a, v)| *a += v);
            }
            ds_next.fill(0.0);
            fast::gemm_nn(&mut ds_next, &dh, &self.w_rec, n, h, s);
        }
        g.s0 = ds_next;
        g
    }
}
