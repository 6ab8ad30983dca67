//! Digits as people draw them: the pad's pen (`pen`) and MNIST's framing of what was drawn
//! (`framing`), so a drawing reaches LeNet-5 shaped like the digits it learnt from.

pub mod framing;
pub mod pen;
