"""The few parts of PyTorch that docs/pytorch/*.py use, written with numpy (PyTorch itself
is too large to install on these machines). Float32 throughout, as PyTorch's defaults.
Only for tests/python: it checks that the PyTorch code the docs give runs against nnplay's
files and reproduces nnplay's numbers."""
import contextlib
from collections import namedtuple

import numpy as np

from . import nn  # noqa: F401  (torch.nn, as `import torch` provides it)
from .nn.functional import log_softmax, softmax  # noqa: F401  (torch.softmax, torch.log_softmax)

float32 = np.float32
long = np.int64


def tensor(x):
    """As torch.tensor: whole numbers stay integers (torch.long), the rest become float32."""
    a = np.asarray(x)
    return a if a.dtype.kind in "iub" else a.astype(np.float32)


def from_numpy(a):
    return a


class no_grad(contextlib.ContextDecorator):
    """A context manager and a decorator, as torch.no_grad (numpy keeps no graph anyway)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


_TopK = namedtuple("topk", ["values", "indices"])


def topk(x, k):
    idx = np.argsort(-x, kind="stable")[:k]
    return _TopK(x[idx], idx)


def where(cond, a, b):
    return np.where(cond, a, b).astype(np.float32)


def multinomial(probs, num_samples, generator=None):
    rng = generator if generator is not None else np.random.default_rng()
    return np.asarray(rng.choice(len(probs), size=num_samples, p=probs / probs.sum()))


def relu(x):
    return np.maximum(x, 0).astype(np.float32)


def tanh(x):
    return np.tanh(x).astype(np.float32)


def flatten(x, start_dim=0):
    return x.reshape(x.shape[:start_dim] + (-1,))


def zeros(*shape, dtype=np.float32):
    return np.zeros(shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape, dtype)


def randn(*shape):
    return np.random.default_rng(0).standard_normal(shape).astype(np.float32)
