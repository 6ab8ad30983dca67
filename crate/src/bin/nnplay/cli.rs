//! What every command shares: `--name value` options, files, and the training progress line.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use nnplay::params::Named;
use nnplay::safetensors::{self, Dtype};
use nnplay::train::{Trainable, Trainer};
use nnplay::{bail, Error, Result};

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

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    pub fn path(&self, name: &str, default: PathBuf) -> PathBuf {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map_or(default, |(_, v)| PathBuf::from(v))
    }

    /// The threads to train with: `--threads`, or every core.
    pub fn threads(&self) -> Result<usize> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(self.get("threads", cores)?.max(1))
    }

    /// Training's dropout probability: `--dropout`, 0 unless given.
    pub fn dropout(&self) -> Result<f32> {
        let p: f32 = self.get("dropout", 0.0)?;
        if !(0.0..0.9).contains(&p) {
            bail!("--dropout must be from 0 up to 0.9, got {p}");
        }
        Ok(p)
    }
}

/// A path under the repository, found from any working folder.
pub fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path)
}

/// This command line as it was typed (for the weights file's metadata).
pub fn command_line() -> String {
    let args: Vec<String> = std::env::args().skip(1).collect();
    format!("nnplay {}", args.join(" "))
}

/// Writes `bytes` to `path`, making its folder if needed.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::new(format!("{}: {e}", dir.display())))?;
    }
    std::fs::write(path, bytes).map_err(|e| Error::new(format!("{}: {e}", path.display())))
}

pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::new(format!("cannot read {}: {e}", path.display())))
}

/// Runs `trainer` epoch by epoch to its schedule's end, printing a progress line every
/// `every` steps and calling `after_epoch` (which reports held-out accuracy) after each.
pub fn train_epochs<M: Trainable>(
    trainer: &mut Trainer<M>,
    data: &impl nnplay::train::Data<M::Batch>,
    every: usize,
    unit: &str,
    mut after_epoch: impl FnMut(&M) -> String,
) {
    let per_epoch = trainer.steps_per_epoch();
    let epochs = trainer.schedule.total.div_ceil(per_epoch);
    let start = Instant::now();
    for epoch in 0..epochs {
        let (mut loss, mut right, mut counted, mut examples) = (0.0f64, 0, 0, 0u64);
        let t0 = Instant::now();
        for s in 0..per_epoch {
            let seen = trainer.seen;
            if trainer.run(data, 1) == 0 {
                break;
            }
            let k = trainer.seen - seen;
            loss += f64::from(trainer.last.loss) * k as f64;
            (right, counted, examples) = (
                right + trainer.last.right,
                counted + trainer.last.counted,
                examples + k,
            );
            if s % every == 0 || s + 1 == per_epoch {
                eprint!(
                    "\repoch {:>2}/{epochs} [{:<30}] {:>5.1}%  loss {:.4}  train acc {:.4}  {:>6.0} {unit}/s ",
                    epoch + 1,
                    "#".repeat((s + 1) * 30 / per_epoch),
                    100.0 * (s + 1) as f64 / per_epoch as f64,
                    loss / examples as f64,
                    right as f64 / counted.max(1) as f64,
                    counted as f64 / t0.elapsed().as_secs_f64()
                );
                let _ = std::io::stderr().flush();
            }
        }
        let report = after_epoch(&trainer.model);
        eprintln!(" {report}  ({:.0} s)", start.elapsed().as_secs_f64());
    }
}

/// `--mantissa-bits K` of the eval commands (1–10, f16 keeps 10): `net`'s values rounded to
/// K mantissa bits ([`safetensors::round_mantissa`]) before it is measured, so the numbers
/// printed, and written by [`write_rounded`], are the rounded model's.
pub fn round_weights(o: &Opts, net: &mut impl Named) -> Result<Option<u32>> {
    let bits: u32 = o.get("mantissa-bits", 0)?;
    if bits == 0 {
        return Ok(None);
    }
    if bits > 10 {
        bail!("--mantissa-bits must be from 1 to 10 (f16 keeps 10), got {bits}");
    }
    for t in net.tensors_mut() {
        t.iter_mut()
            .for_each(|v| *v = safetensors::round_mantissa(*v, bits));
    }
    Ok(Some(bits))
}

/// Writes the rounded `net` (f16) to `--out` with the metadata it was read with, `measured`
/// (the numbers just taken on the rounded values) replacing their old entries, and the
/// rounding and this command recorded beside the training command.
pub fn write_rounded(
    o: &Opts,
    net: &impl Named,
    bits: u32,
    metadata: &[(String, String)],
    measured: &[(&str, String)],
) -> Result<()> {
    let out = o.path("out", PathBuf::new());
    if out.as_os_str().is_empty() {
        bail!("--mantissa-bits writes the rounded model: give --out FILE");
    }
    let mut new = measured.to_vec();
    new.push(("mantissa_bits", bits.to_string()));
    new.push(("rounded_by", command_line()));
    let own: Vec<String> = net.describe().into_iter().map(|(k, _)| k).collect();
    let mut extra: Vec<(String, String)> = metadata
        .iter()
        .filter(|(k, _)| !own.contains(k) && !new.iter().any(|(n, _)| n == k))
        .cloned()
        .collect();
    extra.extend(new.into_iter().map(|(k, v)| (k.to_string(), v)));
    let bytes = safetensors::save(net, Dtype::F16, &extra);
    write_file(&out, &bytes)?;
    println!(
        "wrote {} ({} bytes, f16 with {bits} mantissa bits)",
        out.display(),
        bytes.len()
    );
    Ok(())
}
