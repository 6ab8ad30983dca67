//! A recurrent network read from a PyTorch `state_dict` saved as safetensors, with no
//! metadata needed: `nn.RNN`, `nn.GRU` or `nn.LSTM` (any number of layers, one or two
//! directions), found by PyTorch's names (`weight_ih_l0`, `weight_hh_l0`, …, `_reverse`)
//! under whatever prefix the student's module gave it (`lstm.`, `rnn.`, `encoder.rnn.`).
//! The shapes tell the rest: hidden size from `weight_hh_l0` [G·H, H], the cell from G (1, 3,
//! 4), the input size from `weight_ih_l0`. What the shapes cannot tell is said, not guessed
//! silently; a file with an embedding and a vocabulary (nnplay's character models, its
//! segmenter, a student's text model) can also read text.

use super::{suffix, Cell, LstmVariant, Recurrent};
use crate::params::Named;
use crate::safetensors::{File, Tensor};
use crate::shape::{MAX_EMBEDDING, MAX_INPUT, MAX_LAYERS, MAX_PAGE_HIDDEN};
use crate::vocab::Vocab;
use crate::{bail, Result};

/// The recurrent part of a file, and what else it held.
#[derive(Debug, Clone)]
pub struct Found {
    pub net: Recurrent,
    /// The module path of the recurrent layers: "lstm." for `model.lstm`, "" for a bare one.
    pub prefix: String,
    /// Rows [V, I] of an embedding that feeds the recurrent layers, with the file's
    /// vocabulary, when the file has both.
    pub embedding: Option<(Vocab, Vec<f32>)>,
    /// What the shapes could not tell and was assumed.
    pub assumed: Vec<Assumed>,
    /// The file's other tensors, "name [shape]" (a classifier head, say): not part of it.
    pub others: Vec<String>,
}

/// What reading a state dict took for granted, for the page to say in its language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assumed {
    /// nn.RNN's nonlinearity is tanh (PyTorch's default; relu has the same weights).
    Tanh,
    /// The file has no biases (bias=False): they are zero.
    NoBias,
}

impl Assumed {
    pub fn code(self) -> &'static str {
        match self {
            Assumed::Tanh => "tanh",
            Assumed::NoBias => "no-bias",
        }
    }
}

const STEMS: [&str; 4] = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"];

/// The recurrent layers of `file`, their sizes from the shapes.
pub fn read(file: File) -> Result<Found> {
    let prefix = find_prefix(&file)?;
    let get = |name: &str| {
        file.tensors
            .iter()
            .find(|t| t.name == format!("{prefix}{name}"))
    };
    let hh = get("weight_hh_l0").expect("found by its name");
    let (rows, hidden) = matrix(hh)?;
    if get("weight_hr_l0").is_some() {
        bail!("{prefix}weight_hr_l0 is an LSTM projection (proj_size > 0), which nnplay's LSTM does not have");
    }
    let (cell, kind) = match rows.checked_div(hidden) {
        Some(1) if rows == hidden => (Cell::Rnn, "nn.RNN"),
        Some(3) if rows == 3 * hidden => (Cell::Gru, "nn.GRU"),
        Some(4) if rows == 4 * hidden => (
            Cell::Lstm {
                variant: LstmVariant::Standard,
                linear_h: false,
            },
            "nn.LSTM",
        ),
        _ => bail!(
            "{prefix}weight_hh_l0 has shape [{rows}, {hidden}]: PyTorch's RNN, GRU and LSTM have 1, 3 or 4 times the hidden size ({hidden}) rows"
        ),
    };
    if hidden > MAX_PAGE_HIDDEN {
        bail!("the hidden size is {hidden}; the RNN view shows at most {MAX_PAGE_HIDDEN} units");
    }
    let (_, input) = matrix(get("weight_ih_l0").ok_or_else(|| {
        crate::Error::new(format!(
            "the file has {prefix}weight_hh_l0 but no {prefix}weight_ih_l0"
        ))
    })?)?;
    if input > MAX_INPUT {
        bail!("the input size is {input}; nnplay reads at most {MAX_INPUT} numbers a step");
    }
    let bidirectional = get("weight_ih_l0_reverse").is_some();
    let d = if bidirectional { 2 } else { 1 };
    let layers = (0..=MAX_LAYERS)
        .take_while(|l| get(&format!("weight_ih_l{l}")).is_some())
        .count();
    if layers > MAX_LAYERS {
        bail!("the file has more than {MAX_LAYERS} recurrent layers, nnplay's limit");
    }
    let mut net = Recurrent::random(
        cell,
        input,
        hidden,
        layers,
        bidirectional,
        0.0,
        &mut crate::rng::Rng::new(0),
    );
    let mut assumed = Vec::new();
    if cell == Cell::Rnn {
        assumed.push(Assumed::Tanh);
    }
    // Each tensor the network needs, under the file's prefix; biases may be absent (bias=False).
    let mut source = Vec::new();
    let mut no_bias = false;
    for p in net.table().params() {
        match get(&p.name) {
            Some(t) => source.push((p.name.clone(), t.shape.clone(), t.values.clone())),
            None if p.name.starts_with("bias") => {
                no_bias = true;
                source.push((p.name.clone(), p.shape.clone(), vec![0.0; p.shape[0]]));
            }
            None => bail!(
                "the file has no tensor {:?}, which a {kind} of {layers} layer(s){} needs",
                format!("{prefix}{}", p.name),
                if bidirectional {
                    " in both directions"
                } else {
                    ""
                }
            ),
        }
    }
    if no_bias {
        assumed.push(Assumed::NoBias);
    }
    net.assign(&source)?;
    // Recurrent tensors past what was read (a layer l{layers}_reverse without l{layers}, a
    // gap in the layers) would be silently lost: refuse them.
    let ours = |name: &str| {
        (0..layers * d).any(|k| {
            STEMS
                .iter()
                .any(|s| name == format!("{prefix}{s}_{}", suffix(k, d)))
        })
    };
    if let Some(t) = file.tensors.iter().find(|t| {
        t.name.starts_with(&prefix) && !ours(&t.name) && is_recurrent_name(&t.name[prefix.len()..])
    }) {
        bail!("the file has {:?}, which does not fit a {kind} of {layers} layer(s){} (its layers must be numbered from l0 without a gap)", t.name, if bidirectional { " in both directions" } else { ", one direction" });
    }
    let embedding = embedding(&file, input)?;
    let others: Vec<String> = file
        .tensors
        .iter()
        .filter(|t| {
            let read_as_embedding = embedding.is_some() && t.name.ends_with("embedding.weight");
            !(ours(&t.name) || read_as_embedding)
        })
        .map(|t| format!("{} {:?}", t.name, t.shape))
        .collect();
    Ok(Found {
        net,
        prefix,
        embedding,
        assumed,
        others,
    })
}

/// The module path before the first `weight_hh_l0` in the file.
fn find_prefix(file: &File) -> Result<String> {
    match file
        .tensors
        .iter()
        .find_map(|t| t.name.strip_suffix("weight_hh_l0"))
    {
        Some(p) if p.is_empty() || p.ends_with('.') => Ok(p.to_string()),
        _ => {
            let names: Vec<&str> = file
                .tensors
                .iter()
                .take(8)
                .map(|t| t.name.as_str())
                .collect();
            bail!(
                "the file has no recurrent layer: PyTorch's nn.RNN, nn.GRU and nn.LSTM name their weights weight_ih_l0, weight_hh_l0, …; this file has {}{}",
                if names.is_empty() { "no tensors".to_string() } else { names.join(", ") },
                if file.tensors.len() > 8 { ", …" } else { "" }
            )
        }
    }
}

/// `weight_ih_l3_reverse` and the like: a name PyTorch's recurrent modules use.
fn is_recurrent_name(rest: &str) -> bool {
    STEMS.iter().chain(&["weight_hr"]).any(|s| {
        rest.strip_prefix(s)
            .and_then(|r| r.strip_prefix("_l"))
            .is_some_and(|r| {
                let digits = r.trim_end_matches("_reverse");
                !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
            })
    })
}

/// (rows, columns) of a 2-D tensor.
fn matrix(t: &Tensor) -> Result<(usize, usize)> {
    match t.shape[..] {
        [r, c] if r > 0 && c > 0 => Ok((r, c)),
        _ => bail!(
            "{} has shape {:?}; a recurrent weight is a matrix",
            t.name,
            t.shape
        ),
    }
}

/// An `embedding.weight` [V, I] feeding the layers and the metadata's `vocab` (V − 1
/// characters, id 0 for the rest), if the file has both and they agree.
fn embedding(file: &File, input: usize) -> Result<Option<(Vocab, Vec<f32>)>> {
    let (Some(t), Some(vocab)) = (
        file.tensors
            .iter()
            .find(|t| t.name.ends_with("embedding.weight")),
        file.meta("vocab"),
    ) else {
        return Ok(None);
    };
    let vocab = Vocab::parse(vocab)?;
    let v = vocab.size();
    if t.shape != [v, input] || input > MAX_EMBEDDING {
        bail!(
            "{} has shape {:?}, but its vocabulary of {} characters (+ id 0 for others) and the recurrent input size {input} need [{v}, {input}]",
            t.name,
            t.shape,
            v - 1
        );
    }
    crate::shape::check_finite(&t.name, &t.values)?;
    Ok(Some((vocab, t.values.clone())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::safetensors::{self, Dtype};

    /// A file of `net`'s tensors under `prefix`, plus `extra` tensors.
    fn file_of(net: &Recurrent, prefix: &str, extra: &[(&str, Vec<usize>)]) -> File {
        let mut named: Vec<(String, Vec<usize>, Vec<f32>)> = net
            .table()
            .params()
            .iter()
            .zip(net.tensors())
            .map(|(p, v)| (format!("{prefix}{}", p.name), p.shape.clone(), v.to_vec()))
            .collect();
        for (n, s) in extra {
            named.push((n.to_string(), s.clone(), vec![0.5; s.iter().product()]));
        }
        let refs: Vec<(&str, &[usize], &[f32])> = named
            .iter()
            .map(|(n, s, v)| (n.as_str(), &s[..], &v[..]))
            .collect();
        safetensors::read(&safetensors::write(&refs, Dtype::F32, &[])).unwrap()
    }

    fn random(cell: Cell, input: usize, hidden: usize, layers: usize, bi: bool) -> Recurrent {
        Recurrent::random(
            cell,
            input,
            hidden,
            layers,
            bi,
            0.3,
            &mut crate::rng::Rng::new(3),
        )
    }

    const LSTM: Cell = Cell::Lstm {
        variant: LstmVariant::Standard,
        linear_h: false,
    };

    #[test]
    fn every_cell_layer_count_and_direction_is_read_back_under_any_prefix() {
        for cell in [Cell::Rnn, Cell::Gru, LSTM] {
            for (layers, bi, prefix) in [
                (1, false, ""),
                (2, true, "encoder.rnn."),
                (3, false, "lstm."),
            ] {
                let net = random(cell, 5, 6, layers, bi);
                let found = read(file_of(&net, prefix, &[("fc.weight", vec![10, 12])])).unwrap();
                assert_eq!(found.net, net, "{} {layers} {bi} {prefix:?}", cell.name());
                assert_eq!(found.prefix, prefix);
                assert!(found.embedding.is_none());
                assert_eq!(found.others, ["fc.weight [10, 12]"]);
                assert_eq!(found.assumed.contains(&Assumed::Tanh), cell == Cell::Rnn);
            }
        }
    }

    #[test]
    fn missing_biases_are_zero_and_said() {
        let net = random(Cell::Gru, 3, 4, 1, false);
        let mut file = file_of(&net, "gru.", &[]);
        file.tensors.retain(|t| !t.name.contains("bias"));
        let found = read(file).unwrap();
        assert!(found.net.weights[0].b_ih.iter().all(|&b| b == 0.0));
        assert_eq!(found.assumed, [Assumed::NoBias]);
    }

    #[test]
    fn an_embedding_with_a_vocabulary_lets_it_read_text() {
        let net = random(LSTM, 4, 3, 1, true);
        let mut file = file_of(&net, "lstm.", &[("embedding.weight", vec![4, 4])]);
        file.metadata.push(("vocab".into(), "你好吗".into()));
        let found = read(file.clone()).unwrap();
        let (vocab, rows) = found.embedding.unwrap();
        assert_eq!(vocab.listed(), "你好吗");
        assert_eq!(rows.len(), 16);
        file.metadata.last_mut().unwrap().1 = "你好".into();
        let e = read(file).unwrap_err().to_string();
        assert!(e.contains("embedding.weight has shape [4, 4]"), "{e}");
    }

    #[test]
    fn files_that_are_not_one_are_sentences() {
        let net = random(LSTM, 4, 3, 2, false);
        let mut cases: Vec<(File, &str)> = Vec::new();
        cases.push((file_of(&net, "", &[]), ""));
        let conv = file_of(&random(LSTM, 1, 1, 1, false), "x", &[]);
        cases.push((
            File {
                tensors: conv.tensors[..0].to_vec(),
                ..conv
            },
            "no recurrent layer",
        ));
        let mut f = file_of(&net, "", &[]);
        f.tensors.retain(|t| t.name != "weight_hh_l1");
        cases.push((f, "no tensor \"weight_hh_l1\""));
        let mut f = file_of(&net, "", &[("weight_ih_l3", vec![12, 3])]);
        f.tensors
            .retain(|t| !t.name.ends_with("l1") || t.name.starts_with("bias"));
        cases.push((f, "numbered from l0"));
        let mut f = file_of(&net, "", &[]);
        f.tensors[1].shape = vec![10, 3];
        f.tensors[1].values.truncate(30);
        cases.push((f, "1, 3 or 4 times"));
        let f = file_of(&net, "", &[("weight_hr_l0", vec![2, 3])]);
        cases.push((f, "proj_size"));
        let mut f = file_of(&net, "", &[]);
        f.tensors[0].values[2] = f32::NAN;
        cases.push((f, "finite"));
        for (f, want) in cases {
            match read(f) {
                Ok(_) => assert!(want.is_empty(), "{want:?} read"),
                Err(e) => assert!(
                    !want.is_empty() && e.to_string().contains(want),
                    "{want:?}: {e}"
                ),
            }
        }
    }
}
