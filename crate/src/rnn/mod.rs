//! Recurrent networks as the course teaches them, in PyTorch's conventions (parameter
//! layout, gate order, h0 / h_n stacking): the plain RNN, LSTM in three variants (standard;
//! FC-LSTM with diagonal peepholes reading c; the course's peephole LSTM whose gates read
//! [x_t, c_{t-1}]) with σh tanh or linear, GRU, each stacked and bidirectional; plus Elman
//! and Jordan networks with an output layer (`simple`). Forward passes record every gate so
//! the page can show them step by step, and backpropagation through time reuses the record.

pub mod cell;
pub mod reach;
pub mod simple;
pub mod state_dict;
pub mod stepper;

use crate::params::{Named, Table};
use crate::safetensors::File;
use crate::shape::{MAX_HIDDEN, MAX_INPUT, MAX_LAYERS};
use crate::{bail, Result};
pub use cell::{Cell, LstmVariant, Packed};

/// PyTorch's default initialisation: every weight and bias uniform in ±1/√hidden.
pub fn pytorch_scale(hidden: usize) -> f32 {
    1.0 / (hidden as f32).sqrt()
}

/// PyTorch's name suffix of weight set `k` with `directions` per layer: "l0", "l0_reverse",
/// "l1", … (as in `weight_hh_l1_reverse`).
pub fn suffix(k: usize, directions: usize) -> String {
    format!(
        "l{}{}",
        k / directions,
        if k % directions == 1 { "_reverse" } else { "" }
    )
}

/// One direction of one layer: PyTorch's tensors for it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LayerWeights {
    /// [G·H, In]: the input's weights, gate blocks stacked in the cell's order.
    pub w_ih: Vec<f32>,
    /// [G·H, H]; empty for the peephole LSTM, whose gates do not read h.
    pub w_hh: Vec<f32>,
    pub b_ih: Vec<f32>,
    pub b_hh: Vec<f32>,
    /// FC-LSTM: [3H] diagonal peepholes (i, f, o); peephole LSTM: [3H, H] (i, f, o); else empty.
    pub w_ch: Vec<f32>,
}

impl LayerWeights {
    /// (PyTorch's name stem, tensor) in `state_dict` order, the peepholes last; a tensor
    /// this cell does not have is empty.
    fn named(&self) -> [(&'static str, &Vec<f32>); 5] {
        [
            ("weight_ih", &self.w_ih),
            ("weight_hh", &self.w_hh),
            ("bias_ih", &self.b_ih),
            ("bias_hh", &self.b_hh),
            ("weight_ch", &self.w_ch),
        ]
    }

    fn named_mut(&mut self) -> [&mut Vec<f32>; 5] {
        [
            &mut self.w_ih,
            &mut self.w_hh,
            &mut self.b_ih,
            &mut self.b_hh,
            &mut self.w_ch,
        ]
    }
}

/// A stacked, optionally bidirectional recurrent network.
#[derive(Debug, Clone, PartialEq)]
pub struct Recurrent {
    pub cell: Cell,
    pub input: usize,
    pub hidden: usize,
    pub layers: usize,
    pub bidirectional: bool,
    /// Layer-major, forward direction before reverse (index `layer * D + dir`).
    pub weights: Vec<LayerWeights>,
}

/// Everything one direction of one layer computed, per time step t (in time order, not in
/// processing order): post-activation gates [T, N, G·H], cell states [T, N, H] (LSTMs), the
/// hidden states [T, N, H] and, for the GRU, W_hn h + b_hn [T, N, H] (reset-gated term).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    pub gates: Vec<f32>,
    pub c: Vec<f32>,
    pub h: Vec<f32>,
    pub rec_n: Vec<f32>,
}

/// The result of a forward pass over x: [T, N, I].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Output {
    /// [T, N, D·H]: the top layer's hidden states, [forward, backward] per step.
    pub y: Vec<f32>,
    /// [L·D, N, H] final hidden states (for the reverse direction: its state at t = 0).
    pub h_n: Vec<f32>,
    /// [L·D, N, H] final cell states (LSTMs only; empty otherwise).
    pub c_n: Vec<f32>,
    /// Per layer and direction (index `layer * D + dir`), every gate at every step.
    pub traces: Vec<Trace>,
    /// Each layer's input [T, N, In] (layer 0: x), kept for the backward pass.
    pub inputs: Vec<Vec<f32>>,
}

impl Recurrent {
    /// A network whose every weight and bias is uniform in ±`scale` (PyTorch's default
    /// initialisation is scale = 1/√hidden), drawn from `rng` tensor by tensor.
    pub fn random(
        cell: Cell,
        input: usize,
        hidden: usize,
        layers: usize,
        bidirectional: bool,
        scale: f32,
        rng: &mut crate::rng::Rng,
    ) -> Recurrent {
        let d = if bidirectional { 2 } else { 1 };
        let g = cell.gates();
        let (hh, ch) = match cell {
            Cell::Lstm {
                variant: LstmVariant::Peephole,
                ..
            } => (0, 3 * hidden * hidden),
            Cell::Lstm {
                variant: LstmVariant::Fc,
                ..
            } => (g * hidden * hidden, 3 * hidden),
            _ => (g * hidden * hidden, 0),
        };
        let mut u = |n: usize| {
            (0..n)
                .map(|_| rng.range(-scale, scale))
                .collect::<Vec<f32>>()
        };
        let weights = (0..layers * d)
            .map(|k| {
                let width = if k / d == 0 { input } else { d * hidden };
                LayerWeights {
                    w_ih: u(g * hidden * width),
                    w_hh: u(hh),
                    b_ih: u(g * hidden),
                    b_hh: u(g * hidden),
                    w_ch: u(ch),
                }
            })
            .collect();
        Recurrent {
            cell,
            input,
            hidden,
            layers,
            bidirectional,
            weights,
        }
    }

    /// PyTorch's suffix of this network's weight set `k` (see [`suffix`]).
    pub fn suffix(&self, k: usize) -> String {
        suffix(k, self.directions())
    }

    pub fn directions(&self) -> usize {
        if self.bidirectional {
            2
        } else {
            1
        }
    }

    /// Input width of `layer`: I for layer 0, D·H above.
    pub fn layer_input(&self, layer: usize) -> usize {
        if layer == 0 {
            self.input
        } else {
            self.directions() * self.hidden
        }
    }

    /// Checks every tensor's size; names in errors follow PyTorch ("weight_hh_l1_reverse").
    pub fn validate(&self) -> Result<()> {
        let (h, g) = (self.hidden, self.cell.gates());
        if self.input == 0 || h == 0 || self.layers == 0 {
            bail!("input size, hidden size and number of layers must all be at least 1");
        }
        if self.layers > MAX_LAYERS || h > MAX_HIDDEN || self.input > MAX_INPUT {
            bail!("the playground allows at most {MAX_LAYERS} layers, hidden size {MAX_HIDDEN} and input size {MAX_INPUT}");
        }
        if self.weights.len() != self.layers * self.directions() {
            bail!(
                "expected {} weight sets (layers × directions), got {}",
                self.layers * self.directions(),
                self.weights.len()
            );
        }
        for (k, w) in self.weights.iter().enumerate() {
            let (layer, suffix) = (k / self.directions(), suffix(k, self.directions()));
            let need = |name: &str, v: &[f32], len: usize| -> Result<()> {
                if v.len() != len {
                    bail!(
                        "{name}_{suffix} has {} numbers, {} needs {len}",
                        v.len(),
                        self.cell.name()
                    );
                }
                crate::shape::check_finite(&format!("{name}_{suffix}"), v)
            };
            need("weight_ih", &w.w_ih, g * h * self.layer_input(layer))?;
            need("bias_ih", &w.b_ih, g * h)?;
            need("bias_hh", &w.b_hh, g * h)?;
            match self.cell {
                Cell::Lstm {
                    variant: LstmVariant::Peephole,
                    ..
                } => {
                    need("weight_hh", &w.w_hh, 0)?;
                    need("weight_ch", &w.w_ch, 3 * h * h)?;
                }
                Cell::Lstm {
                    variant: LstmVariant::Fc,
                    ..
                } => {
                    need("weight_hh", &w.w_hh, g * h * h)?;
                    need("weight_ch", &w.w_ch, 3 * h)?;
                }
                _ => {
                    need("weight_hh", &w.w_hh, g * h * h)?;
                    need("weight_ch", &w.w_ch, 0)?;
                }
            }
        }
        Ok(())
    }

    /// Checks x: [T, N, I] and the initial states [L·D, N, H]; returns (T, N).
    pub fn check_inputs(
        &self,
        x: &[f32],
        x_shape: &[usize],
        h0: &[f32],
        c0: &[f32],
    ) -> Result<(usize, usize)> {
        let [t, n, i] =
            crate::cnn::rank("x", x_shape, "[T (time steps), N (batch), I (input size)]")?;
        if t == 0 {
            bail!("the sequence is empty: x needs at least one time step");
        }
        if i != self.input {
            bail!(
                "x has {i} features per step, but the network's input size is {}",
                self.input
            );
        }
        crate::shape::check_buffer("x", x, &[t, n, i])?;
        let states = [self.layers * self.directions(), n, self.hidden];
        crate::shape::check_buffer("h0", h0, &states)?;
        if self.cell.has_cell_state() {
            crate::shape::check_buffer("c0", c0, &states)?;
        }
        crate::shape::check_work(
            "this sequence",
            (t * n) as u64
                * (self.weights.len()
                    * self.cell.gates()
                    * self.hidden
                    * (self.hidden + self.input.max(2 * self.hidden))) as u64,
        )?;
        Ok((t, n))
    }

    /// The whole sequence through every layer and direction.
    pub fn forward(&self, x: &[f32], t: usize, n: usize, h0: &[f32], c0: &[f32]) -> Output {
        let mut out = Output::default();
        self.forward_into(&mut out, x, t, n, h0, c0);
        out
    }

    /// As [`Recurrent::forward`], into `out`, reusing its buffers: every entry is
    /// overwritten, so a handle that runs many sequences (the page, the benchmark) does not
    /// allocate and zero its records afresh each call.
    pub fn forward_into(
        &self,
        out: &mut Output,
        x: &[f32],
        t: usize,
        n: usize,
        h0: &[f32],
        c0: &[f32],
    ) {
        self.forward_packed(&self.pack(), out, x, t, n, h0, c0);
    }

    /// Every layer and direction's weights packed for the products (see [`cell::Packed`]),
    /// for a caller that runs many sequences with the same weights.
    pub fn pack(&self) -> Vec<Packed> {
        self.weights
            .iter()
            .map(|w| Packed::new(self.cell, w, self.hidden))
            .collect()
    }

    /// As [`Recurrent::forward_into`] with `packed` = [`Recurrent::pack`] of these weights.
    #[allow(clippy::too_many_arguments)] // the packed weights, the output, the inputs
    pub fn forward_packed(
        &self,
        packed: &[Packed],
        out: &mut Output,
        x: &[f32],
        t: usize,
        n: usize,
        h0: &[f32],
        c0: &[f32],
    ) {
        let (h, d) = (self.hidden, self.directions());
        let states = self.layers * d * n * h;
        out.h_n.resize(states, 0.0);
        out.c_n.resize(
            if self.cell.has_cell_state() {
                states
            } else {
                0
            },
            0.0,
        );
        out.traces.resize_with(self.layers * d, Trace::default);
        out.inputs.resize_with(self.layers, Vec::new);
        // Layer 0's input is x; each layer's output y becomes the next one's input.
        out.inputs[0].clear();
        out.inputs[0].extend_from_slice(x);
        let mut y = std::mem::take(&mut out.y);
        for layer in 0..self.layers {
            let width = self.layer_input(layer);
            y.resize(t * n * d * h, 0.0);
            for dir in 0..d {
                let k = layer * d + dir;
                let state = k * n * h..(k + 1) * n * h;
                let c_init = if self.cell.has_cell_state() {
                    &c0[state.clone()]
                } else {
                    &[][..]
                };
                let tr = &mut out.traces[k];
                cell::run(
                    self.cell,
                    &self.weights[k],
                    &packed[k],
                    &out.inputs[layer],
                    t,
                    n,
                    width,
                    h,
                    &h0[state.clone()],
                    c_init,
                    dir == 1,
                    tr,
                );
                for s in 0..t {
                    for b in 0..n {
                        y[(s * n + b) * d * h + dir * h..][..h]
                            .copy_from_slice(&tr.h[(s * n + b) * h..][..h]);
                    }
                }
                // The last step processed: t - 1 going forward, 0 going backward.
                let last = if dir == 1 { 0 } else { t - 1 };
                out.h_n[state.clone()].copy_from_slice(&tr.h[last * n * h..][..n * h]);
                if self.cell.has_cell_state() {
                    out.c_n[state].copy_from_slice(&tr.c[last * n * h..][..n * h]);
                }
            }
            if layer + 1 < self.layers {
                // y becomes the next layer's input; that layer's old input buffer is reused
                // for its output.
                std::mem::swap(&mut out.inputs[layer + 1], &mut y);
            }
        }
        out.y = y;
    }
}

impl Named for Recurrent {
    /// `weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`, then `…_l0_reverse`, `…_l1`:
    /// PyTorch's `nn.RNN` / `nn.GRU` / `nn.LSTM` names; the course's peephole weights follow
    /// as `weight_ch_*` (no PyTorch module has them).
    fn table(&self) -> Table {
        let (g, h) = (self.cell.gates(), self.hidden);
        let mut t = Table::new();
        for (k, w) in self.weights.iter().enumerate() {
            let width = self.layer_input(k / self.directions());
            for (stem, v) in w.named() {
                let shape = match stem {
                    _ if v.is_empty() => continue,
                    "weight_ih" => vec![g * h, width],
                    "weight_hh" => vec![g * h, h],
                    "bias_ih" | "bias_hh" => vec![g * h],
                    _ if v.len() == 3 * h => vec![3 * h],
                    _ => vec![3 * h, h],
                };
                t.push(format!("{stem}_{}", self.suffix(k)), &shape);
            }
        }
        t
    }

    fn tensors(&self) -> Vec<&[f32]> {
        self.weights
            .iter()
            .flat_map(|w| w.named().map(|(_, v)| &v[..]))
            .filter(|v| !v.is_empty())
            .collect()
    }

    fn tensors_mut(&mut self) -> Vec<&mut [f32]> {
        self.weights
            .iter_mut()
            .flat_map(|w| w.named_mut().map(|v| &mut v[..]))
            .filter(|v| !v.is_empty())
            .collect()
    }

    fn describe(&self) -> Vec<(String, String)> {
        let (arch, variant, h_act) = match self.cell {
            Cell::Rnn | Cell::RnnRelu => ("rnn", "", ""),
            Cell::Gru => ("gru", "", ""),
            Cell::Lstm { variant, linear_h } => (
                "lstm",
                match variant {
                    LstmVariant::Standard => "standard",
                    LstmVariant::Fc => "fc",
                    LstmVariant::Peephole => "peephole",
                },
                if linear_h { "linear" } else { "tanh" },
            ),
        };
        let mut d: Vec<(String, String)> = [
            ("arch", arch.to_string()),
            ("input_size", self.input.to_string()),
            ("hidden_size", self.hidden.to_string()),
            ("num_layers", self.layers.to_string()),
            ("bidirectional", self.bidirectional.to_string()),
        ]
        .map(|(k, v)| (k.to_string(), v))
        .to_vec();
        if !variant.is_empty() {
            d.push(("variant".into(), variant.into()));
            d.push(("h_activation".into(), h_act.into()));
        }
        if self.cell == Cell::RnnRelu {
            d.push(("nonlinearity".into(), "relu".into()));
        }
        d
    }
}

impl Recurrent {
    /// A network as a safetensors file describes it ([`Named::describe`]'s metadata) with
    /// the file's weights; the sizes must agree with the tensors.
    pub fn from_file(file: File) -> Result<Recurrent> {
        let cell = match Cell::parse(
            file.require_meta("arch")?,
            file.meta("variant").unwrap_or("standard"),
            file.meta("h_activation").unwrap_or("tanh"),
        )? {
            Cell::Rnn => Cell::rnn(file.meta("nonlinearity").unwrap_or("tanh"))?,
            cell => cell,
        };
        let (input, h) = (
            file.meta_usize("input_size", 1, MAX_INPUT)?,
            file.meta_usize("hidden_size", 1, MAX_HIDDEN)?,
        );
        // Layer 0's tensors bound the sizes by what the file holds.
        file.require("weight_ih_l0", &[cell.gates() * h, input])?;
        match cell {
            Cell::Lstm {
                variant: LstmVariant::Peephole,
                ..
            } => file.require("weight_ch_l0", &[3 * h, h])?,
            _ => file.require("weight_hh_l0", &[cell.gates() * h, h])?,
        }
        let mut net = Recurrent::random(
            cell,
            input,
            h,
            file.meta_usize("num_layers", 1, MAX_LAYERS)?,
            file.require_meta("bidirectional")? == "true",
            0.0,
            &mut crate::rng::Rng::new(0),
        );
        net.validate()?;
        net.assign(&file.into_named())?;
        Ok(net)
    }
}

/// Gradients of a [`Recurrent`] network, in the same shapes as its weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Gradients {
    pub weights: Vec<LayerWeights>,
    pub x: Vec<f32>,
    pub h0: Vec<f32>,
    pub c0: Vec<f32>,
}

impl Gradients {
    /// Adds the weights' gradients into `flat`, laid out by the network's [`Named::table`].
    pub fn add_into(&self, flat: &mut [f32]) {
        let tensors = self
            .weights
            .iter()
            .flat_map(|w| w.named().map(|(_, v)| v))
            .filter(|v| !v.is_empty());
        let mut at = 0;
        for v in tensors {
            flat[at..at + v.len()]
                .iter_mut()
                .zip(v)
                .for_each(|(a, b)| *a += b);
            at += v.len();
        }
    }
}

impl Recurrent {
    /// Backpropagation through time: given dL/dy [T, N, D·H], dL/dh_n and dL/dc_n (empty
    /// means zero), the gradients of every weight, of x, of h0 and of c0.
    #[allow(clippy::too_many_arguments)] // the forward record, its inputs and three gradients
    pub fn backward(
        &self,
        fwd: &Output,
        t: usize,
        n: usize,
        h0: &[f32],
        c0: &[f32],
        dy: &[f32],
        dh_n: &[f32],
        dc_n: &[f32],
    ) -> Gradients {
        let (h, d) = (self.hidden, self.directions());
        let mut grads = Gradients {
            weights: self
                .weights
                .iter()
                .map(|w| LayerWeights {
                    w_ih: vec![0.0; w.w_ih.len()],
                    w_hh: vec![0.0; w.w_hh.len()],
                    b_ih: vec![0.0; w.b_ih.len()],
                    b_hh: vec![0.0; w.b_hh.len()],
                    w_ch: vec![0.0; w.w_ch.len()],
                })
                .collect(),
            x: Vec::new(),
            h0: vec![0.0; h0.len()],
            c0: vec![0.0; c0.len()],
        };
        let mut d_out = dy.to_vec(); // dL/d(this layer's y), [T, N, D·H]
        for layer in (0..self.layers).rev() {
            let width = self.layer_input(layer);
            let mut d_in = vec![0.0; t * n * width];
            for dir in 0..d {
                let k = layer * d + dir;
                let state = k * n * h..(k + 1) * n * h;
                let mut dh = vec![0.0; t * n * h];
                for s in 0..t {
                    for b in 0..n {
                        dh[(s * n + b) * h..][..h]
                            .copy_from_slice(&d_out[(s * n + b) * d * h + dir * h..][..h]);
                    }
                }
                let zero = vec![0.0; n * h];
                let dhn = if dh_n.is_empty() {
                    &zero[..]
                } else {
                    &dh_n[state.clone()]
                };
                let dcn = if dc_n.is_empty() {
                    &zero[..]
                } else {
                    &dc_n[state.clone()]
                };
                let c_init = if self.cell.has_cell_state() {
                    &c0[state.clone()]
                } else {
                    &[][..]
                };
                let (dh0, dc0) = cell::backward(
                    self.cell,
                    &self.weights[k],
                    &mut grads.weights[k],
                    &fwd.traces[k],
                    &fwd.inputs[layer],
                    &mut d_in,
                    cell::Dims {
                        t,
                        n,
                        input: width,
                        hidden: h,
                    },
                    &h0[state.clone()],
                    c_init,
                    &dh,
                    dhn,
                    dcn,
                    dir == 1,
                );
                grads.h0[state.clone()].copy_from_slice(&dh0);
                if self.cell.has_cell_state() {
                    grads.c0[state].copy_from_slice(&dc0);
                }
            }
            d_out = d_in;
        }
        grads.x = d_out;
        grads
    }
}

#[cfg(test)]
mod tests;
