//! Backpropagation through time against central finite differences, for every cell type
//! and variant, stacked and bidirectional, and for Elman and Jordan networks.

use super::simple::{Feedback, SimpleRnn};
use super::*;
use crate::cnn::activation::Activation;
use crate::rng::Rng;

fn rand(rng: &mut Rng, n: usize) -> Vec<f32> {
    (0..n).map(|_| rng.range(-0.8, 0.8)).collect()
}

fn dot(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| f64::from(*x) * f64::from(*y))
        .sum()
}

fn random_net(
    rng: &mut Rng,
    cell: Cell,
    input: usize,
    hidden: usize,
    layers: usize,
    bidirectional: bool,
) -> Recurrent {
    let net = Recurrent::random(cell, input, hidden, layers, bidirectional, 0.8, rng);
    net.validate().unwrap();
    net
}

/// Central difference of `loss` in the entry `v[i]`, which `set` writes.
fn numeric(loss: &mut dyn FnMut(f32) -> f64, old: f32) -> f32 {
    let h = 1e-2;
    ((loss(old + h) - loss(old - h)) / (2.0 * f64::from(h))) as f32
}

fn close(analytic: f32, numeric: f32, what: &str) {
    let tol = 3e-3 * (1.0 + analytic.abs().max(numeric.abs()));
    assert!(
        (analytic - numeric).abs() <= tol,
        "{what}: analytic {analytic} vs numeric {numeric}"
    );
}

#[test]
fn bptt_matches_finite_differences_for_every_cell() {
    let mut rng = Rng::new(77);
    let cells = [
        Cell::Rnn,
        Cell::RnnRelu,
        Cell::Gru,
        Cell::Lstm {
            variant: LstmVariant::Standard,
            linear_h: false,
        },
        Cell::Lstm {
            variant: LstmVariant::Standard,
            linear_h: true,
        },
        Cell::Lstm {
            variant: LstmVariant::Fc,
            linear_h: false,
        },
        Cell::Lstm {
            variant: LstmVariant::Peephole,
            linear_h: false,
        },
        Cell::Lstm {
            variant: LstmVariant::Peephole,
            linear_h: true,
        },
    ];
    for cell in cells {
        for (layers, bidirectional) in [(1, false), (2, true)] {
            let (t, n, input, hidden) = (4, 2, 3, 3);
            let d = if bidirectional { 2 } else { 1 };
            let net = random_net(&mut rng, cell, input, hidden, layers, bidirectional);
            let x = rand(&mut rng, t * n * input);
            let states = layers * d * n * hidden;
            let h0 = rand(&mut rng, states);
            let c0 = if cell.has_cell_state() {
                rand(&mut rng, states)
            } else {
                Vec::new()
            };
            let (ry, rh, rc) = (
                rand(&mut rng, t * n * d * hidden),
                rand(&mut rng, states),
                rand(&mut rng, c0.len()),
            );
            let loss = |net: &Recurrent, x: &[f32], h0: &[f32], c0: &[f32]| {
                let o = net.forward(x, t, n, h0, c0);
                dot(&o.y, &ry) + dot(&o.h_n, &rh) + dot(&o.c_n, &rc)
            };
            let fwd = net.forward(&x, t, n, &h0, &c0);
            let g = net.backward(&fwd, t, n, &h0, &c0, &ry, &rh, &rc);
            let what = |s: &str| format!("{} L{layers} bi={bidirectional} {s}", cell.name());
            for i in 0..x.len() {
                let mut f = |v: f32| {
                    let mut x2 = x.clone();
                    x2[i] = v;
                    loss(&net, &x2, &h0, &c0)
                };
                close(g.x[i], numeric(&mut f, x[i]), &what(&format!("dx[{i}]")));
            }
            for i in 0..h0.len() {
                let mut f = |v: f32| {
                    let mut h2 = h0.clone();
                    h2[i] = v;
                    loss(&net, &x, &h2, &c0)
                };
                close(g.h0[i], numeric(&mut f, h0[i]), &what(&format!("dh0[{i}]")));
            }
            for i in 0..c0.len() {
                let mut f = |v: f32| {
                    let mut c2 = c0.clone();
                    c2[i] = v;
                    loss(&net, &x, &h0, &c2)
                };
                close(g.c0[i], numeric(&mut f, c0[i]), &what(&format!("dc0[{i}]")));
            }
            for k in 0..net.weights.len() {
                for field in 0..5 {
                    let get = |w: &LayerWeights| -> Vec<f32> {
                        [&w.w_ih, &w.w_hh, &w.b_ih, &w.b_hh, &w.w_ch][field].clone()
                    };
                    let len = get(&net.weights[k]).len();
                    for _ in 0..len.min(6) {
                        let i = rng.below(len);
                        let old = get(&net.weights[k])[i];
                        let mut f = |v: f32| {
                            let mut n2 = net.clone();
                            let w = &mut n2.weights[k];
                            [
                                &mut w.w_ih,
                                &mut w.w_hh,
                                &mut w.b_ih,
                                &mut w.b_hh,
                                &mut w.w_ch,
                            ][field][i] = v;
                            loss(&n2, &x, &h0, &c0)
                        };
                        close(
                            get(&g.weights[k])[i],
                            numeric(&mut f, old),
                            &what(&format!("weights[{k}] field {field} [{i}]")),
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn elman_and_jordan_bptt_match_finite_differences() {
    let mut rng = Rng::new(5);
    for (feedback, act) in [
        (Feedback::Elman, Activation::Identity),
        (Feedback::Jordan, Activation::Sigmoid),
        (Feedback::Jordan, Activation::Tanh),
        (Feedback::Elman, Activation::Sigmoid),
    ] {
        let (t, n, i, h, o) = (5, 2, 3, 4, 2);
        let net = SimpleRnn::random(feedback, (i, h, o), act, 0.8, &mut rng);
        let s = net.state();
        let (x, s0) = (rand(&mut rng, t * n * i), rand(&mut rng, n * s));
        let (rh, ry) = (rand(&mut rng, t * n * h), rand(&mut rng, t * n * o));
        let loss = |net: &SimpleRnn, x: &[f32], s0: &[f32]| {
            let f = net.forward(x, t, n, s0);
            dot(&f.h, &rh) + dot(&f.y, &ry)
        };
        let g = net.backward(&net.forward(&x, t, n, &s0), &x, t, n, &s0, &rh, &ry);
        for idx in 0..x.len() {
            let mut f = |v: f32| {
                let mut x2 = x.clone();
                x2[idx] = v;
                loss(&net, &x2, &s0)
            };
            close(
                g.x[idx],
                numeric(&mut f, x[idx]),
                &format!("{feedback:?} dx"),
            );
        }
        for idx in 0..s0.len() {
            let mut f = |v: f32| {
                let mut s2 = s0.clone();
                s2[idx] = v;
                loss(&net, &x, &s2)
            };
            close(
                g.s0[idx],
                numeric(&mut f, s0[idx]),
                &format!("{feedback:?} ds0"),
            );
        }
        for field in 0..6 {
            let pick = |n: &SimpleRnn| -> Vec<f32> {
                [&n.w_ih, &n.w_rec, &n.b_ih, &n.b_hh, &n.w_hy, &n.b_hy][field].clone()
            };
            let grads = [&g.w_ih, &g.w_rec, &g.b_ih, &g.b_hh, &g.w_hy, &g.b_hy][field];
            for idx in 0..pick(&net).len() {
                let mut f = |v: f32| {
                    let mut n2 = net.clone();
                    [
                        &mut n2.w_ih,
                        &mut n2.w_rec,
                        &mut n2.b_ih,
                        &mut n2.b_hh,
                        &mut n2.w_hy,
                        &mut n2.b_hy,
                    ][field][idx] = v;
                    loss(&n2, &x, &s0)
                };
                close(
                    grads[idx],
                    numeric(&mut f, pick(&net)[idx]),
                    &format!("{feedback:?} field {field}[{idx}]"),
                );
            }
        }
    }
}

/// Every cell's parameter table has PyTorch's names, in `state_dict` order, with the shapes
/// of `nn.LSTM` / `nn.GRU` / `nn.RNN`; a network saves and loads as safetensors, and a file
/// whose metadata lies about the sizes is refused before anything is allocated.
#[test]
fn named_tensors_and_files_round_trip() {
    use crate::params::Named;
    use crate::safetensors::{read, save, Dtype};
    let mut rng = Rng::new(4);
    let lstm = Recurrent::random(
        Cell::Lstm {
            variant: LstmVariant::Standard,
            linear_h: false,
        },
        3,
        5,
        2,
        true,
        0.3,
        &mut rng,
    );
    let table = lstm.table();
    let names: Vec<&str> = table.params().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names[..6],
        [
            "weight_ih_l0",
            "weight_hh_l0",
            "bias_ih_l0",
            "bias_hh_l0",
            "weight_ih_l0_reverse",
            "weight_hh_l0_reverse"
        ]
    );
    assert_eq!(table.params()[8].shape, [20, 10]); // weight_ih_l1: [4H, D·H]
    assert_eq!(table.numel(), lstm.flat().len());
    for cell in [
        Cell::Rnn,
        Cell::RnnRelu,
        Cell::Gru,
        Cell::Lstm {
            variant: LstmVariant::Fc,
            linear_h: true,
        },
        Cell::Lstm {
            variant: LstmVariant::Peephole,
            linear_h: false,
        },
    ] {
        let net = Recurrent::random(cell, 2, 3, 2, true, 0.5, &mut rng);
        let back = Recurrent::from_file(read(&save(&net, Dtype::F32, &[])).unwrap()).unwrap();
        assert_eq!(back, net, "{}", cell.name());
    }
    // A header that says hidden size 4000 for a file of hidden size 5: the CRC catches the
    // edit, and without the CRC the shapes do, before 4000² weights are allocated.
    let good = save(&lstm, Dtype::F32, &[]);
    let n = u64::from_le_bytes(good[..8].try_into().unwrap()) as usize;
    let header = std::str::from_utf8(&good[8..8 + n]).unwrap();
    let edited = header.replace("\"hidden_size\":\"5\"", "\"hidden_size\":\"4000\"");
    let crc = edited.find(",\"crc32\"").unwrap();
    let unchecked = format!("{}}}}}", &edited[..crc]);
    let file = |h: &str| {
        [
            (h.len() as u64).to_le_bytes().to_vec(),
            h.as_bytes().to_vec(),
            good[8 + n..].to_vec(),
        ]
        .concat()
    };
    assert!(read(&file(&edited))
        .unwrap_err()
        .message()
        .contains("damaged"));
    let e = Recurrent::from_file(read(&file(&unchecked)).unwrap()).unwrap_err();
    assert!(
        e.message().contains("weight_ih_l0") && e.message().contains("[16000, 3]"),
        "{e}"
    );
}

/// Every cell's page name reads back as the same cell; a modifier another kind of cell has is
/// refused.
#[test]
fn page_names_read_back_and_foreign_modifiers_are_refused() {
    let mut cells = vec![Cell::Rnn, Cell::RnnRelu, Cell::Gru];
    for variant in [
        LstmVariant::Standard,
        LstmVariant::Fc,
        LstmVariant::Peephole,
    ] {
        for linear_h in [false, true] {
            cells.push(Cell::Lstm { variant, linear_h });
        }
    }
    for cell in cells {
        assert_eq!(
            Cell::from_kind(&cell.kind()).unwrap(),
            cell,
            "{}",
            cell.kind()
        );
    }
    assert_eq!(Cell::from_kind("rnn:tanh").unwrap(), Cell::Rnn);
    for bad in [
        "gru:relu",
        "lstm:relu",
        "rnn:linear",
        "rnn:fc",
        "rnn:relu:x",
        "elman",
        "",
    ] {
        assert!(Cell::from_kind(bad).is_err(), "{bad}");
    }
}
