#!/usr/bin/env python3
"""Student-style CNN files for the LeNet view's end-to-end test, made with the numpy torch
shim and docs/pytorch/export_sequential.py, and their outputs for an image.

    student_models.py make DIR            writes DIR/{lenet32,three-conv,tanh-same,bare}.safetensors
    student_models.py logits NAME IMAGE   prints the model's outputs for IMAGE (a JSON list
                                          of the C·H·W values the page fed it) as JSON
    student_models.py states NAME X       prints the recurrent layers' top outputs [T, D·H]
                                          of gru2bi or relu-rnn for X (a JSON list [T, I],
                                          what the page fed it)

`gru2bi` and `relu-rnn` (also written by `make`) are bare state_dicts for the RNN view: a
student's sequence classifier (a 2-layer bidirectional nn.GRU under `gru.` and a linear head
`fc`), and an nn.RNN(nonlinearity="relu") at the top level, which its weights cannot tell.

The models are made in the same order from the shim's fixed seed, so `logits` rebuilds
exactly the weights `make` wrote. `bare` is a state_dict without metadata (nn.Sequential's
names, nothing else): the page must guess its layers and say what it assumed.
"""
import json
import os
import sys

import numpy as np
from safetensors.numpy import save_file

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "python", "torch_shim"))
sys.path.insert(0, os.path.join(ROOT, "docs", "pytorch"))
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402
import export_sequential  # noqa: E402


class ThreeConv(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
        self.conv3 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(16 * 7 * 7, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = self.pool(F.relu(self.conv2(x)))
        x = F.relu(self.conv3(x))
        x = x.reshape(x.shape[0], -1)
        return self.fc2(F.relu(self.fc1(x)))


def models():
    """name -> (module, input shape, functional activation, class names)."""
    lenet32 = nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    three = ThreeConv()
    bare = nn.Sequential(nn.Conv2d(1, 4, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 14 * 14, 10))
    # Tanh, average pooling, padding="same" on an even kernel (the odd extra cell after).
    same = nn.Sequential(nn.Conv2d(1, 4, 4, padding="same"), nn.Tanh(), nn.AvgPool2d(2), nn.Dropout(0.2), nn.Flatten(),
                         nn.Linear(4 * 14 * 14, 10))
    digits = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"]
    return {"lenet32": (lenet32, (1, 32, 32), None, digits), "three-conv": (three, (1, 28, 28), "relu", None),
            "tanh-same": (same, (1, 28, 28), None, None), "bare": (bare, (1, 28, 28), None, None)}


class GruClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(3, 5, num_layers=2, bidirectional=True)
        self.fc = nn.Linear(10, 4)


def gru2bi():
    """The GRU classifier, its weights from a seed of its own (the CNNs' draws stay as they
    were), larger than PyTorch's ±1/√5 so that its states move visibly."""
    model = GruClassifier()
    rng = np.random.default_rng(7)
    for v in model.state_dict().values():
        v[...] = rng.uniform(-0.8, 0.8, v.shape)
    return model


def relu_rnn():
    """A bare nn.RNN with ReLU, its weights from a seed of its own."""
    model = nn.RNN(3, 4, nonlinearity="relu")
    rng = np.random.default_rng(11)
    for v in model.state_dict().values():
        v[...] = rng.uniform(-0.8, 0.8, v.shape)
    return model


RECURRENT = {"gru2bi": lambda: gru2bi().gru, "relu-rnn": relu_rnn}


def make(folder):
    """Writes the files; returns the models they hold."""
    made = models()
    # After the CNNs: the GRU's construction draws from the shim's shared generator too.
    save_file({k: np.ascontiguousarray(v) for k, v in gru2bi().state_dict().items()}, os.path.join(folder, "gru2bi.safetensors"))
    save_file({k: np.ascontiguousarray(v) for k, v in relu_rnn().state_dict().items()}, os.path.join(folder, "relu-rnn.safetensors"))
    for name, (model, shape, act, classes) in made.items():
        tensors, meta = export_sequential.for_nnplay(model, shape, act, classes)
        if name == "bare":
            meta = None
        save_file({k: np.ascontiguousarray(v, dtype=np.float32) for k, v in tensors.items()}, os.path.join(folder, f"{name}.safetensors"), metadata=meta)
    return made


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    elif sys.argv[1] == "states":
        x = np.asarray(json.load(open(sys.argv[3])), dtype=np.float32)
        y, _ = RECURRENT[sys.argv[2]]()(x[:, None, :])
        print(json.dumps(y[:, 0].astype(float).tolist()))
    else:
        model, shape, _, _ = models()[sys.argv[2]]
        x = np.asarray(json.load(open(sys.argv[3])), dtype=np.float32).reshape(1, *shape)
        print(json.dumps(model(x)[0].astype(float).tolist()))
