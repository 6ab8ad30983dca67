//! A character language model for the page: read a context, see the next character's
//! distribution (a `Float32Array` view), append characters one at a time, and write text
//! with a temperature, top-k and a seed (the same seed, the same text).

use js_sys::Float32Array;
use wasm_bindgen::prelude::*;

use super::{view, whole};
use crate::lm::corpus::normalize_char;
use crate::lm::sample::{generate, Sampling};
use crate::lm::{cell_name, CharLm, Stepper};
use crate::safetensors;
use crate::shape::{MAX_GENERATE, MAX_TEXT, MAX_VOCAB};
use crate::vocab::UNKNOWN;
use crate::{bail, Result};

#[wasm_bindgen]
pub struct LanguageModel {
    stepper: Stepper,
    metadata: Vec<(String, String)>,
    /// The last `influence`'s norms, one per character of its text.
    influence: Vec<f32>,
}

#[wasm_bindgen]
impl LanguageModel {
    /// Loads a character model's safetensors file (`weights/lm-*.safetensors`, or one saved
    /// from PyTorch with the metadata `docs/pytorch/char_lm.py` writes).
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> Result<LanguageModel> {
        let file = safetensors::read(bytes)?;
        let metadata = file.metadata.clone();
        Ok(LanguageModel {
            stepper: Stepper::new(CharLm::from_file(file)?)?,
            metadata,
            influence: Vec::new(),
        })
    }

    /// The weights file's metadata entry `key` ("corpus", "command", …), if any.
    pub fn meta(&self, key: &str) -> Option<String> {
        safetensors::lookup(&self.metadata, key).map(str::to_owned)
    }

    /// "rnn" (Elman), "gru" or "lstm".
    #[wasm_bindgen(getter)]
    pub fn cell(&self) -> String {
        cell_name(self.stepper.model().cell())
            .unwrap_or("rnn")
            .into()
    }

    #[wasm_bindgen(getter, js_name = vocabSize)]
    pub fn vocab_size(&self) -> u32 {
        self.stepper.model().vocab_size() as u32
    }

    #[wasm_bindgen(getter)]
    pub fn hidden(&self) -> u32 {
        self.stepper.model().hidden() as u32
    }

    #[wasm_bindgen(getter)]
    pub fn layers(&self) -> u32 {
        self.stepper.model().layers() as u32
    }

    /// Reads `text` from a fresh state (at most 2,000 characters); returns the positions
    /// (in characters) of those the model's vocabulary lacks, which it reads as "unknown".
    /// White space is skipped, as in the text the models learnt from.
    pub fn read(&mut self, text: &str) -> Result<Vec<u32>> {
        let n = text.chars().count();
        if n > MAX_TEXT {
            bail!("the context has {n} characters; the model reads at most {MAX_TEXT} at a time");
        }
        self.stepper.reset();
        // As the training text was written: ASCII in its full-width form, white space left
        // out (see lm::corpus).
        Ok(text
            .chars()
            .enumerate()
            .filter_map(|(i, c)| {
                let c = normalize_char(c)?;
                (self.stepper.feed_char(c) == 0).then_some(i as u32)
            })
            .collect())
    }

    /// Reads one more character `c` after what was read; false if the vocabulary lacks it.
    pub fn append(&mut self, c: &str) -> Result<bool> {
        let c = one_char(c)?;
        Ok(self.stepper.feed_char(normalize_char(c).unwrap_or(c)) != 0)
    }

    /// The id of character `c` (0 if the vocabulary lacks it).
    pub fn id(&self, c: &str) -> Result<u32> {
        let c = one_char(c)?;
        Ok(self.stepper.model().id(normalize_char(c).unwrap_or(c)))
    }

    /// How much each character of `text` moves the chance that `next` (one character)
    /// follows it: ‖∂ ln p(next) / ∂ x_s‖ for each character s, by backpropagation through
    /// time (0 for white space, which the model does not read). Leaves what was read as it
    /// was.
    pub fn influence(&mut self, text: &str, next: &str) -> Result<Float32Array> {
        let n = text.chars().count();
        if n > MAX_TEXT {
            bail!("the context has {n} characters; the model reads at most {MAX_TEXT} at a time");
        }
        let lm = self.stepper.model();
        let next = lm.id(normalize_char(one_char(next)?).unwrap_or(UNKNOWN));
        // The characters the model reads, and where each stands in `text`.
        let (at, ids): (Vec<usize>, Vec<u32>) = text
            .chars()
            .enumerate()
            .filter_map(|(i, c)| Some((i, lm.id(normalize_char(c)?))))
            .unzip();
        if ids.is_empty() {
            bail!("give at least one character to read before the one to explain");
        }
        let found = lm.influence(&ids, ids.len() - 1, Some(next))?;
        self.influence = vec![0.0; n];
        for (&i, &v) in at.iter().zip(&found.norms) {
            self.influence[i] = v;
        }
        Ok(view(&self.influence))
    }

    /// Characters read since the last `read`.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> u32 {
        self.stepper.steps() as u32
    }

    /// [V]: the next character's probabilities after what was read (zeros before any).
    pub fn probs(&self) -> Float32Array {
        view(self.stepper.probs())
    }

    /// The ids of the `k` likeliest next characters, likeliest first (ties: lower id first).
    pub fn top(&self, k: f64) -> Result<Vec<u32>> {
        let k = whole("k", k, 0, MAX_VOCAB)?;
        let p = self.stepper.probs();
        let mut ids: Vec<u32> = (0..p.len() as u32).collect();
        let k = k.min(ids.len());
        // A partial selection: k is ten or so, V thousands.
        for i in 0..k {
            let best = (i..ids.len())
                .max_by(|&a, &b| {
                    p[ids[a] as usize]
                        .total_cmp(&p[ids[b] as usize])
                        .then(ids[b].cmp(&ids[a]))
                })
                .unwrap_or(i);
            ids.swap(i, best);
        }
        ids.truncate(k);
        Ok(ids)
    }

    /// The character with id `id`; "" for id 0, the unknown symbol.
    pub fn symbol(&self, id: f64) -> Result<String> {
        let v = self.stepper.model().vocab_size();
        let id = whole("a character id", id, 0, v - 1)? as u32;
        Ok(self.stepper.model().decode(&[id]).replace(UNKNOWN, ""))
    }

    /// Writes `length` characters after what was read, each drawn at `temperature` from the
    /// `top_k` likeliest (0: from all), with the generator seeded by `seed`. Reading the same
    /// context and writing with the same settings gives the same text.
    pub fn write(
        &mut self,
        length: f64,
        temperature: f64,
        top_k: f64,
        seed: f64,
    ) -> Result<String> {
        let length = whole("the length", length, 0, MAX_GENERATE)?;
        let v = self.stepper.model().vocab_size();
        let top_k = whole("top-k", top_k, 0, v)?;
        let seed = whole("the seed", seed, 0, u32::MAX as usize)? as u64;
        let sampling = Sampling::new(temperature, (top_k > 0).then_some(top_k), v)?;
        generate(&mut self.stepper, "", length, &sampling, seed)
    }
}

/// The one character `c` holds, or the sentence that says it holds more or none.
fn one_char(c: &str) -> Result<char> {
    let mut chars = c.chars();
    match (chars.next(), chars.next()) {
        (Some(ch), None) => Ok(ch),
        _ => bail!("give exactly one character, got {:?}", c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lm::{cell_from_name, CharLm};
    use crate::safetensors::{self, Dtype};

    fn model() -> LanguageModel {
        let chars: Vec<char> = "有一朵云飘在天空中我从小生长美国可以说口流利的英语"
            .chars()
            .collect();
        let lm = CharLm::new(&chars, cell_from_name("lstm").unwrap(), 6, 10, 1, 3).unwrap();
        LanguageModel::from_bytes(&safetensors::save(&lm, Dtype::F32, &[])).unwrap()
    }

    /// What the page relies on: unknown characters reported by position, the top list in
    /// order of probability, the same seed writing the same text, and every bad number
    /// refused with a sentence.
    #[test]
    fn reads_ranks_writes_and_refuses_bad_numbers() {
        let mut m = model();
        assert_eq!(m.read("有一朵x云").unwrap(), vec![3]);
        let top = m.top(5.0).unwrap();
        let p = m.stepper.probs().to_vec();
        assert_eq!(top.len(), 5);
        assert!(top.windows(2).all(|w| p[w[0] as usize] >= p[w[1] as usize]));
        assert!(p
            .iter()
            .enumerate()
            .all(|(i, &q)| top.contains(&(i as u32)) || q <= p[top[4] as usize]));
        let write = |m: &mut LanguageModel, seed: f64| {
            m.read("有一朵云").unwrap();
            m.write(12.0, 0.8, 0.0, seed).unwrap()
        };
        let a = write(&mut m, 7.0);
        assert_eq!(a.chars().count(), 12);
        assert_eq!(a, write(&mut m, 7.0));
        assert!(
            !a.contains('\u{fffd}'),
            "the unknown symbol was written: {a}"
        );
        assert!(m.append("云").unwrap() && !m.append("x").unwrap());
        assert_eq!(m.symbol(f64::from(m.id("云").unwrap())).unwrap(), "云");
        assert_eq!(m.id("x").unwrap(), 0);
        for (e, what) in [
            (m.top(-1.0).unwrap_err(), "k must be a whole number"),
            (m.symbol(1e9).unwrap_err(), "a character id must be"),
            (
                m.write(2.5, 1.0, 0.0, 1.0).unwrap_err(),
                "the length must be",
            ),
            (
                m.write(3.0, 0.0, 0.0, 1.0).unwrap_err(),
                "temperature must be",
            ),
            (m.write(3.0, 1.0, 99.0, 1.0).unwrap_err(), "top-k must be"),
            (m.append("云天").unwrap_err(), "exactly one character"),
            (m.id("").unwrap_err(), "exactly one character"),
            (m.read(&"云".repeat(2001)).unwrap_err(), "at most 2000"),
        ] {
            assert!(e.message().contains(what), "{e}");
        }
        // Influence: one finite number per character (white space 0, the character read last
        // above it), and an empty context refused.
        let inf = {
            m.influence("有一朵 云", "在").unwrap();
            m.influence.clone()
        };
        assert_eq!(inf.len(), 5);
        assert_eq!(inf[3], 0.0);
        assert!(inf.iter().all(|v| v.is_finite()) && inf[4] > 0.0);
        assert!(m
            .influence(" ", "在")
            .unwrap_err()
            .message()
            .contains("at least one character"));
        assert!(LanguageModel::from_bytes(b"not a model").is_err());
    }
}
