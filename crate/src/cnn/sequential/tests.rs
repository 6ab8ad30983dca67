//! The described CNN: shapes, limits, its JSON, the guess from a state_dict, LeNet-5 through
//! the generic path, and the forward pass against a naive reference written here.

use super::infer::{self, infer, Question};
use super::*;
use crate::cnn::activation::Activation;
use crate::cnn::lenet5::{self, LeNet5, Pool};
use crate::safetensors::{self as st, Dtype};
use crate::shape::{Pad, Padding};

const RELU: Layer = Layer::Act(Activation::Relu);

fn conv(out_channels: usize, k: usize, s: usize, padding: Pad) -> Layer {
    Layer::Conv2d {
        out_channels,
        kernel: [k, k],
        stride: [s, s],
        padding,
    }
}

fn max(k: usize, s: usize) -> Layer {
    Layer::MaxPool2d {
        kernel: [k, k],
        stride: [s, s],
    }
}

fn linear(out_features: usize) -> Layer {
    Layer::Linear { out_features }
}

fn spec(input: [usize; 3], layers: &[Layer]) -> Spec {
    Spec {
        input,
        layers: layers.to_vec(),
    }
}

/// The message of a refused spec.
fn refusal(s: &Spec) -> String {
    s.plan().unwrap_err().message().to_string()
}

#[test]
fn lenet5_shapes_parameters_and_work() {
    let plan = lenet::spec(Activation::Relu, Pool::Max).plan().unwrap();
    let outputs: Vec<&[usize]> = plan.layers.iter().map(|l| &l.output[..]).collect();
    assert_eq!(
        outputs,
        [
            &[6, 28, 28][..],
            &[6, 28, 28],
            &[6, 14, 14],
            &[16, 10, 10],
            &[16, 10, 10],
            &[16, 5, 5],
            &[400],
            &[120],
            &[120],
            &[84],
            &[84],
            &[10],
        ]
    );
    assert_eq!(plan.params, lenet5::N_PARAMS);
    assert_eq!(plan.table().numel(), lenet5::N_PARAMS);
    let c1 = 6 * 28 * 28 * 25;
    let c3 = 16 * 10 * 10 * 150;
    assert_eq!(plan.macs, (c1 + c3 + 400 * 120 + 120 * 84 + 84 * 10) as u64);
    let table = plan.table();
    let names: Vec<&str> = table.params().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        lenet::NAMES.iter().map(|(_, to)| *to).collect::<Vec<_>>()
    );
}

/// SAME and VALID by TensorFlow's rule, PyTorch's int padding, strides, on a 7×9 map.
#[test]
fn padding_and_stride_shape_the_output() {
    let out = |layer: Layer| spec([2, 7, 9], &[layer]).plan().unwrap().layers[0].clone();
    let same = out(conv(4, 3, 2, Pad::Rule(Padding::Same)));
    assert_eq!(same.output, [4, 4, 5]); // ceil(7/2), ceil(9/2)
    let g = same.window.unwrap();
    assert_eq!((g.pad_top, g.pad_left), (1, 1)); // totals 2 and 2
    assert_eq!(same.params, 4 * 2 * 9 + 4);
    assert_eq!(same.macs, (4 * 4 * 5 * 2 * 9) as u64);
    assert_eq!(
        out(conv(4, 3, 2, Pad::Rule(Padding::Valid))).output,
        [4, 3, 4]
    );
    // Zeros [1, 2]: (7 + 2 - 3) / 2 + 1 = 4 rows, (9 + 4 - 3) / 2 + 1 = 6 columns.
    let zeros = out(Layer::Conv2d {
        out_channels: 1,
        kernel: [3, 3],
        stride: [2, 2],
        padding: Pad::Zeros([1, 2]),
    });
    assert_eq!(zeros.output, [1, 4, 6]);
    assert_eq!(zeros.window.unwrap().pad_left, 2);
    // Non-square kernel and stride.
    let mixed = out(Layer::Conv2d {
        out_channels: 3,
        kernel: [1, 5],
        stride: [1, 2],
        padding: Pad::Zeros([0, 0]),
    });
    assert_eq!(mixed.output, [3, 7, 3]);
    // The course's 4×4 SAME example on a 2×3 map: SAME 1×2; pooling is VALID: 3×4.
    assert_eq!(
        spec([1, 2, 3], &[conv(1, 2, 2, Pad::Rule(Padding::Same))])
            .plan()
            .unwrap()
            .layers[0]
            .output,
        [1, 1, 2]
    );
    assert_eq!(out(max(2, 2)).output, [2, 3, 4]);
    assert_eq!(out(max(3, 1)).output, [2, 5, 7]);
    let flat = spec([2, 7, 9], &[max(2, 2), Layer::Flatten, linear(5)])
        .plan()
        .unwrap();
    assert_eq!(flat.layers[1].output, [24]);
    assert_eq!((flat.layers[2].params, flat.layers[2].macs), (125, 120));
}

/// Every limit refuses with a sentence that names the layer.
#[test]
fn every_limit_is_a_sentence_naming_the_layer() {
    let same = Pad::Rule(Padding::Same);
    let ok = |layers: &[Layer]| spec([1, 28, 28], layers);
    for (s, want) in [
        (
            ok(&[conv(6, 5, 1, same), RELU, conv(80, 3, 1, same)]),
            "layer 2 (Conv2d) has 80 output channels; nnplay draws at most 64",
        ),
        (
            ok(&[conv(0, 3, 1, same)]),
            "layer 0 (Conv2d) has 0 output channels",
        ),
        (
            ok(&[conv(6, 9, 1, same)]),
            "layer 0 (Conv2d) has a 9×9 kernel; nnplay's kernels are 1 to 7",
        ),
        (
            ok(&[conv(6, 3, 8, same)]),
            "layer 0 (Conv2d) has a 8×8 stride; nnplay's strides are 1 to 7",
        ),
        (
            ok(&[conv(6, 3, 1, Pad::Zeros([3, 0]))]),
            "layer 0 (Conv2d) on its 1×28×28 input: a padding of 3 on the height is not smaller than the kernel",
        ),
        (
            spec([1, 4, 4], &[conv(2, 5, 1, Pad::Rule(Padding::Valid))]),
            "layer 0 (Conv2d) on its 1×4×4 input: the kernel height 5 is larger than the input height 4",
        ),
        (
            ok(&[max(2, 2), max(2, 2), max(2, 2), max(2, 2), max(2, 2)]),
            "layer 4 (MaxPool2d) on its 1×1×1 input: the kernel height 2 is larger",
        ),
        (
            ok(&[linear(10)]),
            "layer 0 (Linear) reads a 1×28×28 map; put a Flatten (nn.Flatten()) before it",
        ),
        (
            ok(&[Layer::Flatten, conv(6, 3, 1, same)]),
            "layer 1 (Conv2d) reads 784 features, not a map of channels",
        ),
        (
            ok(&[Layer::Flatten, linear(5000)]),
            "layer 1 (Linear) has 5000 outputs; nnplay draws at most 4096",
        ),
        (
            ok(&[Layer::Flatten, linear(2000), RELU, linear(2000)]),
            "the network has 5,572,000 parameters (layer 3 (Linear) alone has 4,002,000); nnplay holds at most 2,000,000",
        ),
        (
            spec(
                [3, 64, 64],
                &[conv(64, 7, 1, same), RELU, conv(64, 7, 1, same)],
            ),
            "the network needs 860,618,752 multiply-adds per image (layer 2 (Conv2d) alone has 822,083,584); nnplay runs at most 100,000,000",
        ),
        (
            spec([4, 28, 28], &[Layer::Flatten]),
            "the input is 4×28×28 (channels × height × width); nnplay reads images of 1 to 3 channels",
        ),
        (
            spec([1, 65, 28], &[Layer::Flatten]),
            "sides of 1 to 64 pixels",
        ),
        (ok(&[]), "the network has no layers"),
        (
            ok(&[RELU; 13]),
            "the network has 13 layers; nnplay draws at most 12",
        ),
    ] {
        let e = refusal(&s);
        assert!(e.contains(want), "{e:?}\n does not contain {want:?}");
    }
    // Right at the limits is accepted.
    assert!(ok(&[RELU; 12]).plan().is_ok());
    assert!(ok(&[conv(64, 7, 7, Pad::Zeros([6, 6]))]).plan().is_ok());
}

/// Random specs (valid or not) survive the trip through JSON; written specs read back equal.
#[test]
fn spec_json_round_trip() {
    let mut rng = Rng::new(3);
    for _ in 0..300 {
        let s = random_spec(&mut rng);
        let back = Spec::from_json(&s.input_json(), &s.layers_json());
        match s.plan() {
            Ok(_) => assert_eq!(back.unwrap(), s),
            Err(e) => assert_eq!(back.unwrap_err(), e),
        }
    }
    // The golden cases' form (arrays) and the short form (one number for both sides).
    let short = r#"[{"type":"Conv2d","out_channels":6,"kernel":5,"padding":2},{"type":"ReLU"},
        {"type":"MaxPool2d","kernel":2},{"type":"conv2d","in_channels":6,"out_channels":16,"kernel":[5,5],"stride":1,"padding":"valid"},
        {"type":"relu"},{"type":"max_pool2d","kernel":[2,2],"stride":[2,2]},{"type":"flatten"},
        {"type":"linear","in_features":400,"out_features":120},{"type":"relu"},{"type":"linear","out_features":84},
        {"type":"relu"},{"type":"linear","out_features":10}]"#;
    let mut lenet = lenet::spec(Activation::Relu, Pool::Max);
    lenet.layers[3] = conv(16, 5, 1, Pad::Rule(Padding::Valid));
    assert_eq!(Spec::from_json("[1, 28, 28]", short).unwrap(), lenet);
}

/// Each malformed field is refused with a sentence that names it.
#[test]
fn malformed_descriptions_are_refused_readably() {
    let input = "[1,28,28]";
    for (layers, want) in [
        ("{", "the description of the layers is malformed: expected a key at byte 1"),
        ("{}", "must be a JSON list"),
        ("[1]", "layer 0 must be an object"),
        ("[{}]", "layer 0 has no \"type\""),
        (r#"[{"type":3}]"#, "layer 0: \"type\" must be a string, got 3"),
        (r#"[{"type":"lstm"}]"#, "layer 0 has the type \"lstm\"; nnplay knows conv2d"),
        (r#"[{"type":"conv2d","kernel":3}]"#, "layer 0 (conv2d) needs \"out_channels\""),
        (r#"[{"type":"conv2d","out_channels":"6","kernel":3}]"#, "\"out_channels\" must be a whole number, got \"6\""),
        (r#"[{"type":"conv2d","out_channels":6}]"#, "layer 0 (conv2d) needs \"kernel\""),
        (r#"[{"type":"conv2d","out_channels":4294967297,"kernel":3}]"#, "layer 0 (Conv2d) has 4294967297 output channels; nnplay draws at most 64"),
        (r#"[{"type":"conv2d","out_channels":6,"kernel":[3]}]"#, "\"kernel\" must be a whole number or [height, width], got a list of 1"),
        (r#"[{"type":"conv2d","out_channels":6,"kernel":3,"stride":-1}]"#, "the description of the layers has a negative number"),
        (r#"[{"type":"conv2d","out_channels":6,"kernel":3,"padding":1.5}]"#, "not whole"),
        (r#"[{"type":"conv2d","out_channels":6,"kernel":3,"padding":"full"}]"#, "\"padding\" must be \"same\", \"valid\", a whole number or [height, width], got \"full\""),
        (r#"[{"type":"conv2d","out_channels":6,"kernel":3,"dilation":2}]"#, "layer 0 (conv2d): nnplay cannot read the field \"dilation\" = 2"),
        (r#"[{"type":"conv2d","out_channels":6,"kernel":3,"bias":false}]"#, "the field \"bias\" = false"),
        (r#"[{"type":"conv2d","in_channels":3,"out_channels":6,"kernel":3}]"#, "layer 0 (Conv2d) says in_channels = 3, but the layer before it gives 1"),
        (r#"[{"type":"max_pool2d","kernel":2,"padding":1}]"#, "\"padding\" is 1, but nnplay's pooling has no padding"),
        (r#"[{"type":"max_pool2d"}]"#, "layer 0 (max_pool2d) needs \"kernel\""),
        (r#"[{"type":"relu","inplace":true}]"#, "layer 0 (relu): nnplay cannot read the field \"inplace\" = true; this layer has no field but \"type\""),
        (r#"[{"type":"linear","out_features":3,"in_features":"784"}]"#, "layer 0 (linear): \"in_features\" must be a whole number, got \"784\""),
        (r#"[{"type":"flatten"},{"type":"linear","out_features":10,"in_features":10}]"#, "layer 1 (Linear) says in_features = 10, but the layer before it gives 784"),
    ] {
        let e = Spec::from_json(input, layers).unwrap_err();
        assert!(e.message().contains(want), "{layers}: {e:?}\n does not contain {want:?}");
    }
    let layers = r#"[{"type":"flatten"}]"#;
    for (input, want) in [
        (
            "[1,28]",
            "the input must be [channels, height, width] such as [1, 28, 28], got [1,28]",
        ),
        ("\"1x28x28\"", "got \"1x28x28\""),
        ("[1,28,28", "the input's description is malformed"),
    ] {
        let e = Spec::from_json(input, layers).unwrap_err();
        assert!(e.message().contains(want), "{input}: {e:?}");
    }
}

/// A network written to safetensors loads back equal; a file that lies or describes
/// something else is refused with a sentence.
#[test]
fn files_round_trip_and_bad_metadata_is_refused() {
    let s = spec(
        [3, 16, 12],
        &[
            conv(5, 3, 2, Pad::Rule(Padding::Same)),
            Layer::Act(Activation::Tanh),
            Layer::AvgPool2d {
                kernel: [2, 3],
                stride: [2, 1],
            },
            Layer::Flatten,
            linear(7),
        ],
    );
    let net = Sequential::init(&s, 5).unwrap();
    let bytes = st::save(&net, Dtype::F32, &[]);
    let back = Sequential::from_file(st::read(&bytes).unwrap()).unwrap();
    assert_eq!(back, net);
    assert_eq!(back.spec(), &s);
    let meta = net.describe();
    let refuse = |meta: &[(String, String)]| {
        let table = net.table();
        let list: Vec<(&str, &[usize], &[f32])> = table
            .params()
            .iter()
            .zip(net.tensors())
            .map(|(p, v)| (p.name.as_str(), &p.shape[..], v))
            .collect();
        let file = st::read(&st::write(&list, Dtype::F32, meta)).unwrap();
        Sequential::from_file(file)
            .unwrap_err()
            .message()
            .to_string()
    };
    let with = |key: &str, value: &str| {
        let mut m = meta.clone();
        m.iter_mut().find(|(k, _)| k == key).unwrap().1 = value.into();
        m
    };
    let e = refuse(&with("layers", "[{\"type\":\"relu\"},"));
    assert!(
        e.starts_with("the file's metadata: the description of the layers"),
        "{e}"
    );
    let e = refuse(&with("arch", "gru"));
    assert!(e.contains("holds a \"gru\" network"), "{e}");
    let e = refuse(&meta[..1]);
    assert!(e.contains("needs \"input\" and \"layers\""), "{e}");
    // Metadata that describes other sizes than the tensors have.
    let e = refuse(&with("input", "[3,16,16]"));
    assert!(e.contains("tensor \"4.weight\" has shape [7, 80] in the file, but its metadata describes [7, 120]"), "{e}");
    let e = refuse(&with(
        "layers",
        &s.layers_json()
            .replace("\"out_channels\":5", "\"out_channels\":6"),
    ));
    assert!(e.contains("\"0.weight\""), "{e}");
}

/// A `state_dict` without metadata: where it is clear, the guess is LeNet-5's
/// description; the rest comes back as questions.
#[test]
fn lenet5_is_guessed_from_its_state_dict() {
    let net = lenet::from_lenet5(&LeNet5::init(1, Activation::Relu, Pool::Max)).unwrap();
    let names: Vec<(String, Vec<usize>)> = net
        .table()
        .params()
        .iter()
        .map(|p| (p.name.clone(), p.shape.clone()))
        .collect();
    let (guess, questions) = infer(&names).unwrap();
    assert_eq!(guess, lenet::spec(Activation::Relu, Pool::Max));
    assert_eq!(
        questions[0],
        Question::Input {
            assumed: [1, 28, 28],
            // Pooling drops an odd row or column: 29 to 31 give the same 5×5 maps.
            fits: vec![[1, 28, 28], [1, 29, 29], [1, 30, 30], [1, 31, 31]],
        }
    );
    // Two windows, the parameter-free layers 1, 2, 4, 5, 6, 8, 10, and what comes after 11.
    let kinds: Vec<String> = questions[1..]
        .iter()
        .map(|q| match q {
            Question::Layer { index, .. } => format!("layer {index}"),
            Question::Window { index, .. } => format!("window {index}"),
            Question::After { index } => format!("after {index}"),
            Question::Input { .. } => "input".into(),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "window 0", "layer 1", "layer 2", "window 3", "layer 4", "layer 5", "layer 6",
            "layer 8", "layer 10", "after 12"
        ]
    );
    assert!(
        questions[2]
            .sentence()
            .contains("Layer 1 has no parameters")
            && questions[2].sentence().contains("assumed ReLU")
    );
    assert!(questions[1]
        .to_json()
        .starts_with("{\"kind\":\"window\",\"index\":0,\"assumed\":{\"type\":\"conv2d\""));
    // A file of the state_dict alone: guessed, then loaded with the guess.
    let list: Vec<(&str, &[usize], &[f32])> = names
        .iter()
        .zip(net.tensors())
        .map(|((n, s), v)| (n.as_str(), &s[..], v))
        .collect();
    let file = st::read(&st::write(&list, Dtype::F32, &[])).unwrap();
    let e = Sequential::from_file(file.clone()).unwrap_err();
    assert!(e.message().contains("nnplay can guess the layers"), "{e}");
    let (guess, _) = infer::infer_file(&file).unwrap();
    assert_eq!(Sequential::load(&guess, file).unwrap(), net);
    // With F5 reading 16×6×6, the fewest departures from the defaults on a 28×28 image pad
    // C3 instead of C1.
    let mut wider = names.clone();
    wider[4].1 = vec![120, 576];
    let (guess, _) = infer(&wider).unwrap();
    assert_eq!(guess.input, [1, 28, 28]);
    assert_eq!(guess.layers[0], conv(6, 5, 1, Pad::Zeros([0, 0])));
    assert_eq!(guess.layers[3], conv(16, 5, 1, Pad::Zeros([2, 2])));
    let table = guess.plan().unwrap().table();
    let shapes: Vec<(String, Vec<usize>)> = table
        .params()
        .iter()
        .map(|p| (p.name.clone(), p.shape.clone()))
        .collect();
    assert_eq!(shapes, wider);
}

#[test]
fn guesses_from_other_state_dicts() {
    let t = |list: &[(&str, &[usize])]| -> Vec<(String, Vec<usize>)> {
        list.iter()
            .map(|(n, s)| (n.to_string(), s.to_vec()))
            .collect()
    };
    // An MLP on MNIST: Flatten, Linear, ReLU, Linear, under a module prefix.
    let (mlp, q) = infer(&t(&[
        ("net.1.weight", &[128, 784]),
        ("net.1.bias", &[128]),
        ("net.3.weight", &[10, 128]),
        ("net.3.bias", &[10]),
    ]))
    .unwrap();
    assert_eq!(
        mlp,
        spec(
            [1, 28, 28],
            &[Layer::Flatten, linear(128), RELU, linear(10)]
        )
    );
    assert_eq!(q.len(), 4); // input, layers 0 and 2, after
                            // A 3-channel 32×32 image with padded 3×3 convolutions: the paddings are found.
    let (cifar, _) = infer(&t(&[
        ("0.weight", &[8, 3, 3, 3]),
        ("0.bias", &[8]),
        ("3.weight", &[16, 8, 3, 3]),
        ("3.bias", &[16]),
        ("7.weight", &[10, 16 * 8 * 8]),
        ("7.bias", &[10]),
    ]))
    .unwrap();
    let pad1 = |o| conv(o, 3, 1, Pad::Zeros([1, 1]));
    let want = [
        pad1(8),
        RELU,
        max(2, 2),
        pad1(16),
        RELU,
        max(2, 2),
        Layer::Flatten,
        linear(10),
    ];
    assert_eq!(cifar, spec([3, 32, 32], &want));
    for (list, want) in [
        (
            t(&[
                ("features.0.weight", &[6, 1, 5, 5]),
                ("features.0.bias", &[6]),
                ("classifier.0.weight", &[10, 6]),
                ("classifier.0.bias", &[10]),
            ]),
            "belong to different modules",
        ),
        (
            t(&[("conv1.weight", &[6, 1, 5, 5])]),
            "the tensor \"conv1.weight\" is not named as nn.Sequential names",
        ),
        (
            t(&[("1.running_mean", &[6])]),
            "neither a weight nor a bias",
        ),
        (
            t(&[("0.weight", &[6, 1, 5, 5])]),
            "layer 0 has a weight but no bias",
        ),
        (
            t(&[("0.weight", &[6, 1, 5, 5]), ("0.bias", &[5])]),
            "layer 0's bias has shape [5], but its weight [6, 1, 5, 5] needs [6]",
        ),
        (
            t(&[("0.weight", &[6, 1, 5]), ("0.bias", &[6])]),
            "a Conv2d's has 4 axes",
        ),
        (
            t(&[("0.weight", &[6, 16, 5, 5]), ("0.bias", &[6])]),
            "reads 16 channels",
        ),
        (
            t(&[("1.weight", &[10, 785]), ("1.bias", &[10])]),
            "785 features, which is no square image",
        ),
        (
            t(&[("0.weight", &[10, 784]), ("0.bias", &[10])]),
            "layer 0 (Linear) would read the image itself",
        ),
        (
            t(&[
                ("0.weight", &[6, 1, 5, 5]),
                ("0.bias", &[6]),
                ("1.weight", &[10, 6]),
                ("1.bias", &[10]),
            ]),
            "layer 1 (Linear) follows a Conv2d directly",
        ),
        (
            t(&[("20.weight", &[10, 6]), ("20.bias", &[10])]),
            "belongs to layer 20; nnplay draws at most 12",
        ),
        (
            t(&[
                ("0.weight", &[6, 1, 5, 5]),
                ("0.bias", &[6]),
                ("2.weight", &[10, 999]),
                ("2.bias", &[10]),
            ]),
            "found no image size",
        ),
        (t(&[]), "the file has no tensors"),
    ] {
        let e = infer(&list).unwrap_err();
        assert!(e.message().contains(want), "{list:?}: {e:?}");
    }
}

/// A random network on a small image: a few map layers, maybe Flatten and Linear layers.
/// Not always valid (a window may not fit): callers test both outcomes.
fn random_spec(rng: &mut Rng) -> Spec {
    let pair = |rng: &mut Rng, hi: usize| {
        if rng.below(3) == 0 {
            [1 + rng.below(hi), 1 + rng.below(hi)]
        } else {
            [1 + rng.below(hi); 2]
        }
    };
    let act = |rng: &mut Rng| {
        Layer::Act(
            [
                Activation::Relu,
                Activation::Tanh,
                Activation::Sigmoid,
                Activation::Identity,
            ][rng.below(4)],
        )
    };
    let input = [1 + rng.below(3), 3 + rng.below(14), 3 + rng.below(14)];
    let mut layers = Vec::new();
    for _ in 0..rng.below(5) {
        layers.push(match rng.below(4) {
            0 | 1 => {
                let kernel = pair(rng, 5);
                Layer::Conv2d {
                    out_channels: 1 + rng.below(6),
                    kernel,
                    stride: pair(rng, 3),
                    padding: match rng.below(3) {
                        0 => Pad::Rule(Padding::Same),
                        1 => Pad::Rule(Padding::Valid),
                        _ => Pad::Zeros([rng.below(kernel[0]), rng.below(kernel[1])]),
                    },
                }
            }
            2 => act(rng),
            _ => {
                let (kernel, stride) = (pair(rng, 3), pair(rng, 3));
                if rng.below(2) == 0 {
                    Layer::MaxPool2d { kernel, stride }
                } else {
                    Layer::AvgPool2d { kernel, stride }
                }
            }
        });
    }
    if layers.is_empty() || rng.below(3) > 0 {
        layers.push(Layer::Flatten);
        for i in 0..1 + rng.below(3) {
            if i > 0 {
                layers.push(act(rng));
            }
            layers.push(linear(1 + rng.below(12)));
        }
    }
    Spec { input, layers }
}

/// The forward pass written from the definitions, one output at a time, padding worked
/// out here again (TensorFlow's SAME rule, VALID, PyTorch's zeros): nothing shared with the
/// code under test but the spec.
fn naive_forward(s: &Spec, params: &[Vec<f32>], x: &[f32]) -> Vec<Vec<f32>> {
    let mut shape = s.input.to_vec();
    let mut cur = x.to_vec();
    let mut outs = Vec::new();
    let mut next = 0;
    // (out, zeros before) of one axis.
    let axis = |n: usize, k: usize, st: usize, pad: Pad, a: usize| match pad {
        Pad::Rule(Padding::Same) => {
            let out = n.div_ceil(st);
            let total = ((out - 1) * st + k).saturating_sub(n);
            (out, total / 2)
        }
        Pad::Rule(Padding::Valid) => ((n - k) / st + 1, 0),
        Pad::Zeros(z) => ((n + 2 * z[a] - k) / st + 1, z[a]),
    };
    for layer in &s.layers {
        let y: Vec<f32> = match *layer {
            Layer::Conv2d {
                out_channels: o,
                kernel: [kh, kw],
                stride: [sh, sw],
                padding,
            } => {
                let [c, h, w] = shape[..] else { panic!() };
                let (wt, b) = (&params[next], &params[next + 1]);
                next += 2;
                let (oh, pt) = axis(h, kh, sh, padding, 0);
                let (ow, pl) = axis(w, kw, sw, padding, 1);
                let mut y = vec![0.0; o * oh * ow];
                for oc in 0..o {
                    for oy in 0..oh {
                        for ox in 0..ow {
                            let mut acc = f64::from(b[oc]);
                            for ic in 0..c {
                                for ky in 0..kh {
                                    for kx in 0..kw {
                                        let iy = (oy * sh + ky) as isize - pt as isize;
                                        let ix = (ox * sw + kx) as isize - pl as isize;
                                        if iy >= 0
                                            && ix >= 0
                                            && (iy as usize) < h
                                            && (ix as usize) < w
                                        {
                                            let xv = cur[(ic * h + iy as usize) * w + ix as usize];
                                            let wv = wt[((oc * c + ic) * kh + ky) * kw + kx];
                                            acc += f64::from(xv) * f64::from(wv);
                                        }
                                    }
                                }
                            }
                            y[(oc * oh + oy) * ow + ox] = acc as f32;
                        }
                    }
                }
                shape = vec![o, oh, ow];
                y
            }
            Layer::MaxPool2d {
                kernel: [kh, kw],
                stride: [sh, sw],
            }
            | Layer::AvgPool2d {
                kernel: [kh, kw],
                stride: [sh, sw],
            } => {
                let [c, h, w] = shape[..] else { panic!() };
                let (oh, ow) = ((h - kh) / sh + 1, (w - kw) / sw + 1);
                let mut y = Vec::with_capacity(c * oh * ow);
                for ch in 0..c {
                    for oy in 0..oh {
                        for ox in 0..ow {
                            let cells: Vec<f32> = (0..kh * kw)
                                .map(|t| cur[(ch * h + oy * sh + t / kw) * w + ox * sw + t % kw])
                                .collect();
                            y.push(if matches!(layer, Layer::MaxPool2d { .. }) {
                                cells.iter().copied().fold(f32::NEG_INFINITY, f32::max)
                            } else {
                                cells.iter().sum::<f32>() / cells.len() as f32
                            });
                        }
                    }
                }
                shape = vec![c, oh, ow];
                y
            }
            Layer::Act(f) => cur
                .iter()
                .map(|&v| match f {
                    Activation::Relu => v.max(0.0),
                    Activation::Tanh => v.tanh(),
                    Activation::Sigmoid => 1.0 / (1.0 + (-v).exp()),
                    Activation::Identity => v,
                })
                .collect(),
            Layer::Flatten => {
                shape = vec![cur.len()];
                cur.clone()
            }
            Layer::Linear { out_features } => {
                let (wt, b) = (&params[next], &params[next + 1]);
                next += 2;
                let inp = cur.len();
                shape = vec![out_features];
                (0..out_features)
                    .map(|j| {
                        let dot: f64 = (0..inp)
                            .map(|i| f64::from(cur[i]) * f64::from(wt[j * inp + i]))
                            .sum();
                        (dot + f64::from(b[j])) as f32
                    })
                    .collect()
            }
        };
        outs.push(y.clone());
        cur = y;
    }
    outs
}

fn close(got: &[f32], want: &[f32], tol: f32) -> std::result::Result<(), String> {
    if got.len() != want.len() {
        return Err(format!("{} values, want {}", got.len(), want.len()));
    }
    match got
        .iter()
        .zip(want)
        // NaN fails: it is not within any tolerance.
        .position(|(a, b)| (a - b).abs().is_nan() || (a - b).abs() > tol * (1.0 + b.abs()))
    {
        Some(i) => Err(format!("[{i}] = {}, want {}", got[i], want[i])),
        None => Ok(()),
    }
}

/// Random networks, batches of 1 to 3 images: every layer's output equals the naive one's.
#[test]
fn forward_equals_a_naive_reference_on_random_networks() {
    let mut rng = Rng::new(11);
    let mut ran = 0;
    for case in 0..400 {
        let s = random_spec(&mut rng);
        let Ok(plan) = s.plan() else { continue };
        let net = Sequential::init(&s, case).unwrap();
        let n = 1 + rng.below(3);
        let [c, h, w] = s.input;
        let x: Vec<f32> = (0..n * c * h * w).map(|_| rng.range(-1.0, 1.0)).collect();
        let mut out = Outputs::default();
        net.forward(&x, n, &mut out).unwrap();
        let params: Vec<Vec<f32>> = net.tensors().iter().map(|t| t.to_vec()).collect();
        for i in 0..n {
            let len = c * h * w;
            let want = naive_forward(&s, &params, &x[i * len..][..len]);
            for (l, (y, p)) in want.iter().zip(&plan.layers).enumerate() {
                let units = y.len();
                assert_eq!(units, p.output.iter().product::<usize>());
                let got = &out.y[l][i * units..][..units];
                if let Err(e) = close(got, y, 1e-5) {
                    panic!(
                        "case {case}, image {i}, layer {l} ({:?}): {e}\n{s:?}",
                        p.layer
                    );
                }
            }
        }
        ran += 1;
    }
    assert!(ran > 150, "only {ran} random networks were valid");
}

/// The shipped LeNet-5 path and the generic one agree within 1e-5 on random images, for
/// both activations and poolings, layer by layer.
#[test]
fn lenet5_through_the_generic_path_equals_the_tuned_one() {
    let mut rng = Rng::new(17);
    for (act, pool) in [(Activation::Relu, Pool::Max), (Activation::Tanh, Pool::Avg)] {
        let tuned = LeNet5::init(9, act, pool);
        let generic = lenet::from_lenet5(&tuned).unwrap();
        let n = 5;
        let x: Vec<f32> = (0..n * lenet5::IMAGE).map(|_| rng.uniform()).collect();
        let mut a = lenet5::Activations::new(n);
        tuned.forward(&x, n, &mut a);
        let mut out = Outputs::default();
        generic.forward(&x, n, &mut out).unwrap();
        for (name, want, i) in super::lenet::outputs(&a) {
            close(&out.y[i], want, 1e-5).unwrap_or_else(|e| panic!("{act:?} {name}: {e}"));
        }
    }
}

/// Every LeNet-5 golden case passes through the generic path against the reference's
/// numbers.
#[cfg(feature = "golden")]
#[test]
fn lenet5_golden_cases_pass_through_the_generic_path() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden/cases");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap();
        if !name.starts_with("lenet5__") {
            continue;
        }
        let case = crate::golden::Case::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let as_sequential = lenet5_case_as_sequential(&case);
        match as_sequential.check() {
            crate::golden::Outcome::Pass { .. } => checked += 1,
            other => panic!("{name} through the generic path: {other:?}"),
        }
    }
    assert_eq!(checked, 2);
}

#[cfg(feature = "golden")]
/// A `lenet5` golden case rewritten as the `sequential_cnn` case of the same network:
/// LeNet-5's description, its tensors renamed, its outputs as the layers that give them.
fn lenet5_case_as_sequential(case: &crate::golden::Case) -> crate::golden::Case {
    let act = Activation::parse(case.attrs["activation"].as_str().unwrap()).unwrap();
    let pool = Pool::parse(case.attrs["pool"].as_str().unwrap()).unwrap();
    let layers = lenet::spec(act, pool).layers_json();
    let mut c = case.clone();
    c.op = "sequential_cnn".into();
    c.attrs = serde_json::json!({ "layers": serde_json::from_str::<serde_json::Value>(&layers).unwrap() });
    for (from, to) in lenet::NAMES {
        let t = c.inputs.remove(from).unwrap();
        c.inputs.insert(to.into(), t);
    }
    for (from, to) in [
        ("c1", "y1"),
        ("s2", "y2"),
        ("c3", "y4"),
        ("s4", "y5"),
        ("f5", "y8"),
        ("f6", "y10"),
    ] {
        let t = c.outputs.remove(from).unwrap();
        c.outputs.insert(to.into(), t);
    }
    assert_eq!(c.outputs.len(), 7);
    c
}

/// The shipped weights file loads into the generic path (as LeNet-5, by its metadata)
/// and predicts as the tuned path does.
#[test]
fn the_shipped_weights_file_runs_through_the_generic_path() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../weights/lenet5.safetensors");
    let bytes = std::fs::read(path).unwrap();
    let tuned = LeNet5::from_file(st::read(&bytes).unwrap()).unwrap();
    let generic = Sequential::from_file(st::read(&bytes).unwrap()).unwrap();
    assert_eq!(generic.spec(), &lenet::spec(tuned.act, tuned.pool));
    // Saved as a described network, it loads back by its own metadata.
    let again =
        Sequential::from_file(st::read(&st::save(&generic, Dtype::F32, &[])).unwrap()).unwrap();
    assert_eq!(again, generic);
    let mut rng = Rng::new(2);
    let x: Vec<f32> = (0..2 * lenet5::IMAGE).map(|_| rng.uniform()).collect();
    let mut a = lenet5::Activations::new(2);
    tuned.forward(&x, 2, &mut a);
    let mut out = Outputs::default();
    again.forward(&x, 2, &mut out).unwrap();
    close(&out.y[11], &a.logits, 1e-5).unwrap();
}

/// Every unit's explanation adds up to the value the forward pass stored.
#[test]
fn explanations_add_up_to_the_stored_values() {
    let mut rng = Rng::new(5);
    let mut explained = 0;
    for case in 0..60 {
        let s = random_spec(&mut rng);
        let Ok(plan) = s.plan() else { continue };
        let net = Sequential::init(&s, case).unwrap();
        let [c, h, w] = s.input;
        let x: Vec<f32> = (0..2 * c * h * w).map(|_| rng.range(-1.0, 1.0)).collect();
        let mut out = Outputs::default();
        net.forward(&x, 2, &mut out).unwrap();
        for (l, p) in plan.layers.iter().enumerate() {
            let units: usize = p.output.iter().product();
            for _ in 0..5 {
                let unit = rng.below(units);
                let e = net.explain(&out, l, 1, unit).unwrap();
                let after = match p.layer {
                    Layer::Act(f) => {
                        let mut v = [0.0];
                        f.apply(&mut v, &[e.pre]);
                        v[0]
                    }
                    _ => e.pre,
                };
                assert!(
                    (after - e.value).abs() <= 1e-4 * (1.0 + e.value.abs()),
                    "layer {l} ({:?}) unit {unit}: {after} vs {}",
                    p.layer,
                    e.value
                );
                explained += 1;
            }
        }
    }
    assert!(explained > 100);
    // LeNet-5's C3 unit reads 150 products; a C1 corner only its 9 real taps.
    let net = lenet::from_lenet5(&LeNet5::init(1, Activation::Relu, Pool::Max)).unwrap();
    let mut out = Outputs::default();
    net.forward(&vec![0.5; 784], 1, &mut out).unwrap();
    assert_eq!(net.explain(&out, 3, 0, 0).unwrap().terms.len(), 150);
    assert_eq!(net.explain(&out, 0, 0, 0).unwrap().terms.len(), 9);
    for (l, i, u, want) in [
        (12, 0, 0, "the network has layers 0 to 11, got layer 12"),
        (0, 1, 0, "the last pass ran 1 images, got image 1"),
        (11, 0, 10, "layer 11 (Linear) has 10 units, got unit 10"),
    ] {
        let e = net.explain(&out, l, i, u).unwrap_err();
        assert!(e.message().contains(want), "{e}");
    }
    let e = net.explain(&Outputs::default(), 0, 0, 0).unwrap_err();
    assert!(
        e.message()
            .contains("run an image through the network first"),
        "{e}"
    );
    // Outputs of another network are not read as this one's.
    let other = Sequential::init(&spec([1, 28, 28], &[RELU; 12]), 0).unwrap();
    let mut theirs = Outputs::default();
    other.forward(&vec![0.5; 784], 1, &mut theirs).unwrap();
    let e = net.explain(&theirs, 11, 0, 0).unwrap_err();
    assert!(
        e.message()
            .contains("run an image through the network first"),
        "{e}"
    );
}

#[test]
fn bad_inputs_to_forward_are_refused() {
    let net = lenet::from_lenet5(&LeNet5::init(1, Activation::Relu, Pool::Max)).unwrap();
    let mut out = Outputs::default();
    for (x, n, want) in [
        (
            vec![0.0; 784],
            0,
            "a batch must have 1 to 4096 images, got 0",
        ),
        (
            vec![0.0; 783],
            1,
            "the input has 783 numbers, but its shape [1, 1, 28, 28] needs 784",
        ),
        (
            [vec![0.0; 783], vec![f32::NAN]].concat(),
            1,
            "the input[783] is NaN",
        ),
    ] {
        let e = net.forward(&x, n, &mut out).unwrap_err();
        assert!(e.message().contains(want), "{e}");
    }
    let e = net
        .forward(&vec![0.0; 4096 * 784], 4096, &mut out)
        .unwrap_err();
    assert!(e.message().contains("a batch of 4096 images would need more than 16777216 numbers in one layer; run at most 3566 at a time"), "{e}");
    let e = Sequential::new(net.spec(), vec![0.0; 3]).unwrap_err();
    assert!(
        e.message()
            .contains("this network has 61706 parameters, got 3"),
        "{e}"
    );
}

/// Images a drawn digit resembles and some it does not: blank, a band of ink on blank,
/// noise everywhere.
fn mixed_images(rng: &mut Rng, [c, h, w]: [usize; 3]) -> Vec<f32> {
    let len = c * h * w;
    let mut x = vec![0.0; 3 * len];
    for (i, v) in x[len..2 * len].iter_mut().enumerate() {
        let (r, col) = (i / w % h, i % w);
        if (h / 4..3 * h / 4).contains(&r) && (w / 3..2 * w / 3).contains(&col) {
            *v = rng.uniform();
        }
    }
    x[2 * len..]
        .iter_mut()
        .for_each(|v| *v = rng.range(-1.0, 1.0));
    x
}

/// The sparse one-image pass gives the batch pass's numbers, on random networks and on
/// blank, digit-like and noisy images.
#[test]
fn prepared_forward_equals_the_batch_pass() {
    let mut rng = Rng::new(23);
    let mut ran = 0;
    for case in 0..300 {
        let s = random_spec(&mut rng);
        let Ok(plan) = s.plan() else { continue };
        let net = Sequential::init(&s, case).unwrap();
        let prepared = sparse::Prepared::new(&net);
        let x = mixed_images(&mut rng, s.input);
        let (mut batch, mut one) = (Outputs::default(), Outputs::default());
        net.forward(&x, 3, &mut batch).unwrap();
        net.forward_prepared(&prepared, &x, 3, &mut one).unwrap();
        for (l, p) in plan.layers.iter().enumerate() {
            if let Err(e) = close(&one.y[l], &batch.y[l], 1e-5) {
                panic!("case {case}, layer {l} ({:?}): {e}\n{s:?}", p.layer);
            }
        }
        ran += 1;
    }
    assert!(ran > 100, "only {ran} random networks were valid");
    // LeNet-5: as its own tuned page path does, for both activations and poolings.
    for (act, pool) in [(Activation::Relu, Pool::Max), (Activation::Tanh, Pool::Avg)] {
        let tuned = LeNet5::init(4, act, pool);
        let generic = lenet::from_lenet5(&tuned).unwrap();
        let x = mixed_images(&mut rng, [1, 28, 28]);
        let mut a = lenet5::Activations::new(3);
        tuned.forward_prepared(&lenet5::Prepared::new(&tuned), &x, 3, &mut a);
        let mut out = Outputs::default();
        generic
            .forward_prepared(&sparse::Prepared::new(&generic), &x, 3, &mut out)
            .unwrap();
        close(&out.y[11], &a.logits, 1e-5).unwrap_or_else(|e| panic!("{act:?}: {e}"));
        close(&out.y[2], &a.s2, 0.0).unwrap_or_else(|e| panic!("{act:?} s2: {e}"));
    }
    let other = Sequential::init(&spec([1, 4, 4], &[Layer::Flatten]), 0).unwrap();
    let net = lenet::from_lenet5(&LeNet5::init(4, Activation::Relu, Pool::Max)).unwrap();
    let e = net
        .forward_prepared(
            &sparse::Prepared::new(&other),
            &[0.0; 784],
            1,
            &mut Outputs::default(),
        )
        .unwrap_err();
    assert!(e.message().contains("another network"), "{e}");
}
