//! Random, mostly malformed, input into every checked entry point of the core — the same
//! functions the wasm exports wrap — a million cases in all: each returns Ok or an Error,
//! none panics (a panic in wasm would abort the page's module).

use nnplay::cnn::activation::{activate, softmax, Activation};
use nnplay::cnn::pool::{self, Stochastic};
use nnplay::cnn::{conv, dense};
use nnplay::mnist::Mnist;
use nnplay::rng::Rng;
use nnplay::rnn::{Cell, LstmVariant, Recurrent};
use nnplay::safetensors::{self, Dtype};
use nnplay::shape::{Axis, Padding};

fn dims(rng: &mut Rng, max_rank: usize) -> Vec<usize> {
    // Mostly small sizes, sometimes zero or far too large.
    (0..rng.below(max_rank + 1))
        .map(|_| match rng.below(10) {
            0 => 0,
            1 => 1 << (10 + rng.below(16)),
            _ => 1 + rng.below(6),
        })
        .collect()
}

fn data(rng: &mut Rng, len: usize) -> Vec<f32> {
    (0..len)
        .map(|_| match rng.below(50) {
            0 => f32::NAN,
            1 => f32::INFINITY,
            _ => rng.range(-2.0, 2.0),
        })
        .collect()
}

#[test]
fn a_million_random_calls_never_panic() {
    let mut rng = Rng::new(2026);
    let mut calls = 0u32;
    // A small tagger's file: a header with every kind of field (metadata, vocabulary).
    let small_file = safetensors::save(
        &nnplay::bmes::Tagger::new(nnplay::vocab::Vocab::parse("人们\"说").unwrap(), 2, 2, 1),
        Dtype::F16,
        &[],
    );
    let pads = [Padding::Same, Padding::Valid];
    while calls < 1_000_000 {
        let xs = dims(&mut rng, 5);
        let ws = dims(&mut rng, 5);
        let len = if rng.below(4) == 0 {
            rng.below(200)
        } else {
            xs.iter().fold(1usize, |a, &d| a.saturating_mul(d)).min(400)
        };
        let x = data(&mut rng, len);
        let wlen = ws.iter().fold(1usize, |a, &d| a.saturating_mul(d)).min(400);
        let w = data(&mut rng, wlen);
        let blen = rng.below(8);
        let b = data(&mut rng, blen);
        let pair = [rng.below(6), rng.below(6)];
        let stride = [rng.below(4), rng.below(20)];
        let pad = pads[rng.below(2)];
        let _ = conv::conv2d(&x, &xs, &w, &ws, &b, stride, pad);
        let _ = pool::max_pool2d(&x, &xs, pair, stride, pad);
        let _ = pool::avg_pool2d(&x, &xs, pair, stride, pad);
        let _ = pool::stochastic_pool2d(
            &x,
            &xs,
            pair,
            stride,
            pad,
            Stochastic::Train {
                seed: rng.next_u64(),
            },
        );
        let _ = dense::dense(&x, &xs, &w, &ws, &b);
        let _ = activate(Activation::Tanh, &x, &xs);
        let _ = softmax(&x, &xs);
        let _ = Axis::plan("width", rng.below(40), rng.below(40), rng.below(20), pad);
        calls += 8;
        if calls % 64 == 0 {
            // Byte formats: safetensors, MNIST — random bytes, and a real file with bytes
            // of its header or data changed.
            let bytes: Vec<u8> = (0..rng.below(64)).map(|_| rng.below(256) as u8).collect();
            let _ = safetensors::read(&bytes);
            let mut file = small_file.clone();
            for _ in 0..1 + rng.below(3) {
                let at = rng.below(file.len());
                file[at] = rng.below(256) as u8;
            }
            if let Ok(f) = safetensors::read(&file) {
                let _ = nnplay::bmes::Tagger::from_file(f);
            }
            let _ = Mnist::from_idx(&[[0, 0, 8, 3].as_slice(), &bytes].concat(), &bytes);
            // A recurrent network checking random inputs.
            let cells = [
                Cell::Rnn,
                Cell::Gru,
                Cell::Lstm {
                    variant: LstmVariant::Peephole,
                    linear_h: false,
                },
            ];
            let net = Recurrent::random(
                cells[rng.below(3)],
                1 + rng.below(3),
                1 + rng.below(3),
                1 + rng.below(2),
                rng.below(2) == 0,
                0.5,
                &mut rng,
            );
            let shape = dims(&mut rng, 4);
            let hlen = rng.below(20);
            let h0 = data(&mut rng, hlen);
            if net.check_inputs(&x, &shape, &h0, &h0).is_ok() {
                let (t, n) = (shape[0], shape[1]);
                let _ = net.forward(&x, t, n, &h0, &h0);
            }
            calls += 4;
        }
    }
    assert!(calls >= 1_000_000);
}

/// A random JSON value for a field of a layer: mostly small whole numbers and pairs,
/// sometimes huge, zero, a string, a float, a negative number, or broken text.
fn field_value(rng: &mut Rng) -> String {
    match rng.below(12) {
        0 => "0".into(),
        1 => (1u64 << (20 + rng.below(40))).to_string(),
        2 => format!("[{}, {}]", rng.below(9), rng.below(9)),
        3 => "\"same\"".into(),
        4 => "\"valid\"".into(),
        5 => "1.5".into(),
        6 => "-2".into(),
        7 => "[1]".into(),
        8 => "{".into(),
        _ => (1 + rng.below(8)).to_string(),
    }
}

/// Random descriptions (JSON text), state_dicts and files into the described CNN: each
/// is an Error or a network, and every network runs, explains and loads without a panic.
#[test]
fn random_descriptions_never_panic() {
    use nnplay::cnn::sequential::{infer, sparse, Outputs, Sequential, Spec};
    let mut rng = Rng::new(17);
    let types = [
        "conv2d",
        "relu",
        "tanh",
        "sigmoid",
        "identity",
        "max_pool2d",
        "avg_pool2d",
        "flatten",
        "linear",
        "lstm",
        "Conv2d",
    ];
    let fields = [
        "out_channels",
        "kernel",
        "stride",
        "padding",
        "out_features",
        "in_channels",
        "bias",
        "dilation",
    ];
    let (mut networks, mut runs) = (0, 0);
    for _ in 0..50_000 {
        let layers: Vec<String> = (0..rng.below(8))
            .map(|_| {
                let ty = types[rng.below(types.len())];
                let mut f = vec![format!("\"type\":\"{ty}\"")];
                // Mostly with the fields the type needs, so that many descriptions are valid.
                let needs: &[&str] = match ty {
                    "conv2d" | "Conv2d" => &["out_channels", "kernel"],
                    "max_pool2d" | "avg_pool2d" => &["kernel"],
                    "linear" => &["out_features"],
                    _ => &[],
                };
                for key in needs {
                    if rng.below(10) > 0 {
                        f.push(format!("\"{key}\":{}", 1 + rng.below(5)));
                    }
                }
                for _ in 0..rng.below(3) {
                    let key = fields[rng.below(fields.len())];
                    if !f.iter().any(|e| e.starts_with(&format!("\"{key}\""))) {
                        f.push(format!("\"{key}\":{}", field_value(&mut rng)));
                    }
                }
                format!("{{{}}}", f.join(","))
            })
            .collect();
        let layers = format!("[{}]", layers.join(","));
        let input = format!("[{},{},{}]", rng.below(4), rng.below(20), rng.below(20));
        let Ok(spec) = Spec::from_json(&input, &layers) else {
            continue;
        };
        networks += 1;
        let net = Sequential::init(&spec, rng.next_u64()).expect("a planned spec initialises");
        let [c, h, w] = spec.input;
        let n = rng.below(3);
        let len = if rng.below(5) == 0 {
            rng.below(50)
        } else {
            n * c * h * w
        };
        // Mostly finite images (so that networks run), sometimes a NaN or an infinity.
        let x = match rng.below(4) {
            0 => data(&mut rng, len),
            _ => (0..len).map(|_| rng.range(-2.0, 2.0)).collect(),
        };
        let mut out = Outputs::default();
        if net.forward(&x, n, &mut out).is_ok() {
            runs += 1;
            let layer = rng.below(spec.layers.len() + 1);
            let _ = net.explain(&out, layer, rng.below(3), rng.below(2000));
        }
        let _ = net.forward_prepared(&sparse::Prepared::new(&net), &x, n, &mut out);
        // Its state_dict, names and shapes only, guessed back; and its file, damaged.
        let table = nnplay::params::Named::table(&net);
        let mut names: Vec<(String, Vec<usize>)> = table
            .params()
            .iter()
            .map(|p| (p.name.clone(), p.shape.clone()))
            .collect();
        if let Some(p) = names.first_mut().filter(|_| rng.below(2) == 0) {
            p.1.push(rng.below(3));
        }
        let _ = infer::infer(&names);
        let mut file = safetensors::save(&net, Dtype::F16, &[]);
        for _ in 0..rng.below(3) {
            let at = rng.below(file.len());
            file[at] = rng.below(256) as u8;
        }
        if let Ok(f) = safetensors::read(&file) {
            let _ = Sequential::from_file(f);
        }
    }
    assert!(
        networks > 1000 && runs > 400,
        "{networks} networks, {runs} runs"
    );
}

/// Random recurrent state dicts into the RNN view's reader: PyTorch's names under random
/// prefixes, layers and directions, shapes mostly right and sometimes wrong, tensors
/// sometimes missing or extra, embeddings and vocabularies that may disagree. Each is an
/// Error or a network whose sizes its tensors bear out.
#[test]
fn random_recurrent_state_dicts_never_panic() {
    use nnplay::rnn::state_dict;
    let mut rng = Rng::new(23);
    let prefixes = ["", "lstm.", "encoder.rnn.", "gru", "x.weight_hh_l0."];
    let stems = ["weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr"];
    let (mut files, mut read) = (0, 0);
    for _ in 0..200_000 {
        let (g, h, i) = (
            [1, 3, 4, 2][rng.below(4)],
            1 + rng.below(5),
            1 + rng.below(5),
        );
        let (layers, d) = (1 + rng.below(3), 1 + rng.below(2));
        let prefix = prefixes[rng.below(prefixes.len())];
        let mut named: Vec<(String, Vec<usize>)> = Vec::new();
        for l in 0..layers + usize::from(rng.below(20) == 0) {
            for dir in 0..d {
                for stem in &stems[..4 + usize::from(rng.below(30) == 0)] {
                    if rng.below(40) == 0 {
                        continue;
                    }
                    let width = if l == 0 { i } else { d * h };
                    let mut shape = match *stem {
                        "weight_ih" => vec![g * h, width],
                        "weight_hh" | "weight_hr" => vec![g * h, h],
                        _ => vec![g * h],
                    };
                    if rng.below(25) == 0 {
                        let axis = rng.below(shape.len());
                        shape[axis] = rng.below(7);
                    }
                    let suffix = if dir == 1 { "_reverse" } else { "" };
                    named.push((format!("{prefix}{stem}_l{l}{suffix}"), shape));
                }
            }
        }
        if rng.below(3) == 0 {
            named.push(("embedding.weight".into(), vec![1 + rng.below(4), i]));
        }
        if rng.below(4) == 0 {
            named.push(("fc.weight".into(), vec![2, h]));
        }
        let values: Vec<Vec<f32>> = named
            .iter()
            .map(|(_, s)| {
                let len = s.iter().product();
                // Mostly finite (so that many files are networks), sometimes a NaN in it.
                if rng.below(20) == 0 {
                    data(&mut rng, len)
                } else {
                    (0..len).map(|_| rng.range(-1.0, 1.0)).collect()
                }
            })
            .collect();
        let tensors: Vec<(&str, &[usize], &[f32])> = named
            .iter()
            .zip(&values)
            .map(|((n, s), v)| (n.as_str(), &s[..], &v[..]))
            .collect();
        let vocab = ["", "ab", "abc", "字字"][rng.below(4)].to_string();
        let meta = vec![("vocab".to_string(), vocab)];
        let mut file = safetensors::write(&tensors, Dtype::F32, &meta);
        if rng.below(10) == 0 {
            let at = rng.below(file.len());
            file[at] = rng.below(256) as u8;
        }
        let Ok(f) = safetensors::read(&file) else {
            continue;
        };
        files += 1;
        if let Ok(found) = state_dict::read(f) {
            read += 1;
            let net = &found.net;
            assert!(net.validate().is_ok());
            assert_eq!(net.weights.len(), net.layers * net.directions());
        }
    }
    assert!(
        files > 100_000 && read > 10_000,
        "{files} files, {read} read"
    );
}
