"""torch.nn.functional's activations and 2×2 pooling, in numpy."""
import numpy as np


def relu(x):
    return np.maximum(x, 0).astype(np.float32)


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def _windows(x, kernel_size, stride):
    (kh, kw), (sh, sw) = _pair(kernel_size), _pair(kernel_size if stride is None else stride)
    return np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]


def max_pool2d(x, kernel_size, stride=None):
    return _windows(x, kernel_size, stride).max(axis=(4, 5))


def avg_pool2d(x, kernel_size, stride=None):
    return _windows(x, kernel_size, stride).mean(axis=(4, 5), dtype=np.float32)


def pad(x, p):
    """Zeros around the last two axes: p = (left, right, top, bottom), as PyTorch orders them."""
    left, right, top, bottom = p
    return np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right))).astype(np.float32)


def conv2d(x, weight, bias=None, stride=1, padding=0):
    """Cross-correlation, as PyTorch's; padding a number, a pair or "same" (stride 1)."""
    from . import Conv2d

    o, c, kh, kw = weight.shape
    m = Conv2d(c, o, (kh, kw), stride=stride, padding=padding)
    m._params["weight"] = np.asarray(weight, dtype=np.float32)
    m._params["bias"] = np.zeros(o, np.float32) if bias is None else np.asarray(bias, dtype=np.float32)
    return m(np.asarray(x, dtype=np.float32))


def log_softmax(x, dim=-1):
    shifted = x - x.max(axis=dim, keepdims=True)
    return (shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))).astype(np.float32)


def softmax(x, dim=-1):
    return np.exp(log_softmax(x, dim)).astype(np.float32)
