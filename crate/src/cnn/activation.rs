//! Elementwise activations and softmax.

use crate::cnn::Tensor;
use crate::kernels::{fast, scalar};
use crate::shape::check_buffer;
use crate::{bail, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    Identity,
    Relu,
    Tanh,
    Sigmoid,
}

impl Activation {
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "identity" | "linear" | "none" => Activation::Identity,
            "relu" => Activation::Relu,
            "tanh" => Activation::Tanh,
            "sigmoid" => Activation::Sigmoid,
            _ => bail!("activation must be one of identity, relu, tanh, sigmoid; got {s:?}"),
        })
    }

    /// The name [`parse`](Self::parse) reads back.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Identity => "identity",
            Activation::Relu => "relu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
        }
    }

    /// y = f(x) elementwise; y and x have the same length.
    pub fn apply(self, y: &mut [f32], x: &[f32]) {
        match self {
            Activation::Identity => y.copy_from_slice(x),
            Activation::Relu => fast::relu(y, x),
            Activation::Tanh => scalar::tanh(y, x),
            Activation::Sigmoid => scalar::sigmoid(y, x),
        }
    }
}

/// f(x) for any shape.
pub fn activate(f: Activation, x: &[f32], shape: &[usize]) -> Result<Tensor> {
    check_buffer("x", x, shape)?;
    let mut y = vec![0.0; x.len()];
    f.apply(&mut y, x);
    Ok(Tensor::new(shape.to_vec(), y))
}

/// Softmax over the last axis.
pub fn softmax(x: &[f32], shape: &[usize]) -> Result<Tensor> {
    check_buffer("x", x, shape)?;
    let Some(&k) = shape.last() else {
        bail!("softmax needs at least one axis")
    };
    let mut y = vec![0.0; x.len()];
    scalar::softmax(&mut y, x, k);
    Ok(Tensor::new(shape.to_vec(), y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        let x = [-2.0, 0.0, 3.0];
        assert_eq!(
            activate(Activation::Relu, &x, &[3]).unwrap().data,
            vec![0.0, 0.0, 3.0]
        );
        let s = activate(Activation::Sigmoid, &[-100.0, 0.0, 100.0], &[3])
            .unwrap()
            .data;
        assert_eq!(s, vec![(-100f32).exp() / (1.0 + (-100f32).exp()), 0.5, 1.0]);
        let t = activate(Activation::Tanh, &x, &[3]).unwrap().data;
        assert!((t[2] - 3f32.tanh()).abs() < 1e-7);
        let p = softmax(&[1000.0, 1000.0, 0.0, 0.0], &[2, 2]).unwrap().data;
        assert_eq!(p, vec![0.5, 0.5, 0.5, 0.5]);
        assert!(Activation::parse("gelu").is_err());
        assert!(softmax(&[f32::INFINITY], &[1]).is_err());
    }
}
