//! The CNN operators as a student meets them, with every input checked first: a wrong
//! size, a NaN or a window that does not fit is an [`Error`](crate::Error), never a panic.
//! The arithmetic itself is in [`crate::kernels`].

pub mod activation;
pub mod conv;
pub mod dense;
pub mod lenet5;
pub mod pool;
pub mod sequential;

/// A dense row-major float32 tensor: the currency between operators, golden cases and wasm.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

impl Tensor {
    pub fn new(shape: Vec<usize>, data: Vec<f32>) -> Self {
        debug_assert_eq!(shape.iter().product::<usize>(), data.len());
        Tensor { shape, data }
    }
}

/// Turns a shape slice into a fixed rank, or says which rank was expected.
pub fn rank<const R: usize>(
    what: &str,
    shape: &[usize],
    layout: &str,
) -> crate::Result<[usize; R]> {
    shape.try_into().map_err(|_| {
        crate::Error::new(format!(
            "{what} must have {R} axes {layout}, got shape {shape:?} with {} axes",
            shape.len()
        ))
    })
}
