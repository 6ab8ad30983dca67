//! Every function the page can call (the `#[wasm_bindgen]` exports in `nnplay::wasm`),
//! called natively a million times with hostile arguments: numbers that are NaN, infinite,
//! negative, fractional or huge; strings that are wrong, empty, script text or emoji;
//! buffers of the wrong length or holding NaN; truncated and corrupted weight and data
//! files. Each call returns a value or an `Error` (which the page sees as a JS `Error`);
//! none may panic, because a panic in wasm aborts the page's module. Half the calls start
//! from well-formed arguments with one thing broken, or none, so the calls also get past
//! the checks into the math: the test counts both outcomes per export and requires both.

use std::collections::BTreeMap;

use nnplay::rng::Rng;
use nnplay::wasm::bmes::Segmenter;
use nnplay::wasm::lenet::{Lenet, LenetTrainer};
use nnplay::wasm::lm::LanguageModel;
use nnplay::wasm::lm_train::LmTrainer;
use nnplay::wasm::longrange_train::LongRangeTrainer;
use nnplay::wasm::network::Network;
use nnplay::wasm::pad::DrawingPad;
use nnplay::wasm::rnn::{gradient_norms, RecurrentNet, SimpleNet};
use nnplay::wasm::{self, ConvLayer};

const LENET: &[u8] = include_bytes!("../../weights/lenet5.safetensors");
const BMES: &[u8] = include_bytes!("../../weights/bmes.safetensors");
const LM_POEMS: &[u8] = include_bytes!("../../weights/lm-poems-lstm.safetensors");
const LM_LONGRANGE: &[u8] = include_bytes!("../../weights/longrange-lstm.safetensors");

/// Values and errors returned, per export.
type Tally = BTreeMap<&'static str, [u32; 2]>;

/// The fuzzer's random choices.
struct Fuzz {
    rng: Rng,
}

impl Fuzz {
    fn below(&mut self, n: usize) -> usize {
        self.rng.below(n)
    }

    /// One time in `n`.
    fn one_in(&mut self, n: usize) -> bool {
        self.rng.below(n) == 0
    }

    /// A hostile JS number: NaN, infinite, negative, fractional, huge or tiny.
    fn nasty(&mut self) -> f64 {
        const NASTY: [f64; 12] = [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -1.0,
            -0.0,
            0.5,
            2.5,
            1e9,
            4294967296.0,
            1e300,
            -1e300,
            f64::MIN_POSITIVE,
        ];
        NASTY[self.below(NASTY.len())]
    }

    /// A JS number: a small whole number (`lo..=hi`) or, one time in `bad`, a hostile one.
    fn num(&mut self, lo: usize, hi: usize, bad: usize) -> f64 {
        if self.one_in(bad) {
            self.nasty()
        } else {
            (lo + self.below(hi - lo + 1)) as f64
        }
    }

    /// `len` floats, one in 500 NaN or infinite.
    fn values(&mut self, len: usize) -> Vec<f32> {
        (0..len)
            .map(|_| match self.below(1000) {
                0 => f32::NAN,
                1 => f32::NEG_INFINITY,
                _ => self.rng.range(-2.0, 2.0),
            })
            .collect()
    }

    /// `len` floats, or one time in `bad` a buffer of another length (empty included).
    fn buffer(&mut self, len: usize, bad: usize) -> Vec<f32> {
        if self.one_in(bad) {
            let other = [0, 1, len.saturating_sub(1), len + 1, self.below(100)];
            let n = other[self.below(other.len())];
            self.values(n)
        } else {
            self.values(len)
        }
    }

    /// A shape from its true axes: one time in `bad` an axis turned hostile, an axis added
    /// or an axis dropped.
    fn shape(&mut self, axes: &[usize], bad: usize) -> Vec<f64> {
        let mut s: Vec<f64> = axes.iter().map(|&d| d as f64).collect();
        if self.one_in(bad) {
            match self.below(3) {
                0 if !s.is_empty() => {
                    let i = self.below(s.len());
                    s[i] = self.nasty();
                }
                1 => s.push(1.0),
                _ => {
                    s.pop();
                }
            }
        }
        s
    }

    /// One of `good`, or one time in `bad` a wrong string.
    fn text(&mut self, good: &[&str], bad: usize) -> String {
        const JUNK: [&str; 9] = [
            "",
            "<script>alert(1)</script>",
            "ＶＡＬＩＤ",
            "😀😀",
            "relu\0",
            " same",
            "我爱北京天安门",
            "lstm:fc:linear:extra",
            "constructor",
        ];
        if good.is_empty() || self.one_in(bad) {
            JUNK[self.below(JUNK.len())].to_owned()
        } else {
            good[self.below(good.len())].to_owned()
        }
    }

    /// A real file cut short, with a few bits flipped, or random bytes.
    fn corrupt(&mut self, real: &[u8]) -> Vec<u8> {
        match self.below(3) {
            0 => (0..self.below(100))
                .map(|_| self.below(256) as u8)
                .collect(),
            1 => real[..self.below(real.len() + 1)].to_vec(),
            _ => {
                let mut b = real.to_vec();
                for _ in 0..1 + self.below(4) {
                    let i = self.below(b.len());
                    b[i] ^= 1 << self.below(8);
                }
                b
            }
        }
    }

    /// An IDX pair of a few 28×28 images and their labels, the header sometimes lying and
    /// labels sometimes past 9.
    fn idx(&mut self) -> (Vec<u8>, Vec<u8>) {
        let count = 1 + self.below(4) as u32;
        let claimed = if self.one_in(4) {
            self.below(1000) as u32
        } else {
            count
        };
        let mut images = vec![0, 0, 8, 3];
        for d in [claimed, 28, 28] {
            images.extend(d.to_be_bytes());
        }
        images.extend((0..count * 784).map(|_| self.below(256) as u8));
        let mut labels = vec![0, 0, 8, 1];
        labels.extend(claimed.to_be_bytes());
        let top = if self.one_in(4) { 256 } else { 10 };
        labels.extend((0..count).map(|_| self.below(top) as u8));
        (images, labels)
    }
}

/// `lines` lines, each a numbered copy of one of three quatrains: with 40, a text `LmTrainer`
/// accepts (every 10th line held out) and small enough that its steps are cheap.
fn poems(lines: usize) -> String {
    let quatrains = [
        "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。",
        "床前明月光，疑是地上霜。举头望明月，低头思故乡。",
        "春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。",
    ];
    let numbers: Vec<char> = "一二三四五六七八九十".chars().collect();
    (0..lines)
        .map(|i| {
            format!(
                "{}{}{}",
                numbers[i / 10 % 10],
                numbers[i % 10],
                quatrains[i % 3]
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `lines` newspaper-like lines of 601 characters without a country: 20 are the fewest that
/// give `LongRangeTrainer` more than 1,000 held-out characters to cut its gaps from.
fn newspaper(lines: usize) -> String {
    let words = [
        "经济", "发展", "人民", "工作", "建设", "社会", "市场", "企业",
    ];
    (0..lines)
        .map(|i| {
            (0..300)
                .map(|j| words[(i * 7 + j * 3 + j / 5) % words.len()])
                .collect::<String>()
                + "。"
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Counts a call's outcome under `name` and hands the result on.
fn tallied<T>(tally: &mut Tally, name: &'static str, r: nnplay::Result<T>) -> nnplay::Result<T> {
    tally.entry(name).or_default()[usize::from(r.is_err())] += 1;
    r
}

fn count<T>(tally: &mut Tally, name: &'static str, r: nnplay::Result<T>) {
    let _ = tallied(tally, name, r);
}

/// A recurrent network made by the fuzzer, with the sizes it was made with.
struct Rnn {
    net: RecurrentNet,
    input: usize,
    states: usize,
    hidden: usize,
}

#[test]
fn a_million_hostile_calls_into_the_exports_never_panic() {
    let mut f = Fuzz { rng: Rng::new(7) };
    let mut tally = Tally::new();
    let mut lenet = Lenet::from_bytes(LENET).expect("the shipped LeNet-5 loads");
    let mut seg = Segmenter::from_bytes(BMES).expect("the shipped tagger loads");
    let mut drawing = DrawingPad::new();
    let mut lm = LanguageModel::from_bytes(LM_POEMS).expect("the shipped poem model loads");
    let (mut rnn, mut simple, mut trainer, mut layer) = (None::<Rnn>, None, None, None);
    let (mut lm_trainer, mut longrange) = (None, None);
    // The trainers' texts, and texts they must refuse (besides junk and one past the size
    // limit): too few lines, one line repeated (the split drops repeats), lines too short to
    // cut long gaps from, every line naming a country (the gap text drops those).
    let (verse, news) = (poems(40), newspaper(20));
    let broken_verse = [poems(9), "床前明月光\n".repeat(20)];
    let broken_news = [newspaper(9), verse.clone(), news.replace("市场", "美国")];
    let contexts = [
        "床前明月",
        "春眠不觉",
        "我从小生长在美国，今天很好，我可以说一口流利的",
        "有一朵云 飘在天空中",
        " ",
    ];
    let chars = ["光", "晓", "英", "。", "\n", "x"];
    let kinds = [
        "rnn",
        "gru",
        "lstm",
        "lstm:fc",
        "lstm:peephole",
        "lstm:linear",
    ];
    let pads = ["same", "valid"];
    // A student's network as the page gets it: a bare state_dict (nn.Sequential's names, no
    // metadata), with its description and a wrong one to pass alongside.
    let described = (
        "[1,28,28]",
        r#"[{"type":"conv2d","out_channels":3,"kernel":3,"stride":2,"padding":"same"},{"type":"relu"},{"type":"max_pool2d","kernel":2},{"type":"flatten"},{"type":"linear","out_features":10}]"#,
    );
    let student = {
        let spec = nnplay::cnn::sequential::Spec::from_json(described.0, described.1).unwrap();
        let net = nnplay::cnn::sequential::Sequential::init(&spec, 1).unwrap();
        let file = nnplay::safetensors::save(&net, nnplay::safetensors::Dtype::F32, &[]);
        let tensors = nnplay::safetensors::read(&file).unwrap().tensors;
        let list: Vec<(&str, &[usize], &[f32])> = tensors
            .iter()
            .map(|t| (t.name.as_str(), &t.shape[..], &t.values[..]))
            .collect();
        nnplay::safetensors::write(&list, nnplay::safetensors::Dtype::F32, &[])
    };
    let mut network = Network::from_bytes(LENET, "", "").expect("LeNet-5 as a described network");
    // A million calls that take arguments (the argument-free getters come on top).
    while tally.values().map(|[ok, err]| ok + err).sum::<u32>() < 1_000_000 {
        // The usual sizes, and how often (one time in `bad`) an argument is broken.
        let bad = 3;
        let (n, c, h, w) = (
            1 + f.below(2),
            1 + f.below(3),
            1 + f.below(8),
            1 + f.below(8),
        );
        let (o, kh, kw) = (1 + f.below(4), 1 + f.below(4), 1 + f.below(4));
        let x = f.buffer(n * c * h * w, bad);
        let xs = f.shape(&[n, c, h, w], bad);
        let pad = f.text(&pads, bad);
        let stride = [f.num(1, 3, bad), f.num(1, 3, bad)];
        let kernel = [f.num(1, 3, bad), f.num(1, 3, bad)];
        match f.below(34) {
            0 => {
                let (wt, ws) = (
                    f.buffer(o * c * kh * kw, bad),
                    f.shape(&[o, c, kh, kw], bad),
                );
                let b = f.buffer(o, bad);
                let r = wasm::conv2d(&x, &xs, &wt, &ws, &b, &stride, &pad);
                count(&mut tally, "conv2d", r);
            }
            1 => count(
                &mut tally,
                "max_pool2d",
                wasm::max_pool2d(&x, &xs, &kernel, &stride, &pad),
            ),
            2 => count(
                &mut tally,
                "avg_pool2d",
                wasm::avg_pool2d(&x, &xs, &kernel, &stride, &pad),
            ),
            3 => {
                let mode = f.text(&["train", "inference"], bad);
                let seed = f.num(0, 1000, bad);
                let r = wasm::stochastic_pool2d(&x, &xs, &kernel, &stride, &pad, &mode, seed);
                count(&mut tally, "stochastic_pool2d", r);
            }
            4 => {
                let (inp, out) = (1 + f.below(20), 1 + f.below(20));
                let (xd, xds) = (f.buffer(n * inp, bad), f.shape(&[n, inp], bad));
                let (wt, ws) = (f.buffer(out * inp, bad), f.shape(&[out, inp], bad));
                let b = f.buffer(out, bad);
                count(&mut tally, "dense", wasm::dense(&xd, &xds, &wt, &ws, &b));
            }
            5 => {
                let name = f.text(&["relu", "tanh", "sigmoid"], bad);
                count(&mut tally, "activate", wasm::activate(&name, &x, &xs));
                count(&mut tally, "softmax", wasm::softmax(&x, &xs));
            }
            6 => {
                let (i, k, s) = (f.num(1, 30, bad), f.num(1, 5, bad), f.num(1, 3, bad));
                count(&mut tally, "plan_axis", wasm::plan_axis(i, k, s, &pad));
            }
            7 => {
                let (wt, ws) = (
                    f.buffer(o * c * kh * kw, bad),
                    f.shape(&[o, c, kh, kw], bad),
                );
                let b = f.buffer(o, bad);
                let made = ConvLayer::new(&x, &xs, &wt, &ws, &b, &stride, &pad);
                if let Ok(l) = tallied(&mut tally, "ConvLayer::new", made) {
                    let _ = (l.output(), l.output_shape());
                    layer = Some(l);
                }
            }
            8 => {
                if let Some(l) = &layer {
                    let at = [
                        f.num(0, 2, bad),
                        f.num(0, 4, bad),
                        f.num(0, 8, bad),
                        f.num(0, 8, bad),
                    ];
                    count(&mut tally, "terms", l.terms(at[0], at[1], at[2], at[3]));
                }
            }
            9 => {
                count(
                    &mut tally,
                    "Lenet.forward",
                    lenet.forward(&f.buffer(784, bad)),
                );
                let _ = (lenet.c1(), lenet.probs());
            }
            10 => {
                let images = f.buffer(n * 784, bad);
                let count_arg = if f.one_in(bad) { f.nasty() } else { n as f64 };
                count(
                    &mut tally,
                    "forward_batch",
                    lenet.forward_batch(&images, count_arg),
                );
            }
            11 => {
                let layers = ["c1", "s2", "c3", "s4", "f5", "f6", "logits"];
                let (name, unit) = (f.text(&layers, bad), f.num(0, 4703, bad));
                count(&mut tally, "explain", lenet.explain(&name, unit));
                let name = f.text(&["conv1.weight", "conv2.bias", "fc3.bias"], bad);
                count(&mut tally, "param", lenet.param(&name));
                let _ = lenet.meta(&name);
            }
            12 if f.one_in(20) => {
                let bytes = if f.one_in(bad) {
                    f.corrupt(LENET)
                } else {
                    LENET.to_vec()
                };
                if let Ok(l) = tallied(&mut tally, "Lenet::from_bytes", Lenet::from_bytes(&bytes)) {
                    lenet = l;
                }
            }
            13 => {
                let (seed, batch, epochs) = (f.num(0, 9, bad), f.num(1, 4, bad), f.num(1, 3, bad));
                let lr = if f.one_in(bad) { f.nasty() } else { 0.01 };
                let made = LenetTrainer::new(seed, batch, lr, epochs, f.one_in(2));
                if let Ok(t) = tallied(&mut tally, "LenetTrainer::new", made) {
                    trainer = Some(t);
                }
            }
            // Training steps cost a thousand times more than a check: fewer of them.
            14 if f.one_in(8) => {
                let Some(t) = &mut trainer else { continue };
                let (images, labels) = f.idx();
                count(
                    &mut tally,
                    "set_train_data",
                    t.set_train_data(&images, &labels),
                );
                let (images, labels) = f.idx();
                count(
                    &mut tally,
                    "set_test_data",
                    t.set_test_data(&images, &labels),
                );
                count(&mut tally, "run", t.run(f.num(1, 3, bad)));
                count(&mut tally, "evaluate", t.evaluate(f.num(1, 4, bad)));
                let _ = (
                    t.loss(),
                    t.seen(),
                    t.epoch(),
                    t.step(),
                    t.total_steps(),
                    t.weights(),
                );
            }
            15 => {
                let kind = f.text(&kinds, bad);
                let (input, hidden, layers) = (1 + f.below(3), 1 + f.below(4), 1 + f.below(2));
                let bi = f.one_in(2);
                let sizes = [
                    if f.one_in(bad) {
                        f.nasty()
                    } else {
                        input as f64
                    },
                    if f.one_in(bad) {
                        f.nasty()
                    } else {
                        hidden as f64
                    },
                    if f.one_in(bad) {
                        f.nasty()
                    } else {
                        layers as f64
                    },
                ];
                let seed = f.num(0, 99, bad);
                let made = RecurrentNet::new(&kind, sizes[0], sizes[1], sizes[2], bi, seed);
                if let Ok(net) = tallied(&mut tally, "RecurrentNet::new", made) {
                    let states = layers * (1 + usize::from(bi));
                    rnn = Some(Rnn {
                        net,
                        input,
                        states,
                        hidden,
                    });
                }
            }
            16..=18 => {
                let Some(Rnn {
                    net,
                    input,
                    states,
                    hidden,
                }) = &mut rnn
                else {
                    continue;
                };
                let names = net.weight_names();
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                let name = f.text(&names, bad);
                let t = 1 + f.below(4);
                let xs = f.buffer(t * n * *input, bad);
                let (tn, nn) = (
                    if f.one_in(bad) { f.nasty() } else { t as f64 },
                    if f.one_in(bad) { f.nasty() } else { n as f64 },
                );
                match f.below(6) {
                    0 => {
                        let len = net.weight(&name).map_or(3, |v| v.len());
                        let values = f.buffer(len, bad);
                        count(&mut tally, "set_weight", net.set_weight(&name, &values));
                    }
                    1 => count(&mut tally, "weight", net.weight(&name)),
                    2 => {
                        let len = if f.one_in(2) {
                            0
                        } else {
                            *states * n * *hidden
                        };
                        let (h0, c0) = (f.buffer(len, bad), f.buffer(len, bad));
                        let r = net.forward(&xs, tn, nn, &h0, &c0);
                        count(&mut tally, "RecurrentNet.forward", r);
                        let _ = (net.y(), net.gate_count());
                    }
                    3 => {
                        let x1 = f.buffer(t * *input, bad);
                        count(&mut tally, "begin", net.begin(&x1, tn));
                    }
                    4 => {
                        let (l, d) = (f.num(0, 1, bad), f.num(0, 1, bad));
                        count(&mut tally, "RecurrentNet.step", net.step(l, d));
                        count(&mut tally, "done", net.done(l, d));
                        count(&mut tally, "step_output", net.step_output());
                    }
                    _ => {
                        let (l, d) = (f.num(0, 1, bad), f.num(0, 1, bad));
                        count(&mut tally, "gates", net.gates(l, d));
                        count(&mut tally, "hidden", net.hidden(l, d));
                        count(&mut tally, "cell", net.cell(l, d));
                    }
                }
            }
            19 => {
                let kind = f.text(&["elman", "jordan"], bad);
                let act = f.text(&["tanh", "relu", "sigmoid"], bad);
                let (input, t) = (1 + f.below(3), 1 + f.below(5));
                let xs = f.buffer(input * t, bad);
                let sizes = [
                    if f.one_in(bad) {
                        f.nasty()
                    } else {
                        input as f64
                    },
                    f.num(1, 4, bad),
                    f.num(1, 3, bad),
                    f.num(0, 9, bad),
                    if f.one_in(bad) { f.nasty() } else { t as f64 },
                ];
                let made = SimpleNet::new(
                    &kind, sizes[0], sizes[1], sizes[2], &act, sizes[3], &xs, sizes[4],
                );
                if let Ok(net) = tallied(&mut tally, "SimpleNet::new", made) {
                    simple = Some(net);
                }
                if let Some(net) = &mut simple {
                    count(&mut tally, "SimpleNet.step", net.step());
                    let _ = (net.done(), net.hidden(), net.output());
                }
            }
            20 => {
                let kind = f.text(&["elman", "gru", "lstm"], bad);
                let (t, hidden, seed) = (f.num(1, 12, bad), f.num(1, 8, bad), f.num(0, 9, bad));
                count(
                    &mut tally,
                    "gradient_norms",
                    gradient_norms(&kind, t, hidden, seed),
                );
            }
            21 if f.one_in(40) => {
                let long = "深".repeat(2001);
                let sentences = ["深度学习是一门课程。", "", "abc 123 😀", "\u{0}\u{FFFF}"];
                let text = if f.one_in(bad) {
                    long
                } else {
                    f.text(&sentences, bad)
                };
                count(&mut tally, "tag", seg.tag(&text));
                let _ = (seg.words(), seg.probs(), seg.forward_states(), seg.hidden());
                let _ = seg.known(f.below(40));
            }
            22 if f.one_in(2000) => {
                let made = Segmenter::from_bytes(&f.corrupt(BMES));
                if let Ok(s) = tallied(&mut tally, "Segmenter::from_bytes", made) {
                    seg = s;
                }
            }
            // A recurrent state dict read from its shapes (a character model's file,
            // corrupted), its text input, then stepped and rewired by the cases above.
            23 if f.one_in(100) => {
                let bytes = if f.one_in(bad) {
                    f.corrupt(LM_LONGRANGE)
                } else {
                    LM_LONGRANGE.to_vec()
                };
                let made = RecurrentNet::from_bytes(&bytes);
                if let Ok(net) = tallied(&mut tally, "RecurrentNet::from_bytes", made) {
                    let text = f.text(&["深度学习", "", "abc 😀", "\u{0}"], bad);
                    count(&mut tally, "RecurrentNet.embed", net.embed(&text));
                    let _ = (net.unknown(&text), net.assumed(), net.others());
                    let _ = (net.prefix(), net.kind(), net.reads_text());
                    let (input, hidden) = (net.input_size() as usize, net.hidden_size() as usize);
                    let states = net.layers() as usize * (1 + usize::from(net.bidirectional()));
                    rnn = Some(Rnn {
                        net,
                        input,
                        states,
                        hidden,
                    });
                }
            }
            // The drawing pad: pen positions on, off and far off the pad, hostile numbers,
            // digits of the wrong size or out of range, and every reading.
            24 => {
                let pos = |f: &mut Fuzz| {
                    if f.one_in(bad) {
                        f.nasty()
                    } else {
                        f.rng.range(-0.3, 1.3) as f64
                    }
                };
                let (x, y) = (pos(&mut f), pos(&mut f));
                count(&mut tally, "strokeTo", drawing.stroke_to(x, y, f.one_in(5)));
                match f.below(20) {
                    0 => drawing.lift(),
                    1 => drawing.clear(),
                    2 => {
                        let digit: Vec<f32> = if f.one_in(bad) {
                            f.buffer(784, 1)
                        } else {
                            (0..784).map(|_| f.rng.uniform()).collect()
                        };
                        count(&mut tally, "showDigit", drawing.show_digit(&digit));
                    }
                    _ => {}
                }
                let _ = (drawing.see(f.one_in(2)), drawing.ink(), drawing.seen());
            }
            // The language model: the shipped ones, and those the trainers below hand over.
            25 => {
                count(&mut tally, "symbol", lm.symbol(f.num(0, 2000, bad)));
                count(&mut tally, "top", lm.top(f.num(0, 20, bad)));
                count(&mut tally, "id", lm.id(&f.text(&chars, bad)));
                let key = f.text(&["corpus", "task", "accuracy_by_gap", "vocab"], bad);
                let _ = (lm.meta(&key), lm.probs(), lm.cell(), lm.vocab_size());
                let _ = (lm.hidden(), lm.layers(), lm.steps());
            }
            // Reading and writing run the network once a character: fewer of them, and the
            // longest context the model reads (2,000 characters) seldom; one more is refused.
            26 if f.one_in(4) => {
                let context = if f.one_in(50) {
                    "深".repeat(if f.one_in(20) { 2000 } else { 2001 })
                } else {
                    f.text(&contexts, bad)
                };
                match f.below(4) {
                    0 => count(&mut tally, "read", lm.read(&context)),
                    1 => count(&mut tally, "append", lm.append(&f.text(&chars, bad))),
                    2 => {
                        let next = f.text(&chars, bad);
                        count(&mut tally, "influence", lm.influence(&context, &next));
                    }
                    _ => {
                        let (length, top_k) = (f.num(0, 12, bad), f.num(0, 10, bad));
                        let temperature = if f.one_in(bad) { f.nasty() } else { 0.8 };
                        let seed = f.num(0, 1000, bad);
                        count(
                            &mut tally,
                            "write",
                            lm.write(length, temperature, top_k, seed),
                        );
                    }
                }
            }
            27 if f.one_in(100) => {
                let real = [LM_POEMS, LM_LONGRANGE][f.below(2)];
                let bytes = if f.one_in(bad) {
                    f.corrupt(real)
                } else {
                    real.to_vec()
                };
                let made = LanguageModel::from_bytes(&bytes);
                if let Ok(m) = tallied(&mut tally, "LanguageModel::from_bytes", made) {
                    lm = m;
                }
            }
            // Building a trainer reads its whole text, and a step trains on it: fewer of them.
            28 if f.one_in(20) => {
                let text = if f.one_in(100) {
                    "云\n".repeat(500_001)
                } else if f.one_in(bad) {
                    let broken: Vec<&str> = broken_verse.iter().map(String::as_str).collect();
                    f.text(&broken, 2)
                } else {
                    verse.clone()
                };
                let cell = f.text(&["rnn", "gru", "lstm"], bad);
                let (hidden, emb, seed) = (f.num(1, 8, bad), f.num(1, 8, bad), f.num(0, 99, bad));
                let (window, batch, epochs) =
                    (f.num(2, 16, bad), f.num(1, 4, bad), f.num(1, 3, bad));
                let lr = if f.one_in(bad) { f.nasty() } else { 0.01 };
                let made =
                    LmTrainer::new(&text, &cell, hidden, emb, seed, window, batch, lr, epochs);
                if let Ok(t) = tallied(&mut tally, "LmTrainer::new", made) {
                    lm_trainer = Some(t);
                }
            }
            29 if f.one_in(20) => {
                let Some(t) = &mut lm_trainer else { continue };
                count(&mut tally, "LmTrainer.run", t.run(f.num(1, 3, bad)));
                count(
                    &mut tally,
                    "held_out_bpc",
                    t.held_out_bpc(f.num(32, 200, bad)),
                );
                let prompt = f.text(&["床前", "白日", "春"], bad);
                let temperature = if f.one_in(bad) { f.nasty() } else { 0.8 };
                let (length, seed) = (f.num(1, 12, bad), f.num(0, 1000, bad));
                count(
                    &mut tally,
                    "sample",
                    t.sample(&prompt, length, temperature, seed),
                );
                let _ = (t.bpc(), t.chars(), t.step(), t.total_steps(), t.epoch());
                let (_, weights) = (t.vocab_size(), t.weights());
                // The view loads what the trainer hands over, and reads and writes with it.
                if f.one_in(4) {
                    let made = LanguageModel::from_bytes(&weights);
                    if let Ok(m) = tallied(&mut tally, "LanguageModel::from_bytes", made) {
                        lm = m;
                    }
                }
            }
            30 if f.one_in(50) => {
                let text = if f.one_in(100) {
                    "云\n".repeat(500_001)
                } else if f.one_in(bad) {
                    let broken: Vec<&str> = broken_news.iter().map(String::as_str).collect();
                    f.text(&broken, 2)
                } else {
                    news.clone()
                };
                let cell = f.text(&["rnn", "gru", "lstm"], bad);
                let (hidden, emb) = (f.num(1, 8, bad), f.num(1, 8, bad));
                let (steps, seed) = (f.num(10, 20, bad), f.num(0, 99, bad));
                let lr = if f.one_in(bad) { f.nasty() } else { 0.01 };
                let made = LongRangeTrainer::new(&text, &cell, hidden, emb, steps, lr, seed);
                if let Ok(t) = tallied(&mut tally, "LongRangeTrainer::new", made) {
                    longrange = Some(t);
                }
            }
            // A long-range step is 32 sentences of up to a hundred characters.
            31 if f.one_in(100) => {
                let Some(t) = &mut longrange else { continue };
                count(&mut tally, "LongRangeTrainer.run", t.run(f.num(1, 3, bad)));
                count(&mut tally, "curve", t.curve(f.num(1, 3, bad)));
                let _ = (
                    t.loss(),
                    t.accuracy(),
                    t.max_gap(),
                    t.step(),
                    t.total_steps(),
                );
                let (_, _, weights) = (t.chance(), t.sentences(), t.weights());
                if f.one_in(4) {
                    let made = LanguageModel::from_bytes(&weights);
                    if let Ok(m) = tallied(&mut tally, "LanguageModel::from_bytes", made) {
                        lm = m;
                    }
                }
            }
            // Reading a file builds the whole network: fewer of them.
            32 if f.one_in(10) => {
                let real: &[u8] = [LENET, &student][f.below(2)];
                let bytes = if f.one_in(bad) {
                    f.corrupt(real)
                } else {
                    real.to_vec()
                };
                count(&mut tally, "Network::inspect", Network::inspect(&bytes));
                let (input, layers) = match f.below(4) {
                    0 => ("", ""),
                    1 => ("[1,32,32]", described.1),
                    2 => (described.0, "[{\"type\":\"conv2d\"}]"),
                    _ => described,
                };
                let made = Network::from_bytes(&bytes, input, layers);
                if let Ok(n) = tallied(&mut tally, "Network::from_bytes", made) {
                    network = n;
                }
            }
            33 => {
                let [c, h, w] = <[u32; 3]>::try_from(network.input()).expect("[C, H, W]");
                let image = f.buffer((c * h * w) as usize, bad);
                count(&mut tally, "Network.forward", network.forward(&image));
                let stage = f.num(0, 7, bad);
                count(&mut tally, "Network.output", network.output(stage));
                let unit = f.num(0, 3000, bad);
                count(&mut tally, "Network.explain", network.explain(stage, unit));
                count(
                    &mut tally,
                    "Network.receptiveField",
                    network.receptive_field(stage, unit),
                );
                let _ = (network.stages(), network.description(), network.probs());
                let _ = (
                    network.meta(&f.text(&["arch", "classes"], bad)),
                    network.params(),
                    network.macs(),
                );
            }
            _ => {
                let _ = wasm::memory_bytes();
            }
        }
    }
    for (name, [ok, err]) in &tally {
        println!("{name:>25}: {ok:>7} values, {err:>7} errors");
    }
    // Every export that takes arguments met both good and bad ones. (The tagger's file is
    // corrupted so rarely, for speed, that it may only have failed.)
    for (name, [ok, err]) in &tally {
        let only_errors = *name == "Segmenter::from_bytes";
        assert!(
            (ok > &0 || only_errors) && err > &0,
            "{name}: {ok} values, {err} errors"
        );
    }
    assert!(
        tally.len() >= 50,
        "only {} exports were called",
        tally.len()
    );
}
