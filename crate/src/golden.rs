//! Golden conformance cases (the format of `tests/golden/FORMAT.md`): read a case, run the
//! operator through nnplay, compare with the reference's numbers.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::cnn::activation::Activation;
use crate::cnn::lenet5::{self, LeNet5};
use crate::cnn::pool::{self, Stochastic};
use crate::cnn::sequential::{self, Sequential, Spec};
use crate::cnn::{conv, Tensor};
use crate::lm::{CharLm, State};
use crate::params::Named;
use crate::rnn::simple::{Feedback, SimpleRnn};
use crate::rnn::{Cell, LayerWeights, Recurrent};
use crate::shape::Padding;
use crate::{bail, Error, Result};

#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub op: String,
    pub attrs: Value,
    pub inputs: BTreeMap<String, Tensor>,
    pub outputs: BTreeMap<String, Tensor>,
    pub tol_abs: f32,
    pub tol_rel: f32,
}

/// What running one case gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Pass {
        max_abs_err: f32,
    },
    Fail {
        max_abs_err: f32,
        why: String,
    },
    /// The op is not implemented yet (counted as failed).
    Unsupported,
}

fn tensor(name: &str, v: &Value) -> Result<Tensor> {
    let err = || {
        Error::new(format!(
            "tensor {name:?} needs \"shape\" (whole numbers) and \"data\" (numbers)"
        ))
    };
    let shape = v["shape"]
        .as_array()
        .ok_or_else(err)?
        .iter()
        .map(|d| d.as_u64().map(|d| d as usize))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(err)?;
    let data = v["data"]
        .as_array()
        .ok_or_else(err)?
        .iter()
        .map(|d| d.as_f64().map(|d| d as f32))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(err)?;
    if shape.iter().product::<usize>() != data.len() {
        bail!(
            "tensor {name:?}: shape {shape:?} needs {} numbers, data has {}",
            shape.iter().product::<usize>(),
            data.len()
        );
    }
    Ok(Tensor::new(shape, data))
}

fn tensors(v: &Value, what: &str) -> Result<BTreeMap<String, Tensor>> {
    let map = v
        .as_object()
        .ok_or_else(|| Error::new(format!("\"{what}\" must be an object of tensors")))?;
    map.iter()
        .map(|(k, t)| Ok((k.clone(), tensor(k, t)?)))
        .collect()
}

impl Case {
    pub fn parse(text: &str) -> Result<Case> {
        let v: Value =
            serde_json::from_str(text).map_err(|e| Error::new(format!("not valid JSON: {e}")))?;
        let s = |k: &str| {
            v[k].as_str()
                .map(str::to_owned)
                .ok_or_else(|| Error::new(format!("case needs a string \"{k}\"")))
        };
        Ok(Case {
            name: s("name")?,
            op: s("op")?,
            attrs: v["attrs"].clone(),
            inputs: tensors(&v["inputs"], "inputs")?,
            outputs: tensors(&v["outputs"], "outputs")?,
            tol_abs: v["tol"]["abs"].as_f64().unwrap_or(1e-4) as f32,
            tol_rel: v["tol"]["rel"].as_f64().unwrap_or(1e-4) as f32,
        })
    }

    fn input(&self, name: &str) -> Result<&Tensor> {
        self.inputs
            .get(name)
            .ok_or_else(|| Error::new(format!("input {name:?} is missing")))
    }

    /// The case's tensors for every parameter of `table`, by name (a missing one is an error).
    fn parameters(&self, table: &crate::params::Table) -> Result<Vec<crate::params::NamedTensor>> {
        table
            .params()
            .iter()
            .map(|p| {
                let t = self.input(&p.name)?;
                Ok((p.name.clone(), t.shape.clone(), t.data.clone()))
            })
            .collect()
    }

    fn pair(&self, key: &str) -> Result<[usize; 2]> {
        let a = self.attrs[key]
            .as_array()
            .ok_or_else(|| Error::new(format!("attrs.{key} must be [rows, cols]")))?;
        match a.as_slice() {
            [r, c] => match (r.as_u64(), c.as_u64()) {
                (Some(r), Some(c)) => Ok([r as usize, c as usize]),
                _ => bail!("attrs.{key} must hold whole numbers"),
            },
            _ => bail!("attrs.{key} must be [rows, cols]"),
        }
    }

    fn padding(&self) -> Result<Padding> {
        Padding::parse(self.attrs["padding"].as_str().unwrap_or("valid"))
    }

    /// Runs the op; `None` when nnplay does not implement it yet.
    pub fn run(&self) -> Result<Option<BTreeMap<String, Tensor>>> {
        let x = || self.input("x");
        let y = match self.op.as_str() {
            "conv2d" => {
                let (w, b) = (self.input("weight")?, self.input("bias")?);
                conv::conv2d(
                    &x()?.data,
                    &x()?.shape,
                    &w.data,
                    &w.shape,
                    &b.data,
                    self.pair("stride")?,
                    self.padding()?,
                )?
            }
            "max_pool2d" => {
                pool::max_pool2d(
                    &x()?.data,
                    &x()?.shape,
                    self.pair("kernel")?,
                    self.pair("stride")?,
                    self.padding()?,
                )?
                .0
            }
            "avg_pool2d" => pool::avg_pool2d(
                &x()?.data,
                &x()?.shape,
                self.pair("kernel")?,
                self.pair("stride")?,
                self.padding()?,
            )?,
            "stochastic_pool2d" => {
                let mode = match self.attrs["mode"].as_str().unwrap_or("inference") {
                    "inference" => Stochastic::Inference,
                    other => bail!("stochastic_pool2d mode {other:?} has no reference numbers; only \"inference\" is deterministic"),
                };
                pool::stochastic_pool2d(
                    &x()?.data,
                    &x()?.shape,
                    self.pair("kernel")?,
                    self.pair("stride")?,
                    self.padding()?,
                    mode,
                )?
                .0
            }
            "lenet5" => return self.run_lenet5().map(Some),
            "sequential_cnn" => return self.run_sequential().map(Some),
            "rnn" | "lstm" | "gru" => return self.run_recurrent().map(Some),
            "elman" | "jordan" => return self.run_simple().map(Some),
            "char_lm" => return self.run_char_lm().map(Some),
            _ => return Ok(None),
        };
        Ok(Some(BTreeMap::from([("y".to_owned(), y)])))
    }

    fn run_lenet5(&self) -> Result<BTreeMap<String, Tensor>> {
        let act = Activation::parse(self.attrs["activation"].as_str().unwrap_or("relu"))?;
        let pool = lenet5::Pool::parse(self.attrs["pool"].as_str().unwrap_or("max"))?;
        let mut net = LeNet5::new(vec![0.0; lenet5::N_PARAMS], act, pool)?;
        let tensors: Vec<(String, Vec<usize>, Vec<f32>)> = lenet5::PARAMS
            .iter()
            .map(|(name, _)| {
                let t = self.input(name)?;
                Ok((name.to_string(), t.shape.clone(), t.data.clone()))
            })
            .collect::<Result<_>>()?;
        net.assign(&tensors)?;
        let x = self.input("x")?;
        let [n, c, h, w] = crate::cnn::rank("x", &x.shape, "[N, 1, 28, 28]")?;
        if [c, h, w] != [1, 28, 28] {
            bail!("LeNet-5 reads x: [N, 1, 28, 28], got {:?}", x.shape);
        }
        crate::shape::check_buffer("x", &x.data, &x.shape)?;
        let mut a = lenet5::Activations::new(n);
        net.forward(&x.data, n, &mut a);
        // The page's path (sparse, one image at a time) must agree with the plain one too.
        let mut fast = lenet5::Activations::new(n);
        net.forward_prepared(&lenet5::Prepared::new(&net), &x.data, n, &mut fast);
        for (name, p, f) in [("c3", &a.c3, &fast.c3), ("logits", &a.logits, &fast.logits)] {
            if let Some((u, v)) = p
                .iter()
                .zip(f)
                .find(|(u, v)| (*u - *v).abs() > 1e-4 * (1.0 + u.abs()))
            {
                bail!(
                    "LeNet-5's prepared forward differs from the plain one in {name}: {v} vs {u}"
                );
            }
        }
        // And so must the generic path on the same weights (LeNet-5 as a described network),
        // layer by layer: C1 after its activation is the Sequential's y1, and so on.
        let generic = sequential::lenet::from_lenet5(&net)?;
        let mut out = sequential::Outputs::default();
        generic.forward(&x.data, n, &mut out)?;
        for (name, p, i) in sequential::lenet::outputs(&a) {
            if let Some((u, v)) = p
                .iter()
                .zip(&out.y[i])
                .find(|(u, v)| (*u - *v).abs() > 1e-5 * (1.0 + u.abs()))
            {
                bail!("LeNet-5 as a described network differs from the tuned one in {name}: {v} vs {u}");
            }
        }
        let t = |v: &[f32], shape: &[usize]| Tensor::new([&[n][..], shape].concat(), v.to_vec());
        Ok(BTreeMap::from([
            ("c1".to_owned(), t(&a.c1, &[6, 28, 28])),
            ("s2".to_owned(), t(&a.s2, &[6, 14, 14])),
            ("c3".to_owned(), t(&a.c3, &[16, 10, 10])),
            ("s4".to_owned(), t(&a.s4, &[16, 5, 5])),
            ("f5".to_owned(), t(&a.f5, &[120])),
            ("f6".to_owned(), t(&a.f6, &[84])),
            ("logits".to_owned(), t(&a.logits, &[10])),
        ]))
    }

    /// A described network: `attrs.layers` as in a weights file's metadata, the input's
    /// [C, H, W] from x, parameters `{i}.weight` / `{i}.bias`; outputs `y{i}` for every
    /// layer and `logits` (the last).
    fn run_sequential(&self) -> Result<BTreeMap<String, Tensor>> {
        let x = self.input("x")?;
        let [n, c, h, w] = crate::cnn::rank("x", &x.shape, "[N, C, H, W]")?;
        let layers = serde_json::to_string(&self.attrs["layers"])
            .map_err(|e| Error::new(format!("attrs.layers: {e}")))?;
        let spec = Spec::from_layers_json([c, h, w], &layers)?;
        let plan = spec.plan()?;
        let mut net = Sequential::new(&spec, vec![0.0; plan.table().numel()])?;
        net.assign(&self.parameters(&plan.table())?)?;
        let mut out = sequential::Outputs::default();
        net.forward(&x.data, n, &mut out)?;
        // The page's pass (sparse, one image at a time) must agree with the batch pass.
        let mut one = sequential::Outputs::default();
        net.forward_prepared(
            &sequential::sparse::Prepared::new(&net),
            &x.data,
            n,
            &mut one,
        )?;
        for (i, (p, f)) in out.y.iter().zip(&one.y).enumerate() {
            if let Some((u, v)) = p
                .iter()
                .zip(f)
                .find(|(u, v)| (*u - *v).abs() > 1e-4 * (1.0 + u.abs()))
            {
                bail!("the described network's one-image pass differs from its batch pass in y{i}: {v} vs {u}");
            }
        }
        let mut res = BTreeMap::new();
        for (i, (y, p)) in out.y.into_iter().zip(&plan.layers).enumerate() {
            let t = Tensor::new([&[n][..], &p.output].concat(), y);
            if i + 1 == plan.layers.len() {
                res.insert("logits".to_owned(), t.clone());
            }
            res.insert(format!("y{i}"), t);
        }
        Ok(res)
    }

    fn attr_str(&self, key: &str, default: &'static str) -> String {
        self.attrs[key].as_str().unwrap_or(default).to_owned()
    }

    fn run_recurrent(&self) -> Result<BTreeMap<String, Tensor>> {
        let cell = Cell::parse(
            &self.op,
            &self.attr_str("variant", "standard"),
            &self.attr_str("h_activation", "tanh"),
        )?;
        let (x, h0) = (self.input("x")?, self.input("h0")?);
        let layers = self.attrs["num_layers"].as_u64().unwrap_or(1) as usize;
        let bidirectional = self.attrs["bidirectional"].as_bool().unwrap_or(false);
        let (&hidden, &input) = (h0.shape.last().unwrap_or(&0), x.shape.last().unwrap_or(&0));
        let d = if bidirectional { 2 } else { 1 };
        let opt = |name: String| {
            self.inputs
                .get(&name)
                .map(|t| t.data.clone())
                .unwrap_or_default()
        };
        let weights = (0..layers * d)
            .map(|k| {
                let sfx = crate::rnn::suffix(k, d);
                Ok(LayerWeights {
                    w_ih: self.input(&format!("weight_ih_{sfx}"))?.data.clone(),
                    w_hh: opt(format!("weight_hh_{sfx}")),
                    b_ih: self.input(&format!("bias_ih_{sfx}"))?.data.clone(),
                    b_hh: self.input(&format!("bias_hh_{sfx}"))?.data.clone(),
                    w_ch: opt(format!("weight_ch_{sfx}")),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let net = Recurrent {
            cell,
            input,
            hidden,
            layers,
            bidirectional,
            weights,
        };
        net.validate()?;
        let c0 = if cell.has_cell_state() {
            self.input("c0")?.data.clone()
        } else {
            Vec::new()
        };
        let (t, n) = net.check_inputs(&x.data, &x.shape, &h0.data, &c0)?;
        let out = net.forward(&x.data, t, n, &h0.data, &c0);
        let mut res = BTreeMap::from([
            ("y".to_owned(), Tensor::new(vec![t, n, d * hidden], out.y)),
            ("h_n".to_owned(), Tensor::new(h0.shape.clone(), out.h_n)),
        ]);
        if cell.has_cell_state() {
            res.insert("c_n".to_owned(), Tensor::new(h0.shape.clone(), out.c_n));
        }
        Ok(res)
    }

    fn run_simple(&self) -> Result<BTreeMap<String, Tensor>> {
        let (feedback, s0_name, rec_name) = match self.op.as_str() {
            "elman" => (Feedback::Elman, "h0", "weight_hh"),
            _ => (Feedback::Jordan, "y0", "weight_yh"),
        };
        let x = self.input("x")?;
        let [t, n, input] = crate::cnn::rank("x", &x.shape, "[T, N, I]")?;
        let (w_ih, w_hy) = (self.input("weight_ih")?, self.input("weight_hy")?);
        let net = SimpleRnn {
            feedback,
            input,
            hidden: w_ih.shape[0],
            output: w_hy.shape[0],
            out_act: Activation::parse(&self.attr_str("output_activation", "identity"))?,
            w_ih: w_ih.data.clone(),
            w_rec: self.input(rec_name)?.data.clone(),
            b_ih: self.input("bias_ih")?.data.clone(),
            b_hh: self.input("bias_hh")?.data.clone(),
            w_hy: w_hy.data.clone(),
            b_hy: self.input("bias_hy")?.data.clone(),
        };
        net.validate()?;
        let s0 = self.input(s0_name)?;
        crate::shape::check_buffer("x", &x.data, &x.shape)?;
        crate::shape::check_buffer(s0_name, &s0.data, &[n, net.state()])?;
        let out = net.forward(&x.data, t, n, &s0.data);
        Ok(BTreeMap::from([
            ("h".to_owned(), Tensor::new(vec![t, n, net.hidden], out.h)),
            ("y".to_owned(), Tensor::new(vec![t, n, net.output], out.y)),
        ]))
    }

    /// Embedding → recurrent layers → linear → log-softmax, with the sizes the tensors
    /// give (V and E from the embedding, L, N and H from h0) and the case's token ids.
    fn run_char_lm(&self) -> Result<BTreeMap<String, Tensor>> {
        let cell = crate::lm::cell_from_name(&self.attr_str("cell", ""))?;
        let layers = match self.attrs["num_layers"].as_u64() {
            Some(l) if (1..=crate::shape::MAX_LAYERS as u64).contains(&l) => l as usize,
            _ => bail!(
                "attrs.num_layers must be a whole number from 1 to {}",
                crate::shape::MAX_LAYERS
            ),
        };
        let emb = self.input("embedding.weight")?;
        let [v, e] = crate::cnn::rank("embedding.weight", &emb.shape, "[V, E]")?;
        let h0 = self.input("h0")?;
        let [l, n, h] = crate::cnn::rank("h0", &h0.shape, "[L, N, H]")?;
        if l != layers {
            bail!("h0 has {l} layers' states, but attrs.num_layers is {layers}");
        }
        let mut lm = CharLm::anonymous(v, cell, e, h, layers)?;
        let table = lm.table();
        let extra = ["tokens", "h0", "c0"];
        if let Some(name) = self
            .inputs
            .keys()
            .find(|k| !extra.contains(&k.as_str()) && table.index(k).is_none())
        {
            bail!("input {name:?} is not a parameter of this {layers}-layer model");
        }
        lm.assign(&self.parameters(&table)?)?;
        let tokens = self.input("tokens")?;
        let [t, tn] = crate::cnn::rank("tokens", &tokens.shape, "[T, N]")?;
        if tn != n {
            bail!("tokens has {tn} sequences (N), but h0 has states for {n}");
        }
        let ids = crate::lm::token_ids("tokens", &tokens.data, v)?;
        let state = State {
            h: h0.data.clone(),
            c: if cell.has_cell_state() {
                self.input("c0")?.data.clone()
            } else {
                Vec::new()
            },
        };
        let f = lm.forward(&ids, t, n, &state)?;
        let mut res = BTreeMap::from([
            ("logits".to_owned(), Tensor::new(vec![t, n, v], f.logits)),
            (
                "log_probs".to_owned(),
                Tensor::new(vec![t, n, v], f.log_probs),
            ),
            ("h_n".to_owned(), Tensor::new(vec![l, n, h], f.rnn.h_n)),
        ]);
        if cell.has_cell_state() {
            res.insert("c_n".to_owned(), Tensor::new(vec![l, n, h], f.rnn.c_n));
        }
        Ok(res)
    }

    /// Runs and compares: every listed output must match in shape, and every value within
    /// `abs + rel * |want|`.
    pub fn check(&self) -> Outcome {
        let got = match self.run() {
            Ok(Some(got)) => got,
            Ok(None) => return Outcome::Unsupported,
            Err(e) => {
                return Outcome::Fail {
                    max_abs_err: f32::INFINITY,
                    why: e.to_string(),
                }
            }
        };
        let mut max_abs_err = 0.0f32;
        let mut why = None;
        for (name, want) in &self.outputs {
            let Some(g) = got.get(name) else {
                why.get_or_insert(format!("output {name:?} was not produced"));
                continue;
            };
            if g.shape != want.shape {
                why.get_or_insert(format!(
                    "output {name:?} has shape {:?}, want {:?}",
                    g.shape, want.shape
                ));
                continue;
            }
            for (i, (&a, &b)) in g.data.iter().zip(&want.data).enumerate() {
                let err = (a - b).abs();
                max_abs_err = max_abs_err.max(err);
                if err.is_nan() || err > self.tol_abs + self.tol_rel * b.abs() {
                    why.get_or_insert(format!("{name}[{i}] = {a}, want {b}"));
                }
            }
        }
        match why {
            None => Outcome::Pass { max_abs_err },
            Some(why) => Outcome::Fail { max_abs_err, why },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_number_fails_and_an_unknown_op_is_unsupported() {
        let text = r#"{"name":"t","op":"avg_pool2d","attrs":{"kernel":[2,2],"stride":[2,2],"padding":"valid"},
            "inputs":{"x":{"shape":[1,1,2,2],"data":[1,2,3,4]}},"outputs":{"y":{"shape":[1,1,1,1],"data":[2.5]}},
            "tol":{"abs":1e-4,"rel":1e-4}}"#;
        assert!(matches!(
            Case::parse(text).unwrap().check(),
            Outcome::Pass { .. }
        ));
        let wrong = text.replace("[2.5]", "[2.6]");
        assert!(matches!(
            Case::parse(&wrong).unwrap().check(),
            Outcome::Fail { .. }
        ));
        let shape = text.replace(
            r#""shape":[1,1,1,1],"data":[2.5]"#,
            r#""shape":[1,1,1],"data":[2.5]"#,
        );
        assert!(matches!(
            Case::parse(&shape).unwrap().check(),
            Outcome::Fail { .. }
        ));
        let unknown = text.replace("avg_pool2d", "transformer");
        assert_eq!(Case::parse(&unknown).unwrap().check(), Outcome::Unsupported);
        assert!(Case::parse("{").is_err());
    }

    /// A shipped character-model case passes; a token id outside the vocabulary is a
    /// sentence naming it, not a panic.
    #[test]
    fn char_lm_runs_and_refuses_ids_outside_the_vocabulary() {
        let text = include_str!("../../tests/golden/cases/char_lm__s1-1-gru.json");
        let case = Case::parse(text).unwrap();
        assert!(
            matches!(case.check(), Outcome::Pass { .. }),
            "{:?}",
            case.check()
        );
        let mut bad = case.clone();
        bad.inputs.get_mut("tokens").unwrap().data[2] = 17.0;
        let Outcome::Fail { why, .. } = bad.check() else {
            panic!("token 17 of 17 passed")
        };
        assert!(
            why.contains("tokens[2] is 17; token ids must be whole numbers from 0 to 16"),
            "{why}"
        );
    }
}
