//! `nnplay lm-logits`: a character model's logits and final states for a text, and its
//! greedy continuation, written as a safetensors file, for the PyTorch check
//! (tests/python/check_interchange.py runs docs/pytorch/char_lm.py on the same model).

use std::path::PathBuf;

use nnplay::lm::{self, sample, CharLm, Sampling, Stepper};
use nnplay::params::COURSE;
use nnplay::safetensors::{self, Dtype};
use nnplay::{bail, Error, Result};

use super::cli::{command_line, read_file, write_file, Opts};

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
    CharLm::new(
        &chars,
        lm::cell_from_name(&o.get("cell", "lstm".to_string())?)?,
        o.get("emb", 8)?,
        o.get("hidden", 16)?,
        o.get("layers", 2)?,
        o.get("seed", 1)?,
    )
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
