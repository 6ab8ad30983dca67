//! The character model read one character at a time (batch 1), its state kept between
//! calls: what generation runs, and what a page handle shows step by step (each layer's
//! gates, h and c, and the next character's probabilities). Each step computes what the
//! whole-sequence forward pass computes at that step (a test holds the two equal).

use super::{CharLm, State};
use crate::kernels::{fast, scalar};
use crate::rnn::cell::{self, Packed, StepOut, StepScratch};
use crate::safetensors;
use crate::{bail, Result};

/// A [`CharLm`] with its state, fed one character at a time.
#[derive(Debug, Clone)]
pub struct Stepper {
    lm: CharLm,
    /// Each layer's weights packed as the whole-sequence pass packs them.
    packed: Vec<Packed>,
    /// fc.weight in 24-column panels for one row at a time (`fast::gemm_rows`).
    fc: fast::Panels,
    /// h, c: [L, 1, H] after the last character fed (zeros before the first).
    state: State,
    scratch: StepScratch,
    /// Per layer, the last step's activated gates [G·H] in PyTorch's order.
    gates: Vec<Vec<f32>>,
    /// The GRU's W_hn h + b_hn of the last step [H] (scratch for the others).
    rec_n: Vec<f32>,
    /// [V] each: the next character's scores, log-probabilities and probabilities.
    logits: Vec<f32>,
    log_probs: Vec<f32>,
    probs: Vec<f32>,
    steps: usize,
}

impl Stepper {
    pub fn new(lm: CharLm) -> Result<Stepper> {
        lm.validate()?;
        let (v, h, g) = (lm.vocab_size(), lm.hidden(), lm.cell().gates());
        let mut s = Stepper {
            packed: lm.rnn.pack(),
            fc: fast::pack_rows(lm.out_weight(), v, h),
            state: lm.zero_state(1),
            scratch: StepScratch::default(),
            gates: vec![vec![0.0; g * h]; lm.layers()],
            rec_n: vec![0.0; h],
            logits: vec![0.0; v],
            log_probs: vec![0.0; v],
            probs: vec![0.0; v],
            steps: 0,
            lm,
        };
        s.reset();
        Ok(s)
    }

    pub fn model(&self) -> &CharLm {
        &self.lm
    }

    /// Back to zero states; gates, logits and probabilities read zeros until the next
    /// character is fed.
    pub fn reset(&mut self) {
        self.state = self.lm.zero_state(1);
        for v in self
            .gates
            .iter_mut()
            .flatten()
            .chain(&mut self.logits)
            .chain(&mut self.log_probs)
            .chain(&mut self.probs)
        {
            *v = 0.0;
        }
        self.steps = 0;
    }

    /// Replaces the model by the one a safetensors file holds, and resets. A file that is
    /// refused changes nothing: the old model, its state and its outputs stay.
    pub fn load(&mut self, bytes: &[u8]) -> Result<()> {
        let lm = CharLm::from_file(safetensors::read(bytes)?)?;
        *self = Stepper::new(lm)?;
        Ok(())
    }

    /// Reads character id `id`: every layer steps once, and the next character's
    /// distribution is updated.
    pub fn feed(&mut self, id: u32) -> Result<()> {
        let v = self.lm.vocab_size();
        if id as usize >= v {
            bail!(
                "character id {id} is not in the vocabulary (ids 0 to {})",
                v - 1
            );
        }
        self.feed_checked(id);
        Ok(())
    }

    /// Reads character `c` (id 0 if the vocabulary lacks it); returns its id.
    pub fn feed_char(&mut self, c: char) -> u32 {
        let id = self.lm.id(c);
        self.feed_checked(id);
        id
    }

    /// As [`Stepper::feed`] for an id below V.
    fn feed_checked(&mut self, id: u32) {
        let (v, e, h) = (self.lm.vocab_size(), self.lm.emb_dim, self.lm.hidden());
        let gh = self.lm.cell().gates() * h;
        let has_c = self.lm.cell().has_cell_state();
        let mut x = self.lm.emb[id as usize * e..][..e].to_vec();
        let (mut h_new, mut c_new) = (vec![0.0; h], vec![0.0; if has_c { h } else { 0 }]);
        for layer in 0..self.lm.layers() {
            let (w, wt) = (&self.lm.rnn.weights[layer], &self.packed[layer]);
            let gates = &mut self.gates[layer];
            cell::input_share(gates, w, wt, &x, 1, x.len(), gh);
            let at = layer * h..(layer + 1) * h;
            let c_prev = if has_c {
                &self.state.c[at.clone()]
            } else {
                &[][..]
            };
            cell::step(
                self.lm.cell(),
                w,
                wt,
                &self.state.h[at.clone()],
                c_prev,
                1,
                h,
                &mut self.scratch,
                StepOut {
                    gates,
                    h: &mut h_new,
                    c: &mut c_new,
                    rec_n: &mut self.rec_n,
                },
            );
            self.state.h[at.clone()].copy_from_slice(&h_new);
            if has_c {
                self.state.c[at].copy_from_slice(&c_new);
            }
            x.clone_from(&h_new);
        }
        self.logits.copy_from_slice(&self.lm.fc_b);
        fast::gemm_rows(&mut self.logits, &x, &self.fc, 1, h, v);
        scalar::log_softmax(&mut self.log_probs, &self.logits, v);
        for (p, &l) in self.probs.iter_mut().zip(&self.log_probs) {
            *p = l.exp();
        }
        self.steps += 1;
    }

    /// Characters fed since the last reset.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// [V]: the next character's probabilities (zeros before the first character).
    pub fn probs(&self) -> &[f32] {
        &self.probs
    }

    pub fn logits(&self) -> &[f32] {
        &self.logits
    }

    pub fn log_probs(&self) -> &[f32] {
        &self.log_probs
    }

    /// The states after the last character: h, c [L, 1, H].
    pub fn state(&self) -> &State {
        &self.state
    }

    fn layer_index(&self, layer: usize) -> Result<usize> {
        if layer >= self.lm.layers() {
            bail!(
                "layer must be below {} (the model has {} layers), got {layer}",
                self.lm.layers(),
                self.lm.layers()
            );
        }
        Ok(layer)
    }

    /// Layer `layer`'s hidden state [H] after the last character.
    pub fn h(&self, layer: usize) -> Result<&[f32]> {
        let h = self.lm.hidden();
        Ok(&self.state.h[self.layer_index(layer)? * h..][..h])
    }

    /// Layer `layer`'s cell state [H] (empty unless the cell is an LSTM).
    pub fn c(&self, layer: usize) -> Result<&[f32]> {
        let (h, l) = (self.lm.hidden(), self.layer_index(layer)?);
        Ok(if self.state.c.is_empty() {
            &[]
        } else {
            &self.state.c[l * h..][..h]
        })
    }

    /// Layer `layer`'s gates [G·H] at the last step, after their activations: LSTM (i, f,
    /// g, o), GRU (r, z, n), RNN (h).
    pub fn gates(&self, layer: usize) -> Result<&[f32]> {
        Ok(&self.gates[self.layer_index(layer)?])
    }
}
