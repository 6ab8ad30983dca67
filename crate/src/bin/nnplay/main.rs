//! nnplay's command line:
//! - `nnplay check PATH...` runs golden conformance cases (files or folders of `*.json`) and
//!   ends with `N passed, N failed`; it exits 1 if anything failed.
//! - `nnplay train-lenet [options]` trains LeNet-5 on MNIST and writes a weights file.
//! - `nnplay eval-lenet [--weights FILE] [--data DIR]` ends with `accuracy: 0.XXXX`;
//!   `nnplay lenet-logits` writes test images and their logits for the PyTorch check;
//!   `nnplay sequential-logits` the same for any network of the LeNet family.
//! - `nnplay train-bmes` / `eval-bmes`: the BiLSTM word-segmentation tagger (BMES tags).
//! - `nnplay train-lm` / `eval-lm`: character language models on modern Chinese or Tang
//!   quatrains, against a Kneser–Ney trigram;
//! - `nnplay lm-logits`: a character model's logits for a text, for the PyTorch check.
//! - `nnplay bench-sequential`: LeNet-5 through the generic (described) path against the
//!   tuned one, natively.
//! - `nnplay train-longrange` / `eval-longrange`: the long-range experiment (issue #16):
//!   the language after 流利的 against the gap since the country, per cell.

mod bench;
mod bmes;
mod cli;
mod drawn;
mod lenet;
mod lm;
mod longrange;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use nnplay::golden::{Case, Outcome};

const USAGE: &str = "usage:
  nnplay check PATH...                 golden cases: a case file or a folder of *.json cases
  nnplay train-lenet [--data DIR] [--out FILE] [--epochs N] [--batch N] [--lr X]
                     [--seed N] [--threads N] [--shift N] [--act relu|tanh] [--pool max|avg]
  nnplay eval-lenet [--weights FILE] [--data DIR] [--drawn FILE]
  nnplay lenet-logits [--weights FILE] [--data DIR] [--count N] [--out FILE]
  nnplay sequential-logits [--weights FILE] [--data DIR] [--count N] [--out FILE]
  nnplay train-bmes [--data FILE] [--out FILE] [--epochs N] [--emb N] [--hidden N] [--window N]
                    [--batch N] [--lr X] [--seed N] [--vocab N] [--threads N] [--dropout X]
  nnplay eval-bmes [--weights FILE] [--data FILE]
  nnplay train-lm [--corpus modern|poems] [--cell lstm|gru|rnn] [--emb N] [--hidden N]
                  [--layers N] [--window N] [--batch N] [--epochs N] [--lr X] [--seed N]
                  [--threads N] [--min-count N] [--vocab N] [--train-chars N] [--data DIR]
                  [--dropout X] [--init FILE] [--out FILE]
  nnplay eval-lm [--weights FILE] [--data DIR] [--threads N] [--generate N] [--seed N]
  nnplay lm-logits --text TEXT [--weights FILE | --vocab CHARS [--cell rnn|gru|lstm] [--layers N]
                   [--emb N] [--hidden N] [--seed N]] [--generate N] [--model-out FILE] [--out FILE]
  nnplay bench-sequential [--weights FILE] [--data DIR] [--rounds N] [--doc FILE]
  nnplay train-longrange [--cell rnn|gru|lstm] [--hidden N] [--emb N] [--layers N] [--max-gap K]
                    [--steps N] [--examples N] [--batch N] [--lr X] [--seed N] [--threads N]
                    [--vocab N] [--gaps 0,10,...] [--per-bucket N] [--eval-every N] [--data FILE] [--out FILE]
  nnplay eval-longrange [--weights FILE] [--gaps 0,10,...] [--max-gap K] [--per-bucket N]
                    [--sentence TEXT] [--data FILE]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("check") if args.len() > 1 => return check(&args[1..]),
        Some("train-lenet") => lenet::train(&args[1..]),
        Some("eval-lenet") => lenet::eval(&args[1..]),
        Some("lenet-logits") => lenet::logits(&args[1..]),
        Some("sequential-logits") => lenet::sequential_logits(&args[1..]),
        Some("train-bmes") => bmes::train(&args[1..]),
        Some("eval-bmes") => bmes::eval(&args[1..]),
        Some("train-lm") => lm::train(&args[1..]),
        Some("eval-lm") => lm::eval(&args[1..]),
        Some("lm-logits") => lm::logits(&args[1..]),
        Some("bench-sequential") => bench::run(&args[1..]),
        Some("train-longrange") => longrange::train(&args[1..]),
        Some("eval-longrange") => longrange::eval(&args[1..]),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("nnplay: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Case files under each path (a folder's `*.json`, sorted), or the error that stops us.
fn case_files(paths: &[String]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for p in paths {
        let path = Path::new(p);
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| format!("{p}: {e}"))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "json"))
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(format!("{p}: no *.json case files in this folder"));
            }
            files.extend(found);
        } else if path.is_file() {
            files.push(path.to_path_buf());
        } else {
            return Err(format!("{p}: no such file or folder"));
        }
    }
    Ok(files)
}

fn check(paths: &[String]) -> ExitCode {
    let files = match case_files(paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("nnplay check: {e}");
            return ExitCode::from(2);
        }
    };
    let (mut passed, mut failed) = (0, 0);
    for file in &files {
        let parsed = std::fs::read_to_string(file)
            .map_err(|e| e.to_string())
            .and_then(|t| Case::parse(&t).map_err(|e| e.to_string()));
        let (name, outcome) = match parsed {
            Ok(case) => (case.name.clone(), case.check()),
            Err(why) => (
                file.display().to_string(),
                Outcome::Fail {
                    max_abs_err: f32::INFINITY,
                    why,
                },
            ),
        };
        match outcome {
            Outcome::Pass { max_abs_err } => {
                passed += 1;
                println!("{name:<44} pass         max abs error {max_abs_err:.2e}");
            }
            Outcome::Fail { max_abs_err, why } => {
                failed += 1;
                println!("{name:<44} FAIL         max abs error {max_abs_err:.2e}  ({why})");
            }
            Outcome::Unsupported => {
                failed += 1;
                println!("{name:<44} unsupported  (nnplay does not implement this op yet)");
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
