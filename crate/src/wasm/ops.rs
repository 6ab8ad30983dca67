//! The page's operators for JS: convolution, pooling, dense layers and activations on
//! tensors given as flat arrays and shapes, each checked, and the plan of one axis.

use wasm_bindgen::prelude::*;

use super::{view, whole};
use crate::cnn::activation::{self, Activation};
use crate::cnn::conv::{self, Conv2d};
use crate::cnn::pool::{self, Stochastic};
use crate::cnn::{dense as dense_op, Tensor};
use crate::shape::{Axis, Padding, MAX_DIM, MAX_STRIDE};
use crate::{bail, Result};

/// A shape given from JS: every axis a whole number in 1..=MAX_DIM.
fn dims(what: &str, shape: &[f64]) -> Result<Vec<usize>> {
    shape
        .iter()
        .enumerate()
        .map(|(i, &d)| whole(&format!("{what}[{i}]"), d, 1, MAX_DIM))
        .collect()
}

/// A `[rows, cols]` pair (kernel or stride) from JS.
fn pair(what: &str, v: &[f64], hi: usize) -> Result<[usize; 2]> {
    match v {
        [r, c] => Ok([
            whole(&format!("{what}[0]"), *r, 1, hi)?,
            whole(&format!("{what}[1]"), *c, 1, hi)?,
        ]),
        _ => bail!(
            "{what} must be [rows, cols] (two numbers), got {} numbers",
            v.len()
        ),
    }
}

/// A result handed to JS: values, shape, and for max and sampled pooling the flat index
/// into the input of the cell each output took.
#[wasm_bindgen]
pub struct Output {
    data: Vec<f32>,
    shape: Vec<u32>,
    index: Option<Vec<u32>>,
}

#[wasm_bindgen]
impl Output {
    /// The values, row-major (a copy: it outlives later calls).
    #[wasm_bindgen(getter)]
    pub fn data(&self) -> Vec<f32> {
        self.data.clone()
    }

    #[wasm_bindgen(getter)]
    pub fn shape(&self) -> Vec<u32> {
        self.shape.clone()
    }

    /// For max pooling the winner of each window, for sampled stochastic pooling the picked
    /// cell: flat indices into the input. `undefined` for other ops.
    #[wasm_bindgen(getter)]
    pub fn index(&self) -> Option<Vec<u32>> {
        self.index.clone()
    }
}

impl Output {
    fn new(t: Tensor, index: Option<Vec<u32>>) -> Output {
        Output {
            shape: t.shape.iter().map(|&d| d as u32).collect(),
            data: t.data,
            index,
        }
    }
}

/// How one axis of a sliding window works out: output size and zeros before and after.
#[wasm_bindgen]
pub struct AxisPlan {
    pub out: u32,
    pub pad_before: u32,
    pub pad_after: u32,
}

/// SAME (TensorFlow's rule) or VALID for one axis: `input`, `kernel`, `stride`, `padding`.
#[wasm_bindgen(js_name = planAxis)]
pub fn plan_axis(input: f64, kernel: f64, stride: f64, padding: &str) -> Result<AxisPlan> {
    let a = Axis::plan(
        "size",
        whole("input size", input, 1, MAX_DIM)?,
        whole("kernel size", kernel, 1, MAX_DIM)?,
        whole("stride", stride, 1, MAX_STRIDE)?,
        Padding::parse(padding)?,
    )?;
    Ok(AxisPlan {
        out: a.out as u32,
        pad_before: a.pad_before as u32,
        pad_after: a.pad_after as u32,
    })
}

/// A convolution kept alive between frames: the conv lab edits one cell and asks again.
#[wasm_bindgen]
pub struct ConvLayer {
    plan: Conv2d,
    x: Vec<f32>,
    weight: Vec<f32>,
    y: Vec<f32>,
}

#[wasm_bindgen]
impl ConvLayer {
    /// x: [N, C, H, W], weight: [O, C, kh, kw], bias: [O], stride: [sh, sw], padding
    /// "same" | "valid". Computes the output at once.
    #[wasm_bindgen(constructor)]
    pub fn new(
        x: &[f32],
        x_shape: &[f64],
        weight: &[f32],
        w_shape: &[f64],
        bias: &[f32],
        stride: &[f64],
        padding: &str,
    ) -> Result<ConvLayer> {
        let plan = Conv2d::plan(
            x,
            &dims("x_shape", x_shape)?,
            weight,
            &dims("weight_shape", w_shape)?,
            bias,
            pair("stride", stride, MAX_STRIDE)?,
            Padding::parse(padding)?,
        )?;
        let mut y = vec![0.0; plan.window.y_len(plan.out_channels)];
        crate::kernels::fast::conv2d(&mut y, x, weight, bias, &plan.window, plan.out_channels);
        Ok(ConvLayer {
            plan,
            x: x.to_vec(),
            weight: weight.to_vec(),
            y,
        })
    }

    /// A view of the output [N, O, OH, OW] in wasm memory: read it before the next call
    /// into wasm (any allocation may move it).
    pub fn output(&self) -> js_sys::Float32Array {
        view(&self.y)
    }

    #[wasm_bindgen(js_name = outputShape)]
    pub fn output_shape(&self) -> Vec<u32> {
        self.plan.out_shape().iter().map(|&d| d as u32).collect()
    }

    /// The products summed into y[n, oc, oy, ox], five numbers each: channel, input row,
    /// input column (outside the plane on padding), x value, weight.
    pub fn terms(&self, n: f64, oc: f64, oy: f64, ox: f64) -> Result<Vec<f32>> {
        let at = [
            whole("n", n, 0, MAX_DIM)?,
            whole("oc", oc, 0, MAX_DIM)?,
            whole("oy", oy, 0, MAX_DIM)?,
            whole("ox", ox, 0, MAX_DIM)?,
        ];
        let terms = conv::conv2d_terms(&self.plan, &self.x, &self.weight, at)?;
        Ok(terms
            .iter()
            .flat_map(|t| [t.channel as f32, t.row as f32, t.col as f32, t.x, t.w])
            .collect())
    }
}

/// y = conv2d(x, weight) + bias, as [`ConvLayer`] but stateless.
#[wasm_bindgen]
pub fn conv2d(
    x: &[f32],
    x_shape: &[f64],
    weight: &[f32],
    w_shape: &[f64],
    bias: &[f32],
    stride: &[f64],
    padding: &str,
) -> Result<Output> {
    let layer = ConvLayer::new(x, x_shape, weight, w_shape, bias, stride, padding)?;
    let shape = layer.output_shape();
    Ok(Output {
        data: layer.y,
        shape,
        index: None,
    })
}

/// Max pooling over x: [N, C, H, W]; `index` holds each window's winner.
#[wasm_bindgen(js_name = maxPool2d)]
pub fn max_pool2d(
    x: &[f32],
    x_shape: &[f64],
    kernel: &[f64],
    stride: &[f64],
    padding: &str,
) -> Result<Output> {
    let (y, arg) = pool::max_pool2d(
        x,
        &dims("x_shape", x_shape)?,
        pair("kernel", kernel, MAX_DIM)?,
        pair("stride", stride, MAX_STRIDE)?,
        Padding::parse(padding)?,
    )?;
    Ok(Output::new(y, Some(arg)))
}

/// Mean pooling; SAME windows divide by their real cells only.
#[wasm_bindgen(js_name = avgPool2d)]
pub fn avg_pool2d(
    x: &[f32],
    x_shape: &[f64],
    kernel: &[f64],
    stride: &[f64],
    padding: &str,
) -> Result<Output> {
    let y = pool::avg_pool2d(
        x,
        &dims("x_shape", x_shape)?,
        pair("kernel", kernel, MAX_DIM)?,
        pair("stride", stride, MAX_STRIDE)?,
        Padding::parse(padding)?,
    )?;
    Ok(Output::new(y, None))
}

/// Stochastic pooling; `mode` "inference" (expectation) or "train" (sample with `seed`,
/// a whole number from 0 to 2^32 - 1; `index` holds the sampled cells).
#[wasm_bindgen(js_name = stochasticPool2d)]
pub fn stochastic_pool2d(
    x: &[f32],
    x_shape: &[f64],
    kernel: &[f64],
    stride: &[f64],
    padding: &str,
    mode: &str,
    seed: f64,
) -> Result<Output> {
    let mode = match mode {
        "inference" => Stochastic::Inference,
        "train" => Stochastic::Train {
            seed: whole("seed", seed, 0, u32::MAX as usize)? as u64,
        },
        _ => bail!("mode must be \"inference\" or \"train\", got {mode:?}"),
    };
    let (y, arg) = pool::stochastic_pool2d(
        x,
        &dims("x_shape", x_shape)?,
        pair("kernel", kernel, MAX_DIM)?,
        pair("stride", stride, MAX_STRIDE)?,
        Padding::parse(padding)?,
        mode,
    )?;
    Ok(Output::new(y, arg))
}

/// y: [N, out] = x: [N, in] * weight: [out, in]^T + bias.
#[wasm_bindgen]
pub fn dense(
    x: &[f32],
    x_shape: &[f64],
    weight: &[f32],
    w_shape: &[f64],
    bias: &[f32],
) -> Result<Output> {
    Ok(Output::new(
        dense_op::dense(
            x,
            &dims("x_shape", x_shape)?,
            weight,
            &dims("weight_shape", w_shape)?,
            bias,
        )?,
        None,
    ))
}

/// Elementwise `name` ("identity", "relu", "tanh", "sigmoid") of x with any shape.
#[wasm_bindgen]
pub fn activate(name: &str, x: &[f32], shape: &[f64]) -> Result<Output> {
    Ok(Output::new(
        activation::activate(Activation::parse(name)?, x, &dims("shape", shape)?)?,
        None,
    ))
}

/// Softmax over the last axis of x.
#[wasm_bindgen]
pub fn softmax(x: &[f32], shape: &[f64]) -> Result<Output> {
    Ok(Output::new(
        activation::softmax(x, &dims("shape", shape)?)?,
        None,
    ))
}
