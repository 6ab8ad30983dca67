//! The word-segmentation tagger for the page: type a sentence, get each character's BMES tag,
//! the words, the tag probabilities and both directions' LSTM states as views.

use js_sys::Float32Array;
use wasm_bindgen::prelude::*;

use super::view;
use crate::bmes::{self, Tagged, Tagger};
use crate::rnn::cell::Packed;
use crate::safetensors;
use crate::shape::MAX_TEXT;
use crate::{bail, Result};

#[wasm_bindgen]
pub struct Segmenter {
    tagger: Tagger,
    /// The tagger's LSTM weights packed for the products, once (they never change here).
    packed: Vec<Packed>,
    chars: Vec<char>,
    last: Option<Tagged>,
}

#[wasm_bindgen]
impl Segmenter {
    /// Loads `weights/bmes.safetensors`; a damaged file is an error.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> Result<Segmenter> {
        let tagger = Tagger::from_file(safetensors::read(bytes)?)?;
        Ok(Segmenter {
            packed: tagger.rnn.pack(),
            tagger,
            chars: Vec::new(),
            last: None,
        })
    }

    /// Tags `text` (at most 2,000 characters): one of 0 B, 1 M, 2 E, 3 S per character.
    pub fn tag(&mut self, text: &str) -> Result<Vec<u8>> {
        let n = text.chars().count();
        if n > MAX_TEXT {
            bail!("the text has {n} characters; the tagger takes at most {MAX_TEXT} at a time");
        }
        self.chars = text.chars().collect();
        let tagged = self.tagger.tag_packed(&self.packed, text);
        let tags = tagged.tags.clone();
        self.last = Some(tagged);
        Ok(tags)
    }

    /// The words of the last text, cut after every E and S.
    pub fn words(&self) -> Vec<String> {
        self.last
            .as_ref()
            .map_or_else(Vec::new, |t| bmes::words(&self.chars, &t.tags))
    }

    /// [T, 4] probabilities of B, M, E, S for each character of the last text.
    pub fn probs(&self) -> Float32Array {
        view(self.last.as_ref().map_or(&[][..], |t| &t.probs))
    }

    /// [T, H] states of the forward (left-to-right) LSTM.
    #[wasm_bindgen(js_name = forwardStates)]
    pub fn forward_states(&self) -> Float32Array {
        view(
            self.last
                .as_ref()
                .and_then(|t| t.output.traces.first())
                .map_or(&[][..], |tr| &tr.h),
        )
    }

    /// [T, H] states of the backward (right-to-left) LSTM.
    #[wasm_bindgen(js_name = backwardStates)]
    pub fn backward_states(&self) -> Float32Array {
        view(
            self.last
                .as_ref()
                .and_then(|t| t.output.traces.get(1))
                .map_or(&[][..], |tr| &tr.h),
        )
    }

    #[wasm_bindgen(getter)]
    pub fn hidden(&self) -> u32 {
        self.tagger.rnn.hidden as u32
    }

    /// Whether character `i` of the last text is in the tagger's vocabulary.
    pub fn known(&self, i: usize) -> bool {
        self.chars.get(i).is_some_and(|&c| self.tagger.id(c) != 0)
    }
}
