//! The long-range experiment's sentences (issue #16; the course slide's question "can the
//! net still tell which language after a long gap?"): 我从小生长在{国家}，{gap}，我可以说一口流利的{语言},
//! the gap k characters of real People's Daily text. The language depends on the country
//! alone, 2 or 3 countries share a language (美国 / 英国 / 澳大利亚 → 英语), so a net
//! must read the country across the gap; where it sits never tells.
//!
//! - here: the country / language pairs, the gap text, the seeded generator of examples;
//! - `train`: the model's loss on them for the shared Trainer, and accuracy per gap length.

pub mod train;

use crate::rng::Rng;
use crate::shape::MAX_LONGRANGE_GAP;
use crate::vocab::by_frequency;
use crate::{bail, Result};

/// The sentence's parts around the country and the gap.
pub const HEAD: &str = "我从小生长在";
pub const TAIL: &str = "我可以说一口流利的";
pub const COMMA: char = '，';

/// The languages; the accuracy that matters is their first character after 流利的, and
/// each starts with a different one.
pub const LANGUAGES: [&str; 10] = [
    "英语",
    "法语",
    "德语",
    "日语",
    "俄语",
    "西班牙语",
    "韩语",
    "意大利语",
    "葡萄牙语",
    "阿拉伯语",
];

/// (country, index into [`LANGUAGES`]): 14 countries, 10 languages; 英语, 西班牙语 and
/// 葡萄牙语 are each spoken in two or three of them, and 美国, 澳大利亚, 墨西哥, 巴西 and
/// 埃及 share no character with their language.
pub const COUNTRIES: [(&str, usize); 14] = [
    ("美国", 0),
    ("英国", 0),
    ("澳大利亚", 0),
    ("法国", 1),
    ("德国", 2),
    ("日本", 3),
    ("俄罗斯", 4),
    ("西班牙", 5),
    ("墨西哥", 5),
    ("韩国", 6),
    ("意大利", 7),
    ("葡萄牙", 8),
    ("巴西", 8),
    ("埃及", 9),
];

/// What a gap may never contain: a country of the list (it would answer, or contradict,
/// the question) or 流利 (a second question).
pub fn forbidden() -> impl Iterator<Item = &'static str> {
    COUNTRIES.iter().map(|c| c.0).chain(["流利"])
}

/// Chance: a net that cannot see the country picks one of the languages, which examples
/// draw uniformly.
pub fn chance() -> f64 {
    1.0 / LANGUAGES.len() as f64
}

/// Every character the template writes (besides the gap).
pub fn template_chars() -> Vec<char> {
    let mut out: Vec<char> = Vec::new();
    let all = [HEAD, TAIL, "，"]
        .into_iter()
        .chain(COUNTRIES.iter().map(|c| c.0))
        .chain(LANGUAGES);
    for c in all.flat_map(str::chars) {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// The model's characters: the template's, then the `size` most frequent others of the
/// gap text (ties by code point); the rest read as id 0.
pub fn vocabulary(gaps: &GapText, size: usize) -> Vec<char> {
    let mut out = template_chars();
    let others: Vec<char> = by_frequency(gaps.chars.iter().copied(), 1)
        .into_iter()
        .filter(|c| !out.contains(c))
        .take(size)
        .collect();
    out.extend(others);
    out
}

/// The text gaps are cut from: whole corpus lines without a forbidden word, one after the
/// other (a gap may run from one line into the next, as a newspaper reads).
#[derive(Debug, Clone)]
pub struct GapText {
    chars: Vec<char>,
    /// Lines used and lines dropped for a forbidden word.
    pub lines: usize,
    pub dropped: usize,
}

impl GapText {
    /// From sentences (a line's characters each), taking only lines whose index i satisfies
    /// `keep(i)` (every 10th line held out for evaluation: `|i| i % 10 != 9` and `== 9`).
    pub fn new(sentences: &[Vec<char>], keep: impl Fn(usize) -> bool) -> Result<GapText> {
        let bad: Vec<Vec<char>> = forbidden().map(|w| w.chars().collect()).collect();
        let mut out = GapText {
            chars: Vec::new(),
            lines: 0,
            dropped: 0,
        };
        for (i, line) in sentences.iter().enumerate() {
            if !keep(i) {
                continue;
            }
            let line: Vec<char> = line.iter().map(|&c| crate::bmes::normalize(c)).collect();
            // A word the line does not hold may still form where it meets the text before
            // ("…美" + "国…"): look at the join too, so no cut can ever hold one.
            let before = &out.chars[out.chars.len().saturating_sub(3)..];
            let join: Vec<char> = before.iter().chain(line.iter().take(3)).copied().collect();
            if bad.iter().any(|w| contains(&line, w) || contains(&join, w)) {
                out.dropped += 1;
                continue;
            }
            out.chars.extend(line);
            out.lines += 1;
        }
        if out.chars.len() <= 2 * MAX_LONGRANGE_GAP {
            bail!(
                "the gap text has {} characters after dropping {} lines that name a country or 流利; the experiment needs more than {}",
                out.chars.len(),
                out.dropped,
                2 * MAX_LONGRANGE_GAP
            );
        }
        Ok(out)
    }

    pub fn len(&self) -> usize {
        self.chars.len()
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    pub fn chars(&self) -> &[char] {
        &self.chars
    }

    /// k characters (at most [`MAX_LONGRANGE_GAP`]) from a random place.
    pub fn cut(&self, k: usize, rng: &mut Rng) -> &[char] {
        let k = k.min(MAX_LONGRANGE_GAP);
        let at = rng.below(self.chars.len() - k + 1);
        &self.chars[at..at + k]
    }
}

fn contains(text: &[char], word: &[char]) -> bool {
    text.windows(word.len()).any(|w| w == word)
}

/// One sentence of the experiment.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub text: Vec<char>,
    /// The gap's length k.
    pub gap: usize,
    /// Index into [`COUNTRIES`] and into [`LANGUAGES`].
    pub country: usize,
    pub language: usize,
    /// Where the country starts and where the language starts in `text` (the language is
    /// predicted after reading `text[answer - 1]`, the 的 of 流利的).
    pub country_at: usize,
    pub answer: usize,
}

impl Example {
    pub fn sentence(&self) -> String {
        self.text.iter().collect()
    }
}

/// The seeded generator: example i of a set depends only on (seed, i) and the gap text,
/// so a training run can draw example 1,234,567 without the ones before it.
#[derive(Debug, Clone)]
pub struct Generator<'a> {
    pub gaps: &'a GapText,
    pub seed: u64,
}

impl<'a> Generator<'a> {
    pub fn new(gaps: &'a GapText, seed: u64) -> Generator<'a> {
        Generator { gaps, seed }
    }

    /// Example `i` with a gap of k characters drawn uniformly from `gap_range` (inclusive).
    /// The language is drawn uniformly, then one of its countries.
    pub fn example(&self, i: u64, gap_range: (usize, usize)) -> Example {
        let (lo, hi) = gap_range;
        let mut rng = Rng::new(self.seed ^ i.wrapping_mul(0xD1B5_4A32_D192_ED03));
        rng.next_u64();
        let k = lo + rng.below(hi - lo + 1);
        let language = rng.below(LANGUAGES.len());
        let options: Vec<usize> = (0..COUNTRIES.len())
            .filter(|&c| COUNTRIES[c].1 == language)
            .collect();
        let country = options[rng.below(options.len())];
        let mut text: Vec<char> = HEAD.chars().collect();
        let country_at = text.len();
        text.extend(COUNTRIES[country].0.chars());
        text.push(COMMA);
        // With no gap the sentence reads 我从小生长在美国，我可以说…, one comma.
        if k > 0 {
            text.extend_from_slice(self.gaps.cut(k, &mut rng));
            text.push(COMMA);
        }
        text.extend(TAIL.chars());
        let answer = text.len();
        text.extend(LANGUAGES[language].chars());
        Example {
            text,
            gap: k,
            country,
            language,
            country_at,
            answer,
        }
    }
}

/// Gap buckets from lower edges: [0, 10, 20] with a largest gap of 29 gives 0–9, 10–19,
/// 20–29. Edges must rise, start at most at `max_gap` and stay within the limit.
pub fn buckets(edges: &[usize], max_gap: usize) -> Result<Vec<(usize, usize)>> {
    if max_gap > MAX_LONGRANGE_GAP {
        bail!("the largest gap must be at most {MAX_LONGRANGE_GAP} characters, got {max_gap}");
    }
    if edges.is_empty() {
        bail!("give at least one gap bucket (its smallest gap), e.g. --gaps 0,10,20");
    }
    for w in edges.windows(2) {
        if w[1] <= w[0] {
            bail!("gap buckets must rise: {} comes after {}", w[1], w[0]);
        }
    }
    if let Some(&last) = edges.last().filter(|&&e| e > max_gap) {
        bail!("the gap bucket from {last} starts past the largest gap, {max_gap}");
    }
    Ok(edges
        .iter()
        .enumerate()
        .map(|(i, &lo)| (lo, edges.get(i + 1).map_or(max_gap, |&next| next - 1)))
        .collect())
}

#[cfg(test)]
mod tests;
