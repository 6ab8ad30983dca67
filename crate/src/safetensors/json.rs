//! The JSON that a safetensors header holds, read and written without a JSON library: the
//! header is one object of objects, strings and arrays of whole numbers, and the safetensors
//! crate with serde_json would add 51 KB gzip to the page's wasm (see ARCHITECTURE.md).
//!
//! The reader is strict (RFC 8259 grammar, duplicate keys refused, numbers only as whole
//! numbers below 2^53, nesting at most 8 deep), so a damaged header is an error, not a guess.

use crate::{bail, Result};

/// A parsed JSON value; objects keep their keys in file order.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// Only whole numbers 0..2^53 occur in a safetensors header.
    Int(u64),
    Str(String),
    Arr(Vec<Value>),
    Obj(Vec<(String, Value)>),
}

const MAX_DEPTH: usize = 8;

pub fn parse(text: &str) -> Result<Value> {
    parse_named(text, "the JSON header")
}

/// As [`parse`], with errors that call the text `what` ("the metadata's \"layers\"").
pub fn parse_named(text: &str, what: &str) -> Result<Value> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
        what,
    };
    let v = p.value(0)?;
    p.space();
    if p.i != p.s.len() {
        bail!("unexpected text after {} at byte {}", p.what, p.i);
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    /// What the text is, as errors name it.
    what: &'a str,
}

impl Parser<'_> {
    fn space(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.space();
        self.s.get(self.i).copied()
    }

    fn expect(&mut self, c: u8) -> Result<()> {
        if self.peek() != Some(c) {
            bail!(
                "{} is malformed: expected '{}' at byte {}",
                self.what,
                c as char,
                self.i
            );
        }
        self.i += 1;
        Ok(())
    }

    fn value(&mut self, depth: usize) -> Result<Value> {
        if depth > MAX_DEPTH {
            bail!("{} nests deeper than {MAX_DEPTH} levels", self.what);
        }
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => Ok(Value::Str(self.string()?)),
            Some(b'0'..=b'9') => self.int(),
            Some(b't') => self.word("true", Value::Bool(true)),
            Some(b'f') => self.word("false", Value::Bool(false)),
            Some(b'n') => self.word("null", Value::Null),
            Some(b'-') => bail!("{} has a negative number at byte {}", self.what, self.i),
            Some(c) => bail!(
                "{} is malformed: unexpected '{}' at byte {}",
                self.what,
                c as char,
                self.i
            ),
            None => bail!("{} ends too early", self.what),
        }
    }

    fn word(&mut self, w: &str, v: Value) -> Result<Value> {
        if !self.s[self.i..].starts_with(w.as_bytes()) {
            bail!("{} is malformed at byte {}", self.what, self.i);
        }
        self.i += w.len();
        Ok(v)
    }

    fn int(&mut self) -> Result<Value> {
        let start = self.i;
        while self.i < self.s.len() && self.s[self.i].is_ascii_digit() {
            self.i += 1;
        }
        if matches!(self.s.get(self.i), Some(b'.' | b'e' | b'E')) {
            bail!(
                "{} has a number that is not whole at byte {start}",
                self.what
            );
        }
        let digits = &self.s[start..self.i];
        if digits.len() > 1 && digits[0] == b'0' {
            bail!(
                "{} has a number with a leading zero at byte {start}",
                self.what
            );
        }
        // 16 digits at most: below 2^53, so every value is also exact as a JS number.
        let n = std::str::from_utf8(digits)
            .ok()
            .filter(|d| d.len() <= 16)
            .and_then(|d| d.parse::<u64>().ok())
            .filter(|&n| n < 1 << 53);
        match n {
            Some(n) => Ok(Value::Int(n)),
            None => bail!("{} has a number too large at byte {start}", self.what),
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value> {
        self.expect(b'[')?;
        let mut out = Vec::new();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(Value::Arr(out));
        }
        loop {
            out.push(self.value(depth + 1)?);
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Value::Arr(out));
                }
                _ => bail!(
                    "{} is malformed: expected ',' or ']' at byte {}",
                    self.what,
                    self.i
                ),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value> {
        self.expect(b'{')?;
        let mut out: Vec<(String, Value)> = Vec::new();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(Value::Obj(out));
        }
        loop {
            if self.peek() != Some(b'"') {
                bail!(
                    "{} is malformed: expected a key at byte {}",
                    self.what,
                    self.i
                );
            }
            let key = self.string()?;
            if out.iter().any(|(k, _)| *k == key) {
                bail!("{} names {key:?} twice", self.what);
            }
            self.expect(b':')?;
            let v = self.value(depth + 1)?;
            out.push((key, v));
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Value::Obj(out));
                }
                _ => bail!(
                    "{} is malformed: expected ',' or '}}' at byte {}",
                    self.what,
                    self.i
                ),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32> {
        let h = self
            .s
            .get(self.i..self.i + 4)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u32::from_str_radix(h, 16).ok());
        let Some(h) = h else {
            bail!("{} has a bad \\u escape at byte {}", self.what, self.i);
        };
        self.i += 4;
        Ok(h)
    }

    fn string(&mut self) -> Result<String> {
        self.expect(b'"')?;
        let mut out = String::new();
        loop {
            let start = self.i;
            while self.i < self.s.len() && !matches!(self.s[self.i], b'"' | b'\\' | 0..=0x1f) {
                self.i += 1;
            }
            // The input is a &str, and the run stops only at ASCII bytes: a whole UTF-8 run.
            out.push_str(std::str::from_utf8(&self.s[start..self.i]).expect("cut at ASCII"));
            match self.s.get(self.i) {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = self.s.get(self.i).copied();
                    self.i += 1;
                    let ch = match c {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => self.unicode()?,
                        _ => bail!("{} has a bad escape at byte {}", self.what, self.i - 1),
                    };
                    out.push(ch);
                }
                Some(_) => bail!(
                    "{} has a control character in a string at byte {}",
                    self.what,
                    self.i
                ),
                None => bail!("{} ends inside a string", self.what),
            }
        }
    }

    /// The character of a `\uXXXX` escape (after the `u`), joining a surrogate pair.
    fn unicode(&mut self) -> Result<char> {
        let hi = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&hi) {
            if !self.s[self.i..].starts_with(b"\\u") {
                bail!("{} has an unpaired surrogate at byte {}", self.what, self.i);
            }
            self.i += 2;
            let lo = self.hex4()?;
            if !(0xDC00..0xE000).contains(&lo) {
                bail!("{} has an unpaired surrogate at byte {}", self.what, self.i);
            }
            0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
        } else {
            hi
        };
        match char::from_u32(code) {
            Some(c) => Ok(c),
            None => bail!("{} has an unpaired surrogate at byte {}", self.what, self.i),
        }
    }
}

/// `s` as a JSON string literal (UTF-8 kept as it is, as serde_json writes it).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_safetensors_headers_hold() {
        let v = parse(r#" {"a": {"dtype":"F32","shape":[2, 3],"data_offsets":[0,24]}, "__metadata__": {"k":"\u4eba\ud83d\ude00\n"}} "#).unwrap();
        let Value::Obj(o) = v else { panic!() };
        assert_eq!(o[0].0, "a");
        assert_eq!(
            o[1].1,
            Value::Obj(vec![("k".into(), Value::Str("人😀\n".into()))])
        );
        for s in ["人们\"\\\n\u{1}", "", "plain"] {
            assert_eq!(parse(&quote(s)).unwrap(), Value::Str(s.into()));
        }
    }

    #[test]
    fn refuses_what_is_not_strict_json() {
        for bad in [
            "{",
            r#"{"a":1,}"#,
            r#"{"a":1,"a":2}"#,
            "[1.5]",
            "[-1]",
            "[01]",
            r#""\ud800""#,
            "[[[[[[[[[[1]]]]]]]]]]",
            r#"{"a":1} x"#,
            "[99999999999999999]",
            "\"a\u{1}\"",
            "tru",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
