//! The shipped weights file: LeNet-5's 61,706 parameters as IEEE half floats (123 KB), with
//! a versioned header and a CRC-32 so that a truncated or corrupted download is an error
//! that says so, never a silently wrong network.
//!
//! Layout (little-endian): `b"NNPW"`, version u16 = 1, model u8 (1 = LeNet-5), activation u8
//! (0 relu, 1 tanh), pool u8 (0 max, 1 avg), dtype u8 (1 = f16), reserved u16 = 0,
//! parameter count u32, CRC-32 (IEEE) of the payload u32, then the payload.

use crate::cnn::activation::Activation;
use crate::cnn::lenet5::{LeNet5, Pool, N_PARAMS};
use crate::{bail, Result};

const MAGIC: &[u8; 4] = b"NNPW";
const VERSION: u16 = 1;
const HEADER: usize = 20;

/// CRC-32 (IEEE 802.3, as zip and PNG use), bitwise; 123 KB takes well under a millisecond.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

/// f32 to IEEE binary16, rounding to nearest even; out-of-range values become ±inf.
pub fn f16_from_f32(v: f32) -> u16 {
    let b = v.to_bits();
    let sign = ((b >> 16) & 0x8000) as u16;
    let exp = ((b >> 23) & 0xff) as i32;
    let man = b & 0x7f_ffff;
    if exp == 0xff {
        return sign | 0x7c00 | if man != 0 { 0x200 } else { 0 };
    }
    let e = exp - 127 + 15;
    if e >= 0x1f {
        return sign | 0x7c00;
    }
    if e <= 0 {
        if e < -10 {
            return sign;
        }
        // Subnormal half: shift the mantissa (with its implicit 1) into place, round even.
        let m = man | 0x80_0000;
        let shift = (14 - e) as u32;
        let half = 1u32 << (shift - 1);
        let rounded = (m + half - 1 + ((m >> shift) & 1)) >> shift;
        return sign | rounded as u16;
    }
    let rounded = man + 0xfff + ((man >> 13) & 1);
    if rounded & 0x80_0000 != 0 {
        // The mantissa rounded up into the next exponent.
        let e = e + 1;
        return if e >= 0x1f {
            sign | 0x7c00
        } else {
            sign | ((e as u16) << 10)
        };
    }
    sign | ((e as u16) << 10) | (rounded >> 13) as u16
}

pub fn f32_from_f16(h: u16) -> f32 {
    let sign = u32::from(h & 0x8000) << 16;
    let exp = u32::from((h >> 10) & 0x1f);
    let man = u32::from(h & 0x3ff);
    let bits = match (exp, man) {
        (0, 0) => sign,
        (0, m) => {
            // Subnormal: normalise.
            let shift = m.leading_zeros() - 21;
            sign | ((113 - shift) << 23) | ((m << (shift + 13)) & 0x7f_ffff)
        }
        (0x1f, m) => sign | 0x7f80_0000 | (m << 13),
        (e, m) => sign | ((e + 112) << 23) | (m << 13),
    };
    f32::from_bits(bits)
}

pub fn encode(net: &LeNet5) -> Vec<u8> {
    let payload: Vec<u8> = net
        .params
        .iter()
        .flat_map(|&v| f16_from_f32(v).to_le_bytes())
        .collect();
    let mut out = Vec::with_capacity(HEADER + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend(VERSION.to_le_bytes());
    out.push(1);
    out.push(if net.act == Activation::Tanh { 1 } else { 0 });
    out.push(if net.pool == Pool::Avg { 1 } else { 0 });
    out.push(1);
    out.extend(0u16.to_le_bytes());
    out.extend((net.params.len() as u32).to_le_bytes());
    out.extend(crc32(&payload).to_le_bytes());
    out.extend(payload);
    out
}

pub fn decode(b: &[u8]) -> Result<LeNet5> {
    if b.len() < HEADER || &b[..4] != MAGIC {
        bail!(
            "not an nnplay weights file (it must start with \"NNPW\"; got {} bytes)",
            b.len()
        );
    }
    let u16_at = |i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
    let u32_at = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    let version = u16_at(4);
    if version != VERSION {
        bail!(
            "weights file version {version} is not supported (this nnplay reads version {VERSION})"
        );
    }
    let (model, act, pool, dtype) = (b[6], b[7], b[8], b[9]);
    if model != 1 || dtype != 1 {
        bail!("weights file holds model {model} as dtype {dtype}; this nnplay reads LeNet-5 (1) as f16 (1)");
    }
    let count = u32_at(12) as usize;
    if count != N_PARAMS {
        bail!("weights file has {count} parameters, LeNet-5 has {N_PARAMS}");
    }
    let payload = &b[HEADER..];
    if payload.len() != 2 * count {
        bail!(
            "weights file is truncated or padded: {} payload bytes, {} expected",
            payload.len(),
            2 * count
        );
    }
    let (want, got) = (u32_at(16), crc32(payload));
    if want != got {
        bail!("weights file is corrupted: CRC-32 {got:08x}, header says {want:08x}");
    }
    let params = payload
        .chunks_exact(2)
        .map(|c| f32_from_f16(u16::from_le_bytes([c[0], c[1]])))
        .collect();
    let act = match act {
        0 => Activation::Relu,
        1 => Activation::Tanh,
        _ => bail!("weights file names activation {act}; 0 (relu) and 1 (tanh) exist"),
    };
    let pool = match pool {
        0 => Pool::Max,
        1 => Pool::Avg,
        _ => bail!("weights file names pooling {pool}; 0 (max) and 1 (avg) exist"),
    };
    LeNet5::new(params, act, pool)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f16_round_trips_and_rounds_to_nearest_even() {
        for h in 0..=0xffffu16 {
            let v = f32_from_f16(h);
            if v.is_nan() {
                continue;
            }
            assert_eq!(f16_from_f32(v), h, "half {h:04x} = {v}");
        }
        assert_eq!(f16_from_f32(1.0), 0x3c00);
        assert_eq!(f16_from_f32(65520.0), 0x7c00); // rounds past the largest half, 65504
        assert_eq!(f16_from_f32(1.0 + 1.0 / 2048.0), 0x3c00); // a tie goes to even
        assert_eq!(f16_from_f32(1.0 + 3.0 / 2048.0), 0x3c02);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926); // the standard check value
    }

    #[test]
    fn encode_decode_and_every_corruption_is_caught() {
        let net = LeNet5::init(1, Activation::Relu, Pool::Max);
        let bytes = encode(&net);
        assert_eq!(bytes.len(), 20 + 2 * N_PARAMS);
        let back = decode(&bytes).unwrap();
        for (a, b) in net.params.iter().zip(&back.params) {
            assert!((a - b).abs() <= 1e-3 * a.abs().max(1e-2), "{a} vs {b}");
        }
        assert!(decode(&bytes[..bytes.len() - 1])
            .unwrap_err()
            .message()
            .contains("truncated"));
        let mut flipped = bytes.clone();
        flipped[5000] ^= 4;
        assert!(decode(&flipped)
            .unwrap_err()
            .message()
            .contains("corrupted"));
        assert!(decode(b"PK\x03\x04")
            .unwrap_err()
            .message()
            .contains("not an nnplay weights file"));
        let mut v2 = bytes.clone();
        v2[4] = 2;
        assert!(decode(&v2).unwrap_err().message().contains("version 2"));
    }
}
