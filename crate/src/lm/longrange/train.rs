//! Training a character model on the long-range sentences with the shared Trainer, and its
//! accuracy per gap length.
//!
//! The loss is −ln p of the language's characters after 流利的 only (all of them, each
//! example weighing the same), not of every next character: the experiment asks whether
//! the net carries the country across the gap, and a 64-unit net scored on every character
//! would spend its capacity and most of its gradient (90 of 95 characters) on predicting
//! newspaper text, which is another experiment (the general language model). The gradient
//! still flows back through every character of the gap, so the vanishing gradient is what
//! it meets. The accuracy is the first language character predicted right, argmax over the
//! whole vocabulary (stricter than among the 10 languages; a trained net puts nearly all
//! its probability on them).

use super::{chance, Example, GapText, Generator};
use crate::lm::positions::Target;
use crate::lm::CharLm;
use crate::params::{Named, Table};
use crate::rng::Rng;
use crate::shape::{MAX_LONGRANGE_EVAL, MAX_LONGRANGE_GAP};
use crate::train::{Data, Outcome, Part, Trainable};
use crate::vocab::Vocab;
use crate::{bail, Result};

/// The evaluation sentences' seed (training runs take theirs from the command line; the
/// gap text differs too: held-out lines only).
pub const EVAL_SEED: u64 = 0x4c6f_6e67_5261_6e67;

/// One example as ids: the sentence, and where the language starts.
#[derive(Debug, Clone, Default)]
pub struct Encoded {
    pub ids: Vec<u32>,
    pub answer: usize,
}

/// A batch of examples (each its own length; padded when run).
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub examples: Vec<Encoded>,
}

/// Characters to ids as a model's vocabulary gives them (unknown → 0).
#[derive(Debug, Clone)]
pub struct Encoder(Vocab);

impl Encoder {
    pub fn new(lm: &CharLm) -> Encoder {
        Encoder(lm.vocab().clone())
    }

    pub fn encode(&self, e: &Example) -> Encoded {
        Encoded {
            ids: e.text.iter().map(|&c| self.0.id(c)).collect(),
            answer: e.answer,
        }
    }
}

/// The training set: `len` examples of the generator, gaps drawn from 0..=`max_gap`.
pub struct Sentences<'a> {
    pub generator: Generator<'a>,
    pub encoder: Encoder,
    pub max_gap: usize,
    pub len: usize,
}

impl Data<Batch> for Sentences<'_> {
    fn len(&self) -> usize {
        self.len
    }

    fn batch(&self, idx: &[usize], _: Option<&mut Rng>, out: &mut Batch) {
        out.examples.clear();
        for &i in idx {
            let e = self.generator.example(i as u64, (0, self.max_gap));
            out.examples.push(self.encoder.encode(&e));
        }
    }
}

/// Runs `examples` (one part of a batch of `total`) padded to the longest: the loss over
/// their language characters (each example weighing 1 / `total`, split over its
/// characters), with `grads` its gradient, and how many first characters came out right.
pub fn score(
    lm: &CharLm,
    examples: &[Encoded],
    total: usize,
    grads: Option<&mut [f32]>,
) -> Outcome {
    let k = examples.len();
    // The last character is only predicted, never read.
    let t = examples.iter().map(|e| e.ids.len() - 1).max().unwrap_or(0);
    if k == 0 || t == 0 {
        return Outcome::default();
    }
    // Time-major [T, k]; padding (id 0) after a sentence's end is never scored, and the
    // net reads forward only, so it changes nothing.
    let mut tokens = vec![0u32; t * k];
    let mut targets = Vec::new();
    let mut firsts = Vec::with_capacity(k);
    for (j, e) in examples.iter().enumerate() {
        for (p, &id) in e.ids[..e.ids.len() - 1].iter().enumerate() {
            tokens[p * k + j] = id;
        }
        let chars = e.ids.len() - e.answer;
        firsts.push(targets.len());
        for p in e.answer..e.ids.len() {
            targets.push(Target {
                step: p - 1,
                seq: j,
                id: e.ids[p],
                weight: 1.0 / (total * chars) as f32,
            });
        }
    }
    let s = lm.loss_at_checked(&tokens, t, k, &lm.zero_state(k), &targets, grads, false);
    let right = firsts
        .iter()
        .filter(|&&i| s.predicted[i] == targets[i].id)
        .count();
    Outcome {
        loss: s.sum as f32,
        right,
        counted: k,
    }
}

/// A character model trained on the long-range sentences (the shared [`Trainer`] drives
/// it; the file it writes is the [`CharLm`]'s).
///
/// [`Trainer`]: crate::train::Trainer
#[derive(Debug, Clone)]
pub struct LongRange {
    pub lm: CharLm,
}

impl Named for LongRange {
    fn table(&self) -> Table {
        self.lm.table()
    }

    fn tensors(&self) -> Vec<&[f32]> {
        self.lm.tensors()
    }

    fn tensors_mut(&mut self) -> Vec<&mut [f32]> {
        self.lm.tensors_mut()
    }

    fn describe(&self) -> Vec<(String, String)> {
        self.lm.describe()
    }
}

impl Trainable for LongRange {
    type Batch = Batch;
    type Scratch = ();

    fn scratch(&self) {}

    fn loss_and_grads(
        &self,
        b: &Batch,
        part: &Part,
        _: &mut (),
        grads: Option<&mut [f32]>,
    ) -> Outcome {
        score(&self.lm, &b.examples[part.range.clone()], part.total, grads)
    }
}

/// Starts an LSTM's forget gates open: bias `bias` in `b_ih` (and 0 in `b_hh`) for the
/// forget gate of every layer (Gers et al. 2000; Jozefowicz et al. 2015 use 1, the default
/// of TensorFlow and Keras); PyTorch's initialisation leaves them near σ(0) = 0.5, which
/// halves what the cell holds at every step before training has begun. Other cells are
/// left as they are; returns whether the model is an LSTM.
pub fn open_forget_gates(lm: &mut CharLm, bias: f32) -> bool {
    if !lm.cell().has_cell_state() {
        return false;
    }
    let h = lm.hidden();
    for w in &mut lm.rnn.weights {
        // PyTorch's gate order: i, f, g, o.
        w.b_ih[h..2 * h].fill(bias);
        w.b_hh[h..2 * h].fill(0.0);
    }
    true
}

/// The curriculum, the same for every cell: the largest gap of step `step` (from 0) grows
/// linearly from 0 to `max_gap` over the first `ramp_steps` steps, then stays there. Drawn
/// from 0..=80 from the first step, none of the three nets learned anything in 1,500 steps
/// (each predicted one language for every country): the answer is 10 characters after the
/// country even at k = 0, and long-gap sentences only add noise then.
pub fn curriculum_gap(step: usize, ramp_steps: usize, max_gap: usize) -> usize {
    if step < ramp_steps {
        (max_gap * (step + 1)).div_ceil(ramp_steps)
    } else {
        max_gap
    }
}

/// The metadata every long-range model carries, wherever it was trained: the task, the
/// template, the country–language pairs, the largest gap, chance and the curve.
pub fn metadata(max_gap: usize, curve: &[Bucket]) -> Vec<(String, String)> {
    let pairs: Vec<String> = super::COUNTRIES
        .iter()
        .map(|(c, l)| format!("[\"{c}\",\"{}\"]", super::LANGUAGES[*l]))
        .collect();
    [
        ("task", "longrange".to_string()),
        (
            "template",
            format!("{}{{国家}}，{{gap}}，{}{{语言}}", super::HEAD, super::TAIL),
        ),
        ("pairs", format!("[{}]", pairs.join(","))),
        ("max_gap", max_gap.to_string()),
        ("accuracy_by_gap", curve_json(curve)),
        ("chance", format!("{:.4}", chance())),
        ("eval_seed", EVAL_SEED.to_string()),
    ]
    .map(|(k, v)| (k.to_string(), v))
    .to_vec()
}

/// Accuracy on the sentences whose gap is `from..=to` characters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    pub from: usize,
    pub to: usize,
    pub n: usize,
    pub right: usize,
}

impl Bucket {
    pub fn accuracy(&self) -> f64 {
        self.right as f64 / self.n.max(1) as f64
    }
}

/// The model's accuracy on `per_bucket` sentences per gap bucket, drawn with `seed` from
/// `gaps` (the held-out text); each bucket's sentences are the same whatever the model.
pub fn accuracy_by_gap(
    lm: &CharLm,
    gaps: &GapText,
    buckets: &[(usize, usize)],
    per_bucket: usize,
    seed: u64,
) -> Result<Vec<Bucket>> {
    lm.validate()?;
    if per_bucket == 0 || per_bucket > MAX_LONGRANGE_EVAL {
        bail!("sentences per gap bucket must be from 1 to {MAX_LONGRANGE_EVAL}, got {per_bucket}");
    }
    let encoder = Encoder::new(lm);
    let mut out = Vec::new();
    for &(from, to) in buckets {
        if from > to || to > MAX_LONGRANGE_GAP {
            bail!("a gap bucket runs from {from} to {to} characters; it must rise and stay within {MAX_LONGRANGE_GAP}");
        }
        let generator = Generator::new(gaps, seed ^ ((from as u64) << 32) ^ to as u64);
        let mut right = 0;
        // Sentences of one bucket have similar lengths, so padding costs little.
        for chunk in (0..per_bucket as u64).collect::<Vec<_>>().chunks(64) {
            let examples: Vec<Encoded> = chunk
                .iter()
                .map(|&i| encoder.encode(&generator.example(i, (from, to))))
                .collect();
            right += score(lm, &examples, examples.len(), None).right;
        }
        out.push(Bucket {
            from,
            to,
            n: per_bucket,
            right,
        });
    }
    Ok(out)
}

/// The curve as the weights' metadata stores it (`accuracy_by_gap`): a JSON array of
/// {"from", "to", "n", "right", "accuracy"}, plus chance in `chance`.
pub fn curve_json(buckets: &[Bucket]) -> String {
    let rows: Vec<String> = buckets
        .iter()
        .map(|b| {
            format!(
                "{{\"from\":{},\"to\":{},\"n\":{},\"right\":{},\"accuracy\":{:.4}}}",
                b.from,
                b.to,
                b.n,
                b.right,
                b.accuracy()
            )
        })
        .collect();
    format!("[{}]", rows.join(","))
}

/// The curve as a table's lines: `gap 0-9   0.9950  (199/200)`, then chance.
pub fn curve_lines(buckets: &[Bucket]) -> Vec<String> {
    let mut out: Vec<String> = buckets
        .iter()
        .map(|b| {
            format!(
                "gap {:>7}  {:.4}  ({}/{})",
                format!("{}-{}", b.from, b.to),
                b.accuracy(),
                b.right,
                b.n
            )
        })
        .collect();
    out.push(format!(
        "chance     {:.4}  (1 / {} languages)",
        chance(),
        super::LANGUAGES.len()
    ));
    out
}
