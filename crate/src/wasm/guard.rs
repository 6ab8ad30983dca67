//! What the page's two character-model trainers share: the settings they check alike, and
//! the guard that stops a diverging run with the last good weights kept.

use crate::shape::MAX_TRAIN_TEXT;
use crate::{bail, Result};

/// A learning rate as the page's trainers take it: above 0, at most 1.
pub fn learning_rate(lr: f64) -> Result<f32> {
    if !(lr.is_finite() && lr > 0.0 && lr <= 1.0) {
        bail!(
            "the learning rate must be above 0 and at most 1, got {}",
            crate::error::number(lr)
        );
    }
    Ok(lr as f32)
}

/// A text within the page's limit; `use_` says what it is for, for the message.
pub fn text_within_limit(text: &str, use_: &str) -> Result<()> {
    let chars = text.chars().count();
    if chars > MAX_TRAIN_TEXT {
        bail!("the text has {chars} characters; {use_} at most {MAX_TRAIN_TEXT}");
    }
    Ok(())
}

/// The weights after the last steps whose loss was a number, and why the run stopped for
/// good if it did.
#[derive(Debug, Clone)]
pub struct Guard<M> {
    pub good: M,
    stopped: Option<String>,
}

impl<M: Clone> Guard<M> {
    pub fn new(model: &M) -> Self {
        Guard {
            good: model.clone(),
            stopped: None,
        }
    }

    /// An error if the run has stopped.
    pub fn check(&self) -> Result<()> {
        match &self.stopped {
            Some(why) => bail!("{why}"),
            None => Ok(()),
        }
    }

    /// After a step that ended with `loss`: keeps `model` as the good weights, or, when the
    /// loss is not a number, puts the good ones back into `model`, stops, and says why.
    pub fn after(&mut self, model: &mut M, loss: f32) -> Result<()> {
        if loss.is_finite() {
            self.good.clone_from(model);
            return Ok(());
        }
        model.clone_from(&self.good);
        let why = "the training diverged (its loss is no longer a number), so it stopped; the model keeps the last weights that were still numbers. Start again with a smaller learning rate.";
        self.stopped = Some(why.to_string());
        bail!("{why}");
    }
}
