//! Recurrent networks for the page: a handle per network with PyTorch-named weights, a
//! whole-sequence forward, and a step-wise mode whose gates are `Float32Array` views.

use js_sys::Float32Array;
use wasm_bindgen::prelude::*;

use super::{view, whole};
use crate::cnn::activation::Activation;
use crate::params::Named;
use crate::rng::Rng;
use crate::rnn::simple::{Feedback, SimpleRnn};
use crate::rnn::stepper::{SimpleStepper, Stepper};
use crate::rnn::{pytorch_scale, reach, state_dict, Cell, Output, Packed, Recurrent, Trace};
use crate::safetensors;
use crate::shape::{
    check_buffer, MAX_BATCH, MAX_LAYERS, MAX_PAGE_HIDDEN, MAX_PAGE_INPUT, MAX_REACH_HIDDEN,
    MAX_REACH_STEPS, MAX_STEPS, MAX_TEXT,
};
use crate::vocab::Vocab;
use crate::{bail, Result};

/// A stacked, optionally bidirectional RNN / GRU / LSTM.
#[wasm_bindgen]
pub struct RecurrentNet {
    net: Recurrent,
    /// A network read from a file: its embedding (to read text) and what reading it found;
    /// `None` for the view's random networks.
    found: Option<(Option<Embedding>, Facts)>,
    /// `net.pack()`, redone whenever a weight changes (`setWeight`; `weight` hands out
    /// copies), so a forward pass does not repack every matrix.
    packed: Vec<Packed>,
    out: Output,
    stepper: Option<Stepper>,
    stepper_y: Vec<f32>,
}

#[wasm_bindgen]
impl RecurrentNet {
    /// `kind` as [`Cell::from_kind`]; sizes; `seed` for PyTorch-style random weights.
    #[wasm_bindgen(constructor)]
    pub fn new(
        kind: &str,
        input: f64,
        hidden: f64,
        layers: f64,
        bidirectional: bool,
        seed: f64,
    ) -> Result<RecurrentNet> {
        let cell = Cell::from_kind(kind)?;
        let (input, hidden) = (
            whole("input size", input, 1, MAX_PAGE_INPUT)?,
            whole("hidden size", hidden, 1, MAX_PAGE_HIDDEN)?,
        );
        let layers = whole("layers", layers, 1, MAX_LAYERS)?;
        let mut rng = Rng::new(whole("seed", seed, 0, u32::MAX as usize)? as u64);
        let net = Recurrent::random(
            cell,
            input,
            hidden,
            layers,
            bidirectional,
            pytorch_scale(hidden),
            &mut rng,
        );
        net.validate()?;
        Ok(RecurrentNet::of(net, None))
    }

    fn of(net: Recurrent, found: Option<(Option<Embedding>, Facts)>) -> RecurrentNet {
        RecurrentNet {
            packed: net.pack(),
            net,
            found,
            out: Output::default(),
            stepper: None,
            stepper_y: Vec::new(),
        }
    }

    /// The recurrent layers of a PyTorch `state_dict` saved as safetensors (`nn.RNN`,
    /// `nn.GRU`, `nn.LSTM` under any prefix; sizes from the shapes): `prefix`, `assumed`
    /// and `others` say what reading it found, `readsText` whether it came with an
    /// embedding and vocabulary.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> Result<RecurrentNet> {
        let found = state_dict::read(safetensors::read(bytes)?)?;
        let embedding = found
            .embedding
            .map(|(vocab, rows)| Embedding::new(vocab, rows));
        let facts = Facts {
            prefix: found.prefix,
            assumed: found.assumed.iter().map(|a| a.code().to_string()).collect(),
            others: found.others,
        };
        Ok(RecurrentNet::of(found.net, Some((embedding, facts))))
    }

    /// Sets a plain RNN's nonlinearity, "tanh" or "relu": what a state dict's weights cannot
    /// tell (PyTorch's `nn.RNN(nonlinearity=…)`), so the page asks. The run starts again.
    #[wasm_bindgen(js_name = setNonlinearity)]
    pub fn set_nonlinearity(&mut self, name: &str) -> Result<()> {
        if !matches!(self.net.cell, Cell::Rnn | Cell::RnnRelu) {
            bail!(
                "only a plain RNN has a nonlinearity to choose; this is {}",
                self.net.cell.name()
            );
        }
        self.net.cell = Cell::rnn(name)?;
        self.stepper = None;
        Ok(())
    }

    /// "rnn", "gru" or "lstm" (with ":fc", ":peephole", ":linear" as `new` takes them).
    #[wasm_bindgen(getter)]
    pub fn kind(&self) -> String {
        self.net.cell.kind()
    }

    #[wasm_bindgen(getter, js_name = inputSize)]
    pub fn input_size(&self) -> u32 {
        self.net.input as u32
    }

    #[wasm_bindgen(getter, js_name = hiddenSize)]
    pub fn hidden_size(&self) -> u32 {
        self.net.hidden as u32
    }

    #[wasm_bindgen(getter)]
    pub fn layers(&self) -> u32 {
        self.net.layers as u32
    }

    #[wasm_bindgen(getter)]
    pub fn bidirectional(&self) -> bool {
        self.net.bidirectional
    }

    /// The module path the file's recurrent tensors were under ("lstm.", or "" for a bare
    /// module or a network made here).
    #[wasm_bindgen(getter)]
    pub fn prefix(&self) -> String {
        self.found
            .as_ref()
            .map_or_else(String::new, |(_, f)| f.prefix.clone())
    }

    /// What the file's shapes could not tell and was assumed: "tanh" (nn.RNN's
    /// nonlinearity), "no-bias" (bias=False: zero biases).
    pub fn assumed(&self) -> Vec<String> {
        self.found
            .as_ref()
            .map_or_else(Vec::new, |(_, f)| f.assumed.clone())
    }

    /// The file's other tensors, "name [shape]" each, which are not part of the network.
    pub fn others(&self) -> Vec<String> {
        self.found
            .as_ref()
            .map_or_else(Vec::new, |(_, f)| f.others.clone())
    }

    /// Whether the network came with an embedding and vocabulary, so `embed` reads text.
    #[wasm_bindgen(getter, js_name = readsText)]
    pub fn reads_text(&self) -> bool {
        matches!(self.found, Some((Some(_), _)))
    }

    /// x: [T, I], the embedding rows of `text`'s characters (one per step; a character
    /// outside the vocabulary reads row 0), to `begin` with.
    pub fn embed(&self, text: &str) -> Result<Vec<f32>> {
        let Some((Some(e), _)) = &self.found else {
            bail!("this network has no embedding: it reads numbers, not text");
        };
        e.rows(text)
    }

    /// The characters of `text` the vocabulary does not have, each once, in order.
    pub fn unknown(&self, text: &str) -> String {
        match &self.found {
            Some((Some(e), _)) => e.unknown(text),
            _ => String::new(),
        }
    }

    /// Gate blocks per unit in `gates()`: 1 (RNN), 3 (GRU: r, z, n) or 4 (LSTM: i, f, g, o).
    #[wasm_bindgen(getter, js_name = gateCount)]
    pub fn gate_count(&self) -> u32 {
        self.net.cell.gates() as u32
    }

    /// The names of this network's weight tensors, PyTorch style.
    #[wasm_bindgen(js_name = weightNames)]
    pub fn weight_names(&self) -> Vec<String> {
        self.net
            .table()
            .params()
            .iter()
            .map(|p| p.name.clone())
            .collect()
    }

    /// Replaces one weight tensor (same length, finite values).
    #[wasm_bindgen(js_name = setWeight)]
    pub fn set_weight(&mut self, name: &str, values: &[f32]) -> Result<()> {
        let table = self.net.table();
        let i = table.index(name).ok_or_else(|| table.no_such(name))?;
        check_buffer(name, values, &table.params()[i].shape)?;
        self.net.tensors_mut()[i].copy_from_slice(values);
        self.stepper = None;
        self.packed = self.net.pack();
        Ok(())
    }

    /// A copy of one weight tensor (change weights with `setWeight`).
    pub fn weight(&self, name: &str) -> Result<Vec<f32>> {
        self.net.tensor(name)
    }

    /// The whole sequence x: [T, N, I] from h0 (and c0 for LSTMs), each [L·D, N, H] or empty
    /// for zeros. The top layer's output is then `y()`.
    pub fn forward(&mut self, x: &[f32], t: f64, n: f64, h0: &[f32], c0: &[f32]) -> Result<()> {
        let (t, n) = (
            whole("T (time steps)", t, 1, MAX_STEPS)?,
            whole("N (batch)", n, 1, MAX_BATCH)?,
        );
        let states = self.net.layers * self.net.directions() * n * self.net.hidden;
        let zeros = vec![0.0; states];
        let h0 = if h0.is_empty() { &zeros[..] } else { h0 };
        let c0 = if c0.is_empty() && self.net.cell.has_cell_state() {
            &zeros[..]
        } else {
            c0
        };
        self.net.check_inputs(x, &[t, n, self.net.input], h0, c0)?;
        // Into the previous call's buffers: no fresh zeroed record per call.
        self.net
            .forward_packed(&self.packed, &mut self.out, x, t, n, h0, c0);
        Ok(())
    }

    /// [T, N, D·H] from the last `forward`.
    pub fn y(&self) -> Float32Array {
        view(&self.out.y)
    }

    /// Starts step-wise mode over x: [T, I] (batch 1, zero initial states).
    pub fn begin(&mut self, x: &[f32], t: f64) -> Result<()> {
        let t = whole("T (time steps)", t, 1, MAX_STEPS)?;
        self.stepper = Some(Stepper::new(self.net.clone(), x, t)?);
        Ok(())
    }

    fn stepper(&self) -> Result<&Stepper> {
        self.stepper
            .as_ref()
            .ok_or_else(|| crate::Error::new("call begin(x, T) before stepping"))
    }

    /// What (layer, dir) has recorded so far, its indices checked.
    fn trace(&self, layer: f64, dir: f64) -> Result<&Trace> {
        self.stepper()?.trace(
            whole("layer", layer, 0, MAX_LAYERS - 1)?,
            whole("direction", dir, 0, 1)?,
        )
    }

    /// Advances `layer` in direction `dir` (0 forward, 1 backward) by one step; returns the
    /// time index it computed.
    pub fn step(&mut self, layer: f64, dir: f64) -> Result<u32> {
        let (layer, dir) = (
            whole("layer", layer, 0, MAX_LAYERS - 1)?,
            whole("direction", dir, 0, 1)?,
        );
        let Some(st) = self.stepper.as_mut() else {
            bail!("call begin(x, T) before stepping")
        };
        Ok(st.step(layer, dir)? as u32)
    }

    /// Steps (layer, dir) has done.
    pub fn done(&self, layer: f64, dir: f64) -> Result<u32> {
        Ok(self.stepper()?.done(
            whole("layer", layer, 0, MAX_LAYERS - 1)?,
            whole("direction", dir, 0, 1)?,
        )? as u32)
    }

    /// Gates of (layer, dir) over time: [T, G·H] in PyTorch's block order (RNN h; GRU r, z,
    /// n; LSTM i, f, g, o), after their activation; zeros where not computed yet.
    pub fn gates(&self, layer: f64, dir: f64) -> Result<Float32Array> {
        Ok(view(&self.trace(layer, dir)?.gates))
    }

    /// Hidden states of (layer, dir) over time: [T, H].
    pub fn hidden(&self, layer: f64, dir: f64) -> Result<Float32Array> {
        Ok(view(&self.trace(layer, dir)?.h))
    }

    /// Cell states of (layer, dir) over time: [T, H] (LSTMs; empty otherwise).
    pub fn cell(&self, layer: f64, dir: f64) -> Result<Float32Array> {
        Ok(view(&self.trace(layer, dir)?.c))
    }

    /// The GRU's recurrent share of its cell input, W_hn h_{t-1} + b_hn, of (layer, dir) over
    /// time: [T, H] (what the reset gate r scales; empty for other cells).
    #[wasm_bindgen(js_name = recurrentN)]
    pub fn recurrent_n(&self, layer: f64, dir: f64) -> Result<Float32Array> {
        Ok(view(&self.trace(layer, dir)?.rec_n))
    }

    /// The top layer's [T, D·H] output of the steps done so far ([forward, backward] per step).
    #[wasm_bindgen(js_name = stepOutput)]
    pub fn step_output(&mut self) -> Result<Float32Array> {
        let st = self.stepper()?;
        let (t, h, d, top) = (
            st.t,
            self.net.hidden,
            self.net.directions(),
            self.net.layers - 1,
        );
        let mut y = vec![0.0; t * d * h];
        for dir in 0..d {
            let tr = st.trace(top, dir)?;
            for s in 0..t {
                y[s * d * h + dir * h..][..h].copy_from_slice(&tr.h[s * h..][..h]);
            }
        }
        self.stepper_y = y;
        Ok(view(&self.stepper_y))
    }
}

/// An Elman or Jordan network with its output layer, step by step.
#[wasm_bindgen]
pub struct SimpleNet {
    stepper: SimpleStepper,
}

#[wasm_bindgen]
impl SimpleNet {
    /// `kind` "elman" | "jordan"; sizes; output activation "identity" | "sigmoid" | "tanh";
    /// PyTorch-style random weights from `seed`; x: [T, input] to run over.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)] // one constructor, every size a student can change
    pub fn new(
        kind: &str,
        input: f64,
        hidden: f64,
        output: f64,
        activation: &str,
        seed: f64,
        x: &[f32],
        t: f64,
    ) -> Result<SimpleNet> {
        let feedback = match kind {
            "elman" => Feedback::Elman,
            "jordan" => Feedback::Jordan,
            _ => bail!("kind must be \"elman\" or \"jordan\", got {kind:?}"),
        };
        let (i, h, o) = (
            whole("input size", input, 1, MAX_PAGE_INPUT)?,
            whole("hidden size", hidden, 1, MAX_PAGE_HIDDEN)?,
            whole("output size", output, 1, MAX_PAGE_HIDDEN)?,
        );
        let mut rng = Rng::new(whole("seed", seed, 0, u32::MAX as usize)? as u64);
        let act = Activation::parse(activation)?;
        let net = SimpleRnn::random(feedback, (i, h, o), act, pytorch_scale(h), &mut rng);
        Ok(SimpleNet {
            stepper: SimpleStepper::new(net, x, whole("T (time steps)", t, 1, MAX_STEPS)?)?,
        })
    }

    /// Computes the next step; returns its time index.
    pub fn step(&mut self) -> Result<u32> {
        Ok(self.stepper.step()? as u32)
    }

    #[wasm_bindgen(getter)]
    pub fn done(&self) -> u32 {
        self.stepper.done as u32
    }

    /// h: [T, H] so far (zeros ahead).
    pub fn hidden(&self) -> Float32Array {
        view(&self.stepper.h)
    }

    /// y: [T, O] so far.
    pub fn output(&self) -> Float32Array {
        view(&self.stepper.y)
    }
}

/// See [`reach::gradient_norms`]: for every step s of a `t`-step sequence, the norm of the
/// loss's gradient with respect to x_s.
#[wasm_bindgen(js_name = gradientNorms)]
pub fn gradient_norms(kind: &str, t: f64, hidden: f64, seed: f64) -> Result<Vec<f32>> {
    reach::gradient_norms(
        kind,
        whole("T (time steps)", t, 1, MAX_REACH_STEPS)?,
        whole("hidden size", hidden, 1, MAX_REACH_HIDDEN)?,
        whole("seed", seed, 0, u32::MAX as usize)? as u64,
    )
}

/// What reading a file found, besides the network.
struct Facts {
    prefix: String,
    assumed: Vec<String>,
    others: Vec<String>,
}

/// Embedding rows [V, E] and the characters of their ids.
struct Embedding {
    vocab: Vocab,
    dim: usize,
    rows: Vec<f32>,
}

impl Embedding {
    fn new(vocab: Vocab, rows: Vec<f32>) -> Embedding {
        let dim = rows.len() / vocab.size();
        Embedding { vocab, dim, rows }
    }

    fn rows(&self, text: &str) -> Result<Vec<f32>> {
        let n = text.chars().count();
        if n == 0 || n > MAX_TEXT {
            bail!("the text has {n} characters; the network reads from 1 to {MAX_TEXT}");
        }
        Ok(text
            .chars()
            .flat_map(|c| {
                let id = self.vocab.id(c) as usize;
                self.rows[id * self.dim..][..self.dim].iter().copied()
            })
            .collect())
    }

    fn unknown(&self, text: &str) -> String {
        self.vocab.unknown_in(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bmes::Tagger;
    use crate::lm::CharLm;

    const BMES: &[u8] = include_bytes!("../../../weights/bmes.safetensors");
    const POEMS: &[u8] = include_bytes!("../../../weights/lm-poems-lstm.safetensors");

    /// The segmenter's BiLSTM and the poem model's LSTM, read as bare state dicts, step to
    /// the states their own models compute for the same characters.
    #[test]
    fn shipped_models_read_as_state_dicts_compute_what_their_models_do() {
        let text = "床前明月光，疑是地上霜。";
        let tagger = Tagger::from_file(safetensors::read(BMES).unwrap()).unwrap();
        let lm = CharLm::from_file(safetensors::read(POEMS).unwrap()).unwrap();
        for (bytes, own) in [(BMES, &tagger.rnn), (POEMS, &lm.rnn)] {
            let mut net = RecurrentNet::from_bytes(bytes).unwrap();
            assert!(net.reads_text());
            assert!(net.others().iter().any(|n| n.starts_with("fc.weight")));
            let x = net.embed(text).unwrap();
            let t = text.chars().count();
            assert_eq!(x.len(), t * own.input);
            let zeros = vec![0.0; own.layers * own.directions() * own.hidden];
            let want = own.forward(&x, t, 1, &zeros, &zeros).y;
            net.forward(&x, t as f64, 1.0, &[], &[]).unwrap();
            assert_eq!(net.out.y, want);
        }
        let net = RecurrentNet::from_bytes(POEMS).unwrap();
        assert_eq!(
            (net.kind(), net.hidden_size(), net.layers()),
            ("lstm".into(), 64, 1)
        );
        assert_eq!(net.unknown("床前🙂明月🙂x"), "🙂x");
        assert!(net.embed("").is_err());
        let made = RecurrentNet::new("gru", 2.0, 3.0, 1.0, false, 1.0).unwrap();
        assert!(!made.reads_text() && made.others().is_empty() && made.prefix().is_empty());
        assert!(made
            .embed("字")
            .unwrap_err()
            .to_string()
            .contains("reads numbers"));
        let mut gru = made;
        assert!(gru.set_nonlinearity("relu").is_err());
        let mut rnn = RecurrentNet::new("rnn", 2.0, 3.0, 1.0, false, 1.0).unwrap();
        let x = [1.0, -2.0, 0.5, 3.0];
        rnn.forward(&x, 2.0, 1.0, &[], &[]).unwrap();
        let tanh = rnn.out.y.clone();
        rnn.set_nonlinearity("relu").unwrap();
        assert_eq!(rnn.kind(), "rnn:relu");
        rnn.forward(&x, 2.0, 1.0, &[], &[]).unwrap();
        assert!(rnn.out.y.iter().all(|&v| v >= 0.0) && rnn.out.y != tanh);
        assert!(rnn.set_nonlinearity("gelu").is_err());
    }
}
