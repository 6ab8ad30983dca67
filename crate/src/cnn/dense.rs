//! Fully connected layer, PyTorch's `Linear` layout: weight [out, in].

use crate::cnn::{rank, Tensor};
use crate::shape::check_buffer;
use crate::{bail, kernels, Result};

/// y: [N, out] = x: [N, in] * weight: [out, in]^T + bias: [out].
pub fn dense(
    x: &[f32],
    x_shape: &[usize],
    wt: &[f32],
    w_shape: &[usize],
    b: &[f32],
) -> Result<Tensor> {
    let [n, inp] = rank("x", x_shape, "[N, inputs]")?;
    let [out, w_in] = rank("weight", w_shape, "[outputs, inputs]")?;
    check_buffer("x", x, &[n, inp])?;
    check_buffer("weight", wt, &[out, w_in])?;
    if w_in != inp {
        bail!("weight takes {w_in} inputs but x has {inp} per row (weight is [outputs, inputs])");
    }
    check_buffer("bias", b, &[out])?;
    let mut y = vec![0.0; n * out];
    kernels::fast::dense(&mut y, x, wt, b, n, inp, out);
    Ok(Tensor::new(vec![n, out], y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_example_and_errors() {
        let y = dense(
            &[1., 2., 3., 4.],
            &[2, 2],
            &[1., 0., 1., 1., 0., -1.],
            &[3, 2],
            &[0., 1., 2.],
        )
        .unwrap();
        assert_eq!(y.data, vec![1., 4., 0., 3., 8., -2.]);
        assert!(dense(&[1., 2.], &[1, 2], &[1., 2., 3.], &[1, 3], &[0.])
            .unwrap_err()
            .message()
            .contains("takes 3 inputs"));
    }
}
