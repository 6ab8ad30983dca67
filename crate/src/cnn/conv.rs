//! 2-D convolution (cross-correlation, as in PyTorch and the course's slides).

use crate::cnn::{rank, Tensor};
use crate::shape::{check_buffer, check_work, Padding, Window2d};
use crate::{bail, kernels, Result};

/// A checked convolution: input `[N, C, H, W]`, weight `[O, C, kh, kw]`, bias `[O]`.
#[derive(Debug, Clone, Copy)]
pub struct Conv2d {
    pub window: Window2d,
    pub out_channels: usize,
}

impl Conv2d {
    /// Checks shapes and buffers; after this the kernels only index.
    pub fn plan(
        x: &[f32],
        x_shape: &[usize],
        wt: &[f32],
        w_shape: &[usize],
        b: &[f32],
        stride: [usize; 2],
        padding: Padding,
    ) -> Result<Conv2d> {
        let xs: [usize; 4] = rank("x", x_shape, "[N, C, H, W]")?;
        let ws: [usize; 4] = rank(
            "weight",
            w_shape,
            "[out channels, in channels, kernel height, kernel width]",
        )?;
        check_buffer("x", x, &xs)?;
        check_buffer("weight", wt, &ws)?;
        if ws[1] != xs[1] {
            bail!("weight has {} input channels but x has {} channels (weight is [O, C, kh, kw], x is [N, C, H, W])", ws[1], xs[1]);
        }
        check_buffer("bias", b, &[ws[0]])?;
        let window = Window2d::plan(xs, [ws[2], ws[3]], stride, padding)?;
        let macs = window.y_len(ws[0]) as u64 * (ws[1] * ws[2] * ws[3]) as u64;
        check_work("this convolution", macs)?;
        Ok(Conv2d {
            window,
            out_channels: ws[0],
        })
    }

    pub fn out_shape(&self) -> Vec<usize> {
        vec![
            self.window.n,
            self.out_channels,
            self.window.oh,
            self.window.ow,
        ]
    }
}

/// y: [N, O, OH, OW] = conv2d(x: [N, C, H, W], weight: [O, C, kh, kw]) + bias: [O].
pub fn conv2d(
    x: &[f32],
    x_shape: &[usize],
    wt: &[f32],
    w_shape: &[usize],
    b: &[f32],
    stride: [usize; 2],
    padding: Padding,
) -> Result<Tensor> {
    let p = Conv2d::plan(x, x_shape, wt, w_shape, b, stride, padding)?;
    let mut y = vec![0.0; p.window.y_len(p.out_channels)];
    kernels::fast::conv2d(&mut y, x, wt, b, &p.window, p.out_channels);
    Ok(Tensor::new(p.out_shape(), y))
}

/// One product of a convolution's sum, as the course writes it: `x * w`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Term {
    pub channel: usize,
    /// Input row and column; outside `0..H` / `0..W` where the window lies on SAME padding.
    pub row: isize,
    pub col: isize,
    /// The input value (0 on padding) and the weight it meets.
    pub x: f32,
    pub w: f32,
}

/// The products behind output `y[n, oc, oy, ox]`, in the order the sum runs (channel, row,
/// column), padded cells included as zeros so the student sees the whole window.
pub fn conv2d_terms(p: &Conv2d, x: &[f32], wt: &[f32], at: [usize; 4]) -> Result<Vec<Term>> {
    let g = &p.window;
    let [n, oc, oy, ox] = at;
    let limits = [g.n, p.out_channels, g.oh, g.ow];
    for (name, (&v, &lim)) in ["image", "output channel", "output row", "output column"]
        .iter()
        .zip(at.iter().zip(&limits))
    {
        if v >= lim {
            bail!("{name} must be below {lim}, got {v}");
        }
    }
    let mut terms = Vec::with_capacity(g.c * g.kh * g.kw);
    for ic in 0..g.c {
        for ky in 0..g.kh {
            for kx in 0..g.kw {
                let row = (oy * g.sh + ky) as isize - g.pad_top as isize;
                let col = (ox * g.sw + kx) as isize - g.pad_left as isize;
                let inside = g.in_row(oy, ky).zip(g.in_col(ox, kx));
                let xv = inside.map_or(0.0, |(iy, ix)| x[((n * g.c + ic) * g.h + iy) * g.w + ix]);
                terms.push(Term {
                    channel: ic,
                    row,
                    col,
                    x: xv,
                    w: wt[((oc * g.c + ic) * g.kh + ky) * g.kw + kx],
                });
            }
        }
    }
    Ok(terms)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The course's slide: 5x5 input, 3x3 kernel, stride 1, VALID.
    pub const COURSE_X: [f32; 25] = [
        1., 1., 1., 0., 0., //
        0., 1., 1., 1., 0., //
        0., 0., 1., 1., 1., //
        0., 0., 1., 1., 0., //
        0., 1., 1., 0., 0.,
    ];
    pub const COURSE_K: [f32; 9] = [1., 0., 1., 0., 1., 0., 1., 0., 1.];

    #[test]
    fn the_course_slide() {
        let y = conv2d(
            &COURSE_X,
            &[1, 1, 5, 5],
            &COURSE_K,
            &[1, 1, 3, 3],
            &[0.0],
            [1, 1],
            Padding::Valid,
        )
        .unwrap();
        assert_eq!(y.shape, vec![1, 1, 3, 3]);
        assert_eq!(y.data, vec![4., 3., 4., 2., 4., 3., 2., 3., 4.]);
        let p = Conv2d::plan(
            &COURSE_X,
            &[1, 1, 5, 5],
            &COURSE_K,
            &[1, 1, 3, 3],
            &[0.0],
            [1, 1],
            Padding::Valid,
        )
        .unwrap();
        let terms = conv2d_terms(&p, &COURSE_X, &COURSE_K, [0, 0, 0, 0]).unwrap();
        let text: Vec<String> = terms.iter().map(|t| format!("{}*{}", t.x, t.w)).collect();
        assert_eq!(text.join("+"), "1*1+1*0+1*1+0*0+1*1+1*0+0*1+0*0+1*1");
        assert_eq!(terms.iter().map(|t| t.x * t.w).sum::<f32>(), 4.0);
    }

    #[test]
    fn stride_two_and_same_padding() {
        let y = conv2d(
            &COURSE_X,
            &[1, 1, 5, 5],
            &COURSE_K,
            &[1, 1, 3, 3],
            &[0.0],
            [2, 2],
            Padding::Valid,
        )
        .unwrap();
        assert_eq!(y.data, vec![4., 4., 2., 4.]);
        let y = conv2d(
            &COURSE_X,
            &[1, 1, 5, 5],
            &COURSE_K,
            &[1, 1, 3, 3],
            &[0.5],
            [1, 1],
            Padding::Same,
        )
        .unwrap();
        assert_eq!(y.shape, vec![1, 1, 5, 5]);
        // Top-left SAME window covers x[0..2, 0..2] with kernel taps (1,1),(1,2),(2,1),(2,2).
        assert_eq!(
            y.data[0],
            0.5 + 1.0 * 1.0 + 1.0 * 0.0 + 0.0 * 0.0 + 1.0 * 1.0
        );
        let p = Conv2d::plan(
            &COURSE_X,
            &[1, 1, 5, 5],
            &COURSE_K,
            &[1, 1, 3, 3],
            &[0.0],
            [1, 1],
            Padding::Same,
        )
        .unwrap();
        let t = conv2d_terms(&p, &COURSE_X, &COURSE_K, [0, 0, 0, 0]).unwrap();
        assert_eq!((t[0].row, t[0].col, t[0].x), (-1, -1, 0.0));
        assert!(conv2d_terms(&p, &COURSE_X, &COURSE_K, [0, 0, 5, 0]).is_err());
    }

    #[test]
    fn mismatches_are_errors() {
        let e = conv2d(
            &COURSE_X,
            &[1, 1, 5, 5],
            &COURSE_K,
            &[1, 2, 3, 3],
            &[0.0],
            [1, 1],
            Padding::Valid,
        )
        .unwrap_err();
        assert!(e.message().contains("weight has"), "{e}");
        let e = conv2d(
            &COURSE_X,
            &[1, 1, 5, 5],
            &COURSE_K,
            &[1, 1, 3, 3],
            &[],
            [1, 1],
            Padding::Valid,
        )
        .unwrap_err();
        assert!(e.message().contains("bias"), "{e}");
        let e = conv2d(
            &COURSE_X,
            &[1, 5, 5],
            &COURSE_K,
            &[1, 1, 3, 3],
            &[0.0],
            [1, 1],
            Padding::Valid,
        )
        .unwrap_err();
        assert!(e.message().contains("4 axes"), "{e}");
        let e = conv2d(
            &COURSE_X,
            &[1, 1, 5, 5],
            &COURSE_K,
            &[1, 1, 3, 3],
            &[0.0],
            [0, 1],
            Padding::Valid,
        )
        .unwrap_err();
        assert!(e.message().contains("stride"), "{e}");
    }
}
