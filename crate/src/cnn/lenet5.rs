//! LeNet-5 as the course draws it (and as the golden `lenet5` op fixes it): C1 6@5×5 SAME on
//! 28×28, S2 2×2/2, C3 16@5×5 VALID, S4 2×2/2, F5 400→120, F6 120→84, output 84→10, with
//! ReLU or tanh and max or mean pooling. Convolutions run as register-tiled direct products
//! (`fast::conv2d_s1`; their gradients visit only the pooling winners), and the same code
//! serves inference, training and every layer the page draws.
//!
//! All parameters live in one flat vector laid out by the table [`PARAMS`] (PyTorch's
//! `state_dict` names, order and layout), which is also the layout of the gradient; code
//! reaches a tensor through that table ([`tensors`], [`Named`]), never by a range.

use crate::cnn::activation::Activation;
use crate::kernels::{backward, fast, layout, portable, ConvS1};
use crate::mnist::ImageBatch;
use crate::params::{Named, Table};
use crate::rng::Rng;
use crate::safetensors::File;
use crate::shape::{Padding, Window2d};
use crate::train::{correct, Outcome, Part, Trainable};
use crate::{bail, Result};

/// Parameter tensors: PyTorch names and shapes, in storage order (the module in
/// docs/pytorch/lenet5.py has exactly these).
pub const PARAMS: [(&str, &[usize]); 10] = [
    ("conv1.weight", &[6, 1, 5, 5]),
    ("conv1.bias", &[6]),
    ("conv2.weight", &[16, 6, 5, 5]),
    ("conv2.bias", &[16]),
    ("fc1.weight", &[120, 400]),
    ("fc1.bias", &[120]),
    ("fc2.weight", &[84, 120]),
    ("fc2.bias", &[84]),
    ("fc3.weight", &[10, 84]),
    ("fc3.bias", &[10]),
];

/// 61,706 parameters in all.
pub const N_PARAMS: usize = {
    let mut n = 0;
    let mut i = 0;
    while i < PARAMS.len() {
        let shape = PARAMS[i].1;
        let mut len = 1;
        let mut k = 0;
        while k < shape.len() {
            len *= shape[k];
            k += 1;
        }
        n += len;
        i += 1;
    }
    n
};
pub const IMAGE: usize = 28 * 28;
pub const CLASSES: usize = 10;

/// Sizes of one image's activations, layer by layer (what the page draws).
pub const C1: usize = 6 * 28 * 28;
pub const S2: usize = 6 * 14 * 14;
pub const C3: usize = 16 * 10 * 10;
pub const S4: usize = 16 * 5 * 5;
pub const F5: usize = 120;
pub const F6: usize = 84;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pool {
    Max,
    Avg,
}

impl Pool {
    pub fn parse(s: &str) -> Result<Pool> {
        match s {
            "max" => Ok(Pool::Max),
            "avg" | "mean" => Ok(Pool::Avg),
            _ => bail!("pool must be \"max\" or \"avg\", got {s:?}"),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Pool::Max => "max",
            Pool::Avg => "avg",
        }
    }
}

/// The parameter table of [`PARAMS`].
pub fn table() -> Table {
    let mut t = Table::new();
    for (name, shape) in PARAMS {
        t.push(name, shape);
    }
    t
}

/// A flat parameter (or gradient) vector cut into its ten tensors, in [`PARAMS`] order:
/// conv1 weight and bias, conv2's, fc1's, fc2's, fc3's.
pub fn tensors(mut rest: &[f32]) -> [&[f32]; 10] {
    PARAMS.map(|(_, shape)| {
        let (head, tail) = rest.split_at(shape.iter().product());
        rest = tail;
        head
    })
}

pub fn tensors_mut(v: &mut [f32]) -> [&mut [f32]; 10] {
    let mut rest = v;
    PARAMS.map(|(_, shape)| {
        let (head, tail) = std::mem::take(&mut rest).split_at_mut(shape.iter().product());
        rest = tail;
        head
    })
}

fn geometry() -> [Window2d; 4] {
    let plan = |x, k, s, p| Window2d::plan(x, k, s, p).expect("LeNet-5's fixed shapes are valid");
    [
        plan([1, 1, 28, 28], [5, 5], [1, 1], Padding::Same), // C1
        plan([1, 6, 28, 28], [2, 2], [2, 2], Padding::Valid), // S2
        plan([1, 6, 14, 14], [5, 5], [1, 1], Padding::Valid), // C3
        plan([1, 16, 10, 10], [2, 2], [2, 2], Padding::Valid), // S4
    ]
}

#[derive(Debug, Clone, PartialEq)]
pub struct LeNet5 {
    pub params: Vec<f32>,
    pub act: Activation,
    pub pool: Pool,
}

/// A net's weights laid out for inference one image at a time, where most inputs of every
/// layer are zero or a known background value (82% of an MNIST image's padded pixels, 60%
/// of S4, 74% of F5 with the shipped weights): C1's and C3's taps channels-last for the
/// scatter convolution (`fast::conv2d_s1_sparse`), the dense layers' weights transposed for
/// `fast::dense_sparse`. Made from one net's parameters; it does not follow later changes
/// to them (the trainer's net uses plain [`LeNet5::forward`]).
#[derive(Debug, Clone)]
pub struct Prepared {
    w1: Vec<f32>,
    w3: Vec<f32>,
    /// S2's value wherever the image is blank around a cell: act(C1's bias), per channel.
    /// C3 sees S2 - bg2, zero on the background, with bg2's share folded into its bias:
    /// the products of a constant map with a whole 5×5 kernel are the same at every VALID
    /// output, bg2[c] × the sum of the kernel's taps.
    bg2: [f32; 6],
    b3: [f32; 16],
    fc: [Vec<f32>; 3],
}

/// Lanes of the channels-last sums: C1's 6 channels fill two vectors, C3's 16 four.
const LANES1: usize = 8;
const LANES3: usize = 16;

impl Prepared {
    pub fn new(net: &LeNet5) -> Prepared {
        let [w1, b1, w3, b3, w5, _, w6, _, w7, _] = tensors(&net.params);
        // A blank window gives C1 exactly its bias (no product is added), then the same
        // activation as the forward pass, and pooling a constant returns it unchanged.
        let mut bg2 = [0.0; 6];
        bg2.copy_from_slice(b1);
        activate(net.act, &mut bg2);
        let mut folded = [0.0; 16];
        for (o, b) in folded.iter_mut().enumerate() {
            let kernel = |c: usize| w3[(o * 6 + c) * 25..][..25].iter().sum::<f32>();
            *b = b3[o] + (0..6).map(|c| bg2[c] * kernel(c)).sum::<f32>();
        }
        Prepared {
            w1: layout::channels_last_weights(w1, 6, 1, 25, LANES1),
            w3: layout::channels_last_weights(w3, 16, 6, 25, LANES3),
            bg2,
            b3: folded,
            fc: [
                layout::transpose(w5, 120, 400),
                layout::transpose(w6, 84, 120),
                layout::transpose(w7, 10, 84),
            ],
        }
    }
}

/// Every activation of a batch of `n` images, plus what the backward pass needs.
/// Layouts: c1 [n, 6, 28, 28], s2 [n, 6, 14, 14], c3 [n, 16, 10, 10], s4 [n, 16, 5, 5],
/// f5 [n, 120], f6 [n, 84], logits [n, 10]; all after their activation but logits.
#[derive(Debug, Clone, Default)]
pub struct Activations {
    pub n: usize,
    pub c1: Vec<f32>,
    pub s2: Vec<f32>,
    pub c3: Vec<f32>,
    pub s4: Vec<f32>,
    pub f5: Vec<f32>,
    pub f6: Vec<f32>,
    pub logits: Vec<f32>,
    /// Max pooling winners, flat indices within one image's c1 / c3.
    pub arg2: Vec<u32>,
    pub arg4: Vec<u32>,
    /// The input images [n, 784], kept for the backward pass.
    input: Vec<f32>,
    /// One image zero-padded to 32×32 for C1's SAME padding.
    padded: Vec<f32>,
    /// S2 of one image widened to [6, 14, 16], and C3 computed 12 columns wide.
    padded_s2: Vec<f32>,
    wide_c3: Vec<f32>,
    /// The sparse convolutions' channels-last sums, C1 [28, 28, 8] and C3 [10, 10, 16], and
    /// the indices of a dense layer's non-zero inputs.
    acc1: Vec<f32>,
    acc3: Vec<f32>,
    nz: Vec<u32>,
    /// S2 minus its background value (see [`Prepared`]).
    delta_s2: Vec<f32>,
}

impl Activations {
    pub fn new(n: usize) -> Self {
        let mut a = Activations::default();
        a.resize(n);
        a
    }

    fn resize(&mut self, n: usize) {
        if self.n == n && !self.c1.is_empty() {
            return;
        }
        self.n = n;
        for (v, len) in [
            (&mut self.c1, C1),
            (&mut self.s2, S2),
            (&mut self.c3, C3),
            (&mut self.s4, S4),
            (&mut self.f5, F5),
            (&mut self.f6, F6),
            (&mut self.logits, CLASSES),
            (&mut self.input, IMAGE),
        ] {
            v.resize(n * len, 0.0);
        }
        self.arg2.resize(n * S2, 0);
        self.arg4.resize(n * S4, 0);
        self.padded.resize(32 * 32, 0.0);
        self.padded_s2.resize(6 * 14 * 16, 0.0);
        self.wide_c3.resize(16 * 10 * 12, 0.0);
        self.acc1.resize(28 * 28 * 8, 0.0);
        self.acc3.resize(10 * 10 * 16, 0.0);
        self.nz.resize(400, 0);
        self.delta_s2.resize(S2, 0.0);
    }
}

/// Scratch space for one backward pass (the parameters' gradient is the caller's).
#[derive(Debug, Clone, Default)]
pub struct Grads {
    d_logits: Vec<f32>,
    d_f6: Vec<f32>,
    d_f5: Vec<f32>,
    d_s4: Vec<f32>,
    d_c3: Vec<f32>,
    d_s2: Vec<f32>,
    d_c1: Vec<f32>,
    /// One input image zero-padded to 32×32 (C1's SAME padding).
    padded: Vec<f32>,
}

impl Grads {
    pub fn new(n: usize) -> Self {
        Grads {
            d_logits: vec![0.0; n * CLASSES],
            d_f6: vec![0.0; n * F6],
            d_f5: vec![0.0; n * F5],
            d_s4: vec![0.0; n * S4],
            d_c3: vec![0.0; C3],
            d_s2: vec![0.0; S2],
            d_c1: vec![0.0; C1],
            padded: vec![0.0; 32 * 32],
        }
    }
}

fn activate(act: Activation, v: &mut [f32]) {
    match act {
        // Compare-and-select, not f32::max: max must treat NaN specially and stays a call in wasm.
        Activation::Relu => v
            .iter_mut()
            .for_each(|x| *x = if *x > 0.0 { *x } else { 0.0 }),
        Activation::Tanh => v.iter_mut().for_each(|x| *x = x.tanh()),
        Activation::Sigmoid => v.iter_mut().for_each(|x| *x = 1.0 / (1.0 + (-*x).exp())),
        Activation::Identity => {}
    }
}

/// d (dL/d output) becomes dL/d input, in place: no copy of the gradient per image.
fn activate_backward(act: Activation, d: &mut [f32], y: &[f32]) {
    match act {
        Activation::Relu => backward::relu(d, y),
        Activation::Tanh => backward::tanh(d, y),
        Activation::Sigmoid => backward::sigmoid(d, y),
        Activation::Identity => {}
    }
}

/// y: [n, out] = b + x: [n, inp] * w^T.
fn dense_forward(y: &mut [f32], x: &[f32], w: &[f32], b: &[f32], n: usize, inp: usize, out: usize) {
    for row in y.chunks_exact_mut(out) {
        row.copy_from_slice(b);
    }
    fast::gemm_nt(y, x, w, n, inp, out);
}

impl LeNet5 {
    pub fn new(params: Vec<f32>, act: Activation, pool: Pool) -> Result<Self> {
        if params.len() != N_PARAMS {
            bail!("LeNet-5 has {N_PARAMS} parameters, got {}", params.len());
        }
        if !matches!(act, Activation::Relu | Activation::Tanh) {
            bail!("LeNet-5's activation must be relu or tanh");
        }
        crate::shape::check_finite("LeNet-5 parameters", &params)?;
        Ok(LeNet5 { params, act, pool })
    }

    /// He-uniform weights (fan-in scaled, as for ReLU), zero biases; same seed, same net.
    pub fn init(seed: u64, act: Activation, pool: Pool) -> Self {
        let mut rng = Rng::new(seed);
        let mut params = vec![0.0; N_PARAMS];
        for (i, t) in tensors_mut(&mut params).into_iter().enumerate() {
            let shape = PARAMS[i].1;
            if shape.len() > 1 {
                let fan_in: usize = shape[1..].iter().product();
                let bound = (6.0 / fan_in as f32).sqrt();
                t.iter_mut().for_each(|w| *w = rng.range(-bound, bound));
            }
        }
        LeNet5 { params, act, pool }
    }

    /// A network from a safetensors file with PyTorch's names (ours, or one that
    /// `safetensors.torch.save_file(model.state_dict(), …)` wrote for the module in
    /// docs/pytorch/lenet5.py): its metadata's activation and pooling when it has them,
    /// ReLU and max pooling when it does not.
    pub fn from_file(file: File) -> Result<LeNet5> {
        if let Some(arch) = file.meta("arch").filter(|a| *a != "lenet5") {
            bail!("this file holds a {arch:?} network, not LeNet-5");
        }
        let act = Activation::parse(file.meta("activation").unwrap_or("relu"))?;
        let pool = Pool::parse(file.meta("pooling").unwrap_or("max"))?;
        let mut net = LeNet5::new(vec![0.0; N_PARAMS], act, pool)?;
        net.assign(&file.into_named())?;
        Ok(net)
    }

    /// Runs `n` images x: [n, 1, 28, 28] (values checked by the caller) into `a`.
    pub fn forward(&self, x: &[f32], n: usize, a: &mut Activations) {
        self.run(None, x, n, a);
    }

    /// As [`forward`](Self::forward) with `p = Prepared::new(self)`, but every layer visits
    /// only its inputs that are not zero (C3: not background): about half the work for an
    /// MNIST digit. C1 and S2 are the same bit for bit; C3 and the dense layers sum in
    /// another order, so later layers differ by float rounding.
    pub fn forward_prepared(&self, p: &Prepared, x: &[f32], n: usize, a: &mut Activations) {
        self.run(Some(p), x, n, a);
    }

    fn run(&self, prepared: Option<&Prepared>, x: &[f32], n: usize, a: &mut Activations) {
        a.resize(n);
        a.input.copy_from_slice(&x[..n * IMAGE]);
        let [w1, b1, w3, b3, w5, b5, w6, b6, w7, b7] = tensors(&self.params);
        // C1 is SAME (2 zeros around 28×28), C3 VALID: both stride-1 convolutions. Dense,
        // C3's input gets 2 zero columns on the right so its rows are 12 outputs wide (three
        // whole vectors); the 2 extra columns are dropped when copying into c3.
        let (d1, d3, d3_sparse) = (
            ConvS1::new(1, 32, 32, 6, 5, 5),
            ConvS1::new(6, 14, 16, 16, 5, 5),
            ConvS1::new(6, 14, 14, 16, 5, 5),
        );
        for i in 0..n {
            for (row, src) in a.padded[2 * 32..]
                .chunks_exact_mut(32)
                .zip(x[i * IMAGE..][..IMAGE].chunks_exact(28))
            {
                row[2..30].copy_from_slice(src);
            }
            let c1 = &mut a.c1[i * C1..][..C1];
            match prepared {
                Some(pr) => {
                    fast::conv2d_s1_sparse(c1, &mut a.acc1, &a.padded, &pr.w1, b1, &d1, LANES1)
                }
                None => fast::conv2d_s1(c1, &a.padded, w1, b1, &d1),
            }
            activate(self.act, c1);
            let s2 = &mut a.s2[i * S2..][..S2];
            match self.pool {
                Pool::Max => fast::max_pool2x2(s2, &mut a.arg2[i * S2..][..S2], c1, 6, 14, 14),
                Pool::Avg => portable::avg_pool2x2(s2, c1, 6, 14, 14),
            }
            let c3 = &mut a.c3[i * C3..][..C3];
            match prepared {
                Some(pr) => {
                    for (dst, (src, bg)) in a
                        .delta_s2
                        .chunks_exact_mut(196)
                        .zip(s2.chunks_exact(196).zip(pr.bg2))
                    {
                        dst.iter_mut().zip(src).for_each(|(d, &v)| *d = v - bg);
                    }
                    fast::conv2d_s1_sparse(
                        c3,
                        &mut a.acc3,
                        &a.delta_s2,
                        &pr.w3,
                        &pr.b3,
                        &d3_sparse,
                        LANES3,
                    );
                }
                None => {
                    for (row, src) in a.padded_s2.chunks_exact_mut(16).zip(s2.chunks_exact(14)) {
                        row[..14].copy_from_slice(src);
                    }
                    fast::conv2d_s1(&mut a.wide_c3, &a.padded_s2, w3, b3, &d3);
                    for (dst, src) in c3.chunks_exact_mut(10).zip(a.wide_c3.chunks_exact(12)) {
                        dst.copy_from_slice(&src[..10]);
                    }
                }
            }
            activate(self.act, c3);
            let s4 = &mut a.s4[i * S4..][..S4];
            match self.pool {
                Pool::Max => fast::max_pool2x2(s4, &mut a.arg4[i * S4..][..S4], c3, 16, 5, 5),
                Pool::Avg => portable::avg_pool2x2(s4, c3, 16, 5, 5),
            }
        }
        let dense = [(w5, b5, 400, 120), (w6, b6, 120, 84), (w7, b7, 84, 10)];
        for (layer, &(w, b, inp, out)) in dense.iter().enumerate() {
            let (x, y) = match layer {
                0 => (&a.s4, &mut a.f5),
                1 => (&a.f5, &mut a.f6),
                _ => (&a.f6, &mut a.logits),
            };
            match prepared {
                Some(pr) => {
                    for (yr, xr) in y.chunks_exact_mut(out).zip(x.chunks_exact(inp)) {
                        fast::dense_sparse(yr, xr, &pr.fc[layer], b, &mut a.nz, inp, out);
                    }
                }
                None => dense_forward(y, x, w, b, n, inp, out),
            }
            if layer < 2 {
                activate(self.act, y);
            }
        }
    }

    /// Backward pass of the cross-entropy of `a` (from [`forward`](Self::forward)) against
    /// `labels`, averaged over `total` images (a.n, or a whole batch of which `a` is one
    /// thread's part, so the parts sum to the batch's gradient); *adds* the parameters'
    /// gradient into `dparams` (laid out as the parameters) and returns the loss.
    pub fn backward(
        &self,
        a: &Activations,
        labels: &[u8],
        g: &mut Grads,
        dparams: &mut [f32],
        total: usize,
    ) -> f32 {
        let n = a.n;
        let [_, p2, _, p4] = geometry();
        let [_, _, w3, _, w5, _, w6, _, w7, _] = tensors(&self.params);
        if g.d_logits.len() != n * CLASSES {
            *g = Grads::new(n);
        }
        let loss = backward::softmax_cross_entropy(&mut g.d_logits, &a.logits, labels, CLASSES)
            * n as f32
            / total as f32;
        g.d_logits
            .iter_mut()
            .for_each(|d| *d *= n as f32 / total as f32);
        let [dw1, db1, dw3, db3, dw5, db5, dw6, db6, dw7, db7] = tensors_mut(dparams);
        dense_backward(&mut g.d_f6, dw7, db7, &g.d_logits, &a.f6, w7, n, 84, 10);
        activate_backward(self.act, &mut g.d_f6, &a.f6);
        dense_backward(&mut g.d_f5, dw6, db6, &g.d_f6, &a.f5, w6, n, 120, 84);
        activate_backward(self.act, &mut g.d_f5, &a.f5);
        dense_backward(&mut g.d_s4, dw5, db5, &g.d_f5, &a.s4, w5, n, 400, 120);
        // Stride-1 views of C3 (on S2, VALID) and C1 (on the 32×32 padded image).
        let (d3, d1) = (
            ConvS1::new(6, 14, 14, 16, 5, 5),
            ConvS1::new(1, 32, 32, 6, 5, 5),
        );
        for i in 0..n {
            let ds4 = &g.d_s4[i * S4..][..S4];
            match self.pool {
                Pool::Max => backward::routed_pool2d(&mut g.d_c3, ds4, &a.arg4[i * S4..][..S4]),
                Pool::Avg => backward::avg_pool2d(&mut g.d_c3, ds4, &p4),
            }
            activate_backward(self.act, &mut g.d_c3, &a.c3[i * C3..][..C3]);
            g.d_s2.fill(0.0);
            backward::conv2d_s1_sparse(
                Some(&mut g.d_s2),
                dw3,
                db3,
                &g.d_c3,
                &a.s2[i * S2..][..S2],
                w3,
                &d3,
            );
            match self.pool {
                Pool::Max => backward::routed_pool2d(&mut g.d_c1, &g.d_s2, &a.arg2[i * S2..][..S2]),
                Pool::Avg => backward::avg_pool2d(&mut g.d_c1, &g.d_s2, &p2),
            }
            activate_backward(self.act, &mut g.d_c1, &a.c1[i * C1..][..C1]);
            for (row, src) in g
                .padded
                .chunks_exact_mut(32)
                .skip(2)
                .zip(a.input[i * IMAGE..][..IMAGE].chunks_exact(28))
            {
                row[2..30].copy_from_slice(src);
            }
            backward::conv2d_s1_sparse(None, dw1, db1, &g.d_c1, &g.padded, &[], &d1);
        }
        loss
    }
}

impl Named for LeNet5 {
    fn table(&self) -> Table {
        table()
    }

    fn tensors(&self) -> Vec<&[f32]> {
        tensors(&self.params).to_vec()
    }

    fn tensors_mut(&mut self) -> Vec<&mut [f32]> {
        tensors_mut(&mut self.params).into()
    }

    fn describe(&self) -> Vec<(String, String)> {
        [
            ("arch", "lenet5"),
            ("activation", self.act.name()),
            ("pooling", self.pool.name()),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .to_vec()
    }
}

/// A thread's working memory: the activations of its images and the backward's scratch.
#[derive(Debug, Default)]
pub struct Scratch {
    acts: Activations,
    grads: Grads,
}

impl Trainable for LeNet5 {
    type Batch = ImageBatch;
    type Scratch = Scratch;

    fn scratch(&self) -> Scratch {
        Scratch::default()
    }

    fn loss_and_grads(
        &self,
        batch: &ImageBatch,
        part: &Part,
        s: &mut Scratch,
        grads: Option<&mut [f32]>,
    ) -> Outcome {
        let r = part.range.clone();
        let labels = &batch.labels[r.clone()];
        self.forward(
            &batch.x[r.start * IMAGE..r.end * IMAGE],
            r.len(),
            &mut s.acts,
        );
        let loss = match grads {
            Some(g) => self.backward(&s.acts, labels, &mut s.grads, g, part.total),
            None => {
                let mut d = vec![0.0; r.len() * CLASSES];
                backward::softmax_cross_entropy(&mut d, &s.acts.logits, labels, CLASSES)
                    * r.len() as f32
                    / part.total as f32
            }
        };
        Outcome {
            loss,
            right: correct(&s.acts.logits, labels, CLASSES),
            counted: r.len(),
        }
    }
}

/// The image every layer reads from, drawn as a layer of one map.
pub const INPUT: Layer = Layer::new("input", &[1, 28, 28], None);

/// The layers a student can point at, in order.
pub const LAYERS: [Layer; 7] = [
    Layer::new("c1", &[6, 28, 28], Some([5, 1, 2])),
    Layer::new("s2", &[6, 14, 14], Some([2, 2, 0])),
    Layer::new("c3", &[16, 10, 10], Some([5, 1, 0])),
    Layer::new("s4", &[16, 5, 5], Some([2, 2, 0])),
    Layer::new("f5", &[F5], None),
    Layer::new("f6", &[F6], None),
    Layer::new("logits", &[CLASSES], None),
];

/// One product of a unit's sum: input `index` of the layer below (the image for C1) with
/// value `x`, times weight `w` (1 for a pooled cell).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Term {
    pub index: usize,
    pub x: f32,
    pub w: f32,
}

/// One layer's activations as the page draws them (maps × side × side, or a row of units)
/// and, for a convolution or pooling, its window on the layer below: [size, stride, padding].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layer {
    pub name: &'static str,
    pub shape: &'static [usize],
    pub window: Option<[usize; 3]>,
}

impl Layer {
    const fn new(name: &'static str, shape: &'static [usize], window: Option<[usize; 3]>) -> Layer {
        Layer {
            name,
            shape,
            window,
        }
    }

    pub fn units(&self) -> usize {
        self.shape.iter().product()
    }
}

/// How one unit of image 0 got its value: the products (or pooled cells) that fed it.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    pub terms: Vec<Term>,
    pub bias: f32,
    /// The sum before the activation (for pooling: the pooled value).
    pub pre: f32,
    /// The unit's value as the forward pass stored it.
    pub value: f32,
}

impl LeNet5 {
    /// Explains unit `unit` (flat index within one image's layer) of `layer` ("c1", "s2",
    /// "c3", "s4", "f5", "f6", "logits") for image 0 of the last forward pass `a`.
    pub fn explain(&self, a: &Activations, layer: &str, unit: usize) -> Result<Explanation> {
        let Some(li) = LAYERS.iter().position(|l| l.name == layer) else {
            let names: Vec<&str> = LAYERS.iter().map(|l| l.name).collect();
            bail!("layer must be one of {}, got {layer:?}", names.join(", "));
        };
        if a.n == 0 {
            bail!("run an image through the network first");
        }
        if unit >= LAYERS[li].units() {
            bail!("{layer} has {} units, got unit {unit}", LAYERS[li].units());
        }
        let [w1, b1, w3, b3, w5, b5, w6, b6, w7, b7] = tensors(&self.params);
        let conv = |x: &[f32],
                    w: &[f32],
                    b: &[f32],
                    c: usize,
                    side: usize,
                    pad: usize,
                    out_side: usize| {
            let (o, y, xx) = (
                unit / (out_side * out_side),
                unit / out_side % out_side,
                unit % out_side,
            );
            let mut terms = Vec::with_capacity(c * 25);
            for ic in 0..c {
                for ky in 0..5 {
                    for kx in 0..5 {
                        let (iy, ix) = (
                            (y + ky) as isize - pad as isize,
                            (xx + kx) as isize - pad as isize,
                        );
                        if (0..side as isize).contains(&iy) && (0..side as isize).contains(&ix) {
                            let i = (ic * side + iy as usize) * side + ix as usize;
                            let w = w[((o * c + ic) * 5 + ky) * 5 + kx];
                            terms.push(Term {
                                index: i,
                                x: x[i],
                                w,
                            });
                        }
                    }
                }
            }
            (terms, b[o])
        };
        let dense = |x: &[f32], w: &[f32], b: &[f32], inp: usize| {
            (
                (0..inp)
                    .map(|i| Term {
                        index: i,
                        x: x[i],
                        w: w[unit * inp + i],
                    })
                    .collect::<Vec<_>>(),
                b[unit],
            )
        };
        let pool = |x: &[f32], side: usize| {
            let (c, y, xx) = (
                unit / (side * side / 4),
                unit / (side / 2) % (side / 2),
                unit % (side / 2),
            );
            let terms: Vec<_> = [(0, 0), (0, 1), (1, 0), (1, 1)]
                .iter()
                .map(|&(dy, dx)| {
                    let i = (c * side + 2 * y + dy) * side + 2 * xx + dx;
                    Term {
                        index: i,
                        x: x[i],
                        w: 1.0,
                    }
                })
                .collect();
            terms
        };
        let (terms, bias, value) = match li {
            0 => {
                let (t, b) = conv(&a.input[..IMAGE], w1, b1, 1, 28, 2, 28);
                (t, b, a.c1[unit])
            }
            1 => (pool(&a.c1[..C1], 28), 0.0, a.s2[unit]),
            2 => {
                let (t, b) = conv(&a.s2[..S2], w3, b3, 6, 14, 0, 10);
                (t, b, a.c3[unit])
            }
            3 => (pool(&a.c3[..C3], 10), 0.0, a.s4[unit]),
            4 => {
                let (t, b) = dense(&a.s4[..S4], w5, b5, 400);
                (t, b, a.f5[unit])
            }
            5 => {
                let (t, b) = dense(&a.f5[..F5], w6, b6, 120);
                (t, b, a.f6[unit])
            }
            _ => {
                let (t, b) = dense(&a.f6[..F6], w7, b7, 84);
                (t, b, a.logits[unit])
            }
        };
        let pre = if li == 1 || li == 3 {
            match self.pool {
                Pool::Max => terms.iter().map(|t| t.x).fold(f32::NEG_INFINITY, f32::max),
                Pool::Avg => terms.iter().map(|t| t.x).sum::<f32>() / 4.0,
            }
        } else {
            terms.iter().map(|t| t.x * t.w).sum::<f32>() + bias
        };
        Ok(Explanation {
            terms,
            bias,
            pre,
            value,
        })
    }
}

/// Dense backward for y = x w^T + b, x: [n, inp], w: [out, inp]: dx = dy w (overwritten),
/// dw += dy^T x, db += column sums of dy.
#[allow(clippy::too_many_arguments)]
fn dense_backward(
    dx: &mut [f32],
    dw: &mut [f32],
    db: &mut [f32],
    dy: &[f32],
    x: &[f32],
    w: &[f32],
    n: usize,
    inp: usize,
    out: usize,
) {
    fast::gemm_tn(dw, dy, x, out, n, inp);
    for row in dy.chunks_exact(out) {
        for (b, &d) in db.iter_mut().zip(row) {
            *b += d;
        }
    }
    dx.fill(0.0);
    fast::gemm_nn(dx, dy, w, n, out, inp);
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)] // finite differences nudge one indexed entry at a time
mod tests {
    use super::*;

    /// The page's sparse path gives the plain path's numbers, on blank, digit-like and
    /// noisy images, with both activations and both poolings.
    #[test]
    fn prepared_forward_equals_the_plain_one() {
        let mut rng = Rng::new(8);
        for (act, pool) in [(Activation::Relu, Pool::Max), (Activation::Tanh, Pool::Avg)] {
            let net = LeNet5::init(3, act, pool);
            let prepared = Prepared::new(&net);
            // A blank image, a digit-like one (a band of ink, zeros around), random noise;
            // three at once, so each image also runs after another in the batch.
            let mut x = vec![0.0; 3 * IMAGE];
            for (i, v) in x[IMAGE..2 * IMAGE].iter_mut().enumerate() {
                let (r, c) = (i / 28, i % 28);
                if (6..22).contains(&r) && (9..19).contains(&c) {
                    *v = rng.uniform();
                }
            }
            x[2 * IMAGE..].iter_mut().for_each(|v| *v = rng.uniform());
            let (mut plain, mut fast) = (Activations::new(3), Activations::new(3));
            net.forward(&x, 3, &mut plain);
            net.forward_prepared(&prepared, &x, 3, &mut fast);
            // C1 and S2 are bit for bit the same (same products, same order).
            assert_eq!((&plain.c1, &plain.s2), (&fast.c1, &fast.s2));
            if pool == Pool::Max {
                assert_eq!(plain.arg2, fast.arg2);
            }
            for (name, p, f) in [
                ("c3", &plain.c3, &fast.c3),
                ("s4", &plain.s4, &fast.s4),
                ("f5", &plain.f5, &fast.f5),
                ("f6", &plain.f6, &fast.f6),
                ("logits", &plain.logits, &fast.logits),
            ] {
                for (a, b) in p.iter().zip(f) {
                    assert!(
                        (a - b).abs() <= 1e-5 * (1.0 + a.abs()),
                        "{act:?} {name}: {a} vs {b}"
                    );
                }
            }
        }
    }

    /// A file loads whole or not at all: NaN, a missing or misshapen tensor, a tensor of
    /// another network or another architecture are errors that name what is wrong, and the
    /// net a failed load would have changed is untouched.
    #[test]
    fn files_load_whole_or_not_at_all() {
        use crate::safetensors::{read, save, write, Dtype};
        let net = LeNet5::init(4, Activation::Tanh, Pool::Avg);
        let back = LeNet5::from_file(read(&save(&net, Dtype::BF16, &[])).unwrap()).unwrap();
        assert_eq!((back.act, back.pool), (Activation::Tanh, Pool::Avg));
        let t = table();
        let good: Vec<(String, Vec<usize>, Vec<f32>)> = t
            .params()
            .iter()
            .zip(net.tensors())
            .map(|(p, v)| (p.name.clone(), p.shape.clone(), v.to_vec()))
            .collect();
        let refuse = |list: &[(String, Vec<usize>, Vec<f32>)]| {
            let refs: Vec<(&str, &[usize], &[f32])> = list
                .iter()
                .map(|(n, s, v)| (n.as_str(), &s[..], &v[..]))
                .collect();
            let file = read(&write(&refs, Dtype::F32, &[])).unwrap();
            LeNet5::from_file(file).unwrap_err().message().to_string()
        };
        let at = |name: &str| t.index(name).unwrap();
        let mut nan = good.clone();
        nan[at("fc2.bias")].2[7] = f32::NAN;
        let e = refuse(&nan);
        assert!(e.contains("fc2.bias[7] is NaN"), "{e}");
        let mut kept = net.clone();
        assert!(kept.assign(&nan).is_err());
        assert_eq!(kept, net, "a refused file changed nothing");
        let mut missing = good.clone();
        missing.remove(at("conv2.weight"));
        let e = refuse(&missing);
        assert!(e.contains("no tensor \"conv2.weight\""), "{e}");
        let mut misshapen = good.clone();
        misshapen[at("fc1.weight")].1 = vec![400, 120];
        let e = refuse(&misshapen);
        assert!(e.contains("fc1.weight") && e.contains("[120, 400]"), "{e}");
        let mut renamed = good.clone();
        renamed[at("fc3.bias")].0 = "head.bias".into();
        let e = refuse(&renamed);
        assert!(e.contains("fc3.bias"), "{e}");
        let rnn = crate::rnn::Recurrent::random(
            crate::rnn::Cell::Gru,
            2,
            3,
            1,
            false,
            0.5,
            &mut Rng::new(1),
        );
        let e = LeNet5::from_file(read(&save(&rnn, Dtype::F32, &[])).unwrap()).unwrap_err();
        assert!(e.message().contains("\"gru\" network, not LeNet-5"), "{e}");
    }

    /// Every unit's explanation adds up to the value the forward pass stored.
    #[test]
    fn explanations_add_up_to_the_stored_values() {
        let mut rng = Rng::new(6);
        for (act, pool) in [(Activation::Relu, Pool::Max), (Activation::Tanh, Pool::Avg)] {
            let net = LeNet5::init(2, act, pool);
            let x: Vec<f32> = (0..IMAGE).map(|_| rng.uniform()).collect();
            let mut a = Activations::new(1);
            net.forward(&x, 1, &mut a);
            for (li, size) in [C1, S2, C3, S4, F5, F6, CLASSES].into_iter().enumerate() {
                for _ in 0..20 {
                    let unit = rng.below(size);
                    let e = net.explain(&a, LAYERS[li].name, unit).unwrap();
                    let after = match (li, act) {
                        (1 | 3 | 6, _) => e.pre,
                        (_, Activation::Relu) => e.pre.max(0.0),
                        _ => e.pre.tanh(),
                    };
                    assert!(
                        (after - e.value).abs() < 1e-4,
                        "{} unit {unit}: {after} vs {}",
                        LAYERS[li].name,
                        e.value
                    );
                }
            }
            // A C3 unit reads 150 products (6 maps × 5×5); a C1 corner only its 9 real taps.
            assert_eq!(net.explain(&a, "c3", 0).unwrap().terms.len(), 150);
            assert_eq!(net.explain(&a, "c1", 0).unwrap().terms.len(), 9);
            assert!(net.explain(&a, "c5", 0).is_err() && net.explain(&a, "f6", 84).is_err());
        }
    }

    /// The whole network's gradient against central finite differences of its loss, for a
    /// sample of parameters in every tensor, with both activations and both poolings.
    #[test]
    fn lenet_gradient_matches_finite_differences() {
        let mut rng = Rng::new(21);
        for (act, pool) in [
            (Activation::Tanh, Pool::Avg),
            (Activation::Tanh, Pool::Max),
            (Activation::Relu, Pool::Avg),
        ] {
            let mut net = LeNet5::init(5, act, pool);
            let n = 2;
            let x: Vec<f32> = (0..n * IMAGE).map(|_| rng.uniform()).collect();
            let labels = [3u8, 7];
            let mut a = Activations::new(n);
            let mut g = Grads::new(n);
            net.forward(&x, n, &mut a);
            let mut analytic = vec![0.0; N_PARAMS];
            net.backward(&a, &labels, &mut g, &mut analytic, n);
            let loss_of = |net: &LeNet5| {
                let mut a = Activations::new(n);
                net.forward(&x, n, &mut a);
                let mut d = vec![0.0; n * CLASSES];
                f64::from(backward::softmax_cross_entropy(
                    &mut d, &a.logits, &labels, CLASSES,
                ))
            };
            let base = loss_of(&net);
            let (mut checked, mut kinks) = (0, 0);
            let table = table();
            for t in 0..PARAMS.len() {
                let range = table.range_at(t);
                let (start, len) = (range.start, range.len());
                for _ in 0..6 {
                    let i = start + rng.below(len);
                    let h = 3e-3;
                    let old = net.params[i];
                    net.params[i] = old + h;
                    let up = loss_of(&net);
                    net.params[i] = old - h;
                    let down = loss_of(&net);
                    net.params[i] = old;
                    let num = ((up - down) / (2.0 * f64::from(h))) as f32;
                    let tol = 2e-3 + 2e-2 * num.abs().max(analytic[i].abs());
                    // A max pool or ReLU switching inside [-h, h] is a kink: the one-sided
                    // slopes disagree there and no derivative exists to compare with.
                    let (right, left) = (
                        ((up - base) / f64::from(h)) as f32,
                        ((base - down) / f64::from(h)) as f32,
                    );
                    if (right - left).abs() > tol {
                        kinks += 1;
                        continue;
                    }
                    checked += 1;
                    assert!(
                        (num - analytic[i]).abs() <= tol,
                        "{act:?}/{pool:?} {}[{}]: analytic {} numeric {num}",
                        PARAMS[t].0,
                        i - start,
                        analytic[i]
                    );
                }
            }
            assert!(
                kinks * 4 < checked,
                "{act:?}/{pool:?}: {kinks} kinks, only {checked} checked"
            );
        }
    }
}
