//! The shipped LeNet-5 (`cnn::lenet5`, docs/pytorch/lenet5.py) as a described network, so
//! its weights run through the generic path too: the same module written as
//! `nn.Sequential`, and where each of its named tensors goes.

use super::spec::{Layer, Spec};
use super::Sequential;
use crate::cnn::activation::Activation;
use crate::cnn::lenet5::{Activations, LeNet5, Pool};
use crate::params::Named;
use crate::shape::Pad;
use crate::Result;

/// LeNet-5's tensors (`LeNet5`'s names) and their `nn.Sequential` names in [`spec`]:
/// conv1 is layer 0, conv2 layer 3, fc1 7, fc2 9, fc3 11.
pub const NAMES: [(&str, &str); 10] = [
    ("conv1.weight", "0.weight"),
    ("conv1.bias", "0.bias"),
    ("conv2.weight", "3.weight"),
    ("conv2.bias", "3.bias"),
    ("fc1.weight", "7.weight"),
    ("fc1.bias", "7.bias"),
    ("fc2.weight", "9.weight"),
    ("fc2.bias", "9.bias"),
    ("fc3.weight", "11.weight"),
    ("fc3.bias", "11.bias"),
];

/// LeNet-5 with activation `act` and pooling `pool`, as `nn.Sequential(Conv2d(1, 6, 5,
/// padding=2), act, pool(2), Conv2d(6, 16, 5), act, pool(2), Flatten(), Linear(400, 120),
/// act, Linear(120, 84), act, Linear(84, 10))` on a 1×28×28 image.
pub fn spec(act: Activation, pool: Pool) -> Spec {
    let pool = match pool {
        Pool::Max => Layer::MaxPool2d {
            kernel: [2, 2],
            stride: [2, 2],
        },
        Pool::Avg => Layer::AvgPool2d {
            kernel: [2, 2],
            stride: [2, 2],
        },
    };
    let conv = |out_channels, padding| Layer::Conv2d {
        out_channels,
        kernel: [5, 5],
        stride: [1, 1],
        padding: Pad::Zeros([padding; 2]),
    };
    let act = Layer::Act(act);
    let linear = |out_features| Layer::Linear { out_features };
    Spec {
        input: [1, 28, 28],
        layers: vec![
            conv(6, 2),
            act,
            pool,
            conv(16, 0),
            act,
            pool,
            Layer::Flatten,
            linear(120),
            act,
            linear(84),
            act,
            linear(10),
        ],
    }
}

/// LeNet-5's named activations beside the index of the layer of [`spec`] whose output each
/// equals (C1 after its activation is layer 1's output, and so on).
pub fn outputs(a: &Activations) -> [(&'static str, &[f32], usize); 7] {
    [
        ("c1", &a.c1, 1),
        ("s2", &a.s2, 2),
        ("c3", &a.c3, 4),
        ("s4", &a.s4, 5),
        ("f5", &a.f5, 8),
        ("f6", &a.f6, 10),
        ("logits", &a.logits, 11),
    ]
}

/// The same network as `net`, its tensors renamed by [`NAMES`] (an error only if `net`'s
/// parameters are not all finite).
pub fn from_lenet5(net: &LeNet5) -> Result<Sequential> {
    let tensors: Vec<(String, Vec<usize>, Vec<f32>)> = net
        .table()
        .params()
        .iter()
        .zip(net.tensors())
        .map(|(p, v)| {
            let (_, to) = NAMES
                .iter()
                .find(|(from, _)| *from == p.name)
                .expect("NAMES lists every LeNet-5 tensor");
            (to.to_string(), p.shape.clone(), v.to_vec())
        })
        .collect();
    let mut seq = Sequential::init(&spec(net.act, net.pool), 0)?;
    seq.assign(&tensors)?;
    Ok(seq)
}
