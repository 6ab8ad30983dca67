//! The wasm API as JavaScript sees it: right answers for good input, and for every kind of
//! bad input a JS `Error` whose message says what was wrong — never a panic (a panic in
//! wasm aborts the module, which would fail this whole suite).
#![cfg(target_arch = "wasm32")]

use js_sys::Error;
use nnplay::wasm::{self, ConvLayer};
use nnplay_tests::Rng;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const X: [f32; 25] = [
    1., 1., 1., 0., 0., 0., 1., 1., 1., 0., 0., 0., 1., 1., 1., 0., 0., 1., 1., 0., 0., 1., 1., 0.,
    0.,
];
const K: [f32; 9] = [1., 0., 1., 0., 1., 0., 1., 0., 1.];

/// The message of a returned error, read back from the JS Error object it becomes.
fn message<T>(r: Result<T, nnplay::Error>) -> String {
    let Err(e) = r else {
        panic!("expected an error")
    };
    let v: JsValue = e.into();
    let e: Error = v.dyn_into().expect("a JS Error object");
    e.message().into()
}

fn conv(
    x: &[f32],
    xs: &[f64],
    w: &[f32],
    ws: &[f64],
    b: &[f32],
    stride: &[f64],
    pad: &str,
) -> Result<wasm::Output, nnplay::Error> {
    wasm::conv2d(x, xs, w, ws, b, stride, pad)
}

#[wasm_bindgen_test]
fn the_course_example_through_the_api() {
    let y = conv(
        &X,
        &[1., 1., 5., 5.],
        &K,
        &[1., 1., 3., 3.],
        &[0.],
        &[1., 1.],
        "valid",
    )
    .unwrap();
    assert_eq!(y.shape(), vec![1, 1, 3, 3]);
    assert_eq!(y.data(), vec![4., 3., 4., 2., 4., 3., 2., 3., 4.]);
    let layer = ConvLayer::new(
        &X,
        &[1., 1., 5., 5.],
        &K,
        &[1., 1., 3., 3.],
        &[0.],
        &[1., 1.],
        "valid",
    )
    .unwrap();
    assert_eq!(layer.output().to_vec(), y.data());
    let t = layer.terms(0., 0., 0., 0.).unwrap();
    let xs: Vec<f32> = t.chunks(5).map(|c| c[3]).collect();
    assert_eq!(xs, vec![1., 1., 1., 0., 1., 1., 0., 0., 1.]);
    let p = wasm::plan_axis(3., 2., 2., "same").unwrap();
    assert_eq!((p.out, p.pad_before, p.pad_after), (2, 0, 1));
}

#[wasm_bindgen_test]
fn every_bad_input_is_a_readable_error() {
    let c = |xs: &[f64], stride: &[f64], pad: &str| {
        message(conv(&X, xs, &K, &[1., 1., 3., 3.], &[0.], stride, pad))
    };
    // zero, negative, fractional, NaN and huge sizes
    assert!(c(&[1., 0., 5., 5.], &[1., 1.], "valid")
        .contains("x_shape[1] must be a whole number from 1 to 65536, got 0"));
    assert!(c(&[1., 1., -5., 5.], &[1., 1.], "valid").contains("got -5"));
    assert!(c(&[1., 1., 2.5, 5.], &[1., 1.], "valid").contains("got 2.5"));
    assert!(c(&[1., 1., f64::NAN, 5.], &[1., 1.], "valid").contains("got NaN"));
    assert!(c(&[1., 1., 1e9, 5.], &[1., 1.], "valid").contains("got 1000000000"));
    assert!(c(&[1., 1., 5.], &[1., 1.], "valid").contains("must have 4 axes"));
    // a product too large for the playground, though each axis is allowed
    let big = message(wasm::avg_pool2d(
        &[],
        &[4096., 4096., 4., 1.],
        &[1., 1.],
        &[1., 1.],
        "valid",
    ));
    assert!(big.contains("at most 16777216"), "{big}");
    // stride 0, or too large
    assert!(c(&[1., 1., 5., 5.], &[0., 1.], "valid")
        .contains("stride[0] must be a whole number from 1 to 16, got 0"));
    assert!(c(&[1., 1., 5., 5.], &[1., 99.], "valid").contains("got 99"));
    assert!(c(&[1., 1., 5., 5.], &[1.], "valid").contains("stride must be [rows, cols]"));
    // padding that does not exist
    assert!(
        c(&[1., 1., 5., 5.], &[1., 1.], "full").contains("padding must be \"same\" or \"valid\"")
    );
    // kernel larger than the (unpadded, VALID) input
    let e = message(conv(
        &X[..4],
        &[1., 1., 2., 2.],
        &K,
        &[1., 1., 3., 3.],
        &[0.],
        &[1., 1.],
        "valid",
    ));
    assert!(e.contains("larger than the input height"), "{e}");
    // buffers of the wrong length
    let e = message(conv(
        &X[..24],
        &[1., 1., 5., 5.],
        &K,
        &[1., 1., 3., 3.],
        &[0.],
        &[1., 1.],
        "valid",
    ));
    assert!(
        e.contains("x has 24 numbers, but its shape [1, 1, 5, 5] needs 25"),
        "{e}"
    );
    let e = message(conv(
        &X,
        &[1., 1., 5., 5.],
        &K,
        &[1., 1., 3., 3.],
        &[0., 1.],
        &[1., 1.],
        "valid",
    ));
    assert!(e.contains("bias has 2 numbers"), "{e}");
    let e = message(conv(
        &X,
        &[1., 1., 5., 5.],
        &K,
        &[1., 2., 3., 3.],
        &[0.],
        &[1., 1.],
        "valid",
    ));
    assert!(e.contains("weight has"), "{e}");
    // NaN and infinity in data
    let mut nan = X;
    nan[7] = f32::NAN;
    assert!(message(conv(
        &nan,
        &[1., 1., 5., 5.],
        &K,
        &[1., 1., 3., 3.],
        &[0.],
        &[1., 1.],
        "valid"
    ))
    .contains("x[7] is NaN"));
    let inf = [f32::INFINITY; 9];
    assert!(message(conv(
        &X,
        &[1., 1., 5., 5.],
        &inf,
        &[1., 1., 3., 3.],
        &[0.],
        &[1., 1.],
        "valid"
    ))
    .contains("weight[0] is Infinity"));
    // pooling, dense, activations, softmax, terms, plan
    assert!(message(wasm::max_pool2d(
        &X,
        &[1., 1., 5., 5.],
        &[6., 6.],
        &[1., 1.],
        "valid"
    ))
    .contains("larger than the input"));
    assert!(message(wasm::stochastic_pool2d(
        &[-1., 0., 0., 1.],
        &[1., 1., 2., 2.],
        &[2., 2.],
        &[2., 2.],
        "valid",
        "inference",
        0.
    ))
    .contains(">= 0"));
    assert!(message(wasm::stochastic_pool2d(
        &X,
        &[1., 1., 5., 5.],
        &[2., 2.],
        &[2., 2.],
        "valid",
        "dream",
        0.
    ))
    .contains("mode must be"));
    assert!(message(wasm::stochastic_pool2d(
        &X,
        &[1., 1., 5., 5.],
        &[2., 2.],
        &[2., 2.],
        "valid",
        "train",
        -1.
    ))
    .contains("seed"));
    assert!(message(wasm::dense(
        &[1., 2.],
        &[1., 2.],
        &[1., 2., 3.],
        &[1., 3.],
        &[0.]
    ))
    .contains("takes 3 inputs"));
    assert!(message(wasm::activate("gelu", &[1.], &[1.])).contains("activation must be one of"));
    assert!(message(wasm::softmax(&[1., f32::NAN], &[2.])).contains("NaN"));
    let layer = ConvLayer::new(
        &X,
        &[1., 1., 5., 5.],
        &K,
        &[1., 1., 3., 3.],
        &[0.],
        &[1., 1.],
        "valid",
    )
    .unwrap();
    assert!(message(layer.terms(0., 0., 3., 0.)).contains("output row must be below 3, got 3"));
    assert!(message(layer.terms(0., 0., -1., 0.)).contains("oy must be a whole number"));
    assert!(message(wasm::plan_axis(2., 3., 1., "valid")).contains("larger than the input"));
}

/// Random, mostly wrong, arguments into every export: each call returns Ok or a JS Error.
/// A panic would abort the module and fail the test.
#[wasm_bindgen_test]
fn random_garbage_never_panics() {
    let mut rng = Rng::new(99);
    let nasty = [
        0.0,
        -1.0,
        0.5,
        1.0,
        2.0,
        3.0,
        5.0,
        17.0,
        1e9,
        f64::NAN,
        f64::INFINITY,
        -0.0,
    ];
    let pick = |rng: &mut Rng| {
        if rng.below(3) == 0 {
            nasty[rng.below(nasty.len())]
        } else {
            (1 + rng.below(5)) as f64
        }
    };
    for _ in 0..3000 {
        let shape: Vec<f64> = (0..rng.below(6)).map(|_| pick(&mut rng)).collect();
        let wshape: Vec<f64> = (0..rng.below(6)).map(|_| pick(&mut rng)).collect();
        let pair: Vec<f64> = (0..rng.below(4)).map(|_| pick(&mut rng)).collect();
        let stride: Vec<f64> = (0..rng.below(4)).map(|_| pick(&mut rng)).collect();
        let data: Vec<f32> = (0..rng.below(80)).map(|_| rng.range(-1.0, 1.0)).collect();
        let wdata: Vec<f32> = (0..rng.below(40)).map(|_| rng.range(-1.0, 1.0)).collect();
        let pad = ["same", "valid", "", "SAME"][rng.below(4)];
        let _ = wasm::conv2d(
            &data,
            &shape,
            &wdata,
            &wshape,
            &data[..data.len().min(3)],
            &stride,
            pad,
        );
        let _ = wasm::max_pool2d(&data, &shape, &pair, &stride, pad);
        let _ = wasm::avg_pool2d(&data, &shape, &pair, &stride, pad);
        let _ =
            wasm::stochastic_pool2d(&data, &shape, &pair, &stride, pad, "train", pick(&mut rng));
        let _ = wasm::dense(&data, &shape, &wdata, &wshape, &wdata);
        let _ = wasm::activate("tanh", &data, &shape);
        let _ = wasm::softmax(&data, &shape);
        let _ = wasm::plan_axis(pick(&mut rng), pick(&mut rng), pick(&mut rng), pad);
        if let Ok(l) = ConvLayer::new(
            &data,
            &shape,
            &wdata,
            &wshape,
            &wdata[..wdata.len().min(2)],
            &stride,
            pad,
        ) {
            let _ = l.terms(
                pick(&mut rng) - 1.0,
                pick(&mut rng) - 1.0,
                pick(&mut rng) - 1.0,
                pick(&mut rng) - 1.0,
            );
        }
    }
}

#[wasm_bindgen_test]
fn lenet_handles_refuse_broken_weights_and_data() {
    use nnplay::wasm::lenet::{Lenet, LenetTrainer};
    assert!(message(Lenet::from_bytes(b"NNPW")).contains("not a safetensors file"));
    assert!(message(LenetTrainer::new(1., 0., 0.01, 1., false))
        .contains("batch must be a whole number from 1 to 1024, got 0"));
    assert!(message(LenetTrainer::new(1., 8., f64::NAN, 1., false)).contains("learning rate"));
    let mut t = LenetTrainer::new(1., 8., 0.01, 1., true).unwrap();
    assert!(message(t.run(1.)).contains("no training data yet"));
    // A well-formed header that promises more images than the file holds.
    let mut images = vec![0u8, 0, 8, 3, 0, 0, 0, 9, 0, 0, 0, 28, 0, 0, 0, 28];
    images.extend(vec![0u8; 784 * 2]);
    let labels = [0u8, 0, 8, 1, 0, 0, 0, 2, 1, 2];
    assert!(message(t.set_train_data(&images, &labels)).contains("truncated"));
    assert!(message(t.set_train_data(&labels, &images)).contains("not an MNIST image file"));
    assert!(message(t.evaluate(10.)).contains("no test data yet"));
    // And with two real-shaped images it trains a step.
    images[7] = 2;
    t.set_train_data(&images, &labels).unwrap();
    assert_eq!(t.run(3.).unwrap(), 1); // one epoch of one batch, then it stops
    assert!(t.loss().is_finite());
    // What the worker hands the drawing view is a safetensors file that loads, f32 exact.
    let bytes = t.weights();
    let net = Lenet::from_bytes(&bytes).unwrap();
    assert_eq!(net.param("fc3.bias").unwrap().len(), 10);
    let mut damaged = bytes.clone();
    let last = damaged.len() - 1;
    damaged[last] ^= 1;
    assert!(message(Lenet::from_bytes(&damaged)).contains("damaged"));
}

#[wasm_bindgen_test]
fn recurrent_api_steps_match_forward_and_refuses_bad_input() {
    use nnplay::wasm::rnn::{RecurrentNet, SimpleNet};
    let (t, i, h) = (6usize, 3usize, 4usize);
    let x: Vec<f32> = (0..t * i).map(|k| (k as f32 * 0.37).sin()).collect();
    for kind in ["rnn", "gru", "lstm", "lstm:fc", "lstm:peephole:linear"] {
        let mut net = RecurrentNet::new(kind, i as f64, h as f64, 2., true, 5.).unwrap();
        net.forward(&x, t as f64, 1., &[], &[]).unwrap();
        let whole = net.y().to_vec();
        net.begin(&x, t as f64).unwrap();
        assert!(
            message(net.step(1., 0.)).contains("needs layer 0"),
            "{kind}"
        );
        for layer in 0..2 {
            for dir in 0..2 {
                for _ in 0..t {
                    net.step(layer as f64, dir as f64).unwrap();
                }
            }
        }
        assert_eq!(
            net.step_output().unwrap().to_vec(),
            whole,
            "{kind}: stepping equals forward"
        );
        assert_eq!(
            net.gates(0., 1.).unwrap().length() as usize,
            t * h
                * [1, 3, 4, 4, 4][["rnn", "gru", "lstm", "lstm:fc", "lstm:peephole:linear"]
                    .iter()
                    .position(|k| *k == kind)
                    .unwrap()]
        );
    }
    let mut net = RecurrentNet::new("lstm", 3., 4., 1., false, 1.).unwrap();
    // mismatched sizes, empty sequence, NaN, unknown or wrong-sized weights, bad kinds
    assert!(message(net.forward(&x[..5], t as f64, 1., &[], &[])).contains("x has 5 numbers"));
    assert!(message(net.forward(&x, 0., 1., &[], &[]))
        .contains("T (time steps) must be a whole number from 1"));
    assert!(message(net.forward(&x, t as f64, 1., &[0.0; 3], &[])).contains("h0 has 3 numbers"));
    let mut nan = x.clone();
    nan[4] = f32::NAN;
    assert!(message(net.forward(&nan, t as f64, 1., &[], &[])).contains("x[4] is NaN"));
    assert!(message(net.set_weight("weight_hh_l3", &[0.0])).contains(
        "has no parameter \"weight_hh_l3\"; it has weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0"
    ));
    assert!(message(net.set_weight("bias_ih_l0", &[0.0; 3]))
        .contains("bias_ih_l0 has 3 numbers, but its shape [16] needs 16"));
    assert!(message(net.step(0., 0.)).contains("call begin(x, T) before stepping"));
    assert!(
        message(RecurrentNet::new("transformer", 3., 4., 1., false, 1.))
            .contains("network kind must be")
    );
    assert!(message(RecurrentNet::new("lstm", 3., 0., 1., false, 1.))
        .contains("hidden size must be a whole number from 1 to 1024, got 0"));
    assert!(message(net.begin(&[], 0.)).contains("T (time steps)"));
    let mut el = SimpleNet::new("jordan", 3., 4., 2., "sigmoid", 1., &x, t as f64).unwrap();
    for _ in 0..t {
        el.step().unwrap();
    }
    assert!(message(el.step()).contains("all 6 steps are done"));
    assert!(message(SimpleNet::new(
        "hopfield", 3., 4., 2., "sigmoid", 1., &x, t as f64
    ))
    .contains("elman"));
    assert!(message(SimpleNet::new(
        "elman",
        3.,
        4.,
        2.,
        "sigmoid",
        1.,
        &x[..4],
        t as f64
    ))
    .contains("x has 4 numbers"));
}

#[wasm_bindgen_test]
fn drawing_pad_frames_what_is_drawn_and_refuses_bad_positions() {
    use nnplay::wasm::pad::DrawingPad;
    let mut pad = DrawingPad::new();
    assert!(!pad.see(true), "a blank pad has nothing to read");
    assert!(message(pad.stroke_to(f64::NAN, 0.5, false)).contains("pen position"));
    pad.stroke_to(0.5, 9.0, false).unwrap(); // far off the pad: nothing drawn, no error
    pad.lift();
    assert!(!pad.see(true));
    // A short stroke in the top-left corner is framed into the middle of the 28×28 frame.
    pad.stroke_to(0.05, 0.05, false).unwrap();
    pad.stroke_to(0.05, 0.25, false).unwrap();
    pad.lift();
    assert!(pad.see(true));
    let seen = pad.seen().to_vec();
    let col = |x: usize| (0..28).map(|y| seen[y * 28 + x]).sum::<f32>();
    assert!(
        col(14) + col(13) > 10.0 && col(2) == 0.0,
        "the stroke is not centred"
    );
    assert!(pad.see(false));
    assert!(
        pad.seen().to_vec()[2 * 28 + 1] > 0.5,
        "unframed, the stroke stays in its corner"
    );
    assert!(message(pad.show_digit(&[2.0; 784])).contains("from 0 (paper) to 1 (ink)"));
    pad.show_digit(&[0.25; 784]).unwrap();
    assert!(pad.see(true) && pad.seen().to_vec().iter().all(|&v| v == 0.25));
}
