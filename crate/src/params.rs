//! Models as data: every network names its parameter tensors as PyTorch's `state_dict` does
//! (`conv1.weight`, `weight_hh_l0_reverse`, `embedding.weight`, …) in a [`Table`], and the
//! optimiser, the weight files and the page's weight views reach a tensor through that table,
//! never through a literal range.
//!
//! A [`Table`] also fixes one flat layout (tensors one after another, in table order), which
//! is how gradients travel: a model adds its gradients into a flat `[f32]` at the ranges its
//! table gives.

use std::ops::Range;

use crate::{bail, Error, Result};

/// Where every file nnplay writes says it comes from (its `__metadata__["course"]`).
pub const COURSE: &str =
    "pytorch 卷积神经网络CNN / 循环神经网络RNN (AI MOOC, www.ai-xlab.com), played in nnplay";

/// One parameter tensor: its `state_dict` name and shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    pub shape: Vec<usize>,
}

impl Param {
    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }
}

/// A model's parameters in `state_dict` order, with each one's range in the flat layout.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    params: Vec<Param>,
    /// `starts[i]..starts[i + 1]` is tensor i's range; one more entry than `params`.
    starts: Vec<usize>,
}

impl Table {
    pub fn new() -> Table {
        Table {
            params: Vec::new(),
            starts: vec![0],
        }
    }

    /// Adds tensor `name` of `shape` after the others.
    pub fn push(&mut self, name: impl Into<String>, shape: &[usize]) {
        let p = Param {
            name: name.into(),
            shape: shape.to_vec(),
        };
        self.starts.push(self.numel() + p.numel());
        self.params.push(p);
    }

    /// Every tensor of `other`, its names prefixed with `prefix` (a submodule: "lstm.").
    pub fn extend_prefixed(&mut self, prefix: &str, other: &Table) {
        for p in &other.params {
            self.push(format!("{prefix}{}", p.name), &p.shape);
        }
    }

    pub fn params(&self) -> &[Param] {
        &self.params
    }

    /// Numbers in all tensors together: the length of the flat layout.
    pub fn numel(&self) -> usize {
        *self.starts.last().unwrap_or(&0)
    }

    /// Tensor `i`'s range in the flat layout.
    pub fn range_at(&self, i: usize) -> Range<usize> {
        self.starts[i]..self.starts[i + 1]
    }

    pub fn index(&self, name: &str) -> Option<usize> {
        self.params.iter().position(|p| p.name == name)
    }

    /// The range of tensor `name`, or an error that lists the names there are.
    pub fn range(&self, name: &str) -> Result<Range<usize>> {
        match self.index(name) {
            Some(i) => Ok(self.range_at(i)),
            None => Err(self.no_such(name)),
        }
    }

    /// The tensor called `name` within a flat vector laid out by this table.
    pub fn get<'a>(&self, flat: &'a [f32], name: &str) -> Result<&'a [f32]> {
        Ok(&flat[self.range(name)?])
    }

    pub fn no_such(&self, name: &str) -> Error {
        let names: Vec<&str> = self.params.iter().map(|p| p.name.as_str()).collect();
        Error::new(format!(
            "this network has no parameter {name:?}; it has {}",
            names.join(", ")
        ))
    }

    /// A flat vector cut into its tensors, in table order.
    pub fn split<'a>(&self, flat: &'a [f32]) -> Vec<&'a [f32]> {
        (0..self.params.len())
            .map(|i| &flat[self.range_at(i)])
            .collect()
    }

    pub fn split_mut<'a>(&self, mut flat: &'a mut [f32]) -> Vec<&'a mut [f32]> {
        let mut out = Vec::with_capacity(self.params.len());
        for p in &self.params {
            let (head, tail) = flat.split_at_mut(p.numel());
            out.push(head);
            flat = tail;
        }
        out
    }
}

/// A tensor as files and cases hand it over: its name, its shape and its values.
pub type NamedTensor = (String, Vec<usize>, Vec<f32>);

/// A network whose parameters are named tensors.
pub trait Named {
    /// Names and shapes, in `state_dict` order.
    fn table(&self) -> Table;
    /// Every tensor, in table order.
    fn tensors(&self) -> Vec<&[f32]>;
    fn tensors_mut(&mut self) -> Vec<&mut [f32]>;
    /// What a file must say to rebuild this network: the architecture's name under "arch"
    /// and its hyper-parameters, as `__metadata__` strings.
    fn describe(&self) -> Vec<(String, String)>;

    /// A copy of the tensor called `name`.
    fn tensor(&self, name: &str) -> Result<Vec<f32>> {
        let table = self.table();
        let i = table.index(name).ok_or_else(|| table.no_such(name))?;
        Ok(self.tensors()[i].to_vec())
    }

    /// Every parameter in the flat layout.
    fn flat(&self) -> Vec<f32> {
        self.tensors().concat()
    }

    /// Replaces every tensor from `source` (name → shape, values) after checking all of them
    /// (present, same shape, finite): on any error nothing has changed. Tensors in `source`
    /// that this network does not have are errors too, so a file for another architecture
    /// never half-loads.
    fn assign(&mut self, source: &[NamedTensor]) -> Result<()> {
        let table = self.table();
        let mut order = Vec::with_capacity(table.params().len());
        for p in table.params() {
            let Some(k) = source.iter().position(|(n, _, _)| *n == p.name) else {
                bail!(
                    "the file has no tensor {:?}, which this network needs",
                    p.name
                );
            };
            let (_, shape, values) = &source[k];
            if *shape != p.shape {
                bail!(
                    "tensor {:?} has shape {shape:?} in the file, this network needs {:?}",
                    p.name,
                    p.shape
                );
            }
            crate::shape::check_finite(&p.name, values)?;
            order.push(k);
        }
        if let Some((extra, _, _)) = source.iter().find(|(n, _, _)| table.index(n).is_none()) {
            bail!(
                "the file has a tensor {extra:?} that this network does not have (is it for another network?)"
            );
        }
        for (dst, k) in self.tensors_mut().into_iter().zip(order) {
            dst.copy_from_slice(&source[k].2);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_lays_tensors_out_one_after_another() {
        let mut t = Table::new();
        t.push("fc.weight", &[3, 2]);
        t.push("fc.bias", &[3]);
        assert_eq!(t.numel(), 9);
        assert_eq!(t.range("fc.bias").unwrap(), 6..9);
        let flat: Vec<f32> = (0..9).map(|i| i as f32).collect();
        assert_eq!(t.get(&flat, "fc.bias").unwrap(), &[6.0, 7.0, 8.0]);
        assert_eq!(t.split(&flat)[0].len(), 6);
        let e = t.range("fc2.bias").unwrap_err();
        assert!(e.message().contains("fc.weight, fc.bias"), "{e}");
        let mut outer = Table::new();
        outer.extend_prefixed("head.", &t);
        assert_eq!(outer.params()[1].name, "head.fc.bias");
    }
}
