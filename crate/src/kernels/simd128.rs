//! wasm SIMD128 twins of the hot kernels in `scalar.rs`: four f32 lanes per instruction,
//! full vectors first, then a scalar tail. Same signatures, same results up to float
//! summation order (property tests in tests/wasm/simd.rs hold them within 1e-5 relative).

use core::arch::wasm32::*;

use crate::kernels::ConvS1;
use crate::kernels::{layout, scalar};
use crate::shape::Window2d;

/// acc + a · b in the recurrent nets' products and in [`exp4`]. In the build with relaxed SIMD (the page
/// loads it where the engine validates it, see scripts/post-build.py) this is
/// `f32x4.relaxed_madd`: one fused multiply-add where the CPU has FMA (V8 emits vfmadd231ps),
/// so one rounding instead of two and one instruction instead of two: with [`exp4`]'s, LSTM
/// and GRU 13–16% faster at batch 1 and 21% at batch 32 (docs/BENCHMARKS.md, "nnplay" against
/// "nnplay SIMD128"). The spec lets the engine fuse or not, but one engine
/// on one machine always does the same, so the step-wise and whole-sequence passes, which
/// share these kernels, stay equal bit for bit; the wasm tests hold the kernels to a fused
/// or an unfused scalar sum, whichever the engine does.
#[inline(always)]
pub fn madd(acc: v128, a: v128, b: v128) -> v128 {
    #[cfg(target_feature = "relaxed-simd")]
    {
        f32x4_relaxed_madd(a, b, acc)
    }
    #[cfg(not(target_feature = "relaxed-simd"))]
    {
        f32x4_add(acc, f32x4_mul(a, b))
    }
}

/// Whether [`madd`] rounds once on this engine: false without relaxed SIMD; with it, what
/// the engine does (V8 and SpiderMonkey fuse where the CPU has FMA). The tests pick their
/// reference sums by it, and `wasm::arithmetic` reports it.
pub fn madd_fuses() -> bool {
    // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24: rounded to f32 (a tie, to even) the 2^-24 is lost,
    // so only a fused multiply-add leaves anything after subtracting 1 + 2^-11.
    let a = f32x4_splat(std::hint::black_box(1.0 + 2f32.powi(-12)));
    let acc = f32x4_splat(std::hint::black_box(-(1.0 + 2f32.powi(-11))));
    f32x4_extract_lane::<0>(madd(acc, a, a)) != 0.0
}

/// y[i] += a * x[i] for i < y.len(); x must be at least as long as y.
#[inline]
fn axpy(y: &mut [f32], a: f32, x: &[f32]) {
    let x = &x[..y.len()];
    let av = f32x4_splat(a);
    let full = y.len() / 4 * 4;
    let mut i = 0;
    while i < full {
        // SAFETY: i + 4 <= full <= y.len() == x.len(), so both 16-byte accesses are in bounds;
        // v128_load and v128_store accept unaligned addresses.
        unsafe {
            let yp = y.as_mut_ptr().add(i) as *mut v128;
            let xv = v128_load(x.as_ptr().add(i) as *const v128);
            v128_store(yp, f32x4_add(v128_load(yp), f32x4_mul(av, xv)));
        }
        i += 4;
    }
    for (o, &v) in y[full..].iter_mut().zip(&x[full..]) {
        *o += a * v;
    }
}

/// y[i] += a * x[start + i * step]: the strided input row of a convolution with stride > 1.
#[inline]
fn axpy_strided(y: &mut [f32], a: f32, x: &[f32], start: usize, step: usize) {
    let av = f32x4_splat(a);
    let full = y.len() / 4 * 4;
    let mut i = 0;
    while i < full {
        let j = start + i * step;
        // Lanes are gathered with checked indexing; the arithmetic is the vector part.
        let xv = f32x4(x[j], x[j + step], x[j + 2 * step], x[j + 3 * step]);
        // SAFETY: i + 4 <= full <= y.len(); unaligned store is allowed.
        unsafe {
            let yp = y.as_mut_ptr().add(i) as *mut v128;
            v128_store(yp, f32x4_add(v128_load(yp), f32x4_mul(av, xv)));
        }
        i += 4;
    }
    for (k, o) in y.iter_mut().enumerate().skip(full) {
        *o += a * x[start + k * step];
    }
}

/// y: [n, o, oh, ow] = conv(x: [n, c, h, w], wt: [o, c, kh, kw]) + b: [o], as
/// `scalar::conv2d`. Vectorised along output rows: each kernel tap adds weight * input row
/// to the output row, so the padding test runs once per tap instead of once per product.
pub fn conv2d(y: &mut [f32], x: &[f32], wt: &[f32], b: &[f32], g: &Window2d, o: usize) {
    let (hw, khw) = (g.h * g.w, g.kh * g.kw);
    let ranges: Vec<(usize, usize)> = (0..g.kw)
        .map(|kx| {
            let (lo, hi) = scalar::valid_cols(g, kx);
            (lo, hi)
        })
        .collect();
    for n in 0..g.n {
        for oc in 0..o {
            for oy in 0..g.oh {
                let yrow = &mut y[((n * o + oc) * g.oh + oy) * g.ow..][..g.ow];
                yrow.fill(b[oc]);
                for ic in 0..g.c {
                    let xplane = &x[(n * g.c + ic) * hw..][..hw];
                    let wk = &wt[(oc * g.c + ic) * khw..][..khw];
                    for ky in 0..g.kh {
                        let Some(iy) = g.in_row(oy, ky) else { continue };
                        let xrow = &xplane[iy * g.w..][..g.w];
                        for (kx, &(lo, hi)) in ranges.iter().enumerate() {
                            if lo >= hi {
                                continue;
                            }
                            let wv = wk[ky * g.kw + kx];
                            let start = lo * g.sw + kx - g.pad_left;
                            if g.sw == 1 {
                                axpy(&mut yrow[lo..hi], wv, &xrow[start..]);
                            } else {
                                axpy_strided(&mut yrow[lo..hi], wv, xrow, start, g.sw);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Sum of a[i] * b[i], four vector accumulators (16 products per step) to hide add latency.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let b = &b[..a.len()];
    let full = a.len() / 16 * 16;
    let mut acc = [f32x4_splat(0.0); 4];
    let mut i = 0;
    while i < full {
        for (k, s) in acc.iter_mut().enumerate() {
            // SAFETY: i + 16 <= full <= a.len() == b.len(); loads are unaligned-safe.
            unsafe {
                let av = v128_load(a.as_ptr().add(i + 4 * k) as *const v128);
                let bv = v128_load(b.as_ptr().add(i + 4 * k) as *const v128);
                *s = f32x4_add(*s, f32x4_mul(av, bv));
            }
        }
        i += 16;
    }
    let v = f32x4_add(f32x4_add(acc[0], acc[1]), f32x4_add(acc[2], acc[3]));
    let mut sum = f32x4_extract_lane::<0>(v)
        + f32x4_extract_lane::<1>(v)
        + f32x4_extract_lane::<2>(v)
        + f32x4_extract_lane::<3>(v);
    for (x, y) in a[full..].iter().zip(&b[full..]) {
        sum += x * y;
    }
    sum
}

/// y: [n, out] = x: [n, inp] * wt: [out, inp]^T + b: [out], as `scalar::dense`.
pub fn dense(y: &mut [f32], x: &[f32], wt: &[f32], b: &[f32], n: usize, inp: usize, out: usize) {
    for r in 0..n {
        let xr = &x[r * inp..(r + 1) * inp];
        for j in 0..out {
            y[r * out + j] = dot(xr, &wt[j * inp..(j + 1) * inp]) + b[j];
        }
    }
}

/// y = max(x, 0), elementwise.
pub fn relu(y: &mut [f32], x: &[f32]) {
    let x = &x[..y.len()];
    let zero = f32x4_splat(0.0);
    let full = y.len() / 4 * 4;
    let mut i = 0;
    while i < full {
        // SAFETY: i + 4 <= full <= y.len() == x.len(); unaligned access is allowed.
        unsafe {
            let v = v128_load(x.as_ptr().add(i) as *const v128);
            v128_store(y.as_mut_ptr().add(i) as *mut v128, f32x4_max(v, zero));
        }
        i += 4;
    }
    for (o, &v) in y[full..].iter_mut().zip(&x[full..]) {
        *o = v.max(0.0);
    }
}

/// c[r][j0..j0 + 4 * V] += sum over p of A(i0 + r, p) * b[p][j0..]: an R×(4V) tile of C kept
/// in 2R..8 vector registers for the whole k loop (the register blocking that makes a GEMM
/// fast), A read as scalars through strides so one kernel serves `nn` and `tn`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn tile<const R: usize, const V: usize>(
    c: &mut [f32],
    a: &[f32],
    rs: usize,
    cs: usize,
    b: &[f32],
    i0: usize,
    j0: usize,
    k: usize,
    n: usize,
) {
    let mut acc = [[f32x4_splat(0.0); V]; R];
    let (ap, bp) = (a.as_ptr(), b.as_ptr());
    for p in 0..k {
        let mut bv = [f32x4_splat(0.0); V];
        for (v, slot) in bv.iter_mut().enumerate() {
            // SAFETY: the caller checked b.len() >= k * n and j0 + 4 * V <= n.
            *slot = unsafe { v128_load(bp.add(p * n + j0 + 4 * v) as *const v128) };
        }
        for (r, row) in acc.iter_mut().enumerate() {
            // SAFETY: the caller checked that A(i, p) is in bounds for i < m, p < k.
            let av = f32x4_splat(unsafe { *ap.add((i0 + r) * rs + p * cs) });
            for v in 0..V {
                row[v] = f32x4_add(row[v], f32x4_mul(av, bv[v]));
            }
        }
    }
    for (r, row) in acc.iter().enumerate() {
        for (v, &x) in row.iter().enumerate() {
            let at = (i0 + r) * n + j0 + 4 * v;
            // SAFETY: i0 + r < m and j0 + 4 * V <= n, and the caller checked c.len() >= m * n.
            unsafe {
                let cp = c.as_mut_ptr().add(at) as *mut v128;
                v128_store(cp, f32x4_add(v128_load(cp), x));
            }
        }
    }
}

/// c: [m, n] += A * b where A(i, p) = a[i * rs + p * cs] and b: [k, n].
#[allow(clippy::too_many_arguments)] // the two strides are what let nn and tn share it
fn gemm_strided(
    c: &mut [f32],
    a: &[f32],
    rs: usize,
    cs: usize,
    b: &[f32],
    m: usize,
    k: usize,
    n: usize,
) {
    if m == 0 || n == 0 || k == 0 {
        return;
    }
    assert!(
        c.len() >= m * n && b.len() >= k * n && a.len() > (m - 1) * rs + (k - 1) * cs,
        "gemm: buffers too short"
    );
    let mut i0 = 0;
    while i0 < m {
        let rows = (m - i0).min(4);
        let mut j0 = 0;
        while j0 + 8 <= n {
            match rows {
                4 => tile::<4, 2>(c, a, rs, cs, b, i0, j0, k, n),
                _ => (i0..i0 + rows).for_each(|i| tile::<1, 2>(c, a, rs, cs, b, i, j0, k, n)),
            }
            j0 += 8;
        }
        while j0 + 4 <= n {
            match rows {
                4 => tile::<4, 1>(c, a, rs, cs, b, i0, j0, k, n),
                _ => (i0..i0 + rows).for_each(|i| tile::<1, 1>(c, a, rs, cs, b, i, j0, k, n)),
            }
            j0 += 4;
        }
        for i in i0..i0 + rows {
            for j in j0..n {
                c[i * n + j] += (0..k)
                    .map(|p| a[i * rs + p * cs] * b[p * n + j])
                    .sum::<f32>();
            }
        }
        i0 += rows;
    }
}

/// c: [m, n] += a: [m, k] * b: [k, n], as `scalar::gemm_nn`.
pub fn gemm_nn(c: &mut [f32], a: &[f32], b: &[f32], m: usize, k: usize, n: usize) {
    gemm_strided(c, a, k, 1, b, m, k, n);
}

/// c: [m, n] += a^T * b with a: [k, m], b: [k, n], as `scalar::gemm_tn`.
pub fn gemm_tn(c: &mut [f32], a: &[f32], b: &[f32], m: usize, k: usize, n: usize) {
    gemm_strided(c, a, 1, m, b, m, k, n);
}

#[inline(always)]
fn hsum(v: v128) -> f32 {
    (f32x4_extract_lane::<0>(v) + f32x4_extract_lane::<1>(v))
        + (f32x4_extract_lane::<2>(v) + f32x4_extract_lane::<3>(v))
}

/// c: [m, n] += a: [m, k] * b^T with b: [n, k], as `scalar::gemm_nt`: 2×4 tiles of dot
/// products, vectors along k (both operands are contiguous there), so no transpose is needed.
#[allow(clippy::needless_range_loop)] // q indexes both rows' accumulators and b's rows
pub fn gemm_nt(c: &mut [f32], a: &[f32], b: &[f32], m: usize, k: usize, n: usize) {
    assert!(
        c.len() >= m * n && a.len() >= m * k && b.len() >= n * k,
        "gemm_nt: buffers too short"
    );
    let k4 = k / 4 * 4;
    let (ap, bp) = (a.as_ptr(), b.as_ptr());
    let mut i = 0;
    while i + 2 <= m {
        let mut j = 0;
        while j + 4 <= n {
            let mut acc = [[f32x4_splat(0.0); 4]; 2];
            let mut p = 0;
            while p < k4 {
                // SAFETY: i + 1 < m, j + 3 < n and p + 4 <= k, so every load is inside a or b.
                unsafe {
                    let a0 = v128_load(ap.add(i * k + p) as *const v128);
                    let a1 = v128_load(ap.add((i + 1) * k + p) as *const v128);
                    for q in 0..4 {
                        let bq = v128_load(bp.add((j + q) * k + p) as *const v128);
                        acc[0][q] = f32x4_add(acc[0][q], f32x4_mul(a0, bq));
                        acc[1][q] = f32x4_add(acc[1][q], f32x4_mul(a1, bq));
                    }
                }
                p += 4;
            }
            for r in 0..2 {
                for q in 0..4 {
                    let tail: f32 = (k4..k)
                        .map(|p| a[(i + r) * k + p] * b[(j + q) * k + p])
                        .sum();
                    c[(i + r) * n + j + q] += hsum(acc[r][q]) + tail;
                }
            }
            j += 4;
        }
        for jj in j..n {
            for r in 0..2 {
                c[(i + r) * n + jj] += dot(&a[(i + r) * k..][..k], &b[jj * k..][..k]);
            }
        }
        i += 2;
    }
    if i < m {
        for jj in 0..n {
            c[i * n + jj] += dot(&a[i * k..][..k], &b[jj * k..][..k]);
        }
    }
}

/// c[i0 + r][8 q ..] += sum over p of a[i0 + r][p] * panel q [p][..] for R rows and P
/// panels (8P columns): 2RP accumulators live in registers across the whole k loop, each
/// a sum over p in order from 0 (as `scalar::gemm_packed`, so the results are identical).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn panel_tile<const R: usize, const P: usize>(
    c: &mut [f32],
    a: &[f32],
    packed: &[f32],
    i0: usize,
    q0: usize,
    m: usize,
    k: usize,
    n: usize,
) {
    const W: usize = layout::PANEL;
    let mut acc = [[[f32x4_splat(0.0); 2]; P]; R];
    let (ap, bp) = (a.as_ptr(), packed.as_ptr());
    for p in 0..k {
        // SAFETY (every load of packed here): gemm_packed checked packed.len() >= panels *
        // k * 8, q0 + u < panels and p < k, so the 8 floats at (q0 + u) * k * 8 + p * 8 are in.
        let load = |u: usize, v: usize| unsafe {
            v128_load(bp.add((q0 + u) * k * W + p * W + 4 * v) as *const v128)
        };
        if R == 1 {
            // Each vector of b is used once. (Written next to its product, but V8 still
            // loads all 2P first: hence P = 3 for single rows, so that they and the 2P
            // accumulators fit in registers.)
            // SAFETY: i0 < m and p < k, and gemm_packed checked a.len() >= m * k.
            let av = f32x4_splat(unsafe { *ap.add(i0 * k + p) });
            for (u, pair) in acc[0].iter_mut().enumerate() {
                for (v, s) in pair.iter_mut().enumerate() {
                    *s = madd(*s, av, load(u, v));
                }
            }
            continue;
        }
        let mut bv = [[f32x4_splat(0.0); 2]; P];
        for (u, slot) in bv.iter_mut().enumerate() {
            *slot = [load(u, 0), load(u, 1)];
        }
        for (r, row) in acc.iter_mut().enumerate() {
            // SAFETY: i0 + r < m and p < k, and gemm_packed checked a.len() >= m * k.
            let av = f32x4_splat(unsafe { *ap.add((i0 + r) * k + p) });
            for u in 0..P {
                for v in 0..2 {
                    row[u][v] = madd(row[u][v], av, bv[u][v]);
                }
            }
        }
    }
    debug_assert!(i0 + R <= m);
    for (r, row) in acc.iter().enumerate() {
        for (u, pair) in row.iter().enumerate() {
            for (v, &x) in pair.iter().enumerate() {
                add_to_row(
                    &mut c[(i0 + r) * n..(i0 + r + 1) * n],
                    (q0 + u) * W + 4 * v,
                    x,
                );
            }
        }
    }
}

/// row[j..j + 4] += x, keeping only the lanes inside the row: a panel's columns past the
/// matrix's last one are zeros.
#[inline(always)]
fn add_to_row(row: &mut [f32], j: usize, x: v128) {
    if j + 4 <= row.len() {
        // SAFETY: j + 4 <= row.len().
        unsafe {
            let p = row.as_mut_ptr().add(j) as *mut v128;
            v128_store(p, f32x4_add(v128_load(p), x));
        }
    } else if j < row.len() {
        let lanes = [
            f32x4_extract_lane::<0>(x),
            f32x4_extract_lane::<1>(x),
            f32x4_extract_lane::<2>(x),
            f32x4_extract_lane::<3>(x),
        ];
        for (o, l) in row[j..].iter_mut().zip(lanes) {
            *o += l;
        }
    }
}

/// c: [m, n] += a: [m, k] * w^T with w: [n, k] packed by `layout::pack_nt`, as
/// `scalar::gemm_packed` and bit for bit equal to it. One row (an RNN step at batch 1):
/// 1×24 tiles, one splat of a[p] feeding 6 products (1×32 needs 8 accumulators + 8 loaded
/// vectors, and V8's 15 xmm registers then spill one accumulator to the stack every step:
/// LSTM batch 1 took 1.12 ms with 1×32, 0.79 ms with 1×24). More rows: 4×8 tiles, panels outer
/// within blocks of rows, so a panel ([k, 8], 4 KB at k = 128) is read from L1 by every
/// 4-row band of the block and the block's rows of a stay in L1 too.
pub fn gemm_packed(c: &mut [f32], a: &[f32], packed: &[f32], m: usize, k: usize, n: usize) {
    const W: usize = layout::PANEL;
    let panels = n.div_ceil(W);
    assert!(
        c.len() >= m * n && a.len() >= m * k && packed.len() >= panels * k * W,
        "gemm_packed: buffers too short"
    );
    if m == 0 || n == 0 {
        return;
    }
    if m < 4 {
        for i in 0..m {
            let mut q = 0;
            while q + 3 <= panels {
                panel_tile::<1, 3>(c, a, packed, i, q, m, k, n);
                q += 3;
            }
            for q in q..panels {
                panel_tile::<1, 1>(c, a, packed, i, q, m, k, n);
            }
        }
        return;
    }
    // Rows per block: a block of a about 16 KB (half of L1), a multiple of 4.
    let block = ((4096 / k.max(1)) / 4 * 4).max(4);
    let mut i0 = 0;
    while i0 < m {
        let end = (i0 + block).min(m);
        let full = i0 + (end - i0) / 4 * 4;
        for q in 0..panels {
            for i in (i0..full).step_by(4) {
                panel_tile::<4, 1>(c, a, packed, i, q, m, k, n);
            }
            for i in full..end {
                panel_tile::<1, 1>(c, a, packed, i, q, m, k, n);
            }
        }
        i0 = end;
    }
}

/// `scalar::gemm_rows` in SIMD128, bit for bit: for each row and 24-column panel
/// (`layout::pack_rows`), six vectors of sums stay in registers over p in order from 0, and
/// each p's six vectors of w^T are read from one pointer. For a few rows: an RNN step at
/// batch 1 (the 8-column panels of `gemm_packed` need three pointers per p; 4% faster LSTM
/// at batch 1). With the fused multiply-add, V8's loop is vbroadcastss, 6 loads and 6
/// vfmadd231ps per p, bound by the latency of its six chains of sums
/// (scripts/bench-rows.mjs); why not more chains, and what else was tried: the introduction
/// of docs/BENCHMARKS.md.
pub fn gemm_rows(c: &mut [f32], a: &[f32], packed: &[f32], m: usize, k: usize, n: usize) {
    const W: usize = layout::ROW_PANEL;
    let panels = n.div_ceil(W);
    assert!(
        c.len() >= m * n && a.len() >= m * k && packed.len() >= panels * k * W,
        "gemm_rows: buffers too short"
    );
    for i in 0..m {
        for q in 0..panels {
            let mut acc = [f32x4_splat(0.0); W / 4];
            // SAFETY: i < m, p < k and q < panels: a[i * k + p] and the 24 floats of panel
            // q's row p lie inside a and packed (lengths checked above).
            unsafe {
                let (arow, panel) = (a.as_ptr().add(i * k), packed.as_ptr().add(q * k * W));
                for p in 0..k {
                    let av = f32x4_splat(*arow.add(p));
                    let row = panel.add(p * W);
                    for (v, s) in acc.iter_mut().enumerate() {
                        *s = madd(*s, av, v128_load(row.add(4 * v) as *const v128));
                    }
                }
            }
            for (v, &x) in acc.iter().enumerate() {
                add_to_row(&mut c[i * n..(i + 1) * n], q * W + 4 * v, x);
            }
        }
    }
}

/// One output row `oy` of an R-channel × (4V)-column tile of a stride-1 convolution:
/// y[o0 + r][oy][ox0..] = b + sum over (c, ky, kx) of wt * xp[c][oy + ky][ox0 + kx..].
/// Input vectors are loaded once per tap and reused by all R channels.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn conv_tile<const R: usize, const V: usize>(
    y: &mut [f32],
    xp: &[f32],
    wt: &[f32],
    b: &[f32],
    d: &ConvS1,
    o0: usize,
    oy: usize,
    ox0: usize,
) {
    let khw = d.kh * d.kw;
    let mut acc = [[f32x4_splat(0.0); V]; R];
    for (r, row) in acc.iter_mut().enumerate() {
        *row = [f32x4_splat(b[o0 + r]); V];
    }
    let (xptr, wptr) = (xp.as_ptr(), wt.as_ptr());
    for c in 0..d.c {
        for ky in 0..d.kh {
            let row = (c * d.hp + oy + ky) * d.wp + ox0;
            for kx in 0..d.kw {
                let mut xv = [f32x4_splat(0.0); V];
                for (v, slot) in xv.iter_mut().enumerate() {
                    // SAFETY: conv2d_s1 checked xp.len() >= c * hp * wp, oy + ky < hp and
                    // ox0 + 4V + kw - 1 <= wp, so the 4 floats read are inside the row.
                    *slot = unsafe { v128_load(xptr.add(row + kx + 4 * v) as *const v128) };
                }
                for (r, accr) in acc.iter_mut().enumerate() {
                    // SAFETY: o0 + r < o and wt.len() == o * c * kh * kw (checked by conv2d_s1).
                    let w = f32x4_splat(unsafe {
                        *wptr.add((o0 + r) * d.c * khw + c * khw + ky * d.kw + kx)
                    });
                    for v in 0..V {
                        accr[v] = f32x4_add(accr[v], f32x4_mul(w, xv[v]));
                    }
                }
            }
        }
    }
    for (r, accr) in acc.iter().enumerate() {
        for (v, &val) in accr.iter().enumerate() {
            let at = ((o0 + r) * d.oh + oy) * d.ow + ox0 + 4 * v;
            // SAFETY: ox0 + 4V <= ow and o0 + r < o, so the store is inside y (checked length).
            unsafe { v128_store(y.as_mut_ptr().add(at) as *mut v128, val) };
        }
    }
}

/// y: [o, oh, ow] = b + stride-1 convolution of an already padded input xp: [c, hp, wp]
/// (oh = hp - kh + 1, ow = wp - kw + 1) with wt: [o, c, kh, kw]. Register tiles of 4
/// channels × 8 columns; as `scalar::conv2d` on the unpadded input with stride 1.
/// `ow` must be a multiple of 4 (callers pad the input's width): a column tail done one
/// product at a time cost more than the whole vector part in LeNet's C3.
pub fn conv2d_s1(y: &mut [f32], xp: &[f32], wt: &[f32], b: &[f32], d: &ConvS1) {
    assert!(
        d.ow % 4 == 0
            && xp.len() >= d.c * d.hp * d.wp
            && wt.len() >= d.o * d.c * d.kh * d.kw
            && b.len() >= d.o
            && y.len() >= d.o * d.oh * d.ow,
        "conv2d_s1: output width must be a multiple of 4 and buffers long enough for {d:?}"
    );
    for oy in 0..d.oh {
        let mut o0 = 0;
        while o0 < d.o {
            let r = (d.o - o0).min(4);
            let mut ox0 = 0;
            while ox0 + 8 <= d.ow {
                match r {
                    4 => conv_tile::<4, 2>(y, xp, wt, b, d, o0, oy, ox0),
                    2 | 3 => conv_tile::<2, 2>(y, xp, wt, b, d, o0, oy, ox0),
                    _ => conv_tile::<1, 2>(y, xp, wt, b, d, o0, oy, ox0),
                }
                ox0 += 8;
            }
            if ox0 < d.ow {
                match r {
                    4 => conv_tile::<4, 1>(y, xp, wt, b, d, o0, oy, ox0),
                    2 | 3 => conv_tile::<2, 1>(y, xp, wt, b, d, o0, oy, ox0),
                    _ => conv_tile::<1, 1>(y, xp, wt, b, d, o0, oy, ox0),
                }
            }
            o0 += if r == 3 { 2 } else { r };
        }
    }
}

/// `portable::conv2d_s1_sparse` in SIMD128 (same contract, same results bit for bit):
/// `lanes` (a multiple of 4) output channels of one cell are `lanes / 4` vectors. The input
/// is scanned four cells at a time, so runs of zeros cost one compare per vector.
#[allow(clippy::too_many_arguments)]
pub fn conv2d_s1_sparse(
    y: &mut [f32],
    acc: &mut [f32],
    xp: &[f32],
    wk: &[f32],
    b: &[f32],
    d: &ConvS1,
    lanes: usize,
) {
    assert!(
        lanes % 4 == 0
            && lanes >= d.o
            && acc.len() >= d.oh * d.ow * lanes
            && xp.len() >= d.c * d.hp * d.wp
            && wk.len() >= d.c * d.kh * d.kw * lanes
            && b.len() >= d.o
            && y.len() >= d.o * d.oh * d.ow,
        "conv2d_s1_sparse: lanes must be a multiple of 4, at least o, and buffers long enough for {d:?}"
    );
    // LeNet-5's C1 (6 channels in 8 lanes) and C3 (16) get instances whose per-cell loop
    // over vectors is unrolled with the accumulators' addresses as constants.
    match lanes / 4 {
        2 if d.kw == 5 => scatter::<2, 5>(acc, xp, wk, b, d, lanes),
        4 if d.kw == 5 => scatter::<4, 5>(acc, xp, wk, b, d, lanes),
        _ => scatter::<0, 0>(acc, xp, wk, b, d, lanes),
    }
    channels_first(y, acc, d.o, d.oh * d.ow, lanes);
}

/// The scatter of [`conv2d_s1_sparse`] into acc: [oh, ow, lanes]; `V` is lanes / 4 and `KW`
/// the kernel width, each 0 for "not known at compile time".
fn scatter<const V: usize, const KW: usize>(
    acc: &mut [f32],
    xp: &[f32],
    wk: &[f32],
    b: &[f32],
    d: &ConvS1,
    lanes: usize,
) {
    let nv = if V == 0 { lanes / 4 } else { V };
    let cells = d.oh * d.ow;
    let (ap, wp) = (acc.as_mut_ptr(), wk.as_ptr());
    // Every cell starts at the bias (zeros in the lanes past o): build the first, copy it.
    acc[..d.o].copy_from_slice(&b[..d.o]);
    acc[d.o..lanes].fill(0.0);
    for cell in 1..cells {
        for v in 0..nv {
            // SAFETY: cell < oh * ow and 4v + 4 <= lanes; acc.len() >= oh * ow * lanes.
            unsafe {
                let first = v128_load(ap.add(4 * v) as *const v128);
                v128_store(ap.add(cell * lanes + 4 * v) as *mut v128, first);
            }
        }
    }
    let whole = d.wp / 4 * 4;
    for c in 0..d.c {
        for iy in 0..d.hp {
            let row = &xp[(c * d.hp + iy) * d.wp..][..d.wp];
            for ix0 in (0..whole).step_by(4) {
                // SAFETY: ix0 + 4 <= whole <= wp = row.len().
                let quad = unsafe { v128_load(row.as_ptr().add(ix0) as *const v128) };
                if !v128_any_true(f32x4_ne(quad, f32x4_splat(0.0))) {
                    continue;
                }
                for (ix, &v) in row.iter().enumerate().skip(ix0).take(4) {
                    if v != 0.0 {
                        scatter_cell::<V, KW>(ap, wp, d, lanes, c, iy, ix, v);
                    }
                }
            }
            for (ix, &v) in row.iter().enumerate().skip(whole) {
                if v != 0.0 {
                    scatter_cell::<V, KW>(ap, wp, d, lanes, c, iy, ix, v);
                }
            }
        }
    }
}

/// Adds input cell (c, iy, ix) = v times its taps to every output cell it reaches.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn scatter_cell<const V: usize, const KW: usize>(
    ap: *mut f32,
    wp: *const f32,
    d: &ConvS1,
    lanes: usize,
    c: usize,
    iy: usize,
    ix: usize,
    v: f32,
) {
    let nv = if V == 0 { lanes / 4 } else { V };
    let lanes = if V == 0 { lanes } else { 4 * V };
    let vs = f32x4_splat(v);
    // acc[at..] += vs * wk[w..] over one cell's lanes.
    let update = |at: usize, w: usize| {
        for q in 0..nv {
            // SAFETY: callers pass a cell of [oh, ow] and a tap of [c, kh, kw], so both
            // vectors lie inside acc and wk (lengths checked by conv2d_s1_sparse).
            unsafe {
                let pa = ap.add(at + 4 * q) as *mut v128;
                let sum = f32x4_add(
                    v128_load(pa),
                    f32x4_mul(vs, v128_load(wp.add(w + 4 * q) as *const v128)),
                );
                v128_store(pa, sum);
            }
        }
    };
    // Output (oy, ox) = (iy - ky, ix - kx) must lie inside [oh, ow].
    let (kx0, kx1) = (ix.saturating_sub(d.ow - 1), d.kw.min(ix + 1));
    for ky in iy.saturating_sub(d.oh - 1)..d.kh.min(iy + 1) {
        let at = ((iy - ky) * d.ow + ix) * lanes;
        let w = (c * d.kh + ky) * d.kw * lanes;
        if KW != 0 && kx0 == 0 && kx1 == KW {
            // The whole kernel row fits (most cells of a digit): a constant trip count.
            for kx in 0..KW {
                update(at - kx * lanes, w + kx * lanes);
            }
        } else {
            for kx in kx0..kx1 {
                update(at - kx * lanes, w + kx * lanes);
            }
        }
    }
}

/// y: [o, cells] = the first o lanes of acc: [cells, lanes], by 4×4 transposes.
fn channels_first(y: &mut [f32], acc: &[f32], o: usize, cells: usize, lanes: usize) {
    let whole = cells / 4 * 4;
    let (ap, yp) = (acc.as_ptr(), y.as_mut_ptr());
    for cell in (0..whole).step_by(4) {
        for g in (0..o).step_by(4) {
            // SAFETY: cell + 3 < cells and g + 4 <= lanes, so the four rows are inside acc
            // (checked by conv2d_s1_sparse); stores go to lanes g + j < o of y: [o, cells].
            unsafe {
                let r = |i: usize| v128_load(ap.add((cell + i) * lanes + g) as *const v128);
                let (r0, r1, r2, r3) = (r(0), r(1), r(2), r(3));
                let t0 = i32x4_shuffle::<0, 4, 1, 5>(r0, r1);
                let t1 = i32x4_shuffle::<0, 4, 1, 5>(r2, r3);
                let t2 = i32x4_shuffle::<2, 6, 3, 7>(r0, r1);
                let t3 = i32x4_shuffle::<2, 6, 3, 7>(r2, r3);
                let cols = [
                    i32x4_shuffle::<0, 1, 4, 5>(t0, t1),
                    i32x4_shuffle::<2, 3, 6, 7>(t0, t1),
                    i32x4_shuffle::<0, 1, 4, 5>(t2, t3),
                    i32x4_shuffle::<2, 3, 6, 7>(t2, t3),
                ];
                for (j, col) in cols.into_iter().enumerate().take(o - g) {
                    v128_store(yp.add((g + j) * cells + cell) as *mut v128, col);
                }
            }
        }
    }
    for cell in whole..cells {
        for oc in 0..o {
            y[oc * cells + cell] = acc[cell * lanes + oc];
        }
    }
}

/// `portable::dense_sparse` in SIMD128 (same contract, same results bit for bit): the
/// outputs go in strips of 40 (ten vectors of sums that stay in registers) while the
/// non-zero inputs stream past, each one splatted once per strip.
pub fn dense_sparse(
    y: &mut [f32],
    x: &[f32],
    wt: &[f32],
    b: &[f32],
    nz: &mut [u32],
    inp: usize,
    out: usize,
) {
    assert!(
        y.len() >= out
            && x.len() >= inp
            && wt.len() >= inp * out
            && b.len() >= out
            && nz.len() >= inp,
        "dense_sparse: buffers too short"
    );
    let count = super::portable::nonzero_indices(nz, &x[..inp]);
    let nz = &nz[..count];
    let mut j = 0;
    while j + 40 <= out {
        strip::<10>(y, x, wt, b, nz, out, j);
        j += 40;
    }
    while j + 4 <= out {
        strip::<1>(y, x, wt, b, nz, out, j);
        j += 4;
    }
    for jj in j..out {
        let mut sum = 0.0;
        for &k in nz {
            sum += x[k as usize] * wt[k as usize * out + jj];
        }
        y[jj] = sum + b[jj];
    }
}

/// Outputs j0..j0 + 4V of [`dense_sparse`].
#[inline(always)]
fn strip<const V: usize>(
    y: &mut [f32],
    x: &[f32],
    wt: &[f32],
    b: &[f32],
    nz: &[u32],
    out: usize,
    j0: usize,
) {
    let mut acc = [f32x4_splat(0.0); V];
    let (xp, wp) = (x.as_ptr(), wt.as_ptr());
    for &k in nz {
        let k = k as usize;
        // SAFETY: k < inp (an index of x) and j0 + 4V <= out, so x[k] and the 4V floats of
        // row k of wt: [inp, out] are inside the checked buffers.
        unsafe {
            let xs = f32x4_splat(*xp.add(k));
            let row = wp.add(k * out + j0);
            for (v, a) in acc.iter_mut().enumerate() {
                *a = f32x4_add(*a, f32x4_mul(xs, v128_load(row.add(4 * v) as *const v128)));
            }
        }
    }
    for (v, a) in acc.iter().enumerate() {
        // SAFETY: j0 + 4V <= out <= y.len(), b.len().
        unsafe {
            let at = j0 + 4 * v;
            let sum = f32x4_add(*a, v128_load(b.as_ptr().add(at) as *const v128));
            v128_store(y.as_mut_ptr().add(at) as *mut v128, sum);
        }
    }
}

/// e^x on four lanes (Cephes' expf): x = n ln2 + r with |r| <= ln2 / 2, e^r by a degree-6
/// polynomial, 2^n built in the exponent bits. Relative error below 2e-7 on [-87, 88]; the
/// libm call it replaces cost more than a whole LSTM gate's arithmetic.
///
/// Written for what V8 emits on x64: the clamp uses pmin / pmax (one minps / maxps each; the
/// NaN-propagating f32x4 min / max are about 7 instructions each, and a NaN input still
/// comes out NaN here because it is the first operand). n is rounded by adding 1.5·2^23,
/// whose float addition rounds to the nearest integer, ties to even, exactly as
/// f32x4_nearest; its low mantissa bits are then n itself, which replaces
/// i32x4_trunc_sat_f32x4 (7 instructions in V8). The LSTM's five activation passes per step
/// were a fifth of its time at batch 32. Each multiply-add is [`madd`]: fused in the
/// relaxed-SIMD build, where the serial chain of the polynomial is then about half as long.
#[inline(always)]
pub fn exp4(x: v128) -> v128 {
    const ROUND: f32 = 12_582_912.0; // 1.5 · 2^23
    let x = f32x4_pmax(f32x4_pmin(x, f32x4_splat(88.37)), f32x4_splat(-87.33));
    let t = madd(f32x4_splat(ROUND), x, f32x4_splat(std::f32::consts::LOG2_E));
    let n = f32x4_sub(t, f32x4_splat(ROUND));
    let r = madd(
        madd(x, n, f32x4_splat(-0.693_359_4)),
        n,
        f32x4_splat(2.121_944_4e-4),
    );
    let mut p = f32x4_splat(1.987_569_1e-4);
    for c in [
        1.398_199_9e-3,
        8.333_452e-3,
        4.166_579_6e-2,
        0.166_666_65,
        0.5,
    ] {
        p = madd(f32x4_splat(c), p, r);
    }
    let y = f32x4_add(madd(r, f32x4_mul(p, r), r), f32x4_splat(1.0));
    // bits(t) = bits(ROUND) + n and bits(ROUND) is 0 in its low 9 bits, so after the shift
    // only n + 127 (1..=254 for the clamped x) remains: the exponent field of 2^n.
    let scale = i32x4_shl(i32x4_add(t, i32x4_splat(127)), 23);
    f32x4_mul(y, scale)
}

/// Applies `f` to v in place, four lanes at a time, and `tail` to the last few.
#[inline(always)]
fn map4(v: &mut [f32], f: impl Fn(v128) -> v128, tail: impl Fn(f32) -> f32) {
    let full = v.len() / 4 * 4;
    let mut i = 0;
    while i < full {
        // SAFETY: i + 4 <= full <= v.len(); unaligned access is allowed.
        unsafe {
            let p = v.as_mut_ptr().add(i) as *mut v128;
            v128_store(p, f(v128_load(p)));
        }
        i += 4;
    }
    for x in &mut v[full..] {
        *x = tail(*x);
    }
}

/// v = 1 / (1 + e^-v) in place.
pub fn sigmoid_inplace(v: &mut [f32]) {
    let one = f32x4_splat(1.0);
    map4(
        v,
        |x| f32x4_div(one, f32x4_add(one, exp4(f32x4_neg(x)))),
        |x| 1.0 / (1.0 + (-x).exp()),
    );
}

/// v = tanh(v) = 1 - 2 / (e^2v + 1) in place.
pub fn tanh_inplace(v: &mut [f32]) {
    let (one, two) = (f32x4_splat(1.0), f32x4_splat(2.0));
    map4(
        v,
        |x| f32x4_sub(one, f32x4_div(two, f32x4_add(exp4(f32x4_mul(two, x)), one))),
        f32::tanh,
    );
}

/// 2×2 max pooling with stride 2 (windows all inside), as `portable::max_pool2x2`: the four
/// cells of four windows are compared as vectors and the winner's index chosen by masks,
/// first cell on ties (a later cell wins only if strictly greater, as the scalar scan).
pub fn max_pool2x2(y: &mut [f32], arg: &mut [u32], x: &[f32], planes: usize, oh: usize, ow: usize) {
    let w = 2 * ow;
    assert!(
        x.len() >= planes * 4 * oh * ow
            && y.len() >= planes * oh * ow
            && arg.len() >= planes * oh * ow,
        "max_pool2x2: buffers too short"
    );
    // Four windows of one output row at ox.. + 4 (inside the row: checked by the callers
    // below), as vectors; the winner's index chosen by masks.
    let quad = |y: &mut [f32], arg: &mut [u32], top: usize, out: usize, ox: usize| {
        let i = top + 2 * ox;
        // SAFETY: ox + 4 <= ow, so both input rows' 8 floats at 2ox.. lie inside x, and the
        // 4 outputs at out + ox.. inside y and arg (lengths checked above).
        let (t0, t1, b0, b1) = unsafe {
            let xp = x.as_ptr();
            (
                v128_load(xp.add(i) as *const v128),
                v128_load(xp.add(i + 4) as *const v128),
                v128_load(xp.add(i + w) as *const v128),
                v128_load(xp.add(i + w + 4) as *const v128),
            )
        };
        let (a, b) = (
            i32x4_shuffle::<0, 2, 4, 6>(t0, t1),
            i32x4_shuffle::<1, 3, 5, 7>(t0, t1),
        );
        let (c, d) = (
            i32x4_shuffle::<0, 2, 4, 6>(b0, b1),
            i32x4_shuffle::<1, 3, 5, 7>(b0, b1),
        );
        let (ba, dc) = (f32x4_gt(b, a), f32x4_gt(d, c));
        let (m1, m2) = (v128_bitselect(b, a, ba), v128_bitselect(d, c, dc));
        let low = f32x4_gt(m2, m1);
        let best = v128_bitselect(m2, m1, low);
        // Offsets within the window: a 0, b 1, c w, d w + 1.
        let o1 = v128_and(ba, i32x4_splat(1));
        let o2 = i32x4_add(i32x4_splat(w as i32), v128_and(dc, i32x4_splat(1)));
        let off = v128_bitselect(o2, o1, low);
        let base = i32x4_add(i32x4_splat(i as i32), i32x4(0, 2, 4, 6));
        // SAFETY: as above.
        unsafe {
            v128_store(y.as_mut_ptr().add(out + ox) as *mut v128, best);
            v128_store(
                arg.as_mut_ptr().add(out + ox) as *mut v128,
                i32x4_add(base, off),
            );
        }
    };
    let full = ow / 4 * 4;
    for p in 0..planes {
        for oy in 0..oh {
            let top = p * 4 * oh * ow + 2 * oy * w;
            let out = (p * oh + oy) * ow;
            for ox in (0..full).step_by(4) {
                quad(y, arg, top, out, ox);
            }
            if full < ow && ow >= 4 {
                // The last 4 windows again, overlapping the vectors before: same values,
                // and no scalar tail (S2's rows are 14 wide, S4's 5).
                quad(y, arg, top, out, ow - 4);
            } else {
                for ox in full..ow {
                    let i = top + 2 * ox;
                    let mut at = i;
                    for j in [i + 1, i + w, i + w + 1] {
                        if x[j] > x[at] {
                            at = j;
                        }
                    }
                    y[out + ox] = x[at];
                    arg[out + ox] = at as u32;
                }
            }
        }
    }
}
