//! The long-range experiment in the page's worker: one cell (Elman, GRU or LSTM) trained on
//! 我从小生长在{国家}，{gap}，我可以说一口流利的{语言} with gaps cut from the lines the page hands
//! it (every 10th held out), by the same loss, curriculum, initialisation and evaluation as
//! `nnplay train-longrange` (`lm::longrange::train`), only shorter; the page runs one worker
//! per cell and draws their curves side by side. The result is a safetensors file with the
//! shipped models' metadata, which the view's `LanguageModel` loads as it loads those.

use wasm_bindgen::prelude::*;

use super::guard::{learning_rate, text_within_limit, Guard};
use super::whole;
use crate::lm::longrange::train::{
    accuracy_by_gap, curriculum_gap, curve_json, metadata, open_forget_gates, Bucket, Encoder,
    LongRange, Sentences, EVAL_SEED,
};
use crate::lm::longrange::{buckets, vocabulary, GapText, Generator};
use crate::lm::{cell_from_name, CharLm};
use crate::params::{Named, COURSE};
use crate::rng::Rng;
use crate::safetensors::{self, Dtype};
use crate::shape::{MAX_EMBEDDING, MAX_LONGRANGE_EVAL, MAX_RUN_STEPS};
use crate::train::{Method, Optimizer, Schedule, Trainer};
use crate::{bail, Result};

/// The gaps run from 0 to this many characters, in buckets of 10 (70–80 the last), as the
/// shipped models' do.
const MAX_GAP: usize = 80;
/// Sentences per step, characters known besides the template's, and the part of the run
/// over which the largest gap grows to [`MAX_GAP`] (the shipped models' settings).
const BATCH: usize = 32;
const VOCAB: usize = 500;
const RAMP: f64 = 0.5;
/// A page run is short: at most this many steps, and this many hidden units.
const MAX_STEPS: usize = 20_000;
const MAX_HIDDEN: usize = 128;

#[wasm_bindgen]
pub struct LongRangeTrainer {
    trainer: Trainer<LongRange>,
    train: GapText,
    held: GapText,
    seed: u64,
    /// The last good weights, and a diverged run's stop.
    guard: Guard<CharLm>,
    /// The last curve measured, for the weights' metadata.
    curve: Vec<Bucket>,
}

#[wasm_bindgen]
impl LongRangeTrainer {
    /// A fresh net of `cell` ("rnn", "gru" or "lstm") with `hidden` units and `emb`-wide
    /// embeddings, to be trained for `steps` steps of 32 sentences, Adam at `lr` with cosine
    /// decay, all drawn from `seed`; gaps are cut from `text` (lines of modern Chinese).
    #[wasm_bindgen(constructor)]
    pub fn new(
        text: &str,
        cell: &str,
        hidden: f64,
        emb: f64,
        steps: f64,
        lr: f64,
        seed: f64,
    ) -> Result<LongRangeTrainer> {
        text_within_limit(text, "the experiment cuts its gaps from")?;
        let cell = cell_from_name(cell)?;
        let hidden = whole("hidden", hidden, 1, MAX_HIDDEN)?;
        let emb = whole("the embedding size", emb, 1, MAX_EMBEDDING)?;
        let steps = whole("steps", steps, 10, MAX_STEPS)?;
        let seed = whole("seed", seed, 0, u32::MAX as usize)? as u64;
        let lr = learning_rate(lr)?;
        let lines: Vec<Vec<char>> = text.lines().map(|l| l.chars().collect()).collect();
        if lines.len() < 10 {
            bail!("give at least 10 lines of text: every 10th is held out, and the evaluation's gaps are cut from those");
        }
        let train = GapText::new(&lines, |i| i % 10 != 9)?;
        let held = GapText::new(&lines, |i| i % 10 == 9)?;
        let mut lm = CharLm::new(&vocabulary(&train, VOCAB), cell, emb, hidden, 1, seed)?;
        open_forget_gates(&mut lm, 1.0);
        let model = LongRange { lm };
        let opt = Optimizer::new(Method::ADAM, 0.0, model.table().numel());
        let schedule = Schedule::cosine(lr, steps);
        let guard = Guard::new(&model.lm);
        let trainer = Trainer::new(
            model,
            opt,
            schedule,
            steps * BATCH,
            BATCH,
            1,
            Rng::new(seed),
        );
        Ok(LongRangeTrainer {
            trainer,
            train,
            held,
            seed,
            guard,
            curve: Vec::new(),
        })
    }

    /// Runs up to `steps` steps (fewer when the run ends), each on 32 new sentences whose
    /// largest gap follows the curriculum; returns how many ran. A step whose loss is not a
    /// number stops the run with a sentence, the weights back to the last good ones.
    pub fn run(&mut self, steps: f64) -> Result<u32> {
        self.guard.check()?;
        let steps = whole("steps", steps, 1, MAX_RUN_STEPS)?;
        let total = self.trainer.schedule.total;
        let ramp = (RAMP * total as f64).round() as usize;
        let mut data = Sentences {
            generator: Generator::new(&self.train, self.seed),
            encoder: Encoder::new(&self.trainer.model.lm),
            max_gap: 0,
            len: total * BATCH,
        };
        let mut ran = 0;
        while ran < steps && !self.trainer.finished() {
            data.max_gap = curriculum_gap(self.trainer.step, ramp, MAX_GAP);
            self.trainer.run(&data, 1);
            ran += 1;
            self.guard
                .after(&mut self.trainer.model.lm, self.trainer.last.loss)?;
        }
        Ok(ran as u32)
    }

    /// The accuracy of the language after 流利的 per gap bucket (0–9, 10–19, …, 70–80) on
    /// `per_bucket` sentences each from the held-out lines, as JSON: the metadata's
    /// `accuracy_by_gap`.
    pub fn curve(&mut self, per_bucket: f64) -> Result<String> {
        let per_bucket = whole("sentences per bucket", per_bucket, 1, MAX_LONGRANGE_EVAL)?;
        let edges: Vec<usize> = (0..MAX_GAP / 10).map(|i| i * 10).collect();
        let curve = accuracy_by_gap(
            &self.trainer.model.lm,
            &self.held,
            &buckets(&edges, MAX_GAP)?,
            per_bucket,
            EVAL_SEED,
        )?;
        self.curve = curve;
        Ok(curve_json(&self.curve))
    }

    /// The net as a safetensors file (f32) with the long-range metadata (the last curve
    /// measured among it), which `LanguageModel.fromBytes` loads.
    pub fn weights(&self) -> Vec<u8> {
        let mut meta = metadata(MAX_GAP, &self.curve);
        meta.extend(
            [
                ("course", COURSE.to_string()),
                (
                    "made_by",
                    "nnplay's language-model view, the long-range experiment trained in the browser".to_string(),
                ),
                ("steps", self.trainer.step.to_string()),
                ("batch", BATCH.to_string()),
                ("seed", self.seed.to_string()),
            ]
            .map(|(k, v)| (k.to_string(), v)),
        );
        safetensors::save(&self.trainer.model.lm, Dtype::F32, &meta)
    }

    /// The last step's loss (−ln p of the language's characters) and the share of its
    /// sentences whose language came out right (NaN before the first step).
    #[wasm_bindgen(getter)]
    pub fn loss(&self) -> f64 {
        if self.trainer.step == 0 {
            return f64::NAN;
        }
        f64::from(self.trainer.last.loss)
    }
    #[wasm_bindgen(getter)]
    pub fn accuracy(&self) -> f64 {
        if self.trainer.step == 0 {
            return f64::NAN;
        }
        self.trainer.last.right as f64 / self.trainer.last.counted.max(1) as f64
    }
    /// The largest gap the curriculum has reached.
    #[wasm_bindgen(getter, js_name = maxGap)]
    pub fn max_gap(&self) -> u32 {
        let ramp = (RAMP * self.trainer.schedule.total as f64).round() as usize;
        curriculum_gap(self.trainer.step.saturating_sub(1), ramp, MAX_GAP) as u32
    }
    #[wasm_bindgen(getter)]
    pub fn step(&self) -> u32 {
        self.trainer.step as u32
    }
    #[wasm_bindgen(getter, js_name = totalSteps)]
    pub fn total_steps(&self) -> u32 {
        self.trainer.schedule.total as u32
    }
    /// The accuracy of guessing (one language in ten, weighted as the sentences draw them).
    #[wasm_bindgen(getter)]
    pub fn chance(&self) -> f64 {
        crate::lm::longrange::chance()
    }
    /// Sentences trained on so far.
    #[wasm_bindgen(getter)]
    pub fn sentences(&self) -> f64 {
        self.trainer.seen as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasm::lm::LanguageModel;

    /// Newspaper-like lines without a country in them: 800 of them.
    fn text() -> String {
        let words = [
            "经济", "发展", "人民", "工作", "建设", "社会", "市场", "企业",
        ];
        (0..800)
            .map(|i| {
                (0..12)
                    .map(|j| words[(i * 7 + j * 3 + i / 5) % words.len()])
                    .collect::<String>()
                    + "。"
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// A GRU learns the short gaps in a few hundred steps (chance is 0.1), its curve has the
    /// eight buckets, and its file loads with the long-range metadata the view reads.
    #[test]
    fn learns_the_short_gaps_and_hands_over_a_model() {
        let mut t = LongRangeTrainer::new(&text(), "gru", 32.0, 16.0, 1200.0, 0.01, 1.0).unwrap();
        let before: Vec<f64> = parse(&t.curve(50.0).unwrap());
        while t.run(100.0).unwrap() == 100 {}
        assert_eq!(t.step(), 1200);
        let after = parse(&t.curve(50.0).unwrap());
        assert_eq!(after.len(), 8);
        assert!(
            before[0] < 0.4 && after[0] > 0.8,
            "gaps 0-9: {before:?} -> {after:?}"
        );
        let lm = LanguageModel::from_bytes(&t.weights()).unwrap();
        assert_eq!(lm.meta("task").as_deref(), Some("longrange"));
        assert!(lm.meta("accuracy_by_gap").unwrap().contains("\"from\":70"));
    }

    fn parse(json: &str) -> Vec<f64> {
        json.split("\"accuracy\":")
            .skip(1)
            .map(|s| s.split('}').next().unwrap().parse().unwrap())
            .collect()
    }

    #[test]
    fn bad_settings_and_diverging_runs_are_sentences() {
        for (r, what) in [
            (
                LongRangeTrainer::new("短", "gru", 8.0, 8.0, 100.0, 0.01, 1.0),
                "10 lines",
            ),
            (
                LongRangeTrainer::new(&text(), "cnn", 8.0, 8.0, 100.0, 0.01, 1.0),
                "cnn",
            ),
            (
                LongRangeTrainer::new(&text(), "gru", 8.0, 8.0, 5.0, 0.01, 1.0),
                "steps",
            ),
            (
                LongRangeTrainer::new(&text(), "gru", 999.0, 8.0, 100.0, 0.01, 1.0),
                "hidden",
            ),
            (
                LongRangeTrainer::new(&text(), "gru", 8.0, 8.0, 100.0, -1.0, 1.0),
                "learning rate",
            ),
        ] {
            let e = r.err().expect("refused");
            assert!(e.message().contains(what), "{what}: {e}");
        }
        let mut t = LongRangeTrainer::new(&text(), "lstm", 8.0, 8.0, 100.0, 0.01, 1.0).unwrap();
        t.run(2.0).unwrap();
        let good = t.guard.good.emb.clone();
        t.trainer.model.lm.fc_b[1] = f32::NAN;
        assert!(t.run(2.0).unwrap_err().message().contains("diverged"));
        assert_eq!(t.trainer.model.lm.emb, good);
    }
}
