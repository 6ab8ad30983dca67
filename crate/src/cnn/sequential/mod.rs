//! A CNN run from a description instead of fixed code: any `nn.Sequential` of the LeNet
//! family (Conv2d, ReLU / Tanh / Sigmoid, MaxPool2d / AvgPool2d, Flatten, Linear) within
//! the limits of `shape.rs`. [`Spec`] is the description and [`Plan`] its checked shapes
//! (`spec.rs`), `describe.rs` its JSON, `infer.rs` a guess from a bare `state_dict`,
//! `lenet.rs` the shipped LeNet-5 as one such description.
//!
//! The forward pass keeps every layer's output (the page draws them all) and runs on the
//! kernels LeNet-5 is tuned with: stride-1 convolutions as `fast::conv2d_s1` on a padded
//! copy, 2×2 pooling as `fast::max_pool2x2` / `portable::avg_pool2x2`, Linear as
//! `fast::gemm_nt`; other strides and windows fall back to the general `fast::conv2d` and
//! `scalar` pooling.

pub mod describe;
mod explain;
pub mod infer;
pub mod lenet;
pub mod sparse;
pub mod spec;
mod stages;
#[cfg(test)]
mod tests;

pub use spec::{Layer, Plan, Planned, Spec};
pub use stages::Stage;

use std::ops::Range;

use crate::kernels::{fast, portable, scalar, ConvS1};
use crate::params::{Named, Table};
use crate::rng::Rng;
use crate::safetensors::File;
use crate::shape::{check_buffer, Window2d, MAX_BATCH, MAX_ELEMENTS};
use crate::{bail, Result};

/// A described network and its parameters, one flat vector laid out by its [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub struct Sequential {
    plan: Plan,
    table: Table,
    params: Vec<f32>,
    /// Per layer, the ranges of its weight and bias in `params` (Conv2d and Linear).
    ranges: Vec<Option<(Range<usize>, Range<usize>)>>,
}

/// Every layer's output for a batch, and the forward pass's scratch.
#[derive(Debug, Clone, Default)]
pub struct Outputs {
    pub n: usize,
    /// The images the pass read, [n, C, H, W] (what layer 0's units are explained by).
    pub input: Vec<f32>,
    /// `y[i]`: layer i's output, [n, …its shape] (after the layer, so after its activation
    /// only where the activation is a layer of its own, as in `nn.Sequential`).
    pub y: Vec<Vec<f32>>,
    scratch: Scratch,
}

/// The forward passes' working memory.
#[derive(Debug, Clone, Default)]
struct Scratch {
    /// One image zero-padded for a stride-1 convolution, its output widened to whole
    /// vectors, and max pooling's winners (not kept: `explain` finds them again).
    padded: Vec<f32>,
    wide: Vec<f32>,
    arg: Vec<u32>,
    /// The sparse pass's channels-last sums, non-zero indices and input minus background
    /// (see `sparse.rs`).
    acc: Vec<f32>,
    nz: Vec<u32>,
    delta: Vec<f32>,
}

impl Sequential {
    /// A network of `spec` with `params` in its table's order (all finite).
    pub fn new(spec: &Spec, params: Vec<f32>) -> Result<Sequential> {
        let plan = spec.plan()?;
        let table = plan.table();
        if params.len() != table.numel() {
            bail!(
                "this network has {} parameters, got {}",
                table.numel(),
                params.len()
            );
        }
        crate::shape::check_finite("the parameters", &params)?;
        let ranges = (0..plan.layers.len())
            .map(|i| {
                let w = table.range(&format!("{i}.weight")).ok()?;
                Some((w, table.range(&format!("{i}.bias")).ok()?))
            })
            .collect();
        Ok(Sequential {
            plan,
            table,
            params,
            ranges,
        })
    }

    /// Weights and biases uniform in ±1/√fan_in, what PyTorch's default initialisation of
    /// Conv2d and Linear comes to; same seed, same network.
    pub fn init(spec: &Spec, seed: u64) -> Result<Sequential> {
        let plan = spec.plan()?;
        let table = plan.table();
        let mut rng = Rng::new(seed);
        let mut params = vec![0.0; table.numel()];
        for (i, t) in table.split_mut(&mut params).into_iter().enumerate() {
            // Weights are followed by their bias; both take the weight's fan-in.
            let weight = &table.params()[i - i % 2].shape;
            let bound = 1.0 / (weight[1..].iter().product::<usize>() as f32).sqrt();
            t.iter_mut().for_each(|v| *v = rng.range(-bound, bound));
        }
        Sequential::new(spec, params)
    }

    /// A network from a safetensors file: one whose metadata describes it (see
    /// [`describe`]), or a LeNet-5 file (`arch` "lenet5" or no metadata and LeNet-5's
    /// names), whose tensors take their places in [`lenet::spec`].
    pub fn from_file(file: File) -> Result<Sequential> {
        if is_lenet5(&file) {
            let net = crate::cnn::lenet5::LeNet5::from_file(file)?;
            return lenet::from_lenet5(&net);
        }
        let spec = Spec::from_file(&file)?;
        Sequential::load(&spec, file)
    }

    /// Whether [`Sequential::from_file`] can build `file`'s network without being told it:
    /// the file describes it, or is LeNet-5's. Otherwise [`infer::infer_file`] guesses.
    pub fn described_by(file: &File) -> bool {
        is_lenet5(file) || file.meta("input").is_some() || file.meta("layers").is_some()
    }

    /// The network `spec` describes with the tensors of `file`: for a file whose metadata
    /// does not describe it, once [`infer::infer_file`]'s questions are answered.
    pub fn load(spec: &Spec, file: File) -> Result<Sequential> {
        let table = spec.plan()?.table();
        // Shapes first: a header that lies about sizes is refused before anything is made.
        for p in table.params() {
            file.require(&p.name, &p.shape)?;
        }
        let mut net = Sequential::new(spec, vec![0.0; table.numel()])?;
        net.assign(&file.into_named())?;
        Ok(net)
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    pub fn spec(&self) -> &Spec {
        &self.plan.spec
    }

    /// Runs `n` images x: [n, C, H, W] through every layer into `out`.
    pub fn forward(&self, x: &[f32], n: usize, out: &mut Outputs) -> Result<()> {
        self.check_input(x, n)?;
        self.run(x, n, out);
        Ok(())
    }

    /// x holds `n` finite images of the network's input shape, and the batch's largest
    /// layer fits in memory.
    fn check_input(&self, x: &[f32], n: usize) -> Result<()> {
        if !(1..=MAX_BATCH).contains(&n) {
            bail!("a batch must have 1 to {MAX_BATCH} images, got {n}");
        }
        let [c, h, w] = self.plan.spec.input;
        check_buffer("the input", x, &[n, c, h, w])?;
        let widest = self.plan.layers.iter().map(|l| numel(&l.output)).max();
        if n.saturating_mul(widest.unwrap_or(0)) > MAX_ELEMENTS {
            bail!(
                "a batch of {n} images would need more than {MAX_ELEMENTS} numbers in one layer; \
                 run at most {} at a time",
                MAX_ELEMENTS / widest.unwrap_or(1)
            );
        }
        Ok(())
    }

    /// The forward pass on checked inputs.
    fn run(&self, x: &[f32], n: usize, out: &mut Outputs) {
        out.prepare(x, n, &self.plan);
        for i in 0..self.plan.layers.len() {
            let (done, rest) = out.y.split_at_mut(i);
            let src = if i == 0 { x } else { &done[i - 1][..] };
            self.layer(i, &mut rest[0], src, n, &mut out.scratch);
        }
    }

    /// Layer `i` on `n` images: y = layer(x), both [n, …].
    fn layer(&self, i: usize, y: &mut [f32], x: &[f32], n: usize, s: &mut Scratch) {
        let p = &self.plan.layers[i];
        match p.layer {
            Layer::Conv2d { out_channels, .. } => {
                let (wt, b) = self.weights(i);
                let g = p.window.expect("a planned convolution has a window");
                conv(
                    y,
                    x,
                    wt,
                    b,
                    &g,
                    out_channels,
                    n,
                    (&mut s.padded, &mut s.wide),
                );
            }
            Layer::Linear { out_features } => {
                let (wt, b) = self.weights(i);
                // y: [n, out] = b + x: [n, in] · wt^T, wt: [out, in].
                for row in y.chunks_exact_mut(out_features) {
                    row.copy_from_slice(b);
                }
                fast::gemm_nt(y, x, wt, n, p.input[0], out_features);
            }
            Layer::MaxPool2d { .. } | Layer::AvgPool2d { .. } => {
                let g = p.window.expect("a planned pooling has a window");
                let max = matches!(p.layer, Layer::MaxPool2d { .. });
                pool(y, x, &g, n, max, &mut s.arg);
            }
            Layer::Act(f) => f.apply(y, x),
            Layer::Flatten => y.copy_from_slice(x),
        }
    }

    /// The weight and bias of the Conv2d or Linear at index `layer` (empty for others).
    fn weights(&self, layer: usize) -> (&[f32], &[f32]) {
        match &self.ranges[layer] {
            Some((w, b)) => (&self.params[w.clone()], &self.params[b.clone()]),
            None => (&[], &[]),
        }
    }
}

/// A LeNet-5 file: `arch` "lenet5", or no `arch` and LeNet-5's names.
fn is_lenet5(file: &File) -> bool {
    let names = file.tensors.iter().any(|t| t.name == "conv1.weight");
    file.meta("arch") == Some("lenet5") || (file.meta("arch").is_none() && names)
}

impl Outputs {
    /// Sized for `n` images of `plan`, with `x` kept as the input.
    fn prepare(&mut self, x: &[f32], n: usize, plan: &Plan) {
        self.n = n;
        self.input.clear();
        self.input.extend_from_slice(x);
        self.y.resize(plan.layers.len(), Vec::new());
        for (y, p) in self.y.iter_mut().zip(&plan.layers) {
            y.resize(n * numel(&p.output), 0.0);
        }
    }
}

fn numel(shape: &[usize]) -> usize {
    shape.iter().product()
}

/// y: [n, o, oh, ow] = conv(x: [n, c, h, w], wt: [o, c, kh, kw]) + b: [o], with `g` the
/// window over one image. Stride 1 runs LeNet-5's register-tiled `conv2d_s1` on a padded
/// copy of each image whose width gives whole vectors of outputs (SIMD128's kernel needs
/// a multiple of 4); the extra columns are dropped. Other strides use `fast::conv2d`.
#[allow(clippy::too_many_arguments)]
fn conv(
    y: &mut [f32],
    x: &[f32],
    wt: &[f32],
    b: &[f32],
    g: &Window2d,
    o: usize,
    n: usize,
    (padded, wide): (&mut Vec<f32>, &mut Vec<f32>),
) {
    if g.sh != 1 || g.sw != 1 {
        fast::conv2d(y, x, wt, b, &Window2d { n, ..*g }, o);
        return;
    }
    let ow = g.ow.next_multiple_of(4);
    let d = ConvS1::new(g.c, g.oh + g.kh - 1, ow + g.kw - 1, o, g.kh, g.kw);
    let (plane, out_plane) = (g.h * g.w, g.oh * g.ow);
    // Without padding or widening the image itself is the padded input.
    let direct = d.hp == g.h && d.wp == g.w;
    if !direct {
        // Zeros once: every image writes the same interior cells.
        padded.clear();
        padded.resize(g.c * d.hp * d.wp, 0.0);
    }
    wide.resize(if ow == g.ow { 0 } else { o * g.oh * ow }, 0.0);
    for (xi, yi) in x
        .chunks_exact(g.c * plane)
        .zip(y.chunks_exact_mut(o * out_plane))
    {
        let xp = if direct {
            xi
        } else {
            for (c, src) in xi.chunks_exact(plane).enumerate() {
                for (iy, row) in src.chunks_exact(g.w).enumerate() {
                    let at = (c * d.hp + g.pad_top + iy) * d.wp + g.pad_left;
                    padded[at..at + g.w].copy_from_slice(row);
                }
            }
            &padded[..]
        };
        if ow == g.ow {
            fast::conv2d_s1(yi, xp, wt, b, &d);
        } else {
            fast::conv2d_s1(wide, xp, wt, b, &d);
            for (dst, src) in yi.chunks_exact_mut(g.ow).zip(wide.chunks_exact(ow)) {
                dst.copy_from_slice(&src[..g.ow]);
            }
        }
    }
}

/// y: [n, c, oh, ow] = max or mean over each window of x: [n, c, h, w] (no padding). A
/// 2×2 window with stride 2 that tiles the map exactly takes LeNet-5's kernels; `arg` is
/// scratch for max pooling's winners.
fn pool(y: &mut [f32], x: &[f32], g: &Window2d, n: usize, max: bool, arg: &mut Vec<u32>) {
    let tiles = [g.kh, g.kw, g.sh, g.sw] == [2, 2, 2, 2] && g.h == 2 * g.oh && g.w == 2 * g.ow;
    if max {
        arg.resize(y.len(), 0);
    }
    match (max, tiles) {
        (true, true) => fast::max_pool2x2(y, arg, x, n * g.c, g.oh, g.ow),
        (false, true) => portable::avg_pool2x2(y, x, n * g.c, g.oh, g.ow),
        (true, false) => scalar::max_pool2d(y, arg, x, &Window2d { n, ..*g }),
        (false, false) => scalar::avg_pool2d(y, x, &Window2d { n, ..*g }),
    }
}

impl Named for Sequential {
    fn table(&self) -> Table {
        self.table.clone()
    }

    fn tensors(&self) -> Vec<&[f32]> {
        self.table.split(&self.params)
    }

    fn tensors_mut(&mut self) -> Vec<&mut [f32]> {
        self.table.split_mut(&mut self.params)
    }

    fn describe(&self) -> Vec<(String, String)> {
        self.plan.spec.metadata()
    }
}
