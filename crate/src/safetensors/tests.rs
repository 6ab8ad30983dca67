use super::*;

fn sample() -> Vec<u8> {
    let (w, b): (Vec<f32>, Vec<f32>) = (
        (0..6).map(|i| i as f32 * 0.5 - 1.0).collect(),
        vec![0.25, -3.0],
    );
    let meta = vec![("vocab".to_string(), "人们\"常说\"\\".to_string())];
    write(
        &[("fc.weight", &[2, 3], &w), ("fc.bias", &[2], &b)],
        Dtype::F16,
        &meta,
    )
}

/// Replaces the JSON header of `file` with `header` (and its length), keeping the data.
fn with_header(file: &[u8], header: &str) -> Vec<u8> {
    let n = u64::from_le_bytes(file[..8].try_into().unwrap()) as usize;
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend(header.as_bytes());
    out.extend(&file[8 + n..]);
    out
}

#[test]
fn f16_and_bf16_round_trip_and_round_to_nearest_even() {
    for h in 0..=0xffffu16 {
        let v = f32_from_f16(h);
        if !v.is_nan() {
            assert_eq!(f16_from_f32(v), h, "half {h:04x} = {v}");
        }
        let v = f32::from_bits(u32::from(h) << 16);
        if !v.is_nan() {
            assert_eq!(bf16_from_f32(v), h, "bfloat16 {h:04x} = {v}");
        }
    }
    assert_eq!(f16_from_f32(1.0), 0x3c00);
    assert_eq!(f16_from_f32(65520.0), 0x7c00); // rounds past the largest half, 65504
    assert_eq!(f16_from_f32(1.0 + 1.0 / 2048.0), 0x3c00); // a tie goes to even
    assert_eq!(f16_from_f32(1.0 + 3.0 / 2048.0), 0x3c02);
    assert_eq!(bf16_from_f32(f32::from_bits(0x3f80_8000)), 0x3f80); // tie to even
    assert_eq!(bf16_from_f32(f32::from_bits(0x3f81_8000)), 0x3f82);
    assert!(f32::from_bits(u32::from(bf16_from_f32(f32::NAN)) << 16).is_nan());
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926); // the standard check value
}

#[test]
fn rounding_the_mantissa_keeps_the_top_bits_to_nearest_even() {
    let two = |e: i32| 2f32.powi(e);
    // 3 bits: 1 + k/8 are exact; halfway cases go to the even neighbour.
    assert_eq!(round_mantissa(1.0 + 3.0 * two(-3), 3), 1.375);
    assert_eq!(round_mantissa(1.0 + two(-4), 3), 1.0); // halfway, 1.0 is even
    assert_eq!(round_mantissa(1.0 + 3.0 * two(-4), 3), 1.25); // halfway, 1.25 is even
    assert_eq!(round_mantissa(1.0 + 3.0 * two(-4) + two(-20), 3), 1.25);
    assert_eq!(round_mantissa(-(1.0 + 5.0 * two(-5)), 3), -1.125);
    // A carry into the exponent, and out of range into infinity.
    assert_eq!(round_mantissa(1.99, 3), 2.0);
    assert_eq!(round_mantissa(f32::MAX, 3), f32::INFINITY);
    assert_eq!(round_mantissa(f32::NEG_INFINITY, 3), f32::NEG_INFINITY);
    assert!(round_mantissa(f32::NAN, 3).is_nan());
    assert_eq!(round_mantissa(0.1, 23), 0.1);
    // Every rounded value in f16's normal range is exact in f16 with its low bits zero,
    // and lies within half a step of where it started.
    let mut rng = crate::rng::Rng::new(7);
    for _ in 0..10_000 {
        let v = (rng.uniform() - 0.5) * 8.0;
        let r = round_mantissa(v, 4);
        if r.abs() >= 6.2e-5 {
            let h = f16_from_f32(r);
            assert_eq!(h & 0x3f, 0, "{v} -> {r}");
            assert_eq!(f32_from_f16(h), r);
        }
        assert!((r - v).abs() <= v.abs() * two(-5), "{v} -> {r}");
    }
}

#[test]
fn writes_and_reads_every_dtype_with_metadata() {
    let w: Vec<f32> = (0..12).map(|i| (i as f32 - 5.5) / 3.0).collect();
    for dtype in [Dtype::F32, Dtype::F16, Dtype::BF16] {
        let meta = vec![("arch".to_string(), "test \"net\"\n人".to_string())];
        let bytes = write(
            &[("a.weight", &[3, 4], &w), ("b", &[], &[7.0])],
            dtype,
            &meta,
        );
        assert_eq!(u64::from_le_bytes(bytes[..8].try_into().unwrap()) % 8, 0);
        let f = read(&bytes).unwrap();
        assert_eq!(f.meta("arch"), Some("test \"net\"\n人"));
        assert_eq!(f.meta("format"), Some("pt"));
        assert_eq!(
            (f.tensors[0].name.as_str(), &f.tensors[0].shape[..]),
            ("a.weight", &[3, 4][..])
        );
        assert_eq!((f.tensors[1].shape.len(), f.tensors[1].values[0]), (0, 7.0));
        let tol = match dtype {
            Dtype::F32 => 0.0,
            Dtype::F16 => 1e-3,
            Dtype::BF16 => 8e-3,
        };
        for (a, b) in w.iter().zip(&f.tensors[0].values) {
            assert!(
                (a - b).abs() <= tol * a.abs().max(1.0),
                "{dtype:?}: {a} vs {b}"
            );
        }
    }
}

/// Every kind of damage is an error that says what is wrong, naming the tensor.
#[test]
fn every_damaged_or_lying_file_is_a_readable_error() {
    let good = sample();
    assert!(read(&good).is_ok());
    let err = |b: &[u8]| read(b).unwrap_err().message().to_string();
    assert!(err(&good[..good.len() - 1]).contains("truncated"));
    let mut padded = good.clone();
    padded.push(0);
    assert!(err(&padded).contains("padded"));
    let mut flipped = good.clone();
    let last = flipped.len() - 3;
    flipped[last] ^= 4;
    assert!(err(&flipped).contains("damaged"));
    // A damaged header that still parses: a tensor renamed, a metadata letter changed.
    for (from, to) in [("fc.bias", "fc.bia5"), ("常说", "常谈")] {
        let n = u64::from_le_bytes(good[..8].try_into().unwrap()) as usize;
        let header = std::str::from_utf8(&good[8..8 + n])
            .unwrap()
            .replace(from, to);
        let e = err(&with_header(&good, &header));
        assert!(e.contains("damaged"), "{from} → {to}: {e}");
    }
    assert!(err(b"PK\x03\x04").contains("not a safetensors file"));
    assert!(err(b"PK\x03\x04\x14\x00\x00\x00\x08\x00").contains("not a safetensors file"));
    assert!(err(&good[..20]).contains("truncated"));
    let data =
        r#""data_offsets":[0,12]},"fc.bias":{"dtype":"F16","shape":[2],"data_offsets":[12,16]}}"#;
    let lying = format!(r#"{{"fc.weight":{{"dtype":"F16","shape":[2,4],{data}"#);
    let e = err(&with_header(&good, &lying));
    assert!(e.contains("fc.weight") && e.contains("16 bytes"), "{e}");
    let f64_file = format!(r#"{{"fc.weight":{{"dtype":"F64","shape":[2,3],{data}"#);
    let e = err(&with_header(&good, &f64_file));
    assert!(e.contains("fc.weight") && e.contains("F64"), "{e}");
    let overlap = r#"{"fc.weight":{"dtype":"F16","shape":[2,3],"data_offsets":[0,12]},"fc.bias":{"dtype":"F16","shape":[2],"data_offsets":[8,12]}}"#;
    let e = err(&with_header(&good, overlap));
    assert!(e.contains("overlap") || e.contains("gap"), "{e}");
    assert!(err(&with_header(&good, "{\"fc.weight\":")).contains("JSON"));
    let mut huge = good.clone();
    huge[..8].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(err(&huge).contains("truncated"));
}

/// Files made by the reference implementation (the `safetensors` crate, which Python's
/// package wraps) read here, and ours read there, tensor for tensor.
#[test]
fn agrees_with_the_reference_implementation() {
    use safetensors::tensor::{serialize, Dtype as D, SafeTensors, TensorView};
    let w: Vec<u8> = [1.5f32, -2.0, 0.125, 3.0]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let h: Vec<u8> = [0x3c00u16, 0xc000]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let views = vec![
        (
            "conv1.weight",
            TensorView::new(D::F32, vec![1, 1, 2, 2], &w).unwrap(),
        ),
        ("conv1.bias", TensorView::new(D::F16, vec![2], &h).unwrap()),
    ];
    let theirs = serialize(views, None).unwrap();
    let f = read(&theirs).unwrap();
    let t = |n: &str| f.tensors.iter().find(|t| t.name == n).unwrap();
    assert_eq!(t("conv1.weight").values, vec![1.5, -2.0, 0.125, 3.0]);
    assert_eq!(
        (t("conv1.bias").values.clone(), t("conv1.bias").dtype),
        (vec![1.0, -2.0], Dtype::F16)
    );

    let ours = sample();
    let st = SafeTensors::deserialize(&ours).unwrap();
    let bias = st.tensor("fc.bias").unwrap();
    assert_eq!((bias.dtype(), bias.shape()), (D::F16, &[2][..]));
    assert_eq!(bias.data(), &[0x00, 0x34, 0x00, 0xc2]); // 0.25 and -3.0 as f16
    let (_, meta) = SafeTensors::read_metadata(&ours).unwrap();
    assert_eq!(meta.metadata().as_ref().unwrap()["vocab"], "人们\"常说\"\\");
}
