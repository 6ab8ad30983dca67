//! One training loop for every model: mini-batches drawn in a seeded shuffled order epoch by
//! epoch, the batch split over threads natively (each thread a slice of the batch, their
//! gradients summed in a fixed order, so a seed and a thread count give bit-for-bit the same
//! run) and run on one thread in wasm, an [`Optimizer`] over the model's named tensors, a
//! [`Schedule`] for the learning rate. [`Trainer::run`] advances it by a number of steps, so
//! the command line runs it to the end and the page's worker a few steps per message.
//!
//! A model provides [`Trainable::loss_and_grads`] and its parameter table ([`Named`]); a
//! data set provides batches ([`Data`]).

pub mod optim;
pub mod prune;
pub mod schedule;

use std::ops::Range;

use crate::params::{Named, Table};
use crate::rng::Rng;
pub use optim::{Method, Optimizer};
pub use prune::{Mask, Ramp};
pub use schedule::Schedule;

/// A slice of one batch for one thread: examples `range` of a batch of `total`, at `step`.
#[derive(Debug, Clone)]
pub struct Part {
    pub range: Range<usize>,
    pub total: usize,
    /// The optimisation step (for noise such as dropout masks that must differ per step).
    pub step: usize,
}

/// What a part of a batch gave: its share of the batch's mean loss and how many of its
/// predictions (out of `counted`) were right.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Outcome {
    pub loss: f32,
    pub right: usize,
    pub counted: usize,
}

impl Outcome {
    fn add(self, o: Outcome) -> Outcome {
        Outcome {
            loss: self.loss + o.loss,
            right: self.right + o.right,
            counted: self.counted + o.counted,
        }
    }

    pub fn accuracy(&self) -> f64 {
        self.right as f64 / self.counted.max(1) as f64
    }
}

/// A model the loop can train.
pub trait Trainable: Named + Sync {
    /// A batch of examples as this model reads them.
    type Batch: Sync + Default;
    /// One thread's working memory for a forward and a backward pass.
    type Scratch: Send;

    fn scratch(&self) -> Self::Scratch;

    /// The loss of examples `part.range` of `batch` averaged over all `part.total`, so the
    /// parts add up to the batch's mean; with `grads`, adds its gradient there (flat, in the
    /// table's layout).
    fn loss_and_grads(
        &self,
        batch: &Self::Batch,
        part: &Part,
        scratch: &mut Self::Scratch,
        grads: Option<&mut [f32]>,
    ) -> Outcome;
}

/// A data set of examples for a model whose batches are `B`.
pub trait Data<B> {
    fn len(&self) -> usize;

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Makes `out` hold examples `idx` (augmented with `rng` while training; `None` when
    /// evaluating).
    fn batch(&self, idx: &[usize], rng: Option<&mut Rng>, out: &mut B);
}

/// One thread's share: its scratch memory and its gradient.
struct Worker<S> {
    scratch: S,
    grads: Vec<f32>,
}

pub struct Trainer<M: Trainable> {
    pub model: M,
    table: Table,
    pub opt: Optimizer,
    pub schedule: Schedule,
    /// Draws the shuffles and the data's augmentation.
    rng: Rng,
    /// Whether each epoch visits the examples in a fresh random order (the default) or in
    /// their order, as a model that carries its state from one batch to the next needs
    /// (the character model's `lm::Windows::streams`).
    pub shuffle: bool,
    order: Vec<usize>,
    pos: usize,
    batch_size: usize,
    batch: M::Batch,
    workers: Vec<Worker<M::Scratch>>,
    /// Steps taken and examples seen so far.
    pub step: usize,
    pub seen: u64,
    /// What the last batch gave (before its update).
    pub last: Outcome,
    /// Pruned parameters ([`Trainer::prune`]), set back to zero after every step.
    mask: Option<Mask>,
    /// Pruning that rises over a span of steps ([`Trainer::prune_gradually`]).
    ramp: Option<Ramp>,
}

impl<M: Trainable> Trainer<M> {
    /// Trains `model` on `examples` examples in batches of `batch_size`, over `threads`
    /// threads (natively; one in wasm), drawing shuffles from `rng`. The first step shuffles.
    pub fn new(
        model: M,
        opt: Optimizer,
        schedule: Schedule,
        examples: usize,
        batch_size: usize,
        threads: usize,
        rng: Rng,
    ) -> Self {
        let table = model.table();
        let numel = table.numel();
        let threads = if cfg!(target_arch = "wasm32") {
            1
        } else {
            threads.clamp(1, batch_size.max(1))
        };
        let workers = (0..threads)
            .map(|_| Worker {
                scratch: model.scratch(),
                grads: vec![0.0; numel],
            })
            .collect();
        Trainer {
            model,
            table,
            opt,
            schedule,
            rng,
            shuffle: true,
            order: (0..examples).collect(),
            pos: examples,
            batch_size: batch_size.max(1),
            batch: M::Batch::default(),
            workers,
            step: 0,
            seen: 0,
            last: Outcome::default(),
            mask: None,
            ramp: None,
        }
    }

    /// From here on trains only the parameters `mask` keeps: the others are zero after
    /// every step.
    pub fn prune(&mut self, mask: Mask) -> crate::Result<()> {
        if mask.len() != self.table.numel() {
            crate::bail!(
                "a pruning mask of {} parameters for a model of {}",
                mask.len(),
                self.table.numel()
            );
        }
        mask.apply(&self.table, self.model.tensors_mut());
        self.mask = Some(mask);
        Ok(())
    }

    /// Prunes by `ramp` from here on (steps counted as [`Trainer::step`] counts them).
    pub fn prune_gradually(&mut self, ramp: Ramp) -> crate::Result<()> {
        ramp.check()?;
        self.ramp = Some(ramp);
        Ok(())
    }

    /// Trains on a data set of `examples` for `epochs` from here on (the page learns the
    /// set's size only when its files arrive): the step count and the schedule start
    /// again, and the next step begins a freshly shuffled epoch. The model, the optimiser's
    /// state and the generator carry on.
    pub fn set_examples(&mut self, examples: usize, epochs: usize) {
        self.order = (0..examples).collect();
        self.pos = examples;
        self.step = 0;
        self.schedule.total = epochs * self.steps_per_epoch();
    }

    pub fn steps_per_epoch(&self) -> usize {
        self.order.len().div_ceil(self.batch_size)
    }

    /// Epochs finished.
    pub fn epoch(&self) -> usize {
        self.step / self.steps_per_epoch().max(1)
    }

    pub fn finished(&self) -> bool {
        self.step >= self.schedule.total
    }

    /// Runs up to `steps` optimisation steps on `data`, stopping at the schedule's end;
    /// returns how many ran.
    pub fn run(&mut self, data: &impl Data<M::Batch>, steps: usize) -> usize {
        let mut ran = 0;
        while ran < steps && !self.finished() && !self.order.is_empty() {
            if self.pos >= self.order.len() {
                // Fisher–Yates with the run's generator: the same seed visits the same batches.
                if self.shuffle {
                    for i in (1..self.order.len()).rev() {
                        self.order.swap(i, self.rng.below(i + 1));
                    }
                }
                self.pos = 0;
            }
            let end = (self.pos + self.batch_size).min(self.order.len());
            let idx = &self.order[self.pos..end];
            data.batch(idx, Some(&mut self.rng), &mut self.batch);
            self.pos = end;
            self.last = self.update(idx.len());
            ran += 1;
        }
        ran
    }

    /// One step on the batch in `self.batch` of `n` examples.
    fn update(&mut self, n: usize) -> Outcome {
        let k = self.workers.len().min(n);
        let chunk = n.div_ceil(k);
        let (model, batch, step) = (&self.model, &self.batch, self.step);
        let work = |(i, w): (usize, &mut Worker<M::Scratch>)| {
            w.grads.fill(0.0);
            let part = Part {
                range: (i * chunk).min(n)..((i + 1) * chunk).min(n),
                total: n,
                step,
            };
            if part.range.is_empty() {
                return Outcome::default();
            }
            model.loss_and_grads(batch, &part, &mut w.scratch, Some(&mut w.grads))
        };
        let workers = &mut self.workers[..k];
        let outcomes = each(workers, work);
        // The parts' gradients summed in a fixed order: the same seed and thread count give
        // the same bits.
        let (first, rest) = workers.split_at_mut(1);
        for w in rest.iter() {
            first[0]
                .grads
                .iter_mut()
                .zip(&w.grads)
                .for_each(|(a, b)| *a += b);
        }
        let lr = self.schedule.lr_at(self.step);
        self.opt
            .step(&self.table, self.model.tensors_mut(), &first[0].grads, lr);
        if let Some(fraction) = self.ramp.and_then(|r| r.due(self.step)) {
            // Checked fraction, the model's own table: this cannot fail.
            let tensors = self.model.tensors();
            self.mask = Mask::by_magnitude(&self.table, &tensors, fraction).ok();
        }
        // The optimiser's moments from before pruning would still move a pruned weight.
        if let Some(mask) = &self.mask {
            mask.apply(&self.table, self.model.tensors_mut());
        }
        self.step += 1;
        self.seen += n as u64;
        outcomes.into_iter().fold(Outcome::default(), Outcome::add)
    }
}

/// `work` on every worker with its index: on a thread each natively, one after another in
/// wasm (which has no threads here).
fn each<S: Send>(
    workers: &mut [Worker<S>],
    work: impl Fn((usize, &mut Worker<S>)) -> Outcome + Sync,
) -> Vec<Outcome> {
    #[cfg(not(target_arch = "wasm32"))]
    if workers.len() > 1 {
        let work = &work;
        return std::thread::scope(|s| {
            let handles: Vec<_> = workers
                .iter_mut()
                .enumerate()
                .map(|w| s.spawn(move || work(w)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a training thread panicked"))
                .collect()
        });
    }
    workers.iter_mut().enumerate().map(work).collect()
}

/// The model's mean loss and accuracy on the first `count` examples of `data`, in batches of
/// `chunk`, without augmentation.
pub fn evaluate<M: Trainable>(
    model: &M,
    data: &impl Data<M::Batch>,
    count: usize,
    chunk: usize,
) -> Outcome {
    let count = count.min(data.len());
    let mut batch = M::Batch::default();
    let mut scratch = model.scratch();
    let idx: Vec<usize> = (0..count).collect();
    let mut sum = Outcome::default();
    for c in idx.chunks(chunk.max(1)) {
        data.batch(c, None, &mut batch);
        let part = Part {
            range: 0..c.len(),
            total: count,
            step: 0,
        };
        sum = sum.add(model.loss_and_grads(&batch, &part, &mut scratch, None));
    }
    sum
}

/// An inverted-dropout mask of `len` numbers: each 0 with probability `p`, else 1 / (1 − p),
/// so a layer's expected output is the same with dropout on (training) or off (use). The
/// mask is kept to route the gradient back through the same units.
pub fn dropout_mask(rng: &mut Rng, len: usize, p: f32) -> Vec<f32> {
    let keep = 1.0 - p;
    (0..len)
        .map(|_| {
            if p == 0.0 || rng.uniform() < keep {
                1.0 / keep
            } else {
                0.0
            }
        })
        .collect()
}

/// The index of the largest entry (the first of equals).
pub fn argmax(z: &[f32]) -> usize {
    z.iter()
        .enumerate()
        .fold(0, |best, (i, &v)| if v > z[best] { i } else { best })
}

/// How many rows of `scores` ([n, classes]) have their largest entry at the label.
pub fn correct(scores: &[f32], labels: &[u8], classes: usize) -> usize {
    scores
        .chunks_exact(classes)
        .zip(labels)
        .filter(|(z, &l)| argmax(z) == l as usize)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cnn::activation::Activation;
    use crate::cnn::lenet5::{LeNet5, Pool, IMAGE, N_PARAMS};
    use crate::mnist::ImageBatch;

    /// A learnable toy problem: the class is which quarter of the image is bright.
    struct Quarters {
        x: Vec<f32>,
        labels: Vec<u8>,
    }

    impl Quarters {
        fn new(n: usize) -> Quarters {
            let mut rng = Rng::new(2);
            let labels: Vec<u8> = (0..n).map(|i| (i % 4) as u8).collect();
            let mut x = vec![0.0; n * IMAGE];
            for (i, &l) in labels.iter().enumerate() {
                let (oy, ox) = ((l as usize / 2) * 14, (l as usize % 2) * 14);
                for y in 0..14 {
                    for xx in 0..14 {
                        x[i * IMAGE + (oy + y) * 28 + ox + xx] = 0.5 + 0.5 * rng.uniform();
                    }
                }
            }
            Quarters { x, labels }
        }
    }

    impl Data<ImageBatch> for Quarters {
        fn len(&self) -> usize {
            self.labels.len()
        }

        fn batch(&self, idx: &[usize], _: Option<&mut Rng>, out: &mut ImageBatch) {
            out.x = idx
                .iter()
                .flat_map(|&i| self.x[i * IMAGE..][..IMAGE].iter().copied())
                .collect();
            out.labels = idx.iter().map(|&i| self.labels[i]).collect();
        }
    }

    fn trainer(threads: usize, method: Method) -> Trainer<LeNet5> {
        let net = LeNet5::init(3, Activation::Relu, Pool::Max);
        let opt = Optimizer::new(method, 1e-4, N_PARAMS);
        let schedule = Schedule {
            warmup: 3,
            ..Schedule::cosine(2e-3, 40)
        };
        Trainer::new(net, opt, schedule, 16, 8, threads, Rng::new(9))
    }

    /// The loop learns the toy task with Adam and with SGD, stops at the schedule's end,
    /// and neither threads nor stopping and resuming change a single bit.
    #[test]
    fn learns_and_threads_or_resuming_do_not_change_the_result() {
        let data = Quarters::new(16);
        let mut one = trainer(1, Method::ADAM);
        assert_eq!(one.run(&data, 1000), 40);
        assert_eq!((one.step, one.epoch(), one.seen), (40, 20, 320));
        let end = evaluate(&one.model, &data, 16, 5);
        assert!(end.loss < 0.1 && end.right == 16, "{end:?}");
        let mut two = trainer(2, Method::ADAM);
        for chunk in [7, 1, 20, 100] {
            two.run(&data, chunk);
        }
        let diff = one
            .model
            .params
            .iter()
            .zip(&two.model.params)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(diff < 1e-5, "threads changed the parameters by {diff}");
        let mut resumed = trainer(1, Method::ADAM);
        resumed.run(&data, 13);
        resumed.run(&data, 27);
        assert_eq!(resumed.model.params, one.model.params);
        let mut sgd = trainer(2, Method::Sgd { momentum: 0.9 });
        sgd.schedule.lr = 0.05;
        sgd.run(&data, 40);
        let acc = evaluate(&sgd.model, &data, 16, 16).accuracy();
        assert!(acc == 1.0, "SGD reached {acc}");
    }

    /// A pruned network keeps its pruned weights at zero through training (weight decay
    /// included) while the rest go on learning the task.
    #[test]
    fn pruned_weights_stay_zero_and_the_rest_learn() {
        let data = Quarters::new(16);
        let mut t = trainer(2, Method::ADAM);
        t.run(&data, 10);
        let mask = Mask::by_magnitude(&t.table, &t.model.tensors(), 0.5).unwrap();
        let all_pruned_zero = |t: &Trainer<LeNet5>| {
            t.model
                .params
                .iter()
                .zip(mask.keep())
                .all(|(&w, &k)| k || w == 0.0)
        };
        t.prune(mask.clone()).unwrap();
        assert!(mask.len() - mask.kept() > N_PARAMS / 3);
        assert!(all_pruned_zero(&t));
        let moved = t.model.params.clone();
        t.run(&data, 30);
        assert!(all_pruned_zero(&t), "a pruned weight moved");
        assert_ne!(t.model.params, moved, "the kept weights learn");
        let end = evaluate(&t.model, &data, 16, 16);
        assert!(end.right == 16, "{end:?}");
        let mut wrong = trainer(1, Method::ADAM);
        let short = Mask::by_magnitude(&Table::new(), &[], 0.5).unwrap();
        assert!(wrong.prune(short).is_err());
    }

    /// Gradual pruning ends with the ramp's fraction of each weight tensor at zero, staying
    /// there, and the task still learnt.
    #[test]
    fn a_ramp_prunes_gradually_to_its_fraction() {
        let data = Quarters::new(16);
        let mut t = trainer(2, Method::ADAM);
        let ramp = Ramp {
            fraction: 0.6,
            start: 0,
            end: 20,
            every: 4,
        };
        t.prune_gradually(ramp).unwrap();
        let zeros = |t: &Trainer<LeNet5>| t.model.params.iter().filter(|&&w| w == 0.0).count();
        t.run(&data, 8);
        let early = zeros(&t);
        t.run(&data, 13);
        let weights: usize = t
            .table
            .params()
            .iter()
            .filter(|p| p.shape.len() > 1)
            .map(|p| p.numel())
            .sum();
        let at_end = zeros(&t);
        assert!(early > 0 && early < at_end, "{early} then {at_end}");
        assert!(at_end >= weights * 6 / 10 - 10, "{at_end} of {weights}");
        let mask = t.mask.clone().unwrap();
        t.run(&data, 19);
        assert_eq!(
            t.mask.as_ref(),
            Some(&mask),
            "the mask stays after the ramp"
        );
        let pruned_zero = t
            .model
            .params
            .iter()
            .zip(mask.keep())
            .all(|(&w, &k)| k || w == 0.0);
        assert!(pruned_zero);
        assert!(evaluate(&t.model, &data, 16, 16).right == 16);
        assert!(t.prune_gradually(Ramp { every: 0, ..ramp }).is_err());
    }
}
