"""torch.nn's Module, Conv2d and Linear in numpy, with PyTorch's parameter names, shapes,
default initialisation bounds and load_state_dict checks."""
from collections import OrderedDict

import numpy as np

from . import functional  # noqa: F401

_rng = np.random.default_rng(0)


class Module:
    def __init__(self):
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_params", OrderedDict())

    def __setattr__(self, name, value):
        if isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def __call__(self, *args):
        return self.forward(*args)

    def state_dict(self, prefix=""):
        out = OrderedDict((prefix + k, v) for k, v in self._params.items())
        for name, m in self._modules.items():
            out.update(m.state_dict(prefix + name + "."))
        return out

    def load_state_dict(self, state_dict, strict=True):
        """As PyTorch: every key present with its shape (values cast to float32), else an error."""
        own = self.state_dict()
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        if strict and (missing or unexpected):
            raise RuntimeError(f"Error(s) in loading state_dict: missing {missing}, unexpected {unexpected}")
        for k, v in own.items():
            src = np.asarray(state_dict[k])
            if src.shape != v.shape:
                raise RuntimeError(f"size mismatch for {k}: copying a param with shape {src.shape}, the model has {v.shape}")
            v[...] = src.astype(np.float32)


def _uniform(shape, fan_in):
    bound = 1 / np.sqrt(fan_in)
    return _rng.uniform(-bound, bound, shape).astype(np.float32)


class Conv2d(Module):
    def __init__(self, in_channels, out_channels, kernel_size, padding=0):
        super().__init__()
        self.padding = padding
        fan_in = in_channels * kernel_size * kernel_size
        self._params["weight"] = _uniform((out_channels, in_channels, kernel_size, kernel_size), fan_in)
        self._params["bias"] = _uniform((out_channels,), fan_in)

    def forward(self, x):
        w, b, p = self._params["weight"], self._params["bias"], self.padding
        x = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        k = w.shape[2]
        win = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))  # [N, C, H, W, k, k]
        return (np.einsum("nchwij,ocij->nohw", win, w, dtype=np.float32) + b[None, :, None, None]).astype(np.float32)


class Linear(Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self._params["weight"] = _uniform((out_features, in_features), in_features)
        self._params["bias"] = _uniform((out_features,), in_features)

    def forward(self, x):
        return (x @ self._params["weight"].T + self._params["bias"]).astype(np.float32)
