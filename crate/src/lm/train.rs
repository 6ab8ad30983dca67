//! Training the character model: the mean cross-entropy of the next character, its gradient
//! by truncated backpropagation through time (a window of T characters at a time, the state
//! it starts from held constant), the text cut into windows for the shared [`Trainer`], and
//! the state carried from one window to the next.
//!
//! [`Trainer`]: crate::train::Trainer

use super::{CharLm, State};
use crate::kernels::{backward, fast};
use crate::params::Named;
use crate::rng::Rng;
use crate::shape::MAX_WINDOW;
use crate::train::{argmax, dropout_mask, Data, Outcome, Part, Trainable};
use crate::{bail, Result};

/// What [`CharLm::loss`] gave for a batch of windows.
#[derive(Debug, Clone, PartialEq)]
pub struct Loss {
    /// Sum over all T·N steps of -ln p(the next character), in f64.
    pub sum: f64,
    /// Steps whose most probable next character was the right one.
    pub right: usize,
    /// The states after the last step (to start the next window from).
    pub state: State,
}

impl CharLm {
    /// The loss of predicting `targets` [T, N] from `tokens` [T, N] (both time-major),
    /// starting from `state`; with `grads`, adds `weight` times the gradient of the summed
    /// loss there (flat, in the table's layout). The state is a constant here: truncated
    /// BPTT stops at the window's first step, so nothing flows into it. The mean over a
    /// batch is `weight = 1 / (T·N)`.
    #[allow(clippy::too_many_arguments)] // two id arrays, their sizes, the state, the output
    pub fn loss(
        &self,
        tokens: &[u32],
        targets: &[u32],
        t: usize,
        n: usize,
        state: &State,
        weight: f32,
        grads: Option<&mut [f32]>,
    ) -> Result<Loss> {
        self.validate()?;
        self.check_input(tokens, t, n, state)?;
        self.check_ids("targets", targets, t, n)?;
        if let Some(g) = &grads {
            if g.len() != self.table().numel() {
                bail!(
                    "the gradient buffer has {} numbers; this model has {} parameters",
                    g.len(),
                    self.table().numel()
                );
            }
        }
        Ok(self.loss_checked(tokens, targets, t, n, state, weight, grads, None))
    }

    /// As [`CharLm::loss`] for inputs it has checked; with `dropout_seed` and a
    /// [`CharLm::dropout`] above 0, with dropout masks drawn from that seed (training).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn loss_checked(
        &self,
        tokens: &[u32],
        targets: &[u32],
        t: usize,
        n: usize,
        state: &State,
        weight: f32,
        grads: Option<&mut [f32]>,
        dropout_seed: Option<u64>,
    ) -> Loss {
        let masks = dropout_seed
            .filter(|_| self.dropout > 0.0)
            .map(|seed| Masks::draw(self, t * n, seed));
        let fwd = self.forward_dropped(tokens, t, n, state, masks.as_ref());
        let v = self.vocab_size();
        let right = fwd
            .logits
            .chunks_exact(v)
            .zip(targets)
            .filter(|(z, &y)| argmax(z) == y as usize)
            .count();
        let mut dlogits = vec![0.0; fwd.logits.len()];
        let sum = backward::nll_from_log_probs(&mut dlogits, &fwd.log_probs, targets, v, weight);
        if let Some(grads) = grads {
            self.backward(&fwd, tokens, state, &dlogits, masks.as_ref(), grads);
        }
        Loss {
            sum,
            right,
            state: fwd.state(),
        }
    }

    /// Adds every parameter's gradient into `grads` given dL/dlogits: [T, N, V], through
    /// the dropout `masks` the forward pass used.
    fn backward(
        &self,
        fwd: &super::Forward,
        tokens: &[u32],
        state: &State,
        dlogits: &[f32],
        masks: Option<&Masks>,
        grads: &mut [f32],
    ) {
        let (rows, v, h) = (fwd.t * fwd.n, self.vocab_size(), self.hidden());
        // dy = dlogits W: a product along rows of H in the inner loop, so a large vocabulary
        // costs T·N·V·H multiply-adds in vector loops and no transposed copy (natively, at
        // V = 4000, H = 256 and 1024 rows, 80 ms, like the forward product's 77 ms).
        let mut dy = vec![0.0; rows * h];
        fast::gemm_nn(&mut dy, dlogits, self.out_weight(), rows, v, h);
        // Through dropout, a gradient flows back only where the mask let the value through.
        if let Some(m) = masks {
            dy.iter_mut().zip(&m.y).for_each(|(d, k)| *d *= k);
        }
        let mut rnn = self
            .rnn
            .backward(&fwd.rnn, fwd.t, fwd.n, &state.h, &state.c, &dy, &[], &[]);
        if let Some(m) = masks {
            rnn.x.iter_mut().zip(&m.x).for_each(|(d, k)| *d *= k);
        }
        self.add_grads(grads, dlogits, fwd.fc_input(), rows, &rnn, tokens);
    }

    /// Adds into `grads` (flat, in the table's layout) the output layer's gradients, given
    /// dL/dlogits: [rows, V] and the states it read, ys: [rows, H] (dW += dlogits^T ys, db +=
    /// its column sums), then the recurrent layers' `rnn` (their backward over `tokens`),
    /// whose input gradient goes to the embedding row each step read.
    pub(crate) fn add_grads(
        &self,
        grads: &mut [f32],
        dlogits: &[f32],
        ys: &[f32],
        rows: usize,
        rnn: &crate::rnn::Gradients,
        tokens: &[u32],
    ) {
        let (v, h, e) = (self.vocab_size(), self.hidden(), self.emb_dim);
        // The table starts with the embedding and ends with fc.weight (unless tied to the
        // embedding, which then takes the output layer's gradient too) and fc.bias; the
        // recurrent layers' tensors lie between.
        let table = self.table();
        let last = table.params().len() - 1;
        let (emb_r, fc_b_r) = (table.range_at(0), table.range_at(last));
        let out_r = if self.tied {
            emb_r.clone()
        } else {
            table.range_at(last - 1)
        };
        let rnn_end = if self.tied { fc_b_r.start } else { out_r.start };
        fast::gemm_tn(&mut grads[out_r], dlogits, ys, v, rows, h);
        let g_fc_b = &mut grads[fc_b_r];
        for row in dlogits.chunks_exact(v) {
            g_fc_b.iter_mut().zip(row).for_each(|(a, d)| *a += d);
        }
        rnn.add_into(&mut grads[emb_r.end..rnn_end]);
        let g_emb = &mut grads[emb_r];
        for (k, &id) in tokens.iter().enumerate() {
            let row = &mut g_emb[id as usize * e..][..e];
            row.iter_mut()
                .zip(&rnn.x[k * e..][..e])
                .for_each(|(a, d)| *a += d);
        }
    }
}

impl CharLm {
    /// The summed −log₂ p of the held-out text `ids` read as [`super::corpus::pieces`]
    /// pieces side by side, each from zero states and carried on window after window of
    /// `window` characters: (bits, characters scored). Every character of a piece but its
    /// first is scored. Natively the pieces are shared among `threads` threads.
    pub fn held_out_bits(
        &self,
        ids: &[u32],
        pieces: usize,
        window: usize,
        threads: usize,
    ) -> Result<(f64, usize)> {
        self.validate()?;
        let (pieces, len) = super::corpus::pieces(ids.len(), pieces)?;
        check_text(ids, self.vocab_size(), window.min(len - 1))?;
        let threads = if cfg!(target_arch = "wasm32") {
            1
        } else {
            threads.clamp(1, pieces)
        };
        let per = pieces.div_ceil(threads);
        let groups: Vec<Vec<usize>> = (0..pieces)
            .collect::<Vec<_>>()
            .chunks(per)
            .map(<[usize]>::to_vec)
            .collect();
        let run = |group: &[usize]| -> Result<f64> {
            let k = group.len();
            let mut state = self.zero_state(k);
            let mut nats = 0.0;
            let mut start = 0;
            while start < len - 1 {
                let t = window.min(len - 1 - start);
                let (mut tokens, mut targets) = (vec![0u32; t * k], vec![0u32; t * k]);
                for (j, &p) in group.iter().enumerate() {
                    for s in 0..t {
                        tokens[s * k + j] = ids[p * len + start + s];
                        targets[s * k + j] = ids[p * len + start + s + 1];
                    }
                }
                let loss = self.loss(&tokens, &targets, t, k, &state, 1.0, None)?;
                nats += loss.sum;
                state = loss.state;
                start += t;
            }
            Ok(nats)
        };
        #[cfg(not(target_arch = "wasm32"))]
        let sums: Vec<Result<f64>> = std::thread::scope(|s| {
            let handles: Vec<_> = groups.iter().map(|g| s.spawn(|| run(g))).collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("an evaluation thread panicked"))
                .collect()
        });
        #[cfg(target_arch = "wasm32")]
        let sums: Vec<Result<f64>> = groups.iter().map(|g| run(g)).collect();
        let mut nats = 0.0;
        for s in sums {
            nats += s?;
        }
        Ok((nats / std::f64::consts::LN_2, pieces * (len - 1)))
    }
}

/// Training's dropout masks for one batch of `rows` = T·N steps (see [`CharLm::dropout`]).
#[derive(Debug, Clone)]
pub(crate) struct Masks {
    /// [T, N, E]: on the embedded inputs.
    pub x: Vec<f32>,
    /// [T, N, H]: on the top layer's states, before the output layer.
    pub y: Vec<f32>,
}

impl Masks {
    pub fn draw(lm: &CharLm, rows: usize, seed: u64) -> Masks {
        let mut rng = Rng::new(seed);
        let x = dropout_mask(&mut rng, rows * lm.emb_dim, lm.dropout);
        let y = dropout_mask(&mut rng, rows * lm.hidden(), lm.dropout);
        Masks { x, y }
    }

    /// The states `y` [T, N, H] as the output layer reads them.
    pub fn apply_y(&self, y: &[f32]) -> Vec<f32> {
        y.iter().zip(&self.y).map(|(v, k)| v * k).collect()
    }
}

/// Windows of T characters, example-major: inputs and targets [k, T] (the targets are the
/// inputs shifted by one character), where each window starts in the text, and whether
/// the state is carried from the window that ends where it starts.
#[derive(Debug, Clone, Default)]
pub struct TextBatch {
    pub inputs: Vec<u32>,
    pub targets: Vec<u32>,
    pub starts: Vec<usize>,
    pub window: usize,
    pub carry: bool,
}

/// A text (token ids) cut into training windows of `window` characters.
#[derive(Debug, Clone)]
pub struct Windows<'a> {
    tokens: &'a [u32],
    window: usize,
    starts: Vec<usize>,
    carry: bool,
}

fn check_text(tokens: &[u32], vocab: usize, window: usize) -> Result<()> {
    if window == 0 || window > MAX_WINDOW {
        bail!("the window must be from 1 to {MAX_WINDOW} characters, got {window}");
    }
    if tokens.len() < window + 1 {
        bail!(
            "the text has {} characters; a window of {window} needs at least {} (each input character's target is the one after it)",
            tokens.len(),
            window + 1
        );
    }
    if let Some(i) = tokens.iter().position(|&id| id as usize >= vocab) {
        bail!(
            "character {i} of the text has id {}, but the vocabulary has ids 0 to {}",
            tokens[i],
            vocab - 1
        );
    }
    Ok(())
}

impl<'a> Windows<'a> {
    /// A window every `stride` characters, each starting from zero states: the Trainer may
    /// shuffle them.
    pub fn new(tokens: &'a [u32], vocab: usize, window: usize, stride: usize) -> Result<Self> {
        check_text(tokens, vocab, window)?;
        if stride == 0 {
            bail!("the stride between windows must be at least 1 character");
        }
        Ok(Windows {
            tokens,
            window,
            starts: (0..tokens.len() - window).step_by(stride).collect(),
            carry: false,
        })
    }

    /// The text cut into `streams` equal pieces, each read window after window with the
    /// state carried on (without gradient): example i is window i / streams of piece
    /// i % streams, so batches of `streams` examples taken in order continue one another.
    /// Train with the Trainer's `shuffle` off and a batch of `streams`.
    pub fn streams(tokens: &'a [u32], vocab: usize, window: usize, streams: usize) -> Result<Self> {
        check_text(tokens, vocab, window)?;
        let piece = (tokens.len() - 1) / streams.max(1);
        let per_piece = piece / window;
        if streams == 0 || per_piece == 0 {
            bail!(
                "the text has {} characters: too short for {streams} streams of windows of {window} (it needs at least {})",
                tokens.len(),
                streams.max(1) * window + 1
            );
        }
        let starts = (0..per_piece * streams)
            .map(|i| (i % streams) * piece + (i / streams) * window)
            .collect();
        Ok(Windows {
            tokens,
            window,
            starts,
            carry: true,
        })
    }

    /// The same windows, each continuing from the state where the window before it in
    /// its stream ended (`on`) or from zeros.
    pub fn carrying(mut self, on: bool) -> Self {
        self.carry = on;
        self
    }

    pub fn window(&self) -> usize {
        self.window
    }
}

impl Data<TextBatch> for Windows<'_> {
    fn len(&self) -> usize {
        self.starts.len()
    }

    fn batch(&self, idx: &[usize], _: Option<&mut Rng>, out: &mut TextBatch) {
        let t = self.window;
        out.window = t;
        out.carry = self.carry;
        out.starts = idx.iter().map(|&i| self.starts[i]).collect();
        out.inputs.clear();
        out.targets.clear();
        for &s in &out.starts {
            out.inputs.extend_from_slice(&self.tokens[s..s + t]);
            out.targets
                .extend_from_slice(&self.tokens[s + 1..s + t + 1]);
        }
    }
}

/// One training thread's carried state: for each slot of its part of the batch, where the
/// last window it ran ended and the states there ([L, k, H]). A window starting exactly
/// there continues from them; any other starts from zeros.
#[derive(Debug, Clone, Default)]
pub struct Carry {
    ends: Vec<usize>,
    state: State,
}

impl CharLm {
    /// The states a part of `k` windows starting at `starts` begins from.
    fn carried(&self, carry: &Carry, starts: &[usize], on: bool) -> State {
        let (l, h, k) = (self.layers(), self.hidden(), starts.len());
        let mut s = self.zero_state(k);
        if !on || carry.ends.len() != k {
            return s;
        }
        for (j, &start) in starts.iter().enumerate() {
            if carry.ends[j] != start {
                continue;
            }
            for layer in 0..l {
                let at = (layer * k + j) * h..(layer * k + j + 1) * h;
                s.h[at.clone()].copy_from_slice(&carry.state.h[at.clone()]);
                if !s.c.is_empty() {
                    s.c[at.clone()].copy_from_slice(&carry.state.c[at]);
                }
            }
        }
        s
    }
}

impl Trainable for CharLm {
    type Batch = TextBatch;
    type Scratch = Carry;

    fn scratch(&self) -> Carry {
        Carry::default()
    }

    fn loss_and_grads(
        &self,
        b: &TextBatch,
        part: &Part,
        carry: &mut Carry,
        grads: Option<&mut [f32]>,
    ) -> Outcome {
        let (t, k) = (b.window, part.range.len());
        // Time-major [T, k], as the recurrent layers read them.
        let (mut tokens, mut targets) = (vec![0u32; t * k], vec![0u32; t * k]);
        for (j, i) in part.range.clone().enumerate() {
            for p in 0..t {
                tokens[p * k + j] = b.inputs[i * t + p];
                targets[p * k + j] = b.targets[i * t + p];
            }
        }
        let starts = &b.starts[part.range.clone()];
        let state = self.carried(carry, starts, b.carry);
        // The part's share of the batch's mean: its windows' sum over T·total steps.
        let weight = 1.0 / (t * part.total) as f32;
        // Masks differ from step to step and from part to part, and a seed and a thread
        // count still give the same run.
        let seed = ((part.step as u64) << 24) ^ starts[0] as u64;
        let loss = self.loss_checked(&tokens, &targets, t, k, &state, weight, grads, Some(seed));
        carry.ends = starts.iter().map(|s| s + t).collect();
        carry.state = loss.state;
        Outcome {
            loss: (loss.sum * f64::from(weight)) as f32,
            right: loss.right,
            counted: t * k,
        }
    }
}
