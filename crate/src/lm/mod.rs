//! A character-level language model, the course's "predict the next character" network:
//! each character's embedding goes through one or more recurrent layers (Elman RNN, GRU or
//! LSTM, one direction), and a linear layer turns the top layer's state into a score for
//! every character of the vocabulary; their softmax is the distribution of the next one.
//!
//! Parameters carry PyTorch's names for a module with attributes `embedding =
//! nn.Embedding(V, E)`, `rnn = nn.LSTM / nn.GRU / nn.RNN(E, H, L)` and `fc = nn.Linear(H, V)`
//! (`docs/pytorch/char_lm.py`), so a file moves both ways. Row 0 of the vocabulary is every
//! character the model does not know.
//!
//! - here: the model, its whole-sequence forward pass, its file;
//! - `train`: the loss, truncated backpropagation through time, and the training data;
//! - `step`: one character at a time, keeping the state (generation, the page's step view);
//! - `sample`: temperature and top-k sampling, seeded;
//! - `corpus`: the texts it learns (modern Chinese, Tang quatrains), their fixed split and
//!   vocabulary;
//! - `kneser_ney`: the count baseline it is measured against (a smoothed trigram).
//! - `positions`: the loss at chosen positions only; `influence`: how much each character
//!   read moves one prediction (gradient norms back through time);
//! - `longrange`: the long-range experiment (country … gap … language).

pub mod corpus;
pub mod influence;
pub mod kneser_ney;
pub mod longrange;
pub mod positions;
pub mod sample;
pub mod step;
mod train;

use crate::kernels::{fast, scalar};
use crate::params::{Named, Table};
use crate::rng::Rng;
use crate::rnn::{Cell, LstmVariant, Output, Recurrent};
use crate::safetensors::File;
use crate::shape::{
    check_buffer, check_shape, check_work, MAX_EMBEDDING, MAX_HIDDEN, MAX_LAYERS, MAX_VOCAB,
};
use crate::vocab::Vocab;
use crate::{bail, Result};
pub use sample::Sampling;
pub use step::Stepper;
use train::Masks;
pub use train::{Carry, Loss, TextBatch, Windows};

/// What a file's `__metadata__["arch"]` says for this model.
pub const ARCH: &str = "char-lm";

/// How every report measures a model on a held-out split: read as this many pieces side by
/// side ([`CharLm::held_out_bits`], the baseline's [`kneser_ney::KneserNey::held_out_bits`]),
/// in windows of this many characters (the state carried across them, so the window sets
/// only how much is computed at once).
pub const HELD_OUT_PIECES: usize = 16;
pub const HELD_OUT_WINDOW: usize = 256;

pub use crate::vocab::UNKNOWN;

/// The recurrent cells a character model may use: PyTorch's three modules.
pub fn cell_from_name(name: &str) -> Result<Cell> {
    Ok(match name {
        "rnn" => Cell::Rnn,
        "gru" => Cell::Gru,
        "lstm" => Cell::Lstm {
            variant: LstmVariant::Standard,
            linear_h: false,
        },
        _ => bail!("the character model's cell must be \"rnn\", \"gru\" or \"lstm\", got {name:?}"),
    })
}

/// The name [`cell_from_name`] reads; `None` for the course's LSTM variants, which no
/// PyTorch module has, and for the ReLU RNN (a character model's cells are the golden
/// cases' three).
pub fn cell_name(cell: Cell) -> Option<&'static str> {
    match cell {
        Cell::Rnn => Some("rnn"),
        Cell::Gru => Some("gru"),
        Cell::Lstm {
            variant: LstmVariant::Standard,
            linear_h: false,
        } => Some("lstm"),
        Cell::Lstm { .. } | Cell::RnnRelu => None,
    }
}

/// The hidden (and, for an LSTM, cell) states between calls: h, c: [L, N, H]; c is empty
/// for cells without one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct State {
    pub h: Vec<f32>,
    pub c: Vec<f32>,
}

/// What a whole-sequence forward pass computed.
#[derive(Debug, Clone, Default)]
pub struct Forward {
    pub t: usize,
    pub n: usize,
    /// The recurrent layers' record: `rnn.inputs[0]` is the embedded input [T, N, E],
    /// `rnn.y` the top layer's states [T, N, H], `rnn.h_n` / `rnn.c_n` the final states
    /// [L, N, H], `rnn.traces` every gate at every step.
    pub rnn: Output,
    /// [T, N, V]: the scores of every next character.
    pub logits: Vec<f32>,
    /// [T, N, V]: log-softmax of the logits over the vocabulary.
    pub log_probs: Vec<f32>,
    /// [T, N, H]: the top layer's states after training's dropout, when it dropped any
    /// (what the output layer read then; `rnn.y` otherwise).
    pub dropped_y: Option<Vec<f32>>,
}

impl Forward {
    /// [T, N, H]: the states the output layer read.
    pub fn fc_input(&self) -> &[f32] {
        self.dropped_y.as_deref().unwrap_or(&self.rnn.y)
    }

    /// The state after the last step, to continue from.
    pub fn state(&self) -> State {
        State {
            h: self.rnn.h_n.clone(),
            c: self.rnn.c_n.clone(),
        }
    }
}

/// Embedding → recurrent layers → linear, over a vocabulary of characters.
#[derive(Debug, Clone)]
pub struct CharLm {
    vocab: Vocab,
    pub emb_dim: usize,
    /// [V, E]
    pub emb: Vec<f32>,
    /// One direction, `layers` deep, input E, hidden H.
    pub rnn: Recurrent,
    /// [V, H] and [V]; `fc_w` is empty when [`CharLm::tied`].
    pub fc_w: Vec<f32>,
    pub fc_b: Vec<f32>,
    /// Whether the output layer's weight is the embedding (PyTorch's
    /// `self.fc.weight = self.embedding.weight`, Press & Wolf 2017; E = H): the file then
    /// holds `embedding.weight` once and says `tie_weights` = "true".
    pub tied: bool,
    /// Training only: the probability with which each embedded input and each top-layer
    /// state is dropped on its way to the next layer (PyTorch's `nn.Dropout` after the
    /// embedding and after the recurrent layers; not the recurrent connections). Not part of
    /// the file: a model in use never drops.
    pub dropout: f32,
}

/// An output layer tied to the embedding reads the embedding's rows as its own: E = H.
fn check_tie(emb_dim: usize, hidden: usize) -> Result<()> {
    if emb_dim != hidden {
        bail!("tying the output layer to the embedding needs the embedding size equal to the hidden size, got {emb_dim} and {hidden}");
    }
    Ok(())
}

/// Token ids given as numbers (a golden case's floats, a JS array): each a whole number from
/// 0 to `vocab - 1`.
pub fn token_ids(what: &str, values: &[f32], vocab: usize) -> Result<Vec<u32>> {
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            if v.is_finite() && v.fract() == 0.0 && v >= 0.0 && (v as usize) < vocab {
                Ok(v as u32)
            } else {
                bail!(
                    "{what}[{i}] is {}; token ids must be whole numbers from 0 to {} (the vocabulary has {vocab} entries)",
                    crate::error::number(f64::from(v)),
                    vocab - 1
                )
            }
        })
        .collect()
}

impl CharLm {
    /// A fresh model over `chars` (id 0 = unknown is added in front), initialised as PyTorch
    /// initialises its modules: embedding N(0, 1), recurrent and linear weights and biases
    /// uniform in ±1/√H.
    pub fn new(
        chars: &[char],
        cell: Cell,
        emb_dim: usize,
        hidden: usize,
        layers: usize,
        seed: u64,
    ) -> Result<CharLm> {
        let mut lm = CharLm::zeros(Vocab::new(chars)?, cell, emb_dim, hidden, layers)?;
        let mut rng = Rng::new(seed);
        lm.emb.iter_mut().for_each(|v| *v = rng.normal());
        let k = crate::rnn::pytorch_scale(hidden);
        for t in lm.rnn.tensors_mut() {
            t.iter_mut().for_each(|v| *v = rng.range(-k, k));
        }
        for v in lm.fc_w.iter_mut().chain(&mut lm.fc_b) {
            *v = rng.range(-k, k);
        }
        Ok(lm)
    }

    /// A model of these sizes with every parameter zero (to be filled from a file).
    pub fn zeros(
        vocab: Vocab,
        cell: Cell,
        emb_dim: usize,
        hidden: usize,
        layers: usize,
    ) -> Result<CharLm> {
        if cell_name(cell).is_none() {
            bail!(
                "a character model uses PyTorch's RNN, GRU or LSTM; {} has no PyTorch module",
                cell.name()
            );
        }
        let v = vocab.size();
        if emb_dim == 0 || emb_dim > MAX_EMBEDDING {
            bail!("the embedding size must be from 1 to {MAX_EMBEDDING}, got {emb_dim}");
        }
        if hidden == 0 || hidden > MAX_HIDDEN {
            bail!("the hidden size must be from 1 to {MAX_HIDDEN}, got {hidden}");
        }
        if layers == 0 || layers > MAX_LAYERS {
            bail!("the number of layers must be from 1 to {MAX_LAYERS}, got {layers}");
        }
        check_shape("embedding.weight", &[v, emb_dim])?;
        check_shape("fc.weight", &[v, hidden])?;
        check_shape(
            "a recurrent layer's input weights",
            &[cell.gates() * hidden, hidden.max(emb_dim)],
        )?;
        let rnn = Recurrent::random(cell, emb_dim, hidden, layers, false, 0.0, &mut Rng::new(0));
        Ok(CharLm {
            vocab,
            emb_dim,
            emb: vec![0.0; v * emb_dim],
            rnn,
            fc_w: vec![0.0; v * hidden],
            fc_b: vec![0.0; v],
            tied: false,
            dropout: 0.0,
        })
    }

    /// A zero model of `vocab` ids whose characters nobody knows (a golden case gives ids
    /// only): ids 1.. stand for private-use characters U+F0000 + id, which no text holds.
    /// One id (V = 1, nothing but id 0) is allowed here, as PyTorch allows it.
    pub fn anonymous(
        vocab: usize,
        cell: Cell,
        emb_dim: usize,
        hidden: usize,
        layers: usize,
    ) -> Result<CharLm> {
        if !(1..=MAX_VOCAB).contains(&vocab) {
            bail!("the vocabulary must have from 1 to {MAX_VOCAB} entries, got {vocab}");
        }
        let chars: Vec<char> = (1..vocab as u32)
            .map(|i| char::from_u32(0xF0000 + i).unwrap_or(UNKNOWN))
            .collect();
        CharLm::zeros(Vocab::new(&chars)?, cell, emb_dim, hidden, layers)
    }

    pub fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    /// V: rows of the embedding and of the output layer.
    pub fn vocab_size(&self) -> usize {
        self.vocab.size()
    }

    pub fn hidden(&self) -> usize {
        self.rnn.hidden
    }

    pub fn layers(&self) -> usize {
        self.rnn.layers
    }

    pub fn cell(&self) -> Cell {
        self.rnn.cell
    }

    /// The id of `c`, 0 if the vocabulary does not have it.
    pub fn id(&self, c: char) -> u32 {
        self.vocab.id(c)
    }

    pub fn encode(&self, text: &str) -> Vec<u32> {
        self.vocab.encode(text)
    }

    pub fn decode(&self, ids: &[u32]) -> String {
        self.vocab.decode(ids)
    }

    /// Zero states for a batch of `n`.
    pub fn zero_state(&self, n: usize) -> State {
        let len = self.layers() * n * self.hidden();
        State {
            h: vec![0.0; len],
            c: if self.cell().has_cell_state() {
                vec![0.0; len]
            } else {
                Vec::new()
            },
        }
    }

    /// Checks every tensor's size and value (what a model built field by field must pass
    /// before it runs).
    pub fn validate(&self) -> Result<()> {
        let (v, e, h) = (self.vocab_size(), self.emb_dim, self.hidden());
        if cell_name(self.cell()).is_none() || self.rnn.bidirectional || self.rnn.input != e {
            bail!("a character model's recurrent layers are PyTorch's RNN, GRU or LSTM, one direction, reading the {e}-number embedding");
        }
        self.rnn.validate()?;
        check_buffer("embedding.weight", &self.emb, &[v, e])?;
        if self.tied {
            check_tie(e, h)?;
        } else {
            check_buffer("fc.weight", &self.fc_w, &[v, h])?;
        }
        check_buffer("fc.bias", &self.fc_b, &[v])
    }

    /// Checks character ids [T, N] called `what`: their count, and each one below V.
    pub fn check_ids(&self, what: &str, ids: &[u32], t: usize, n: usize) -> Result<()> {
        if t == 0 || n == 0 {
            bail!("the {what} are empty: a pass needs at least one step (T) and one sequence (N)");
        }
        let count = check_shape(what, &[t, n])?;
        if ids.len() != count {
            bail!(
                "{what} has {} ids, but [T, N] = [{t}, {n}] needs {count}",
                ids.len()
            );
        }
        let v = self.vocab_size();
        if let Some(i) = ids.iter().position(|&id| id as usize >= v) {
            bail!(
                "{what}[{i}] is {}, but the vocabulary has ids 0 to {}",
                ids[i],
                v - 1
            );
        }
        Ok(())
    }

    /// Checks a batch of token ids [T, N], the states it starts from, and the work.
    pub fn check_input(&self, tokens: &[u32], t: usize, n: usize, state: &State) -> Result<()> {
        self.check_ids("tokens", tokens, t, n)?;
        let v = self.vocab_size();
        let states = [self.layers(), n, self.hidden()];
        check_buffer("h0", &state.h, &states)?;
        if self.cell().has_cell_state() {
            check_buffer("c0", &state.c, &states)?;
        }
        check_shape("the embedded input", &[t, n, self.emb_dim])?;
        check_shape("logits", &[t, n, v])?;
        let (g, h, e) = (self.cell().gates(), self.hidden(), self.emb_dim);
        let per_step = self.layers() * g * h * (h + e.max(h)) + v * h;
        check_work("this sequence", (t * n) as u64 * per_step as u64)
    }

    /// x: [T, N, E], the embedding rows of tokens: [T, N].
    pub fn embed(&self, tokens: &[u32]) -> Vec<f32> {
        let e = self.emb_dim;
        let mut x = Vec::with_capacity(tokens.len() * e);
        for &id in tokens {
            x.extend_from_slice(&self.emb[id as usize * e..][..e]);
        }
        x
    }

    /// The whole sequence of tokens [T, N] (time-major) from `state`: logits and
    /// log-probabilities [T, N, V] of the next character at every step, the final states and
    /// every gate.
    pub fn forward(&self, tokens: &[u32], t: usize, n: usize, state: &State) -> Result<Forward> {
        self.validate()?;
        self.check_input(tokens, t, n, state)?;
        Ok(self.forward_checked(tokens, t, n, state))
    }

    /// As [`CharLm::forward`] for inputs that [`CharLm::check_input`] accepted.
    pub(crate) fn forward_checked(
        &self,
        tokens: &[u32],
        t: usize,
        n: usize,
        state: &State,
    ) -> Forward {
        self.forward_dropped(tokens, t, n, state, None)
    }

    /// As [`CharLm::forward_checked`], with the embedded inputs [T, N, E] and the top
    /// layer's states [T, N, H] multiplied by `masks` on their way on (training's dropout).
    /// `rnn.inputs[0]` then holds the masked inputs and `rnn.y` the unmasked states.
    pub(crate) fn forward_dropped(
        &self,
        tokens: &[u32],
        t: usize,
        n: usize,
        state: &State,
        masks: Option<&Masks>,
    ) -> Forward {
        let mut x = self.embed(tokens);
        if let Some(m) = masks {
            x.iter_mut().zip(&m.x).for_each(|(v, k)| *v *= k);
        }
        let rnn = self.rnn.forward(&x, t, n, &state.h, &state.c);
        let v = self.vocab_size();
        let dropped_y = masks.map(|m| m.apply_y(&rnn.y));
        let logits = self.output_layer(dropped_y.as_deref().unwrap_or(&rnn.y), t * n);
        let mut log_probs = vec![0.0; t * n * v];
        scalar::log_softmax(&mut log_probs, &logits, v);
        Forward {
            t,
            n,
            rnn,
            logits,
            log_probs,
            dropped_y,
        }
    }

    /// logits: [rows, V] = y: [rows, H] fc.weight^T + fc.bias, as one product over packed
    /// column panels of fc.weight (rows = T·N shares every panel load; the panels are
    /// V·H floats, read once per call).
    fn output_layer(&self, y: &[f32], rows: usize) -> Vec<f32> {
        let (v, h) = (self.vocab_size(), self.hidden());
        let mut logits = Vec::with_capacity(rows * v);
        for _ in 0..rows {
            logits.extend_from_slice(&self.fc_b);
        }
        let panels = fast::pack_nt(self.out_weight(), v, h);
        fast::gemm_packed(&mut logits, y, &panels, rows, h, v);
        logits
    }

    /// The model a safetensors file describes: cell, sizes and vocabulary from its
    /// metadata, weights from its tensors. Every shape is checked against the metadata
    /// before anything is allocated.
    pub fn from_file(file: File) -> Result<CharLm> {
        let arch = file.require_meta("arch")?;
        if arch != ARCH {
            bail!("this file holds a {arch:?} network, not a character language model ({ARCH:?})");
        }
        let cell = cell_from_name(file.require_meta("cell")?)?;
        let layers = file.meta_usize("num_layers", 1, MAX_LAYERS)?;
        let e = file.meta_usize("embedding_dim", 1, MAX_EMBEDDING)?;
        let h = file.meta_usize("hidden_size", 1, MAX_HIDDEN)?;
        let vocab = Vocab::parse(file.require_meta("vocab")?)?;
        let v = vocab.size();
        if let Some(size) = file.meta("vocab_size") {
            if size != v.to_string() {
                bail!("the file's metadata says vocab_size = {size:?}, but its vocabulary lists {} characters (+ id 0 for unknown ones = {v})", v - 1);
            }
        }
        file.require("embedding.weight", &[v, e])?;
        file.require("rnn.weight_hh_l0", &[cell.gates() * h, h])?;
        let tied = match file.meta("tie_weights") {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => bail!(
                "the file's metadata says tie_weights = {other:?}; it may be \"true\" or \"false\""
            ),
        };
        if !tied {
            file.require("fc.weight", &[v, h])?;
        }
        let mut lm = CharLm::zeros(vocab, cell, e, h, layers)?;
        if tied {
            lm.tie()?;
        }
        lm.assign(&file.into_named())?;
        Ok(lm)
    }

    /// The output layer's weight [V, H]: `fc.weight`, or the embedding when tied.
    pub fn out_weight(&self) -> &[f32] {
        if self.tied {
            &self.emb
        } else {
            &self.fc_w
        }
    }

    /// Ties the output layer's weight to the embedding (E must equal H). The shared matrix
    /// starts as the output layer's was (uniform in ±1/√H): the embedding's N(0, 1) as
    /// output weights would start every logit with a standard deviation of about √H.
    pub fn tie(&mut self) -> Result<()> {
        check_tie(self.emb_dim, self.hidden())?;
        if !self.tied {
            self.emb = std::mem::take(&mut self.fc_w);
            self.tied = true;
        }
        Ok(())
    }
}

impl Named for CharLm {
    /// `embedding.weight`, `rnn.weight_ih_l0`, `rnn.weight_hh_l0`, `rnn.bias_ih_l0`,
    /// `rnn.bias_hh_l0`, … `rnn.bias_hh_l{L-1}`, `fc.weight`, `fc.bias`: PyTorch's
    /// `state_dict` of the module in `docs/pytorch/char_lm.py`.
    fn table(&self) -> Table {
        let mut t = Table::new();
        t.push("embedding.weight", &[self.vocab_size(), self.emb_dim]);
        t.extend_prefixed("rnn.", &self.rnn.table());
        if !self.tied {
            t.push("fc.weight", &[self.vocab_size(), self.hidden()]);
        }
        t.push("fc.bias", &[self.vocab_size()]);
        t
    }

    fn tensors(&self) -> Vec<&[f32]> {
        let mut v = vec![&self.emb[..]];
        v.extend(self.rnn.tensors());
        if !self.tied {
            v.push(&self.fc_w[..]);
        }
        v.push(&self.fc_b[..]);
        v
    }

    fn tensors_mut(&mut self) -> Vec<&mut [f32]> {
        let mut v = vec![&mut self.emb[..]];
        v.extend(self.rnn.tensors_mut());
        if !self.tied {
            v.push(&mut self.fc_w[..]);
        }
        v.push(&mut self.fc_b[..]);
        v
    }

    /// The vocabulary without id 0, which [`CharLm::new`] adds.
    fn describe(&self) -> Vec<(String, String)> {
        let mut meta: Vec<(String, String)> = [
            ("arch", ARCH.to_string()),
            ("cell", cell_name(self.cell()).unwrap_or("lstm").to_string()),
            ("num_layers", self.layers().to_string()),
            ("embedding_dim", self.emb_dim.to_string()),
            ("hidden_size", self.hidden().to_string()),
            ("vocab_size", self.vocab_size().to_string()),
            ("vocab", self.vocab.listed()),
        ]
        .map(|(k, v)| (k.to_string(), v))
        .to_vec();
        if self.tied {
            meta.push(("tie_weights".to_string(), "true".to_string()));
        }
        meta
    }
}

#[cfg(test)]
mod tests;
