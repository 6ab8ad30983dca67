"""torch.nn's Module, Conv2d and Linear in numpy, with PyTorch's parameter names, shapes,
default initialisation bounds and load_state_dict checks."""
from collections import OrderedDict, namedtuple

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
        elif name in self.__dict__.get("_params", {}):
            # As PyTorch: assigning another module's parameter shares it (weight tying).
            self._params[name] = value
            return
        object.__setattr__(self, name, value)

    def __getattr__(self, name):
        # Reached only when ordinary lookup fails: a parameter by its name, as PyTorch's.
        params = self.__dict__.get("_params", {})
        if name in params:
            return params[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __call__(self, *args):
        out = self.forward(*args)
        for hook in list(self.__dict__.get("_hooks", {}).values()):
            hook(self, args, out)
        return out

    def register_forward_hook(self, hook):
        """As PyTorch: `hook(module, inputs, output)` after every call; `.remove()` undoes it."""
        hooks = self.__dict__.setdefault("_hooks", {})
        key = object()
        hooks[key] = hook
        return namedtuple("RemovableHandle", "remove")(lambda: hooks.pop(key, None))

    def named_modules(self, prefix=""):
        yield prefix, self
        for name, m in self._modules.items():
            yield from m.named_modules(prefix + ("." if prefix else "") + name)

    def children(self):
        return iter(self._modules.values())

    def eval(self):
        return self

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


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


class Conv2d(Module):
    """Square or not; padding a number, a pair, or "same" / "valid" (stride 1 only, as PyTorch)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0):
        super().__init__()
        self.out_channels = out_channels
        self.kernel_size, self.stride = _pair(kernel_size), _pair(stride)
        if padding == "same" and self.stride != (1, 1):
            raise ValueError("padding='same' is not supported for strided convolutions")
        self.padding = padding if isinstance(padding, str) else _pair(padding)
        fan_in = in_channels * self.kernel_size[0] * self.kernel_size[1]
        self._params["weight"] = _uniform((out_channels, in_channels, *self.kernel_size), fan_in)
        self._params["bias"] = _uniform((out_channels,), fan_in)

    def forward(self, x):
        w, b = self._params["weight"], self._params["bias"]
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        if self.padding == "same":  # PyTorch puts the odd extra cell after
            pads = [((k - 1) // 2, k - 1 - (k - 1) // 2) for k in (kh, kw)]
        elif self.padding == "valid":
            pads = [(0, 0), (0, 0)]
        else:
            pads = [(p, p) for p in self.padding]
        x = np.pad(x, ((0, 0), (0, 0), *pads))
        win = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]  # [N, C, H', W', kh, kw]
        return (np.einsum("nchwij,ocij->nohw", win, w, dtype=np.float32) + b[None, :, None, None]).astype(np.float32)


class _Pool(Module):
    def __init__(self, kernel_size, stride=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = 0

    def forward(self, x):
        (kh, kw), (sh, sw) = _pair(self.kernel_size), _pair(self.stride)
        win = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
        return self.reduce(win, axis=(4, 5)).astype(np.float32)


class MaxPool2d(_Pool):
    reduce = staticmethod(np.max)


class AvgPool2d(_Pool):
    reduce = staticmethod(np.mean)


class _Elementwise(Module):
    def forward(self, x):
        return self.f(x).astype(np.float32)


class ReLU(_Elementwise):
    f = staticmethod(lambda x: np.maximum(x, 0))


class Tanh(_Elementwise):
    f = staticmethod(np.tanh)


class Sigmoid(_Elementwise):
    f = staticmethod(lambda x: 1 / (1 + np.exp(-x)))


class Identity(_Elementwise):
    f = staticmethod(lambda x: x)


class Dropout(Identity):
    """At inference (model.eval()), as here: the identity."""

    def __init__(self, p=0.5):
        super().__init__()
        self.p = p


class Flatten(Module):
    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        return x.reshape(x.shape[0], -1)


class Sequential(Module):
    """Children named "0", "1", …, as PyTorch names them."""

    def __init__(self, *modules):
        super().__init__()
        for i, m in enumerate(modules):
            setattr(self, str(i), m)

    def __iter__(self):
        return iter(self._modules.values())

    def forward(self, x):
        for m in self:
            x = m(x)
        return x


class Linear(Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self._params["weight"] = _uniform((out_features, in_features), in_features)
        self._params["bias"] = _uniform((out_features,), in_features)

    def forward(self, x):
        return (x @ self._params["weight"].T + self._params["bias"]).astype(np.float32)


class Embedding(Module):
    """Rows of `weight` [num_embeddings, embedding_dim] by id; initialised N(0, 1) as PyTorch's."""

    def __init__(self, num_embeddings, embedding_dim):
        super().__init__()
        self.embedding_dim = embedding_dim
        self._params["weight"] = _rng.standard_normal((num_embeddings, embedding_dim)).astype(np.float32)

    def forward(self, ids):
        ids = np.asarray(ids)
        if ids.dtype.kind not in "iu":
            raise TypeError(f"Embedding needs integer ids (torch.long), got {ids.dtype}")
        return self._params["weight"][ids]


def _sigmoid(x):
    return (1 / (1 + np.exp(-x))).astype(np.float32)


class _Recurrent(Module):
    """nn.RNN / nn.GRU / nn.LSTM with batch_first=False: x [T, N, I], the state [L·D, N, H]
    (a pair (h, c) for the LSTM; D = 2 when bidirectional, the reverse direction's
    parameters suffixed "_reverse", its outputs after the forward ones), gate blocks stacked
    in PyTorch's order."""

    gates = 1

    def __init__(self, input_size, hidden_size, num_layers=1, bidirectional=False):
        super().__init__()
        self.hidden_size, self.num_layers, self.dirs = hidden_size, num_layers, 2 if bidirectional else 1
        g, h = self.gates * hidden_size, hidden_size
        for k in range(num_layers):
            width = input_size if k == 0 else hidden_size * self.dirs
            for suffix in ["", "_reverse"][: self.dirs]:
                self._params[f"weight_ih_l{k}{suffix}"] = _uniform((g, width), h)
                self._params[f"weight_hh_l{k}{suffix}"] = _uniform((g, h), h)
                self._params[f"bias_ih_l{k}{suffix}"] = _uniform((g,), h)
                self._params[f"bias_hh_l{k}{suffix}"] = _uniform((g,), h)

    def forward(self, x, state=None):
        n, h = x.shape[1], self.hidden_size
        zeros = np.zeros((self.num_layers * self.dirs, n, h), dtype=np.float32)
        if isinstance(self, LSTM):
            hs, cs = (zeros, zeros) if state is None else state
            hs, cs = hs.copy(), cs.copy()
        else:
            hs, cs = (zeros if state is None else state).copy(), None
        for k in range(self.num_layers):
            outs = []
            for d, suffix in enumerate(["", "_reverse"][: self.dirs]):
                slot = k * self.dirs + d
                p = {name: self._params[f"{name}_l{k}{suffix}"] for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
                out = [None] * len(x)
                for t in (range(len(x)) if d == 0 else reversed(range(len(x)))):
                    gi = x[t] @ p["weight_ih"].T + p["bias_ih"]
                    gh = hs[slot] @ p["weight_hh"].T + p["bias_hh"]
                    hs[slot] = self.cell(gi, gh, hs[slot], cs, slot)
                    out[t] = hs[slot].copy()
                outs.append(np.stack(out))
            x = np.concatenate(outs, axis=-1).astype(np.float32)
        return x, ((hs, cs) if isinstance(self, LSTM) else hs)


class RNN(_Recurrent):
    """h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (nonlinearity="tanh", PyTorch's default), or
    ReLU with nonlinearity="relu"."""

    def __init__(self, *args, nonlinearity="tanh", **kwargs):
        super().__init__(*args, **kwargs)
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        self.nonlinearity = nonlinearity

    def cell(self, gi, gh, h, cs, k):
        a = gi + gh
        return (np.maximum(a, 0) if self.nonlinearity == "relu" else np.tanh(a)).astype(np.float32)


class GRU(_Recurrent):
    """Blocks (r, z, n); n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h' = (1 - z) * n + z * h."""

    gates = 3

    def cell(self, gi, gh, h, cs, k):
        H = self.hidden_size
        r = _sigmoid(gi[:, :H] + gh[:, :H])
        z = _sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
        n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
        return ((1 - z) * n + z * h).astype(np.float32)


class LSTM(_Recurrent):
    """Blocks (i, f, g, o); c' = f * c + i * g, h' = o * tanh(c')."""

    gates = 4

    def cell(self, gi, gh, h, cs, k):
        H = self.hidden_size
        a = gi + gh
        i, f, o = _sigmoid(a[:, :H]), _sigmoid(a[:, H:2 * H]), _sigmoid(a[:, 3 * H:])
        g = np.tanh(a[:, 2 * H:3 * H])
        cs[k] = (f * cs[k] + i * g).astype(np.float32)
        return (o * np.tanh(cs[k])).astype(np.float32)
