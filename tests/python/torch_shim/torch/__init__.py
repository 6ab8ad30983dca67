"""The few parts of PyTorch that docs/pytorch/*.py use, written with numpy (PyTorch itself
is too large to install on these machines). Float32 throughout, as PyTorch's defaults.
Only for tests/python: it checks that the PyTorch code the docs give runs against nnplay's
files and reproduces nnplay's numbers."""
import numpy as np

from . import nn  # noqa: F401  (torch.nn, as `import torch` provides it)

float32 = np.float32


def tensor(x):
    return np.asarray(x, dtype=np.float32)


def relu(x):
    return np.maximum(x, 0).astype(np.float32)


def tanh(x):
    return np.tanh(x).astype(np.float32)


def flatten(x, start_dim=0):
    return x.reshape(x.shape[:start_dim] + (-1,))
