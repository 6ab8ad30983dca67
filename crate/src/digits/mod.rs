//! Digits as people draw them: the pad's pen (`pen`), the strokes redrawn in MNIST's
//! proportions (`stroke`, with the distance transform in `distance`) and MNIST's framing of
//! what was drawn (`framing`), so a drawing reaches LeNet-5 shaped like the digits it learnt
//! from, and the distortions that teach it handwriting (`augment`).

pub mod augment;
pub mod distance;
pub mod framing;
pub mod pen;
pub mod stroke;
