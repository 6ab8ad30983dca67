//! Drawn digits for `eval-lenet`: handwriting that no one here wrote (scikit-learn's
//! `load_digits`, and MNIST's test digits) turned into pen strokes by
//! `scripts/digit-strokes.mjs`, replayed on the pad with the page's pen at several sizes and
//! places, redrawn in MNIST's proportions and framed as the page does, and read by the
//! network — what a student's drawing meets. Never trained on.

use std::path::Path;

use nnplay::cnn::lenet5::{Activations, LeNet5, CLASSES};
use nnplay::digits::framing::SIDE;
use nnplay::digits::pen::{Pen, NIB, PAD};
use nnplay::digits::stroke;
use nnplay::rng::Rng;
use nnplay::train::argmax;
use nnplay::{Error, Result};

/// One digit: its label and its strokes, each a polyline in the unit square.
pub struct Drawn {
    pub label: u8,
    pub strokes: Vec<Vec<(f32, f32)>>,
}

/// Sizes and places each digit is drawn at (seeded, the same every run).
pub const PLACES: usize = 3;
/// Digits whose strokes match their image less than this are left out, as the end-to-end
/// check leaves them out: mostly loops filled in as blobs, which a skeleton cannot follow.
const MIN_FIDELITY: f64 = 0.7;

/// Reads a strokes file (see scripts/digit-strokes.mjs for its format).
pub fn load(path: &Path) -> Result<Vec<Drawn>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::new(format!(
            "cannot read {}: {e} (./dev.sh test makes it: scripts/digit-strokes.mjs)",
            path.display()
        ))
    })?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| Error::new(format!("{}: {e}", path.display())))?;
    let bad = || Error::new(format!("{}: not a strokes file", path.display()));
    let digits = json["digits"].as_array().ok_or_else(bad)?;
    digits
        .iter()
        .filter(|d| d["fidelity"].as_f64().is_some_and(|f| f >= MIN_FIDELITY))
        .map(|d| {
            let label = d["label"].as_u64().filter(|&l| l < 10).ok_or_else(bad)? as u8;
            let strokes = d["strokes"]
                .as_array()
                .ok_or_else(bad)?
                .iter()
                .map(|s| {
                    s.as_array()
                        .ok_or_else(bad)?
                        .iter()
                        .map(|p| match (p[0].as_f64(), p[1].as_f64()) {
                            (Some(x), Some(y)) => Ok((x as f32, y as f32)),
                            _ => Err(bad()),
                        })
                        .collect()
                })
                .collect::<Result<_>>()?;
            Ok(Drawn { label, strokes })
        })
        .collect()
}

/// How many of `digits`, each drawn at [`PLACES`] seeded sizes (35% to 95% of the pad) and
/// places (anywhere it fits), `net` reads right, by size: [right, drawn] for digits 35-55%,
/// 55-75% and 75-95% of the pad.
pub fn accuracy(net: &LeNet5, digits: &[Drawn]) -> [[usize; 2]; 3] {
    let mut rng = Rng::new(2003);
    let mut pen = Pen::default();
    let (mut seen, mut acts) = (vec![0.0; SIDE * SIDE], Activations::new(1));
    let mut buffers = stroke::Buffers::default();
    let mut bands = [[0; 2]; 3];
    for d in digits {
        for _ in 0..PLACES {
            let size = rng.range(0.35, 0.95);
            let (ox, oy) = (rng.range(0.0, 1.0 - size), rng.range(0.0, 1.0 - size));
            pen.clear();
            for stroke in &d.strokes {
                for &(x, y) in stroke {
                    pen.stroke_to(ox + x * size, oy + y * size, false);
                }
                pen.lift();
            }
            let band = &mut bands[(((size - 0.35) / 0.2) as usize).min(2)];
            band[1] += 1;
            if stroke::frame(&mut seen, &pen.ink, PAD, NIB, &mut buffers) {
                net.forward(&seen, 1, &mut acts);
                band[0] += usize::from(argmax(&acts.logits[..CLASSES]) == d.label as usize);
            }
        }
    }
    bands
}
