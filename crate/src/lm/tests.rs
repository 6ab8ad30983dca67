//! The character model against an f64 re-implementation (its loss and, by central
//! differences, every gradient), the shared Trainer on a text only memory can predict, the
//! step-wise reader against the whole-sequence pass, sampling, and its weight files.

use super::sample::generate;
use super::*;
use crate::params::Named;
use crate::safetensors::{self, Dtype};
use crate::train::{evaluate, Data, Method, Optimizer, Schedule, Trainer};

/// 52 letters: with id 0, a vocabulary of 53 (the brief's V ≥ 50, the softmax spread thin).
fn letters() -> Vec<char> {
    ('a'..='z').chain('A'..='Z').collect()
}

/// The three cells a character model may use (PyTorch's RNN, GRU and LSTM).
pub(crate) fn cells() -> [Cell; 3] {
    [
        Cell::Rnn,
        Cell::Gru,
        Cell::Lstm {
            variant: LstmVariant::Standard,
            linear_h: false,
        },
    ]
}

fn random_state(lm: &CharLm, n: usize, rng: &mut Rng) -> State {
    let mut s = lm.zero_state(n);
    for v in s.h.iter_mut().chain(&mut s.c) {
        *v = rng.range(-0.9, 0.9);
    }
    s
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn dot(w: &[f64], x: &[f64]) -> f64 {
    w.iter().zip(x).map(|(a, b)| a * b).sum()
}

/// The mean next-character loss computed again in f64, straight from PyTorch's equations,
/// with the parameters `flat` laid out by `lm`'s table (only its sizes are read from `lm`),
/// and with `masks` multiplying the embedded inputs and the top layer's states (dropout).
fn reference_loss(
    lm: &CharLm,
    flat: &[f64],
    tokens: &[u32],
    targets: &[u32],
    n: usize,
    state: &State,
    masks: Option<&Masks>,
) -> f64 {
    let table = lm.table();
    let p = |name: &str| &flat[table.range(name).unwrap()];
    let (v, e, h, cell) = (lm.vocab_size(), lm.emb_dim, lm.hidden(), lm.cell());
    let g = cell.gates();
    let mut hs: Vec<Vec<f64>> = state
        .h
        .chunks(h)
        .map(|r| r.iter().map(|&x| f64::from(x)).collect())
        .collect();
    let mut cs: Vec<Vec<f64>> = state
        .c
        .chunks(h)
        .map(|r| r.iter().map(|&x| f64::from(x)).collect())
        .collect();
    let mut total = 0.0;
    for (k, (&id, &target)) in tokens.iter().zip(targets).enumerate() {
        let b = k % n;
        let mut x = p("embedding.weight")[id as usize * e..][..e].to_vec();
        let mask = |m: &[f32], x: &mut [f64]| {
            let m = &m[k * x.len()..][..x.len()];
            x.iter_mut().zip(m).for_each(|(v, &d)| *v *= f64::from(d));
        };
        if let Some(m) = masks {
            mask(&m.x, &mut x);
        }
        for layer in 0..lm.layers() {
            let (w_ih, w_hh) = (
                p(&format!("rnn.weight_ih_l{layer}")),
                p(&format!("rnn.weight_hh_l{layer}")),
            );
            let (b_ih, b_hh) = (
                p(&format!("rnn.bias_ih_l{layer}")),
                p(&format!("rnn.bias_hh_l{layer}")),
            );
            let at = layer * n + b;
            let hp = hs[at].clone();
            let gi: Vec<f64> = (0..g * h)
                .map(|r| b_ih[r] + dot(&w_ih[r * x.len()..][..x.len()], &x))
                .collect();
            let gh: Vec<f64> = (0..g * h)
                .map(|r| b_hh[r] + dot(&w_hh[r * h..][..h], &hp))
                .collect();
            let new: Vec<f64> = (0..h)
                .map(|j| match cell {
                    Cell::Rnn => (gi[j] + gh[j]).tanh(),
                    Cell::RnnRelu => (gi[j] + gh[j]).max(0.0),
                    Cell::Gru => {
                        let r = sigmoid(gi[j] + gh[j]);
                        let z = sigmoid(gi[h + j] + gh[h + j]);
                        let nn = (gi[2 * h + j] + r * gh[2 * h + j]).tanh();
                        (1.0 - z) * nn + z * hp[j]
                    }
                    Cell::Lstm { .. } => {
                        let s = |q: usize| gi[q * h + j] + gh[q * h + j];
                        let c = sigmoid(s(1)) * cs[at][j] + sigmoid(s(0)) * s(2).tanh();
                        cs[at][j] = c;
                        sigmoid(s(3)) * c.tanh()
                    }
                })
                .collect();
            hs[at] = new.clone();
            x = new;
        }
        if let Some(m) = masks {
            mask(&m.y, &mut x);
        }
        let out = if lm.tied {
            "embedding.weight"
        } else {
            "fc.weight"
        };
        let (fc_w, fc_b) = (p(out), p("fc.bias"));
        let z: Vec<f64> = (0..v)
            .map(|r| fc_b[r] + dot(&fc_w[r * h..][..h], &x))
            .collect();
        let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let lse = m + z.iter().map(|&zi| (zi - m).exp()).sum::<f64>().ln();
        total += lse - z[target as usize];
    }
    total / tokens.len() as f64
}

#[test]
fn parameters_have_pytorchs_names_in_state_dict_order() {
    let lm = CharLm::new(&letters(), cells()[2], 5, 7, 2, 1).unwrap();
    let names: Vec<String> = lm.table().params().iter().map(|p| p.name.clone()).collect();
    let want = [
        "embedding.weight",
        "rnn.weight_ih_l0",
        "rnn.weight_hh_l0",
        "rnn.bias_ih_l0",
        "rnn.bias_hh_l0",
        "rnn.weight_ih_l1",
        "rnn.weight_hh_l1",
        "rnn.bias_ih_l1",
        "rnn.bias_hh_l1",
        "fc.weight",
        "fc.bias",
    ];
    assert_eq!(names, want);
    let shapes: Vec<Vec<usize>> = lm
        .table()
        .params()
        .iter()
        .map(|p| p.shape.clone())
        .collect();
    assert_eq!(shapes[0], [53, 5]);
    assert_eq!(shapes[1], [28, 5]);
    assert_eq!(shapes[5], [28, 7]);
    assert_eq!(shapes[9], [53, 7]);
    assert_eq!(lm.id('a'), 1);
    assert_eq!(lm.id('Z'), 52);
    assert_eq!(lm.id('字'), 0);
    assert_eq!(lm.decode(&lm.encode("aZ字")), "aZ\u{fffd}");
}

/// Every gradient of every tensor (embedding rows, every recurrent weight of both layers,
/// the output layer over 53 characters) equals the central difference of the f64 loss, for
/// each cell; the f32 loss itself equals the f64 one. The windows start from a random state,
/// which truncated BPTT treats as a constant.
#[test]
fn every_gradient_matches_f64_central_differences() {
    for cell in cells() {
        let lm = CharLm::new(&letters(), cell, 3, 4, 2, 11).unwrap();
        gradients_match_central_differences(&lm, None);
    }
}

/// With dropout, the gradient goes back through the units the masks kept, scaled as they
/// were: the same check with the masks the training step draws (some of them zero).
#[test]
fn gradients_with_dropout_match_central_differences() {
    for cell in cells() {
        let mut lm = CharLm::new(&letters(), cell, 3, 4, 2, 11).unwrap();
        lm.dropout = 0.3;
        gradients_match_central_differences(&lm, Some(9));
    }
}

/// With the output layer tied to the embedding (E = H), the shared matrix's gradient is the
/// sum of both uses: the same check, where every row now gets a gradient.
#[test]
fn tied_gradients_match_central_differences() {
    for cell in cells() {
        let mut lm = CharLm::new(&letters(), cell, 4, 4, 2, 11).unwrap();
        lm.tie().unwrap();
        assert!(lm.table().range("fc.weight").is_err());
        gradients_match_central_differences(&lm, None);
    }
    let mut untieable = CharLm::new(&letters(), Cell::Rnn, 3, 4, 1, 1).unwrap();
    let e = untieable.tie().unwrap_err().to_string();
    assert!(e.contains("got 3 and 4"), "{e}");
    assert!(!untieable.tied && untieable.validate().is_ok());
}

/// `dropout_seed`: as the training step's.
fn gradients_match_central_differences(lm: &CharLm, dropout_seed: Option<u64>) {
    let mut rng = Rng::new(5);
    let cell = lm.cell();
    let (t, n) = (3, 2);
    // Id 0 and a repeated id (rows 7 and 0 collect two steps' gradients).
    let tokens = [7u32, 0, 52, 7, 0, 30];
    let targets = [1u32, 52, 0, 19, 44, 7];
    let state = random_state(lm, n, &mut rng);
    let masks = dropout_seed.map(|seed| Masks::draw(lm, t * n, seed));
    if let Some(m) = &masks {
        let dropped = |k: &[f32]| k.iter().filter(|&&v| v == 0.0).count();
        assert!(
            dropped(&m.x) > 0 && dropped(&m.y) > 0,
            "the masks drop something"
        );
    }
    let mut grads = vec![0.0; lm.table().numel()];
    lm.check_input(&tokens, t, n, &state).unwrap();
    let loss = lm.loss_checked(
        &tokens,
        &targets,
        t,
        n,
        &state,
        1.0 / 6.0,
        Some(&mut grads),
        dropout_seed,
    );
    let mut flat: Vec<f64> = lm.flat().iter().map(|&x| f64::from(x)).collect();
    let reference =
        |flat: &[f64]| reference_loss(lm, flat, &tokens, &targets, n, &state, masks.as_ref());
    let want = reference(&flat);
    assert!(
        (loss.sum / 6.0 - want).abs() < 1e-5,
        "{}: loss {} vs f64 {want}",
        cell.name(),
        loss.sum / 6.0
    );
    let table = lm.table();
    let mut worst = (0.0f64, String::new());
    for (i, p) in table.params().iter().enumerate() {
        for at in table.range_at(i) {
            let step = 1e-5;
            let old = flat[at];
            flat[at] = old + step;
            let up = reference(&flat);
            flat[at] = old - step;
            let down = reference(&flat);
            flat[at] = old;
            let num = (up - down) / (2.0 * step);
            let err = (f64::from(grads[at]) - num).abs();
            assert!(
                err <= 1e-6 + 1e-4 * num.abs(),
                "{} {}[{}]: analytic {} vs numeric {num}",
                cell.name(),
                p.name,
                at - table.range_at(i).start,
                grads[at]
            );
            if err > worst.0 {
                worst = (err, p.name.clone());
            }
        }
    }
    // Rows the batch never read get no gradient (unless the output layer is the embedding).
    let (emb, e) = (table.range("embedding.weight").unwrap(), lm.emb_dim);
    let row = |id: usize| &grads[emb.start + id * e..emb.start + (id + 1) * e];
    assert_eq!(row(2).iter().all(|&g| g == 0.0), !lm.tied);
    if masks.is_none() {
        assert!(row(7).iter().any(|&g| g != 0.0));
    }
    eprintln!(
        "{}: largest gradient error {:.1e} in {}",
        cell.name(),
        worst.0,
        worst.1
    );
}

/// A model in use never drops: the loss without a training step's seed is the same with
/// any dropout probability, and a training step's loss differs.
#[test]
fn dropout_acts_only_in_a_training_step() {
    let mut lm = CharLm::new(&letters(), cells()[2], 3, 4, 1, 11).unwrap();
    let (tokens, targets) = ([7u32, 0, 52, 7, 0, 30], [1u32, 52, 0, 19, 44, 7]);
    let state = lm.zero_state(2);
    let plain = lm.loss(&tokens, &targets, 3, 2, &state, 1.0, None).unwrap();
    lm.dropout = 0.5;
    let used = lm.loss(&tokens, &targets, 3, 2, &state, 1.0, None).unwrap();
    assert_eq!(plain, used);
    let step = lm.loss_checked(&tokens, &targets, 3, 2, &state, 1.0, None, Some(1));
    assert_ne!(plain.sum, step.sum);
}

/// "abcabdabe" repeated: after "ab" comes c, d or e, and which one only the character
/// before that "ab" tells. A model without memory can do no better than the entropy of the
/// next character given the current one, (3/9)·ln 3 ≈ 0.366 nats; half of that is only
/// reachable by carrying context through the recurrent state. (In each window of 12 only
/// the first two predictions lack that context: about 2/12 · 0.366 ≈ 0.06 is the floor.)
fn toy_text() -> (Vec<char>, String) {
    let text = "abcabdabe".repeat(70);
    ("abcde".chars().collect(), text)
}

const BIGRAM_ENTROPY: f64 = 0.366_204; // (3/9) · ln 3

fn toy_trainer(
    lm: CharLm,
    examples: usize,
    batch: usize,
    steps: usize,
    threads: usize,
) -> Trainer<CharLm> {
    let numel = lm.table().numel();
    let schedule = Schedule {
        warmup: 10,
        ..Schedule::cosine(2e-2, steps)
    };
    Trainer::new(
        lm,
        Optimizer::new(Method::ADAM, 0.0, numel),
        schedule,
        examples,
        batch,
        threads,
        Rng::new(3),
    )
}

#[test]
fn a_tiny_model_learns_a_text_only_memory_predicts() {
    let (chars, text) = toy_text();
    for cell in [cells()[1], cells()[2]] {
        let lm = CharLm::new(&chars, cell, 8, 24, 1, 4).unwrap();
        let ids = lm.encode(&text);
        let data = Windows::new(&ids, lm.vocab_size(), 12, 5).unwrap();
        let before = evaluate(&lm, &data, data.len(), 64).loss;
        let mut tr = toy_trainer(lm, data.len(), 16, 300, 1);
        assert_eq!(tr.run(&data, 1000), 300);
        let after = evaluate(&tr.model, &data, data.len(), 64);
        eprintln!("{}: loss {before} → {}", cell.name(), after.loss);
        assert!(
            f64::from(after.loss) < BIGRAM_ENTROPY / 2.0 && before > 1.0,
            "{}: loss {before} → {} (a memoryless model reaches {BIGRAM_ENTROPY})",
            cell.name(),
            after.loss
        );
    }
}

/// Streams read in order carry the state from one window to the next: short windows of 4
/// then predict their first characters too, which the same windows from zeros cannot.
#[test]
fn state_carried_across_windows_predicts_their_first_characters() {
    let (chars, text) = toy_text();
    let lm = CharLm::new(&chars, cells()[2], 8, 24, 1, 6).unwrap();
    let ids = lm.encode(&text);
    let streams = 8;
    let data = Windows::streams(&ids, lm.vocab_size(), 4, streams).unwrap();
    let mut tr = toy_trainer(lm.clone(), data.len(), streams, 400, 1);
    tr.shuffle = false;
    tr.run(&data, 1000);
    // Two threads each carry the state of their half of the streams: the same training.
    let mut two = toy_trainer(lm, data.len(), streams, 400, 2);
    two.shuffle = false;
    two.run(&data, 1000);
    let diff = tr
        .model
        .flat()
        .iter()
        .zip(two.model.flat())
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max);
    assert!(diff < 1e-4, "two threads changed the parameters by {diff}");
    let carried = evaluate(&tr.model, &data, data.len(), streams).loss;
    let fresh = data.clone().carrying(false);
    let from_zeros = evaluate(&tr.model, &fresh, fresh.len(), streams).loss;
    eprintln!("carried {carried}, from zeros {from_zeros}");
    assert!(
        f64::from(carried) < BIGRAM_ENTROPY / 4.0 && from_zeros > 2.0 * carried,
        "carried {carried}, from zeros {from_zeros}"
    );
}

#[test]
fn streams_continue_one_another_batch_by_batch() {
    let ids: Vec<u32> = (0..103).map(|i| i % 7).collect();
    let w = Windows::streams(&ids, 7, 5, 4).unwrap();
    // (103 - 1) / 4 = 25 characters a stream: 5 windows each, 20 in all.
    assert_eq!(w.len(), 20);
    let mut b = TextBatch::default();
    w.batch(&[0, 1, 2, 3], None, &mut b);
    assert_eq!(b.starts, [0, 25, 50, 75]);
    w.batch(&[4, 5, 6, 7], None, &mut b);
    assert_eq!(b.starts, [5, 30, 55, 80]);
    assert_eq!(b.inputs[..5], ids[5..10]);
    assert_eq!(b.targets[..5], ids[6..11]);
    let e = Windows::streams(&ids, 7, 30, 4).unwrap_err();
    assert!(e.message().contains("too short for 4 streams"), "{e}");
    let e = Windows::new(&ids, 6, 5, 1).unwrap_err();
    assert!(e.message().contains("id 6"), "{e}");
    let e = Windows::new(&ids[..5], 7, 5, 1).unwrap_err();
    assert!(e.message().contains("needs at least 6"), "{e}");
}

#[test]
fn stepping_one_character_at_a_time_equals_the_whole_sequence() {
    let mut rng = Rng::new(8);
    for cell in cells() {
        let lm = CharLm::new(&letters(), cell, 6, 9, 2, 3).unwrap();
        let tokens: Vec<u32> = (0..7).map(|_| rng.below(53) as u32).collect();
        let whole = lm.forward(&tokens, 7, 1, &lm.zero_state(1)).unwrap();
        let mut st = Stepper::new(lm.clone()).unwrap();
        assert!(st.probs().iter().all(|&p| p == 0.0));
        for (s, &id) in tokens.iter().enumerate() {
            st.feed(id).unwrap();
            let want = &whole.log_probs[s * 53..][..53];
            for (a, b) in st.log_probs().iter().zip(want) {
                assert!((a - b).abs() < 1e-5, "{} step {s}: {a} vs {b}", cell.name());
            }
        }
        let sum: f32 = st.probs().iter().sum();
        assert!((sum - 1.0).abs() < 1e-5, "{sum}");
        for layer in 0..2 {
            let gh = cell.gates() * 9;
            let trace = &whole.rnn.traces[layer];
            let close = |a: &[f32], b: &[f32]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-5);
            assert!(close(st.gates(layer).unwrap(), &trace.gates[6 * gh..]));
            assert!(close(
                st.h(layer).unwrap(),
                &whole.rnn.h_n[layer * 9..][..9]
            ));
            if cell.has_cell_state() {
                assert!(close(
                    st.c(layer).unwrap(),
                    &whole.rnn.c_n[layer * 9..][..9]
                ));
            } else {
                assert!(st.c(layer).unwrap().is_empty());
            }
        }
        assert!(st.gates(2).unwrap_err().message().contains("below 2"));
        assert!(st.feed(53).unwrap_err().message().contains("ids 0 to 52"));
        st.reset();
        assert_eq!((st.steps(), st.h(1).unwrap()[0]), (0, 0.0));
    }
}

#[test]
fn sampling_is_seeded_greedy_at_k_1_and_sharpened_by_low_temperature() {
    let lm = CharLm::new(&letters(), cells()[1], 6, 12, 1, 9).unwrap();
    let any = Sampling::new(1.0, None, 53).unwrap();
    let write = |seed: u64| {
        generate(
            &mut Stepper::new(lm.clone()).unwrap(),
            "abc",
            40,
            &any,
            seed,
        )
        .unwrap()
    };
    assert_eq!(write(1), write(1));
    assert_ne!(write(1), write(2));
    assert_eq!(write(1).chars().count(), 40);

    // Top-1 is the argmax, the first of equal scores included; never the unknown symbol
    // (id 0), even where it scores highest.
    let greedy = Sampling::new(1.0, Some(1), 5).unwrap();
    let mut rng = Rng::new(4);
    for logits in [[0.0, 3.0, 3.0, -1.0, 2.0], [5.0, 1.0, 2.0, 5.0, 0.0]] {
        for _ in 0..50 {
            assert_eq!(
                greedy.draw(&logits, &mut rng),
                1 + crate::train::argmax(&logits[1..])
            );
        }
    }
    let logits = [-1.5f32, 2.0, 0.5, 2.5, 1.0];
    let dist = |temperature: f64, k: Option<usize>| {
        let mut p = [0.0f32; 5];
        Sampling::new(temperature, k, 5)
            .unwrap()
            .distribution(&mut p, &logits);
        p
    };
    // At temperature 1: the softmax over the characters, the unknown symbol left out.
    let mut softmax = [0.0f32; 5];
    scalar::softmax(&mut softmax[1..], &logits[1..], 4);
    let at1 = dist(1.0, None);
    assert!(
        at1.iter().zip(&softmax).all(|(a, b)| (a - b).abs() < 1e-6),
        "{at1:?}"
    );
    let entropy =
        |p: [f32; 5]| -> f32 { p.iter().filter(|&&q| q > 0.0).map(|&q| -q * q.ln()).sum() };
    let (cold, hot) = (dist(0.5, None), dist(2.0, None));
    assert!(
        cold[3] > at1[3] && at1[3] > hot[3],
        "{cold:?} {at1:?} {hot:?}"
    );
    assert!(entropy(cold) < entropy(at1) && entropy(at1) < entropy(hot));
    assert!((dist(1e-6, None)[3] - 1.0).abs() < 1e-6);
    let flat = dist(1e6, None);
    assert!(flat[0] == 0.0 && flat[1..].iter().all(|&p| (p - 0.25).abs() < 1e-4));
    // The draws follow the distribution: the top 3 at temperature 0.7, the rest never.
    let s = Sampling::new(0.7, Some(3), 5).unwrap();
    let want = dist(0.7, Some(3));
    assert_eq!((want[0], want[2]), (0.0, 0.0));
    let mut counts = [0usize; 5];
    let draws = 20_000;
    for _ in 0..draws {
        counts[s.draw(&logits, &mut rng)] += 1;
    }
    for (c, p) in counts.iter().zip(want) {
        assert!(
            (*c as f32 / draws as f32 - p).abs() < 0.015,
            "{counts:?} vs {want:?}"
        );
    }
}

#[test]
fn sampling_settings_are_checked_with_sentences() {
    for t in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let e = Sampling::new(t, None, 53).unwrap_err();
        assert!(
            e.message().contains("temperature must be a number above 0"),
            "{e}"
        );
    }
    let e = Sampling::new(1.0, Some(0), 53).unwrap_err();
    assert!(e.message().contains("top-k must be from 1"), "{e}");
    let e = Sampling::new(1.0, Some(54), 53).unwrap_err();
    assert!(
        e.message()
            .contains("to 53 (the vocabulary's size), got 54"),
        "{e}"
    );
    let lm = CharLm::new(&letters(), cells()[0], 4, 5, 1, 9).unwrap();
    let s = Sampling::new(1.0, None, 53).unwrap();
    let mut st = Stepper::new(lm).unwrap();
    let e = generate(&mut st, "", 5, &s, 1).unwrap_err();
    assert!(e.message().contains("at least one character"), "{e}");
    let e = generate(&mut st, "a", 1_000_000, &s, 1).unwrap_err();
    assert!(e.message().contains("at most 10000"), "{e}");
}

#[test]
fn token_ids_must_be_whole_numbers_in_the_vocabulary() {
    assert_eq!(token_ids("tokens", &[0.0, 22.0], 23).unwrap(), [0, 22]);
    for (v, what) in [
        (2.5, "is 2.5"),
        (-1.0, "is -1"),
        (23.0, "is 23"),
        (f32::NAN, "is NaN"),
    ] {
        let e = token_ids("tokens", &[1.0, v], 23).unwrap_err();
        assert!(
            e.message().contains(&format!(
                "tokens[1] {what}; token ids must be whole numbers from 0 to 22"
            )),
            "{e}"
        );
    }
    let lm = CharLm::new(&letters(), cells()[0], 4, 5, 1, 9).unwrap();
    let e = lm.forward(&[1, 2, 3], 2, 2, &lm.zero_state(2)).unwrap_err();
    assert!(e.message().contains("needs 4"), "{e}");
    let e = lm.forward(&[1, 2], 2, 1, &lm.zero_state(2)).unwrap_err();
    assert!(e.message().contains("h0"), "{e}");
    let st = lm.zero_state(1);
    let e = lm
        .loss(&[1, 2], &[3, 53], 2, 1, &st, 1.0, None)
        .unwrap_err();
    assert!(
        e.message()
            .contains("targets[1] is 53, but the vocabulary has ids 0 to 52"),
        "{e}"
    );
    let e = lm
        .loss(&[1, 2], &[3, 4], 2, 1, &st, 1.0, Some(&mut [0.0; 3]))
        .unwrap_err();
    assert!(
        e.message().contains("the gradient buffer has 3 numbers"),
        "{e}"
    );
}

/// Rewrites a good file with `edit` applied to its tensors and metadata.
fn edited(
    bytes: &[u8],
    edit: impl FnOnce(&mut Vec<safetensors::Tensor>, &mut Vec<(String, String)>),
) -> Vec<u8> {
    let mut f = safetensors::read(bytes).unwrap();
    edit(&mut f.tensors, &mut f.metadata);
    let list: Vec<(&str, &[usize], &[f32])> = f
        .tensors
        .iter()
        .map(|t| (t.name.as_str(), &t.shape[..], &t.values[..]))
        .collect();
    safetensors::write(&list, Dtype::F32, &f.metadata)
}

fn set_meta(meta: &mut [(String, String)], key: &str, value: &str) {
    meta.iter_mut().find(|(k, _)| k == key).unwrap().1 = value.to_string();
}

/// A tied model's file holds `embedding.weight` once (no `fc.weight`) and says
/// `tie_weights` = "true"; it reads back the same, and a file that lies about the tie is
/// refused with a sentence.
#[test]
fn a_tied_file_round_trips_without_fc_weight() {
    let chars: Vec<char> = "床前明月光，疑是地上霜。\n".chars().collect();
    let mut lm = CharLm::new(&chars, cells()[2], 6, 6, 1, 3).unwrap();
    lm.tie().unwrap();
    let bytes = safetensors::save(&lm, Dtype::F32, &[]);
    let file = safetensors::read(&bytes).unwrap();
    assert!(file.tensors.iter().all(|t| t.name != "fc.weight"));
    assert_eq!(file.meta("tie_weights"), Some("true"));
    let back = CharLm::from_file(file).unwrap();
    assert!(back.tied);
    assert_eq!(back.flat(), lm.flat());
    let tokens = lm.encode("床前明月光");
    let state = lm.zero_state(1);
    assert_eq!(
        back.forward(&tokens, 5, 1, &state).unwrap().logits,
        lm.forward(&tokens, 5, 1, &state).unwrap().logits
    );
    for (file, why) in [
        (
            edited(&bytes, |_, m| set_meta(m, "tie_weights", "yes")),
            "tie_weights = \"yes\"",
        ),
        (
            edited(&bytes, |_, m| m.retain(|(k, _)| k != "tie_weights")),
            "no tensor \"fc.weight\"",
        ),
        (
            edited(&bytes, |_, m| set_meta(m, "hidden_size", "5")),
            "shape",
        ),
    ] {
        let e = CharLm::from_file(safetensors::read(&file).unwrap()).unwrap_err();
        assert!(e.to_string().contains(why), "wanted {why:?}, got: {e}");
    }
}

#[test]
fn a_file_round_trips_and_a_refused_one_changes_nothing() {
    let lm = CharLm::new(
        &"床前明月光，疑是地上霜。\n".chars().collect::<Vec<_>>(),
        cells()[2],
        4,
        6,
        2,
        2,
    )
    .unwrap();
    let bytes = safetensors::save(&lm, Dtype::F32, &[]);
    let back = CharLm::from_file(safetensors::read(&bytes).unwrap()).unwrap();
    assert_eq!((back.vocab(), back.flat()), (lm.vocab(), lm.flat()));
    assert_eq!(back.id('\n'), 13);
    let tokens = lm.encode("床前明月光");
    let (a, b) = (
        lm.forward(&tokens, 5, 1, &lm.zero_state(1)).unwrap(),
        back.forward(&tokens, 5, 1, &lm.zero_state(1)).unwrap(),
    );
    assert_eq!(a.logits, b.logits);

    let lenet = safetensors::save(
        &crate::cnn::lenet5::LeNet5::init(
            1,
            crate::cnn::activation::Activation::Relu,
            crate::cnn::lenet5::Pool::Max,
        ),
        Dtype::F16,
        &[],
    );
    let refused: Vec<(Vec<u8>, &str)> = vec![
        (lenet, "\"lenet5\" network, not a character language model"),
        (edited(&bytes, |_, m| {
                set_meta(m, "vocab", "床前明月光，疑是地上霜。");
                m.retain(|(k, _)| k != "vocab_size");
            }), "\"embedding.weight\" has shape [14, 4] in the file, but its metadata describes [13, 4]"),
        (edited(&bytes, |_, m| set_meta(m, "vocab", "床前明月光，疑是地上霜床\n")), "lists '床' twice (ids 1 and 12)"),
        (edited(&bytes, |_, m| set_meta(m, "vocab", "床前明月光，疑是地上霜\u{fffd}\n")), "U+FFFD"),
        (edited(&bytes, |_, m| set_meta(m, "vocab", "")), "vocabulary is empty"),
        (edited(&bytes, |_, m| set_meta(m, "vocab_size", "15")), "vocab_size = \"15\""),
        (edited(&bytes, |_, m| set_meta(m, "cell", "transformer")), "cell must be \"rnn\", \"gru\" or \"lstm\""),
        (edited(&bytes, |_, m| set_meta(m, "cell", "gru")), "\"rnn.weight_hh_l0\" has shape [24, 6] in the file, but its metadata describes [18, 6]"),
        (edited(&bytes, |_, m| set_meta(m, "num_layers", "3")), "no tensor \"rnn.weight_ih_l2\""),
        (edited(&bytes, |_, m| set_meta(m, "num_layers", "1")), "tensor \"rnn.weight_ih_l1\" that this network does not have"),
        (edited(&bytes, |_, m| set_meta(m, "hidden_size", "0")), "hidden_size = \"0\""),
        (edited(&bytes, |_, m| m.retain(|(k, _)| k != "embedding_dim")), "no \"embedding_dim\" entry"),
        (edited(&bytes, |t, _| t.retain(|t| t.name != "rnn.bias_hh_l1")), "no tensor \"rnn.bias_hh_l1\""),
        (edited(&bytes, |t, _| t.retain(|t| t.name != "fc.weight")), "no tensor \"fc.weight\""),
        (edited(&bytes, |t, _| {
            let b = t.iter_mut().find(|t| t.name == "fc.bias").unwrap();
            b.shape = vec![13];
            b.values.pop();
        }), "\"fc.bias\" has shape [13] in the file, this network needs [14]"),
        (edited(&bytes, |t, _| t[3].values[2] = f32::NAN), "[2] is NaN"),
    ];
    let mut st = Stepper::new(lm.clone()).unwrap();
    for c in "床前".chars() {
        st.feed_char(c);
    }
    let (probs, state) = (st.probs().to_vec(), st.state().clone());
    for (file, why) in &refused {
        let e = st.load(file).unwrap_err();
        assert!(e.message().contains(why), "wanted {why:?}, got: {e}");
        assert_eq!(
            (st.probs(), st.state(), st.steps()),
            (&probs[..], &state, 2)
        );
        assert_eq!(st.model().flat(), lm.flat());
    }
    let other = CharLm::new(&letters(), cells()[0], 3, 5, 1, 1).unwrap();
    st.load(&safetensors::save(&other, Dtype::F16, &[]))
        .unwrap();
    assert_eq!((st.steps(), st.model().vocab_size()), (0, 53));
}

/// Held-out bits in pieces and windows equal one whole-sequence pass per piece, for any
/// window and thread count (the state is carried, so windows change nothing).
#[test]
fn held_out_bits_are_whole_sequence_passes_per_piece() {
    let mut rng = Rng::new(11);
    for cell in cells() {
        let lm = CharLm::new(&letters(), cell, 3, 5, 2, 7).unwrap();
        let ids: Vec<u32> = (0..50).map(|_| rng.below(lm.vocab_size()) as u32).collect();
        let (pieces, len) = (3, 16);
        let mut want = 0.0f64;
        for p in 0..pieces {
            let x = &ids[p * len..(p + 1) * len];
            let f = lm
                .forward(&x[..len - 1], len - 1, 1, &lm.zero_state(1))
                .unwrap();
            let v = lm.vocab_size();
            for (s, &y) in x[1..].iter().enumerate() {
                want -= f64::from(f.log_probs[s * v + y as usize]) / std::f64::consts::LN_2;
            }
        }
        for (window, threads) in [(4, 1), (15, 2), (100, 3), (1, 2)] {
            let (bits, n) = lm.held_out_bits(&ids, pieces, window, threads).unwrap();
            assert_eq!(n, pieces * (len - 1));
            assert!(
                (bits - want).abs() < 1e-3,
                "{cell:?} window {window}: {bits} vs {want}"
            );
        }
    }
}
