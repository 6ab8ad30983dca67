//! Characters ↔ ids for every character model (the language model, the BMES tagger, the
//! long-range experiment's nets, a file's embedding read by the RNN view).
//!
//! Id 0 is every character not in the list (shown as [`UNKNOWN`]); ids 1, 2, … are the
//! listed characters in order, which is how a file's `vocab` metadata writes them and how
//! PyTorch's `nn.Embedding` rows are numbered.

use std::collections::HashMap;

use crate::shape::MAX_VOCAB;
use crate::{bail, Result};

/// The character id 0 stands for: any character not in the vocabulary.
pub const UNKNOWN: char = '\u{fffd}';

#[derive(Debug, Clone, PartialEq)]
pub struct Vocab {
    /// Characters by id; [`UNKNOWN`] at 0.
    chars: Vec<char>,
    index: HashMap<char, u32>,
}

impl Vocab {
    /// The vocabulary of ids 1, 2, … = `listed`: none twice, no [`UNKNOWN`] (id 0's), at
    /// most `MAX_VOCAB - 1`. None at all is allowed (V = 1, as PyTorch allows).
    pub fn new(listed: &[char]) -> Result<Vocab> {
        if listed.len() + 1 > MAX_VOCAB {
            bail!(
                "the vocabulary has {} characters; nnplay's character models hold at most {}",
                listed.len(),
                MAX_VOCAB - 1
            );
        }
        let mut index = HashMap::with_capacity(listed.len());
        for (i, &c) in listed.iter().enumerate() {
            let id = i as u32 + 1;
            if c == UNKNOWN {
                bail!("the vocabulary lists U+FFFD (at position {id}), which stands for unknown characters (id 0) and may not be listed");
            }
            if let Some(first) = index.insert(c, id) {
                bail!("the vocabulary lists {c:?} twice (ids {first} and {id})");
            }
        }
        let mut chars = Vec::with_capacity(listed.len() + 1);
        chars.push(UNKNOWN);
        chars.extend_from_slice(listed);
        Ok(Vocab { chars, index })
    }

    /// The vocabulary a file's metadata writes (ids 1, 2, … in order), checked as
    /// [`Vocab::new`] and not empty.
    pub fn parse(listed: &str) -> Result<Vocab> {
        if listed.is_empty() {
            bail!("the vocabulary is empty: a character model needs at least one character");
        }
        Vocab::new(&listed.chars().collect::<Vec<char>>())
    }

    /// The metadata's form: the characters of ids 1, 2, ….
    pub fn listed(&self) -> String {
        self.chars[1..].iter().collect()
    }

    /// Characters by id ([`UNKNOWN`] at 0).
    pub fn chars(&self) -> &[char] {
        &self.chars
    }

    /// V: ids 0 to V − 1, id 0 included.
    pub fn size(&self) -> usize {
        self.chars.len()
    }

    /// The id of `c`, 0 if the vocabulary does not list it.
    pub fn id(&self, c: char) -> u32 {
        self.index.get(&c).copied().unwrap_or(0)
    }

    pub fn encode(&self, text: &str) -> Vec<u32> {
        text.chars().map(|c| self.id(c)).collect()
    }

    /// The characters of `ids` (ids past the vocabulary read as [`UNKNOWN`]).
    pub fn decode(&self, ids: &[u32]) -> String {
        ids.iter()
            .map(|&i| self.chars.get(i as usize).copied().unwrap_or(UNKNOWN))
            .collect()
    }

    /// The characters of `text` the vocabulary does not list, each once, in order of
    /// appearance.
    pub fn unknown_in(&self, text: &str) -> String {
        let mut seen = std::collections::HashSet::new();
        text.chars()
            .filter(|c| !self.index.contains_key(c) && seen.insert(*c))
            .collect()
    }
}

/// The characters of `text` seen at least `min_count` times (at least once), most frequent
/// first, ties by code point; never [`UNKNOWN`]. Each model then keeps as many as it holds.
pub fn by_frequency(text: impl IntoIterator<Item = char>, min_count: usize) -> Vec<char> {
    let mut counts: HashMap<char, usize> = HashMap::new();
    for c in text {
        *counts.entry(c).or_default() += 1;
    }
    let mut chars: Vec<(char, usize)> = counts
        .into_iter()
        .filter(|&(c, n)| n >= min_count.max(1) && c != UNKNOWN)
        .collect();
    chars.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    chars.into_iter().map(|(c, _)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_start_at_one_and_every_other_character_is_zero() {
        let v = Vocab::parse("天空").unwrap();
        assert_eq!((v.size(), v.chars()), (3, &[UNKNOWN, '天', '空'][..]));
        assert_eq!(v.encode("天空飘"), [1, 2, 0]);
        assert_eq!(v.decode(&[2, 0, 1, 7]), "空\u{fffd}天\u{fffd}");
        assert_eq!(v.unknown_in("飘天飘云"), "飘云");
        assert_eq!(v.listed(), "天空");
        assert_eq!(Vocab::parse(&v.listed()).unwrap(), v);
    }

    #[test]
    fn a_vocabulary_refuses_repeats_the_unknown_sign_nothing_and_too_much() {
        let e = |s: &str| Vocab::parse(s).unwrap_err().to_string();
        assert_eq!(e("天空天"), "the vocabulary lists '天' twice (ids 1 and 3)");
        assert!(
            e("天\u{fffd}").contains("U+FFFD (at position 2)"),
            "{}",
            e("天\u{fffd}")
        );
        assert!(e("").contains("empty"));
        assert_eq!(Vocab::new(&[]).unwrap().size(), 1);
        let many: String = (0..MAX_VOCAB as u32)
            .map(|i| char::from_u32(0x4e00 + i).unwrap())
            .collect();
        assert!(e(&many).contains("at most"), "{}", e(&many));
        assert!(Vocab::parse(&many[..(MAX_VOCAB - 1) * 3]).is_ok());
    }

    #[test]
    fn by_frequency_counts_sorts_and_drops_the_rare_and_the_unknown_sign() {
        let text = "bbbaacd\u{fffd}\u{fffd}\u{fffd}d\n\n";
        assert_eq!(by_frequency(text.chars(), 2), ['b', '\n', 'a', 'd']);
        assert_eq!(by_frequency(text.chars(), 0).len(), 5);
    }
}
