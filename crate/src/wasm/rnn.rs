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
use crate::rnn::{pytorch_scale, reach, Cell, Output, Packed, Recurrent};
use crate::shape::{
    check_buffer, MAX_BATCH, MAX_LAYERS, MAX_PAGE_HIDDEN, MAX_PAGE_INPUT, MAX_REACH_HIDDEN,
    MAX_REACH_STEPS, MAX_STEPS,
};
use crate::{bail, Result};

/// A stacked, optionally bidirectional RNN / GRU / LSTM.
#[wasm_bindgen]
pub struct RecurrentNet {
    net: Recurrent,
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
        Ok(RecurrentNet {
            packed: net.pack(),
            net,
            out: Output::default(),
            stepper: None,
            stepper_y: Vec::new(),
        })
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
        Ok(view(
            &self
                .stepper()?
                .trace(
                    whole("layer", layer, 0, MAX_LAYERS - 1)?,
                    whole("direction", dir, 0, 1)?,
                )?
                .gates,
        ))
    }

    /// Hidden states of (layer, dir) over time: [T, H].
    pub fn hidden(&self, layer: f64, dir: f64) -> Result<Float32Array> {
        Ok(view(
            &self
                .stepper()?
                .trace(
                    whole("layer", layer, 0, MAX_LAYERS - 1)?,
                    whole("direction", dir, 0, 1)?,
                )?
                .h,
        ))
    }

    /// Cell states of (layer, dir) over time: [T, H] (LSTMs; empty otherwise).
    pub fn cell(&self, layer: f64, dir: f64) -> Result<Float32Array> {
        Ok(view(
            &self
                .stepper()?
                .trace(
                    whole("layer", layer, 0, MAX_LAYERS - 1)?,
                    whole("direction", dir, 0, 1)?,
                )?
                .c,
        ))
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
