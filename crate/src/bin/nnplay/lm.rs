//! The character language models' commands:
//! - `nnplay train-lm`: trains one on a corpus (`lm::corpus`) and writes it (f16) with its
//!   held-out bits per character and the count baseline's beside it;
//! - `nnplay eval-lm`: a file's held-out bits per character, the Kneser–Ney trigram's on the
//!   same characters, and the next characters it expects after the course's examples;
//! - `nnplay lm-logits`: a model's logits and final states for a text, and its greedy
//!   continuation, written as a safetensors file, for the PyTorch check
//!   (tests/python/check_interchange.py runs docs/pytorch/char_lm.py on the same model).

use std::path::PathBuf;
use std::time::Instant;

use nnplay::lm::corpus::{self, Kind};
use nnplay::lm::kneser_ney::{Discounts, KneserNey};
use nnplay::lm::{
    self, sample, CharLm, Sampling, Stepper, Windows, HELD_OUT_PIECES, HELD_OUT_WINDOW,
};
use nnplay::params::{Named, COURSE};
use nnplay::rng::Rng;
use nnplay::safetensors::{self, Dtype};
use nnplay::shape::{MAX_EPOCHS, MAX_TRAIN_BATCH, MAX_WINDOW};
use nnplay::train::{prune, Method, Optimizer, Ramp, Schedule, Trainer};
use nnplay::{bail, Error, Result};

use super::cli::{
    command_line, read_file, repo, round_weights, train_epochs, write_file, write_rounded, Opts,
};

/// The model of `--weights`, or a fresh one of the given sizes over `--vocab`'s characters.
fn model(o: &Opts) -> Result<CharLm> {
    let weights = o.path("weights", PathBuf::new());
    if !weights.as_os_str().is_empty() {
        return safetensors::read(&read_file(&weights)?)
            .and_then(CharLm::from_file)
            .map_err(|e| Error::new(format!("{}: {e}", weights.display())));
    }
    let vocab: String = o.get("vocab", String::new())?;
    if vocab.is_empty() {
        bail!("give --weights FILE, or --vocab CHARACTERS for a freshly initialised model");
    }
    // Distinct characters in the order given.
    let mut chars: Vec<char> = Vec::new();
    for c in vocab.chars() {
        if !chars.contains(&c) {
            chars.push(c);
        }
    }
    let mut lm = CharLm::new(
        &chars,
        lm::cell_from_name(&o.get("cell", "lstm".to_string())?)?,
        o.get("emb", 8)?,
        o.get("hidden", 16)?,
        o.get("layers", 2)?,
        o.get("seed", 1)?,
    )?;
    if o.get("tie", false)? {
        lm.tie().map_err(|e| Error::new(format!("--tie: {e}")))?;
    }
    Ok(lm)
}

/// Writes `tokens` [T, 1] (ids as floats), `logits` and `log_probs` [T, 1, V], `h_n` (and
/// `c_n`) [L, 1, H] for `--text` from zero states, and under metadata "generated" the
/// `--generate` characters that greedy decoding (top-k 1) writes after the text.
pub fn logits(args: &[String]) -> Result<()> {
    let o = Opts::parse(
        args,
        &[
            "weights",
            "vocab",
            "cell",
            "emb",
            "hidden",
            "layers",
            "seed",
            "tie",
            "text",
            "generate",
            "model-out",
            "out",
        ],
    )?;
    let lm = model(&o)?;
    let text: String = o.get("text", String::new())?;
    let ids = lm.encode(&text);
    if ids.is_empty() {
        bail!("--text needs at least one character");
    }
    let t = ids.len();
    let f = lm.forward(&ids, t, 1, &lm.zero_state(1))?;
    let greedy = Sampling::new(1.0, Some(1), lm.vocab_size())?;
    let generated = sample::generate(
        &mut Stepper::new(lm.clone())?,
        &text,
        o.get("generate", 0)?,
        &greedy,
        0,
    )?;
    let (v, l, h) = (lm.vocab_size(), lm.layers(), lm.hidden());
    let tokens: Vec<f32> = ids.iter().map(|&i| i as f32).collect();
    let (seq, states) = ([t, 1, v], [l, 1, h]);
    let mut tensors: Vec<(&str, &[usize], &[f32])> = vec![
        ("tokens", &seq[..2], &tokens),
        ("logits", &seq, &f.logits),
        ("log_probs", &seq, &f.log_probs),
        ("h_n", &states, &f.rnn.h_n),
    ];
    if !f.rnn.c_n.is_empty() {
        tensors.push(("c_n", &states, &f.rnn.c_n));
    }
    let meta = [("generated".to_string(), generated.clone())];
    let out = o.path("out", PathBuf::from("lm-logits.safetensors"));
    write_file(&out, &safetensors::write(&tensors, Dtype::F32, &meta))?;
    let model_out = o.path("model-out", PathBuf::new());
    if !model_out.as_os_str().is_empty() {
        let extra = [
            ("course".to_string(), COURSE.to_string()),
            ("command".to_string(), command_line()),
        ];
        write_file(&model_out, &safetensors::save(&lm, Dtype::F32, &extra))?;
        println!("wrote the model to {}", model_out.display());
    }
    println!(
        "wrote {} ({t} characters, vocabulary of {v}); greedy continuation: {generated:?}",
        out.display()
    );
    Ok(())
}

/// Characters of the held-out text scored after each training epoch (the whole split is
/// scored at the end).
const EPOCH_EVAL_CHARS: usize = 48_000;

/// The course's two examples (slides: 例子1, 例子2), each read from the start of a line,
/// and the character the slide expects next.
const EXAMPLES: [(&str, &str, char); 2] = [
    ("例子1", "有一朵云飘在", '天'),
    ("例子2", "我从小生长在美国。。。我可以说一口流利的", '英'),
];

/// A quatrain's opening for the poem model (王之涣《登鹳雀楼》: 黄河入海流).
const POEM_EXAMPLE: (&str, &str, char) = ("诗", "白日依山尽，黄河入海", '流');

/// A corpus's split encoded over `lm`'s vocabulary.
struct Encoded {
    train: Vec<u32>,
    held: Vec<u32>,
    split: corpus::Split,
}

fn encode(lm: &CharLm, split: corpus::Split) -> Encoded {
    Encoded {
        train: lm.encode(&split.train),
        held: lm.encode(&split.held),
        split,
    }
}

fn bpc((bits, n): (f64, usize)) -> f64 {
    bits / n.max(1) as f64
}

/// "天 0.213  空 0.101 …": the five most probable of `probs` (by id) as characters.
fn top5(vocab: &[char], probs: &[f64]) -> String {
    let mut ids: Vec<usize> = (0..probs.len()).collect();
    ids.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]).then(a.cmp(&b)));
    ids.iter()
        .take(5)
        .map(|&i| {
            let c = match vocab[i] {
                '\n' => "⏎".to_string(),
                lm::UNKNOWN => "〈unknown〉".to_string(),
                c => c.to_string(),
            };
            format!("{c} {:.3}", probs[i])
        })
        .collect::<Vec<_>>()
        .join("  ")
}

/// Rank (from 1) and probability of id `want` in `probs`.
fn rank(probs: &[f64], want: usize) -> (usize, f64) {
    let p = probs[want];
    (1 + probs.iter().filter(|&&q| q > p).count(), p)
}

/// Prints, for each example, the network's and the baseline's five most probable next
/// characters and where the slide's answer stands.
fn print_examples(lm: &CharLm, kn: &KneserNey, kind: Kind) -> Result<()> {
    let mut examples = EXAMPLES.to_vec();
    if kind == Kind::Poems {
        examples.push(POEM_EXAMPLE);
    }
    for (name, text, want) in examples {
        let text = corpus::normalize_line(text);
        let mut stepper = Stepper::new(lm.clone())?;
        let mut ids = vec![stepper.feed_char('\n')];
        ids.extend(text.chars().map(|c| stepper.feed_char(c)));
        let net: Vec<f64> = stepper.probs().iter().map(|&p| f64::from(p)).collect();
        let count = kn.distribution(&ids);
        let unknown = text.chars().filter(|&c| lm.id(c) == 0).count();
        let want_id = lm.id(want) as usize;
        println!(
            "{name} {text}（…）{}",
            if unknown > 0 {
                format!(" [{unknown} of its characters are unknown to the model]")
            } else {
                String::new()
            }
        );
        for (who, probs) in [("network", &net), ("baseline", &count)] {
            let (r, p) = rank(probs, want_id);
            println!(
                "  {who:<8} {}   | {want}: {p:.4}, rank {r}",
                top5(lm.vocab().chars(), probs)
            );
        }
    }
    Ok(())
}

fn parse_corpus_option(o: &Opts) -> Result<Kind> {
    Kind::parse(&o.get("corpus", "modern".to_string())?)
}

pub fn train(args: &[String]) -> Result<()> {
    let o = Opts::parse(
        args,
        &[
            "corpus",
            "data",
            "cell",
            "emb",
            "hidden",
            "layers",
            "window",
            "batch",
            "epochs",
            "lr",
            "seed",
            "threads",
            "out",
            "min-count",
            "vocab",
            "train-chars",
            "init",
            "dropout",
            "prune",
            "tie",
        ],
    )?;
    let kind = parse_corpus_option(&o)?;
    let cell = lm::cell_from_name(&o.get("cell", "lstm".to_string())?)?;
    let (emb, hidden, layers): (usize, usize, usize) =
        (o.get("emb", 32)?, o.get("hidden", 80)?, o.get("layers", 1)?);
    let (window, batch, epochs): (usize, usize, usize) = (
        o.get("window", 64)?,
        o.get("batch", 32)?,
        o.get("epochs", 1)?,
    );
    let lr: f32 = o.get("lr", 3e-3)?;
    let dropout = o.dropout()?;
    // `--prune F` zeroes the fraction F of each weight tensor smallest in magnitude, rising
    // to F over the first half of the run and kept there (train::prune::Ramp), for a model
    // that must fit a download.
    let prune: f32 = o.get("prune", 0.0)?;
    // `--tie true`: the output layer's weight is the embedding (needs --emb = --hidden).
    let tie: bool = o.get("tie", false)?;
    let seed: u64 = o.get("seed", 1)?;
    let threads = o.threads()?;
    let (min_count, max_vocab): (usize, usize) = (o.get("min-count", 5)?, o.get("vocab", 2400)?);
    let train_chars: usize = o.get("train-chars", 0)?;
    if !(1..=MAX_EPOCHS).contains(&epochs) {
        bail!("--epochs must be from 1 to {MAX_EPOCHS}, got {epochs}");
    }
    if !(1..=MAX_WINDOW).contains(&window) {
        bail!("--window must be from 1 to {MAX_WINDOW} characters, got {window}");
    }
    if !(1..=MAX_TRAIN_BATCH).contains(&batch) || batch < threads {
        bail!("--batch (the number of streams read side by side) must be from --threads ({threads}) to {MAX_TRAIN_BATCH}, got {batch}");
    }
    if !lr.is_finite() || lr <= 0.0 {
        bail!("--lr must be a number above 0, got {lr}");
    }
    // Checked here, before the corpus is read.
    prune::check_fraction(prune).map_err(|e| Error::new(format!("--prune: {e}")))?;
    let out = o.path(
        "out",
        repo(&format!(
            "weights/lm-{}-{}.safetensors",
            kind.name(),
            lm::cell_name(cell).unwrap_or("lstm")
        )),
    );
    let split = corpus::load(kind, &o.path("data", repo("data")))?;
    // `--init FILE` goes on from a model (its cell, sizes and vocabulary) with a schedule of
    // its own: a warm restart, so a run can be lengthened after it ended.
    let init = o.path("init", PathBuf::new());
    let mut before = Vec::new();
    let mut model = if init.as_os_str().is_empty() {
        let chars = corpus::vocabulary(&split.train, min_count, max_vocab)?;
        let mut model = CharLm::new(&chars, cell, emb, hidden, layers, seed)?;
        if tie {
            model.tie().map_err(|e| Error::new(format!("--tie: {e}")))?;
        }
        model
    } else {
        let file = safetensors::read(&read_file(&init)?)
            .map_err(|e| Error::new(format!("{}: {e}", init.display())))?;
        // What made the model it goes on from, kept in the new file's metadata.
        for key in ["command", "training"] {
            if let Some(v) = file.meta(key) {
                before.push((format!("init_{key}"), v.to_string()));
            }
        }
        let model =
            CharLm::from_file(file).map_err(|e| Error::new(format!("{}: {e}", init.display())))?;
        if tie && !model.tied {
            bail!("--tie: the model --init goes on from has an output layer of its own; a tie is made when a model is new");
        }
        model
    };
    model.dropout = dropout;
    let (emb, hidden, layers) = (model.emb_dim, model.hidden(), model.layers());
    let mut data = encode(&model, split);
    if train_chars > 0 {
        data.train.truncate(train_chars);
    }
    let unknown = |ids: &[u32]| ids.iter().filter(|&&i| i == 0).count() as f64 / ids.len() as f64;
    let windows = Windows::streams(&data.train, model.vocab_size(), window, batch)?;
    eprintln!(
        "training {} character model on the {} corpus: {} training characters ({} lines, {:.2}% unknown) as {batch} streams in windows of {window}, {} held-out characters ({} lines, {:.2}% unknown; {} repeated lines dropped); vocabulary {} (seen ≥ {min_count} times, at most {max_vocab}, + unknown), embedding {emb}, hidden {hidden}, {layers} layer(s){}, {} parameters; {epochs} epochs, Adam lr {lr} (cosine), dropout {dropout}, pruned {:.0}% of each weight tensor, seed {seed}, {threads} threads",
        cell_label(&model),
        kind.name(),
        data.train.len(),
        data.split.train_lines,
        100.0 * unknown(&data.train),
        data.held.len(),
        data.split.held_lines,
        100.0 * unknown(&data.held),
        data.split.repeats,
        model.vocab_size(),
        if model.tied { ", output tied to the embedding" } else { "" },
        model.table().numel(),
        100.0 * prune,
    );
    let numel = model.table().numel();
    let steps = epochs * nnplay::train::Data::len(&windows).div_ceil(batch);
    let schedule = Schedule {
        warmup: (steps / 50).min(200),
        ..Schedule::cosine(lr, steps)
    };
    let opt = Optimizer::new(Method::ADAM, 0.0, numel);
    let mut t = Trainer::new(
        model,
        opt,
        schedule,
        nnplay::train::Data::len(&windows),
        batch,
        threads,
        Rng::new(seed),
    );
    // The windows are read in order, each stream's state carried into its next window.
    t.shuffle = false;
    if prune > 0.0 {
        t.prune_gradually(Ramp {
            fraction: prune,
            start: 0,
            end: steps / 2,
            every: (steps / 200).max(1),
        })?;
    }
    let start = Instant::now();
    let probe = &data.held[..data.held.len().min(EPOCH_EVAL_CHARS)];
    // Each epoch's model is kept beside the output, so a run stopped early still leaves one.
    let checkpoint = out.with_extension("epoch.safetensors");
    train_epochs(&mut t, &windows, 20, "chars", |m| {
        let saved = write_file(&checkpoint, &safetensors::save(m, Dtype::F16, &[]))
            .map_or_else(|e| format!("; {e}"), |()| String::new());
        match m.held_out_bits(probe, HELD_OUT_PIECES, HELD_OUT_WINDOW, threads) {
            Ok(b) => format!(
                "held-out {:.4} bits/char (first {} chars){saved}",
                bpc(b),
                probe.len()
            ),
            Err(e) => format!("held-out evaluation failed: {e}{saved}"),
        }
    });
    let seconds = start.elapsed().as_secs_f64();
    // What is shipped is f16: measure that.
    let rounded = safetensors::save(&t.model, Dtype::F16, &[]);
    let shipped = CharLm::from_file(safetensors::read(&rounded)?)?;
    let net = bpc(shipped.held_out_bits(&data.held, HELD_OUT_PIECES, HELD_OUT_WINDOW, threads)?);
    let full_train = shipped.encode(&data.split.train);
    let kn = KneserNey::new(&full_train, shipped.vocab_size(), Discounts::Modified)?;
    let base = bpc(kn.held_out_bits(&data.held, HELD_OUT_PIECES)?);
    let meta = [
        ("course", COURSE.to_string()),
        ("corpus", kind.name().to_string()),
        ("dataset", kind.describe().to_string()),
        ("split", corpus::SPLIT.to_string()),
        (
            "vocab_rule",
            format!("training characters seen at least {min_count} times, at most {max_vocab}, most frequent first"),
        ),
        ("seed", seed.to_string()),
        ("command", command_line()),
        ("training", format!("{epochs} epochs of {} characters as {batch} streams, windows of {window}, state carried; Adam lr {lr}, cosine; dropout {dropout}; pruned {:.0}% of each weight tensor by magnitude, gradually over the first half; {threads} threads, {seconds:.0} s", data.train.len(), 100.0 * prune)),
        ("held_out_bpc", format!("{net:.4}")),
        ("baseline_bpc", format!("{base:.4}")),
        ("baseline", "interpolated Kneser-Ney character trigram, modified discounts, same training split and vocabulary".to_string()),
    ]
    .map(|(k, v)| (k.to_string(), v));
    let meta: Vec<(String, String)> = meta.into_iter().chain(before).collect();
    let bytes = safetensors::save(&shipped, Dtype::F16, &meta);
    write_file(&out, &bytes)?;
    println!(
        "wrote {} ({} bytes, f16) after {seconds:.0} s of training",
        out.display(),
        bytes.len()
    );
    println!("held-out bits per character: {net:.4}");
    println!("Kneser-Ney trigram baseline: {base:.4}");
    if prune > 0.0 {
        let zero = shipped.flat().iter().filter(|&&w| w == 0.0).count();
        println!("{zero} of {} parameters are zero", shipped.table().numel());
    }
    print_examples(&shipped, &kn, kind)
}

pub fn eval(args: &[String]) -> Result<()> {
    let o = Opts::parse(
        args,
        &[
            "weights",
            "data",
            "threads",
            "generate",
            "seed",
            "mantissa-bits",
            "out",
        ],
    )?;
    let path = o.path("weights", repo("weights/lm-modern-lstm.safetensors"));
    let file = safetensors::read(&read_file(&path)?)
        .map_err(|e| Error::new(format!("{}: {e}", path.display())))?;
    let kind = Kind::parse(file.meta("corpus").unwrap_or("modern"))
        .map_err(|e| Error::new(format!("{}: the metadata's corpus: {e}", path.display())))?;
    let metadata = file.metadata.clone();
    let mut model =
        CharLm::from_file(file).map_err(|e| Error::new(format!("{}: {e}", path.display())))?;
    let rounded = round_weights(&o, &mut model)?;
    let threads = o.threads()?;
    let data = encode(&model, corpus::load(kind, &o.path("data", repo("data")))?);
    let started = Instant::now();
    let net = model.held_out_bits(&data.held, HELD_OUT_PIECES, HELD_OUT_WINDOW, threads)?;
    let kn = KneserNey::new(&data.train, model.vocab_size(), Discounts::Modified)?;
    let base = kn.held_out_bits(&data.held, HELD_OUT_PIECES)?;
    let unknown = data.held.iter().filter(|&&i| i == 0).count();
    println!(
        "{}: {} character model, {} layer(s), embedding {}, hidden {}, vocabulary {} (+ unknown), on the {} corpus",
        path.display(),
        cell_label(&model),
        model.layers(),
        model.emb_dim,
        model.hidden(),
        model.vocab_size() - 1,
        kind.name()
    );
    println!(
        "held-out split: {} lines, {} characters ({:.2}% unknown), {} scored (read as {HELD_OUT_PIECES} pieces); {:.0} s",
        data.split.held_lines,
        data.held.len(),
        100.0 * unknown as f64 / data.held.len().max(1) as f64,
        net.1,
        started.elapsed().as_secs_f64()
    );
    println!("held-out bits per character: {:.4}", bpc(net));
    println!(
        "Kneser-Ney trigram baseline: {:.4} (trained on the {} training characters, same vocabulary)",
        bpc(base),
        data.train.len()
    );
    if let Some(bits) = rounded {
        let measured = [
            ("held_out_bpc", format!("{:.4}", bpc(net))),
            ("baseline_bpc", format!("{:.4}", bpc(base))),
        ];
        write_rounded(&o, &model, bits, &metadata, &measured)?;
    }
    print_examples(&model, &kn, kind)?;
    let n: usize = o.get("generate", 60)?;
    if n > 0 {
        let mut stepper = Stepper::new(model.clone())?;
        let s = Sampling::new(0.8, Some(20), model.vocab_size())?;
        let (_, prompt, _) = if kind == Kind::Poems {
            POEM_EXAMPLE
        } else {
            EXAMPLES[0]
        };
        let text = sample::generate(
            &mut stepper,
            &format!("\n{prompt}"),
            n,
            &s,
            o.get("seed", 1)?,
        )?;
        println!(
            "sample (temperature 0.8, top-20): {prompt}{}",
            text.replace('\n', "⏎").replace(lm::UNKNOWN, "〈unknown〉")
        );
    }
    Ok(())
}

fn cell_label(lm: &CharLm) -> &'static str {
    match lm::cell_name(lm.cell()) {
        Some("rnn") => "an Elman RNN",
        Some("gru") => "a GRU",
        _ => "an LSTM",
    }
}
