"""Your own CNN in nnplay's LeNet view: save a PyTorch model with the description nnplay reads.

    from export_sequential import save_for_nnplay
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(8 * 14 * 14, 10))
    ...train it...
    save_for_nnplay(model, "my-cnn.safetensors", input_shape=(1, 28, 28))

Then drop my-cnn.safetensors on the LeNet view (or `nnplay sequential-logits --weights
my-cnn.safetensors`). What nnplay runs: Conv2d (any kernel up to 7, stride, padding as a
number, a pair, or "same" / "valid"), ReLU / Tanh / Sigmoid, MaxPool2d / AvgPool2d (no
padding), Flatten, Linear, Dropout (the identity at inference); input 1×28×28 or 1×32×32
for drawn digits.

`model` is an nn.Sequential, or a module of your own (a LeNet-style class whose forward()
calls self.conv1, F.relu, self.pool, torch.flatten, self.fc1 …): such a module is run once
on a blank image and its layers are taken in the order they are called. What forward()
does with functions rather than modules leaves no trace, so say it: `activation` ("relu",
"tanh" or "sigmoid") is put after every Conv2d and Linear but the last that no activation
module follows, and a Flatten goes before the first Linear that follows a map.

`classes`, if given, names the outputs (the view labels its bars with them).
"""
import json

import torch
from torch import nn

ACTIVATIONS = {nn.ReLU: "relu", nn.Tanh: "tanh", nn.Sigmoid: "sigmoid", nn.Identity: "identity", nn.Dropout: "identity"}


def _pair(v):
    return list(v) if isinstance(v, (tuple, list)) else [v, v]


def _layer(m):
    """nnplay's description of one module (see crate/src/cnn/sequential/describe.rs)."""
    if isinstance(m, nn.Conv2d):
        padding = m.padding if isinstance(m.padding, str) else _pair(m.padding)
        return {"type": "conv2d", "out_channels": m.out_channels, "kernel": _pair(m.kernel_size), "stride": _pair(m.stride), "padding": padding}
    if isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
        if m.padding not in (0, (0, 0)):
            raise ValueError(f"{type(m).__name__} with padding: nnplay pools without padding")
        kind = "max_pool2d" if isinstance(m, nn.MaxPool2d) else "avg_pool2d"
        stride = m.kernel_size if m.stride is None else m.stride
        return {"type": kind, "kernel": _pair(m.kernel_size), "stride": _pair(stride)}
    if isinstance(m, nn.Linear):
        return {"type": "linear", "out_features": m.out_features}
    if isinstance(m, nn.Flatten):
        return {"type": "flatten"}
    for cls, name in ACTIVATIONS.items():
        if isinstance(m, cls):
            return {"type": name}
    raise ValueError(f"nnplay cannot run a {type(m).__name__} (it runs Conv2d, ReLU, Tanh, Sigmoid, MaxPool2d, AvgPool2d, Flatten, Linear, Dropout)")


def _called(model, input_shape):
    """The modules without children that `model` calls on a blank image, in order."""
    calls = []
    leaves = [m for _, m in model.named_modules() if not list(m.children())]
    handles = [m.register_forward_hook(lambda m, i, o: calls.append(m)) for m in leaves]
    try:
        with torch.no_grad():
            model.eval()
            model(torch.zeros(1, *input_shape))
    finally:
        for h in handles:
            h.remove()
    return calls


def describe(model, input_shape=(1, 28, 28), activation=None):
    """(layers, sources): nnplay's layers for `model`, and for each layer with weights the
    state_dict prefix they come from ("3" in a Sequential, "conv1" in a module of yours)."""
    prefix = {id(m): name for name, m in model.named_modules()}
    if isinstance(model, nn.Sequential):
        modules = list(model)
    else:
        modules = _called(model, input_shape)
    layers, sources, maps = [], {}, True
    for i, m in enumerate(modules):
        layer = _layer(m)
        if layer["type"] == "linear" and maps and not isinstance(model, nn.Sequential):
            layers.append({"type": "flatten"})
        if layer["type"] in ("linear", "flatten"):
            maps = False
        if layer["type"] in ("conv2d", "linear"):
            sources[len(layers)] = prefix[id(m)]
        layers.append(layer)
        weighted = layer["type"] in ("conv2d", "linear")
        follows = i + 1 < len(modules) and type(modules[i + 1]) in ACTIVATIONS
        if weighted and activation and i + 1 < len(modules) and not follows and not isinstance(model, nn.Sequential):
            layers.append({"type": activation})
    return layers, sources


def for_nnplay(model, input_shape=(1, 28, 28), activation=None, classes=None):
    """(tensors, metadata): `model`'s weights under nnplay's names (an nn.Sequential's own)
    and its description, as the file holds them."""
    layers, sources = describe(model, input_shape, activation)
    state = model.state_dict()
    tensors = {f"{i}.{part}": state[f"{src}.{part}"] for i, src in sources.items() for part in ("weight", "bias")}
    meta = {"arch": "sequential_cnn", "input": json.dumps(list(input_shape)), "layers": json.dumps(layers)}
    if classes is not None:
        meta["classes"] = json.dumps(list(classes), ensure_ascii=False)
    return tensors, meta


def save_for_nnplay(model, path, input_shape=(1, 28, 28), activation=None, classes=None):
    """Writes the file the LeNet view loads (see the module's notes)."""
    from safetensors.torch import save_file

    tensors, meta = for_nnplay(model, input_shape, activation, classes)
    save_file({k: v.detach().float().contiguous() for k, v in tensors.items()}, path, metadata=meta)
