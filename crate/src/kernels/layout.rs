//! Weight layouts the fast kernels read: transposes, channels-last taps, and column panels
//! starting on a cache line. Made once per set of weights (not per call), so they sit apart
//! from the reference kernels in `scalar`.

/// w: [rows, cols] -> [cols, rows]. A dense layer's PyTorch weight [out, inp] becomes
/// [inp, out], whose row k is what input k adds to every output (see `dense_sparse`).
pub fn transpose(w: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut t = vec![0.0; rows * cols];
    for r in 0..rows {
        for c in 0..cols {
            t[c * rows + r] = w[r * cols + c];
        }
    }
    t
}

/// Convolution weights wt: [o, c, kh, kw] laid out as [c, kh, kw, lanes] with lanes >= o
/// (zeros past o): what one input cell adds to the `lanes` channels of one output cell is
/// then contiguous, as `conv2d_s1_sparse` reads it.
pub fn channels_last_weights(wt: &[f32], o: usize, c: usize, khw: usize, lanes: usize) -> Vec<f32> {
    assert!(lanes >= o && wt.len() >= o * c * khw);
    let mut out = vec![0.0; c * khw * lanes];
    for oc in 0..o {
        for ic in 0..c {
            for t in 0..khw {
                out[(ic * khw + t) * lanes + oc] = wt[(oc * c + ic) * khw + t];
            }
        }
    }
    out
}

/// Width of the column panels that [`pack_nt`] lays out: two SIMD vectors.
pub const PANEL: usize = 8;

/// Width of the panels of [`pack_rows`]: six vectors, the widest block of one row's sums
/// that stays in V8's registers with the vectors loaded to feed it.
pub const ROW_PANEL: usize = 24;

/// w: [n, k] as column panels of w^T for [`gemm_packed`](super::scalar::gemm_packed): panel q is columns 8q..8q + 8 of
/// w^T, [k, 8] row by row, contiguous, zeros past column n. A kernel then reads each panel
/// front to back, instead of 8 floats every n floats (with n = 512, a 2 KB stride, so all
/// k rows fall into two of L1's 64 sets and no strip of w^T stays cached).
pub fn pack_nt(w: &[f32], n: usize, k: usize) -> Panels {
    pack_panels(w, n, k, PANEL)
}

/// As [`pack_nt`] with panels 24 columns wide, for [`gemm_rows`](super::scalar::gemm_rows): one row of the product
/// (an RNN step at batch 1) then reads one stream with constant offsets, not three.
pub fn pack_rows(w: &[f32], n: usize, k: usize) -> Panels {
    pack_panels(w, n, k, ROW_PANEL)
}

fn pack_panels(w: &[f32], n: usize, k: usize, width: usize) -> Panels {
    let mut out = Panels::zeros(n.div_ceil(width) * k * width);
    for j in 0..n {
        for p in 0..k {
            out[j / width * k * width + p * width + j % width] = w[j * k + p];
        }
    }
    out
}

/// Packed weights starting on a 64-byte boundary (a cache line). The SIMD kernels read them
/// as 16-byte vectors, and one that straddles two lines costs two loads: with the 8-byte
/// alignment the allocator gives a `Vec<f32>`, a quarter of them did, and `gemm_rows` ran
/// 10% slower. Derefs to the floats.
#[derive(Debug, Clone, Default)]
pub struct Panels {
    lines: Vec<Line>,
    len: usize,
}

#[repr(C, align(64))]
#[derive(Debug, Clone, Copy)]
struct Line([f32; 16]);

impl Panels {
    fn zeros(len: usize) -> Panels {
        Panels {
            lines: vec![Line([0.0; 16]); len.div_ceil(16)],
            len,
        }
    }
}

impl std::ops::Deref for Panels {
    type Target = [f32];
    fn deref(&self) -> &[f32] {
        // SAFETY: a Line is 16 f32s and nothing else (repr(C), size 64 = its alignment), so
        // the lines are 16 · lines.len() >= len contiguous, initialised f32s.
        unsafe { std::slice::from_raw_parts(self.lines.as_ptr().cast::<f32>(), self.len) }
    }
}

impl std::ops::DerefMut for Panels {
    fn deref_mut(&mut self) -> &mut [f32] {
        // SAFETY: as in deref, and &mut self is the only borrow of the lines.
        unsafe { std::slice::from_raw_parts_mut(self.lines.as_mut_ptr().cast::<f32>(), self.len) }
    }
}
