//! The one error type of the core: a sentence a student can act on.

use std::fmt;

/// What went wrong, said plainly ("stride must be 1..=16, got 0").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Error(message.into())
    }

    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// Returns early with an [`Error`] built from a format string.
#[macro_export]
macro_rules! bail {
    ($($arg:tt)*) => { return Err($crate::Error::new(format!($($arg)*))) };
}

/// A number as a message shows it: whole numbers as they are, others to six significant
/// digits, NaN and infinities as JS writes them. Written here because Rust's float
/// formatting (exact shortest digits) is 20 KB of the page's wasm, and a message needs
/// none of its precision.
pub fn number(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let sign = if v < 0.0 || (v == 0.0 && v.is_sign_negative()) {
        "-"
    } else {
        ""
    };
    let a = v.abs();
    if a.fract() == 0.0 && a < 1e15 {
        return format!("{sign}{}", a as u64);
    }
    // Six significant digits as an integer, and where the decimal point goes.
    let mut exp = a.log10().floor() as i32;
    let mut digits = (a / 10f64.powi(exp - 5)).round() as u64;
    if digits >= 1_000_000 {
        digits /= 10;
        exp += 1;
    }
    let text = digits.to_string();
    let text = text.trim_end_matches('0');
    let (head, tail) = text.split_at(1);
    if (-5..15).contains(&exp) {
        if exp < 0 {
            let zeros = "0".repeat((-exp - 1) as usize);
            return format!("{sign}0.{zeros}{text}");
        }
        let int_len = exp as usize + 1;
        let padded = format!("{text:0<int_len$}");
        let (int, frac) = padded.split_at(int_len);
        return if frac.is_empty() {
            format!("{sign}{int}")
        } else {
            format!("{sign}{int}.{frac}")
        };
    }
    let tail = if tail.is_empty() {
        String::new()
    } else {
        format!(".{tail}")
    };
    format!("{sign}{head}{tail}e{exp}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_a_student_would_write_them() {
        for (v, s) in [
            (3.0, "3"),
            (-1.0, "-1"),
            (2.5, "2.5"),
            (0.1, "0.1"),
            (1.0 / 3.0, "0.333333"),
            (0.000125, "0.000125"),
            (123456.7, "123457"),
            (1e300, "1e300"),
            (-2.5e-9, "-2.5e-9"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
            (4294967296.0, "4294967296"),
            (f64::from(f32::MIN_POSITIVE), "1.17549e-38"),
            (0.999_999_9, "1"),
        ] {
            assert_eq!(number(v), s, "{v:e}");
        }
    }
}
