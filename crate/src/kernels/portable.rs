//! Fast kernels in plain Rust, shaped so the compiler vectorises them on any target (SSE2
//! natively, SIMD128 in wasm): inner loops run over contiguous memory as `y += a * x`
//! (axpy) or as eight independent partial sums. Used for training natively and wherever no
//! hand-written `simd128` twin exists. Tested equal to `scalar` (tests below, and in wasm).

/// Sum of a[i] * b[i] with eight partial sums, which the compiler keeps in vector registers
/// (a single running sum is a dependency chain it may not reorder).
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let b = &b[..a.len()];
    let mut acc = [0.0f32; 8];
    let (ac, bc) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ar, br) = (ac.remainder(), bc.remainder());
    for (x, y) in ac.zip(bc) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    let mut sum = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (x, y) in ar.iter().zip(br) {
        sum += x * y;
    }
    sum
}

/// y[i] += a * x[i].
#[inline]
pub fn axpy(y: &mut [f32], a: f32, x: &[f32]) {
    for (o, &v) in y.iter_mut().zip(x) {
        *o += a * v;
    }
}

/// c: [m, n] += a: [m, k] * b: [k, n], as rows of c accumulating scaled rows of b.
pub fn gemm_nn(c: &mut [f32], a: &[f32], b: &[f32], m: usize, k: usize, n: usize) {
    for i in 0..m {
        let ci = &mut c[i * n..(i + 1) * n];
        for p in 0..k {
            let aip = a[i * k + p];
            if aip != 0.0 {
                axpy(ci, aip, &b[p * n..(p + 1) * n]);
            }
        }
    }
}

/// c: [m, n] += a^T * b with a: [k, m], b: [k, n].
pub fn gemm_tn(c: &mut [f32], a: &[f32], b: &[f32], m: usize, k: usize, n: usize) {
    for p in 0..k {
        let bp = &b[p * n..(p + 1) * n];
        for i in 0..m {
            let api = a[p * m + i];
            if api != 0.0 {
                axpy(&mut c[i * n..(i + 1) * n], api, bp);
            }
        }
    }
}

/// c: [m, n] += a * b^T with a: [m, k], b: [n, k]: every entry a dot product of two rows.
pub fn gemm_nt(c: &mut [f32], a: &[f32], b: &[f32], m: usize, k: usize, n: usize) {
    for i in 0..m {
        let ai = &a[i * k..(i + 1) * k];
        for j in 0..n {
            c[i * n + j] += dot(ai, &b[j * k..(j + 1) * k]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::scalar;
    use crate::rng::Rng;

    fn rand(rng: &mut Rng, n: usize) -> Vec<f32> {
        (0..n).map(|_| rng.range(-1.0, 1.0)).collect()
    }

    #[test]
    fn gemms_and_dot_equal_the_scalar_reference() {
        let mut rng = Rng::new(12);
        for _ in 0..200 {
            let (m, k, n) = (1 + rng.below(17), 1 + rng.below(40), 1 + rng.below(33));
            let a = rand(&mut rng, m * k);
            let at: Vec<f32> = (0..k * m).map(|i| a[(i % m) * k + i / m]).collect(); // [k, m]
            let b = rand(&mut rng, k * n);
            let bt: Vec<f32> = (0..n * k).map(|i| b[(i % k) * n + i / k]).collect(); // [n, k]
            let c0 = rand(&mut rng, m * n);
            let mut want = c0.clone();
            scalar::gemm_nn(&mut want, &a, &b, m, k, n);
            type Gemm = fn(&mut [f32], &[f32], &[f32], usize, usize, usize);
            let cases: [(Gemm, &[f32], &[f32], &str); 3] = [
                (gemm_nn, &a, &b, "nn"),
                (gemm_tn, &at, &b, "tn"),
                (gemm_nt, &a, &bt, "nt"),
            ];
            for (f, x, y, name) in cases {
                let mut got = c0.clone();
                f(&mut got, x, y, m, k, n);
                for (g, w) in got.iter().zip(&want) {
                    assert!(
                        (g - w).abs() <= 1e-5 * w.abs().max(1.0),
                        "{name} {m}x{k}x{n}: {g} vs {w}"
                    );
                }
            }
            let (s, p) = (scalar::dot(&a, &at), dot(&a, &at));
            assert!((s - p).abs() <= 1e-5 * s.abs().max(1.0));
        }
    }
}
