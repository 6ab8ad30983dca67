//! Digits as people draw them: the pad's pen (`pen`), MNIST's framing of what was drawn
//! (`framing`), so a drawing reaches LeNet-5 shaped like the digits it learnt from, and the
//! distortions that teach it handwriting (`augment`).

pub mod augment;
pub mod framing;
pub mod pen;
