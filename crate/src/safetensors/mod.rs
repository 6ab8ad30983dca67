//! safetensors, the one weight format: what PyTorch (`safetensors.torch.save_file`), candle
//! and burn exchange. Layout: an 8-byte little-endian header length N, N bytes of JSON
//! (`{"name": {"dtype": "F16", "shape": [6, 1, 5, 5], "data_offsets": [begin, end]}, …,
//! "__metadata__": {"key": "value", …}}`, padded with spaces), then the tensors' raw
//! little-endian bytes, offsets counted from the end of the header.
//!
//! [`read`] checks the whole header before it decodes a byte of data (every offset inside
//! the data and the tensors tiling it exactly, shapes matching sizes, known dtypes) and a
//! CRC-32 when the file carries one (`__metadata__["crc32"]`, which [`write`] adds), so a
//! truncated, padded, damaged or lying file is an error that names the tensor. The CRC
//! covers what the file means, not its bytes: the data, then every tensor's name, dtype and
//! shape in data order, then every other metadata entry by key. A damaged header that still
//! parses is caught too, and a tool that rewrites the JSON in another order keeps it valid.

pub mod json;

use crate::params::Named;
use crate::shape::{MAX_HEADER, MAX_TENSORS};
use crate::{bail, Error, Result};
use json::Value;

/// The element types nnplay reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dtype {
    F32,
    F16,
    BF16,
}

impl Dtype {
    pub fn name(self) -> &'static str {
        match self {
            Dtype::F32 => "F32",
            Dtype::F16 => "F16",
            Dtype::BF16 => "BF16",
        }
    }

    fn parse(s: &str) -> Option<Dtype> {
        [Dtype::F32, Dtype::F16, Dtype::BF16]
            .into_iter()
            .find(|d| d.name() == s)
    }

    pub fn size(self) -> usize {
        match self {
            Dtype::F32 => 4,
            Dtype::F16 | Dtype::BF16 => 2,
        }
    }

    fn encode(self, v: f32, out: &mut Vec<u8>) {
        match self {
            Dtype::F32 => out.extend(v.to_le_bytes()),
            Dtype::F16 => out.extend(f16_from_f32(v).to_le_bytes()),
            Dtype::BF16 => out.extend(bf16_from_f32(v).to_le_bytes()),
        }
    }

    fn decode(self, b: &[u8]) -> Vec<f32> {
        match self {
            Dtype::F32 => b
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
            Dtype::F16 => b
                .chunks_exact(2)
                .map(|c| f32_from_f16(u16::from_le_bytes([c[0], c[1]])))
                .collect(),
            Dtype::BF16 => b
                .chunks_exact(2)
                .map(|c| f32::from_bits(u32::from(u16::from_le_bytes([c[0], c[1]])) << 16))
                .collect(),
        }
    }
}

/// One tensor as read: name, shape, values widened to f32, and the dtype it was stored as.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    pub name: String,
    pub shape: Vec<usize>,
    pub values: Vec<f32>,
    pub dtype: Dtype,
}

/// A whole file: its tensors in the order of their data, and its `__metadata__`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct File {
    pub tensors: Vec<Tensor>,
    pub metadata: Vec<(String, String)>,
}

impl File {
    /// (name, shape, values) per tensor, as [`Named::assign`] takes them.
    pub fn into_named(self) -> Vec<(String, Vec<usize>, Vec<f32>)> {
        self.tensors
            .into_iter()
            .map(|t| (t.name, t.shape, t.values))
            .collect()
    }

    /// Checks that tensor `name` has `shape`, as the metadata's sizes say it must; done
    /// before a network of those sizes is allocated, so a lying header cannot ask for
    /// gigabytes that the file does not hold.
    pub fn require(&self, name: &str, shape: &[usize]) -> Result<()> {
        match self.tensors.iter().find(|t| t.name == name) {
            None => bail!("the file has no tensor {name:?}, which its metadata's network needs"),
            Some(t) if t.shape != shape => bail!(
                "tensor {name:?} has shape {:?} in the file, but its metadata describes {shape:?}",
                t.shape
            ),
            Some(_) => Ok(()),
        }
    }

    pub fn meta(&self, key: &str) -> Option<&str> {
        lookup(&self.metadata, key)
    }

    /// As [`File::meta`], or an error naming the entry the file lacks.
    pub fn require_meta(&self, key: &str) -> Result<&str> {
        self.meta(key)
            .ok_or_else(|| Error::new(format!("the file's metadata has no {key:?} entry")))
    }

    /// As [`File::require_meta`], read as a whole number in `lo..=hi`.
    pub fn meta_usize(&self, key: &str, lo: usize, hi: usize) -> Result<usize> {
        let v = self.require_meta(key)?;
        match v.parse::<usize>() {
            Ok(n) if (lo..=hi).contains(&n) => Ok(n),
            _ => bail!(
                "the file's metadata says {key} = {v:?}; it must be a whole number from {lo} to {hi}"
            ),
        }
    }
}

/// The value of `key` in a file's `__metadata__`, if it is there.
pub fn lookup<'a>(metadata: &'a [(String, String)], key: &str) -> Option<&'a str> {
    metadata
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Reads and checks a whole safetensors file.
pub fn read(b: &[u8]) -> Result<File> {
    if b.len() < 8 {
        bail!(
            "this is not a safetensors file: it has only {} bytes",
            b.len()
        );
    }
    let n = u64::from_le_bytes(b[..8].try_into().expect("8 bytes"));
    let rest = (b.len() - 8) as u64;
    if n > MAX_HEADER || n > rest {
        bail!(
            "this is not a safetensors file, or it is truncated: it announces a {n}-byte header, and {rest} bytes follow"
        );
    }
    let header = std::str::from_utf8(&b[8..8 + n as usize])
        .map_err(|_| Error::new("this is not a safetensors file: its header is not UTF-8 text"))?;
    if !header.trim_start().starts_with('{') {
        bail!("this is not a safetensors file: its header is not a JSON object");
    }
    let Value::Obj(entries) = json::parse(header)? else {
        unreachable!("starts with '{{'")
    };
    let data = &b[8 + n as usize..];
    let mut file = File::default();
    let mut spans = Vec::new();
    for (name, v) in entries {
        if name == "__metadata__" {
            file.metadata = metadata(v)?;
        } else {
            let (dtype, shape, range) = entry(&name, v)?;
            spans.push((range, name, dtype, shape));
        }
    }
    if spans.len() > MAX_TENSORS || file.metadata.len() > MAX_TENSORS {
        bail!("the file has {} tensors and {} metadata entries; nnplay reads at most {MAX_TENSORS} of each", spans.len(), file.metadata.len());
    }
    let order = ascending(
        &spans
            .iter()
            .map(|(r, ..)| (r.start, r.end))
            .collect::<Vec<_>>(),
    );
    let spans: Vec<_> = order.into_iter().map(|i| spans[i].clone()).collect();
    let mut at = 0;
    for (r, name, ..) in &spans {
        if r.start != at {
            bail!(
                "tensor {name:?} starts at byte {} of the data, but the tensors before it end at {at}: the header's offsets overlap or leave a gap",
                r.start
            );
        }
        at = r.end;
    }
    if at != data.len() {
        bail!(
            "the header's tensors cover {at} bytes of data, but the file holds {}: it is {}",
            data.len(),
            if at > data.len() {
                "truncated"
            } else {
                "padded with extra bytes"
            }
        );
    }
    if let Some(want) = file.meta("crc32") {
        let described = spans.iter().map(|(_, n, d, s)| (n.as_str(), *d, &s[..]));
        let got = format!("{:08x}", checksum(data, described, &file.metadata));
        if got != want {
            bail!("the file is damaged: its CRC-32 is {got}, its header says {want}");
        }
    }
    file.tensors = spans
        .into_iter()
        .map(|(r, name, dtype, shape)| Tensor {
            values: dtype.decode(&data[r]),
            name,
            shape,
            dtype,
        })
        .collect();
    Ok(file)
}

fn metadata(v: Value) -> Result<Vec<(String, String)>> {
    let Value::Obj(o) = v else {
        bail!("the header's __metadata__ must be an object of strings");
    };
    o.into_iter()
        .map(|(k, v)| match v {
            Value::Str(s) => Ok((k, s)),
            _ => Err(Error::new(format!(
                "the header's __metadata__ entry {k:?} is not a string"
            ))),
        })
        .collect()
}

/// One tensor's header entry: its dtype, shape and byte range within the data.
fn entry(name: &str, v: Value) -> Result<(Dtype, Vec<usize>, std::ops::Range<usize>)> {
    let Value::Obj(fields) = v else {
        bail!("tensor {name:?}: its header entry is not an object");
    };
    let (mut dtype, mut shape, mut offsets) = (None, None, None);
    for (k, v) in fields {
        match (k.as_str(), v) {
            ("dtype", Value::Str(s)) => dtype = Some(s),
            ("shape", Value::Arr(a)) => shape = Some(a),
            ("data_offsets", Value::Arr(a)) => offsets = Some(a),
            (k, _) => bail!("tensor {name:?}: unexpected or malformed header field {k:?}"),
        }
    }
    let (Some(dtype), Some(shape), Some(offsets)) = (dtype, shape, offsets) else {
        bail!("tensor {name:?}: the header entry needs dtype, shape and data_offsets");
    };
    let Some(dt) = Dtype::parse(&dtype) else {
        bail!("tensor {name:?} is stored as {dtype}; nnplay reads F32, F16 and BF16 (convert it with tensor.float() before saving)");
    };
    let ints = |a: Vec<Value>, what: &str| -> Result<Vec<usize>> {
        a.into_iter()
            .map(|v| match v {
                Value::Int(n) if n <= usize::MAX as u64 => Ok(n as usize),
                _ => Err(Error::new(format!(
                    "tensor {name:?}: its {what} must be whole numbers"
                ))),
            })
            .collect()
    };
    let shape = ints(shape, "shape")?;
    let offsets = ints(offsets, "data_offsets")?;
    let [begin, end] = offsets[..] else {
        bail!("tensor {name:?}: data_offsets must be [begin, end]");
    };
    let bytes = shape
        .iter()
        .try_fold(dt.size(), |acc, &d| acc.checked_mul(d));
    if end < begin || bytes != Some(end - begin) {
        bail!(
            "tensor {name:?}: shape {shape:?} as {dtype} needs {} bytes, but its data_offsets [{begin}, {end}] give {}",
            bytes.map_or("too many".into(), |b| b.to_string()),
            end.saturating_sub(begin)
        );
    }
    Ok((dt, shape, begin..end))
}

/// A safetensors file of `tensors` (name, shape, values) stored as `dtype`, with `metadata`
/// plus the data's CRC-32 under "crc32" and "format": "pt" (what PyTorch's writer puts
/// there, so `safetensors.torch.load_file` takes it as a PyTorch file).
pub fn write(
    tensors: &[(&str, &[usize], &[f32])],
    dtype: Dtype,
    metadata: &[(String, String)],
) -> Vec<u8> {
    let mut data = Vec::new();
    let mut header = String::from("{");
    for (name, shape, values) in tensors {
        let begin = data.len();
        values.iter().for_each(|&v| dtype.encode(v, &mut data));
        let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
        header += &format!(
            "{}:{{\"dtype\":\"{}\",\"shape\":[{}],\"data_offsets\":[{begin},{}]}},",
            json::quote(name),
            dtype.name(),
            dims.join(","),
            data.len()
        );
    }
    let mut meta: Vec<(String, String)> = vec![("format".into(), "pt".into())];
    meta.extend(
        metadata
            .iter()
            .filter(|(k, _)| k != "crc32" && k != "format")
            .cloned(),
    );
    let described = tensors.iter().map(|(n, s, _)| (*n, dtype, *s));
    meta.push((
        "crc32".into(),
        format!("{:08x}", checksum(&data, described, &meta)),
    ));
    let fields: Vec<String> = meta
        .iter()
        .map(|(k, v)| format!("{}:{}", json::quote(k), json::quote(v)))
        .collect();
    header += &format!("\"__metadata__\":{{{}}}}}", fields.join(","));
    // Pad with spaces so the data starts 8-byte aligned, as the Python writer does.
    while header.len() % 8 != 0 {
        header.push(' ');
    }
    let mut out = Vec::with_capacity(8 + header.len() + data.len());
    out.extend((header.len() as u64).to_le_bytes());
    out.extend(header.as_bytes());
    out.extend(data);
    out
}

/// A network's parameters as a safetensors file: its table's names and shapes, its
/// [`Named::describe`] and `extra` (course, seed, command) as metadata.
pub fn save(net: &impl Named, dtype: Dtype, extra: &[(String, String)]) -> Vec<u8> {
    let table = net.table();
    let tensors = net.tensors();
    let list: Vec<(&str, &[usize], &[f32])> = table
        .params()
        .iter()
        .zip(&tensors)
        .map(|(p, t)| (p.name.as_str(), &p.shape[..], *t))
        .collect();
    let mut meta = net.describe();
    meta.extend_from_slice(extra);
    write(&list, dtype, &meta)
}

/// The CRC-32 a file records (see the module's notes): of `data`, then each tensor's
/// name, dtype and shape in data order, then each metadata entry but "crc32", by key.
fn checksum<'a>(
    data: &[u8],
    tensors: impl Iterator<Item = (&'a str, Dtype, &'a [usize])>,
    metadata: &[(String, String)],
) -> u32 {
    let mut crc = crc32_update(!0, data);
    for (name, dtype, shape) in tensors {
        let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
        let line = format!("{name}\0{}\0{}\n", dtype.name(), dims.join(","));
        crc = crc32_update(crc, line.as_bytes());
    }
    let meta: Vec<&(String, String)> = metadata.iter().filter(|(k, _)| k != "crc32").collect();
    let keys: Vec<&str> = meta.iter().map(|(k, _)| k.as_str()).collect();
    for (k, v) in ascending(&keys).into_iter().map(|i| meta[i]) {
        crc = crc32_update(crc, format!("{k}\0{v}\n").as_bytes());
    }
    !crc
}

/// The indices of `keys` in ascending order, equal keys in their given order: a selection
/// sort, O(n²) for the few entries of a header (at most `MAX_TENSORS`), because the
/// standard library's sorts add kilobytes to the page's wasm.
fn ascending<K: PartialOrd>(keys: &[K]) -> Vec<usize> {
    let mut used = vec![false; keys.len()];
    let mut out = Vec::with_capacity(keys.len());
    for _ in 0..keys.len() {
        let mut best: Option<usize> = None;
        for (i, k) in keys.iter().enumerate() {
            if !used[i] && best.is_none_or(|b| *k < keys[b]) {
                best = Some(i);
            }
        }
        let b = best.expect("one key is left");
        used[b] = true;
        out.push(b);
    }
    out
}

/// CRC-32 (IEEE 802.3, as zip and PNG use), bitwise: under a millisecond for our files.
pub fn crc32(data: &[u8]) -> u32 {
    !crc32_update(!0, data)
}

fn crc32_update(mut crc: u32, data: &[u8]) -> u32 {
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    crc
}

/// `v` with only the top `bits` of its 23 mantissa bits kept, rounded to nearest (ties to
/// even); inf and NaN unchanged. Stored as f16, such values end in zero bits that gzip
/// squeezes: a trained model's f16 file shrinks by a third at 4 bits, which is how the
/// language-model view's weights fit their download budget at a cost measured per model.
pub fn round_mantissa(v: f32, bits: u32) -> f32 {
    if bits >= 23 || !v.is_finite() {
        return v;
    }
    let drop = 23 - bits;
    let b = v.to_bits();
    let odd = (b >> drop) & 1;
    // A carry out of the mantissa lands in the exponent: the next power of two, as it should.
    f32::from_bits((b + (1 << (drop - 1)) - 1 + odd) >> drop << drop)
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

/// f32 to bfloat16 (the top half of the f32), rounding to nearest even; NaN stays NaN.
pub fn bf16_from_f32(v: f32) -> u16 {
    let b = v.to_bits();
    if v.is_nan() {
        return ((b >> 16) | 0x40) as u16;
    }
    ((b + 0x7fff + ((b >> 16) & 1)) >> 16) as u16
}

#[cfg(test)]
mod tests;
