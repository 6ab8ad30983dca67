//! The network advanced one time step at a time, per layer and direction, for the page's
//! unrolling animation. Each step computes exactly what the whole-sequence forward pass
//! computes at that step (a test holds the two equal), so the gates a student watches are
//! the real ones.

use super::cell::{self, at, Packed, StepScratch};
use super::simple::{Feedback, SimpleRnn};
use super::{Recurrent, Trace};
use crate::kernels::fast;
use crate::{bail, Result};

/// A [`Recurrent`] network over one sequence x: [T, I] (batch 1), zero initial states.
#[derive(Debug, Clone)]
pub struct Stepper {
    pub net: Recurrent,
    pub t: usize,
    x: Vec<f32>,
    traces: Vec<Trace>,
    done: Vec<usize>,
    scratch: StepScratch,
    /// Each layer and direction's weights packed, as the whole-sequence pass uses them.
    packed: Vec<Packed>,
}

impl Stepper {
    pub fn new(net: Recurrent, x: &[f32], t: usize) -> Result<Stepper> {
        net.validate()?;
        let zeros = vec![0.0; net.layers * net.directions() * net.hidden];
        net.check_inputs(x, &[t, 1, net.input], &zeros, &zeros)?;
        let k = net.weights.len();
        let traces = (0..k)
            .map(|_| cell::empty_trace(net.cell, t, 1, net.hidden))
            .collect();
        let packed = net.pack();
        Ok(Stepper {
            t,
            x: x.to_vec(),
            traces,
            done: vec![0; k],
            scratch: StepScratch::default(),
            packed,
            net,
        })
    }

    fn index(&self, layer: usize, dir: usize) -> Result<usize> {
        if layer >= self.net.layers || dir >= self.net.directions() {
            bail!(
                "layer must be below {} and direction below {}, got layer {layer}, direction {dir}",
                self.net.layers,
                self.net.directions()
            );
        }
        Ok(layer * self.net.directions() + dir)
    }

    /// Steps done so far by (layer, dir).
    pub fn done(&self, layer: usize, dir: usize) -> Result<usize> {
        Ok(self.done[self.index(layer, dir)?])
    }

    /// Whether layer `layer`'s input at time `s` exists yet (the layer below has computed it
    /// in every direction).
    fn input_ready(&self, layer: usize, s: usize) -> bool {
        layer == 0
            || (0..self.net.directions()).all(|d| {
                let done = self.done[(layer - 1) * self.net.directions() + d];
                if d == 0 {
                    done > s
                } else {
                    done >= self.t - s
                }
            })
    }

    /// Advances (layer, dir) by one step; returns the time index it computed.
    pub fn step(&mut self, layer: usize, dir: usize) -> Result<usize> {
        let k = self.index(layer, dir)?;
        let (t, h, d) = (self.t, self.net.hidden, self.net.directions());
        let done = self.done[k];
        if done == t {
            bail!(
                "layer {layer} {} has already processed all {t} steps",
                if dir == 1 { "backward" } else { "forward" }
            );
        }
        let s = at(done, t, dir == 1);
        if !self.input_ready(layer, s) {
            bail!("layer {layer} needs layer {}'s output at step {} first: step the layer below further", layer - 1, s + 1);
        }
        let width = self.net.layer_input(layer);
        let input: Vec<f32> = if layer == 0 {
            self.x[s * width..][..width].to_vec()
        } else {
            (0..d)
                .flat_map(|q| self.traces[(layer - 1) * d + q].h[s * h..][..h].to_vec())
                .collect()
        };
        let w = &self.net.weights[k];
        let gh = self.net.cell.gates() * h;
        let wt = &self.packed[k];
        let zeros = vec![0.0; h];
        let prev = (done > 0).then(|| at(done - 1, t, dir == 1));
        let tr = &self.traces[k];
        let h_prev = prev.map_or(zeros.clone(), |q| tr.h[q * h..][..h].to_vec());
        let c_prev = if self.net.cell.has_cell_state() {
            prev.map_or(zeros, |q| tr.c[q * h..][..h].to_vec())
        } else {
            Vec::new()
        };
        let out = cell::step_out(&mut self.traces[k], s, 1, h, gh);
        cell::input_share(out.gates, w, wt, &input, 1, width, gh);
        cell::step(
            self.net.cell,
            w,
            wt,
            &h_prev,
            &c_prev,
            1,
            h,
            &mut self.scratch,
            out,
        );
        self.done[k] += 1;
        Ok(s)
    }

    /// Every remaining step, layer by layer.
    pub fn run_all(&mut self) -> Result<()> {
        for layer in 0..self.net.layers {
            for dir in 0..self.net.directions() {
                while self.done(layer, dir)? < self.t {
                    self.step(layer, dir)?;
                }
            }
        }
        Ok(())
    }

    /// Everything (layer, dir) has computed, in time order ([T, G·H] gates, [T, H] states).
    pub fn trace(&self, layer: usize, dir: usize) -> Result<&Trace> {
        Ok(&self.traces[self.index(layer, dir)?])
    }
}

/// An Elman or Jordan network over one sequence x: [T, I], advanced one step at a time.
#[derive(Debug, Clone)]
pub struct SimpleStepper {
    pub net: SimpleRnn,
    pub t: usize,
    x: Vec<f32>,
    /// h: [T, H] and y: [T, O] so far.
    pub h: Vec<f32>,
    pub y: Vec<f32>,
    pub done: usize,
}

impl SimpleStepper {
    pub fn new(net: SimpleRnn, x: &[f32], t: usize) -> Result<SimpleStepper> {
        net.validate()?;
        if t == 0 {
            bail!("the sequence is empty: x needs at least one time step");
        }
        crate::shape::check_buffer("x", x, &[t, net.input])?;
        Ok(SimpleStepper {
            t,
            x: x.to_vec(),
            h: vec![0.0; t * net.hidden],
            y: vec![0.0; t * net.output],
            done: 0,
            net,
        })
    }

    /// Computes step `done` (h_t, then y_t); returns its time index.
    pub fn step(&mut self) -> Result<usize> {
        let (s, n) = (self.done, &self.net);
        if s == self.t {
            bail!("all {} steps are done", self.t);
        }
        let (i, h, o, st) = (n.input, n.hidden, n.output, n.state());
        let prev: Vec<f32> = match (s, n.feedback) {
            (0, _) => vec![0.0; st],
            (_, Feedback::Elman) => self.h[(s - 1) * h..][..h].to_vec(),
            (_, Feedback::Jordan) => self.y[(s - 1) * o..][..o].to_vec(),
        };
        let hs = &mut self.h[s * h..][..h];
        for (v, (a, b)) in hs.iter_mut().zip(n.b_ih.iter().zip(&n.b_hh)) {
            *v = a + b;
        }
        fast::gemm_nt(hs, &self.x[s * i..][..i], &n.w_ih, 1, i, h);
        fast::gemm_nt(hs, &prev, &n.w_rec, 1, st, h);
        hs.iter_mut().for_each(|v| *v = v.tanh());
        let mut pre = n.b_hy.clone();
        fast::gemm_nt(&mut pre, hs, &n.w_hy, 1, h, o);
        n.out_act.apply(&mut self.y[s * o..][..o], &pre);
        self.done += 1;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cnn::activation::Activation;
    use crate::rng::Rng;
    use crate::rnn::{Cell, LstmVariant};

    fn rand(rng: &mut Rng, n: usize) -> Vec<f32> {
        (0..n).map(|_| rng.range(-0.8, 0.8)).collect()
    }

    #[test]
    fn stepping_every_step_equals_the_whole_sequence_forward() {
        let mut rng = Rng::new(9);
        for cell in [
            Cell::Rnn,
            Cell::RnnRelu,
            Cell::Gru,
            Cell::Lstm {
                variant: LstmVariant::Fc,
                linear_h: false,
            },
            Cell::Lstm {
                variant: LstmVariant::Peephole,
                linear_h: true,
            },
        ] {
            let (input, hidden, layers, t) = (3, 4, 3, 5);
            let net = Recurrent::random(cell, input, hidden, layers, true, 0.8, &mut rng);
            let x = rand(&mut rng, t * input);
            let zeros = vec![0.0; layers * 2 * hidden];
            let whole = net.forward(&x, t, 1, &zeros, &zeros);
            let mut st = Stepper::new(net, &x, t).unwrap();
            // Layer 1 cannot start before layer 0 has reached its input in both directions.
            st.step(0, 0).unwrap();
            assert!(st
                .step(1, 0)
                .unwrap_err()
                .message()
                .contains("needs layer 0"));
            st.run_all().unwrap();
            assert!(st
                .step(0, 1)
                .unwrap_err()
                .message()
                .contains("already processed all 5 steps"));
            for k in 0..layers * 2 {
                assert_eq!(
                    st.trace(k / 2, k % 2).unwrap(),
                    &whole.traces[k],
                    "{} layer {} dir {}",
                    cell.name(),
                    k / 2,
                    k % 2
                );
            }
        }
    }

    #[test]
    fn simple_stepping_equals_forward() {
        let mut rng = Rng::new(3);
        for feedback in [Feedback::Elman, Feedback::Jordan] {
            let (i, h, o, t) = (2, 3, 2, 6);
            let net = SimpleRnn::random(feedback, (i, h, o), Activation::Sigmoid, 0.8, &mut rng);
            let s = net.state();
            let x = rand(&mut rng, t * i);
            let whole = net.forward(&x, t, 1, &vec![0.0; s]);
            let mut st = SimpleStepper::new(net, &x, t).unwrap();
            for k in 0..t {
                assert_eq!(st.step().unwrap(), k);
            }
            assert!(st.step().is_err());
            assert_eq!((st.h, st.y), (whole.h, whole.y));
        }
    }
}
