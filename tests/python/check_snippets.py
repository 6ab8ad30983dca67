#!/usr/bin/env python3
"""The PyTorch code the page shows (www/js/pytorch.js, written by tests/python/snippets.mjs)
runs and gives nnplay's numbers, numpy standing in for torch (tests/python/torch_shim):

1. the conv lab's F.conv2d (with F.pad where PyTorch's padding="same" refuses the stride)
   and the pooling lab's F.max_pool2d / F.avg_pool2d on every golden case they cover;
2. the RNN view's nn.RNN / nn.GRU / nn.LSTM: the module it constructs takes the golden
   case's parameters by name and shape and gives its outputs;
3. LeNet-5's module (ReLU and max pooling, tanh and average pooling) gives `nnplay
   lenet-logits` on the same weights;
4. the Sequential written for a student's network (tests/python/student_models.py) loads
   the student's file and gives the student's module's outputs.

Ends with "N passed, N failed"; exits 1 if anything failed.
"""
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import types

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "python", "torch_shim"))
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))
sys.path.insert(0, os.path.join(ROOT, "docs", "pytorch"))
import torch  # noqa: E402
import student_models  # noqa: E402

# `from safetensors.torch import load_file` in the snippets: the numpy loader here.
sys.modules["safetensors.torch"] = types.SimpleNamespace(load_file=load_file)

results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(f"{'pass' if ok else 'FAIL'}  {name}  {detail}")


def run(code, **given):
    """Executes a snippet (its prints swallowed) with `given` names; returns its names."""
    scope = dict(given)
    with contextlib.redirect_stdout(io.StringIO()):
        exec(code, scope)
    return scope


def want(t):
    return np.asarray(t["data"], dtype=np.float32).reshape(t["shape"])


def conv_shape(size, k, s, p):
    return (size + 2 * p - k) // s + 1


def shapes_of(input_shape, layers):
    """Each layer's output per image, for the description of a student network."""
    shape, out = list(input_shape), []
    for l in layers:
        kind = l["type"]
        if kind == "conv2d":
            (kh, kw), (sh, sw), pad = l["kernel"], l["stride"], l["padding"]
            if pad == "same":
                shape = [l["out_channels"], -(-shape[1] // sh), -(-shape[2] // sw)]
            else:
                ph, pw = (0, 0) if pad == "valid" else pad
                shape = [l["out_channels"], conv_shape(shape[1], kh, sh, ph), conv_shape(shape[2], kw, sw, pw)]
        elif kind in ("max_pool2d", "avg_pool2d"):
            (kh, kw), (sh, sw) = l["kernel"], l["stride"]
            shape = [shape[0], conv_shape(shape[1], kh, sh, 0), conv_shape(shape[2], kw, sw, 0)]
        elif kind == "flatten":
            shape = [int(np.prod(shape))]
        elif kind == "linear":
            shape = [l["out_features"]]
        out.append(shape)
    return out


with tempfile.TemporaryDirectory() as tmp:
    models = student_models.make(tmp)
    described = []
    for name in ("lenet32", "three-conv"):
        with safe_open(os.path.join(tmp, f"{name}.safetensors"), framework="np") as f:
            meta = f.metadata()
        input_shape, layers = json.loads(meta["input"]), json.loads(meta["layers"])
        described.append({"name": name, "input": input_shape, "layers": layers, "shapes": shapes_of(input_shape, layers)})
    snippets = json.loads(subprocess.run(["node", os.path.join(ROOT, "tests", "python", "snippets.mjs")], input=json.dumps(described),
                                         capture_output=True, text=True, check=True).stdout)
    for s in snippets:
        try:
            if s["kind"] in ("conv", "pool"):
                y = run(s["code"])["y"]
                err = float(np.abs(y - want(s["want"])).max())
                check(f"{s['kind']} snippet, {s['name']}", err < 1e-4, f"max abs error {err:.1e}")
            elif s["kind"] == "rnn":
                rnn = run("import torch\nfrom torch import nn\n" + s["code"])["rnn"]
                rnn.load_state_dict({k: want(v) for k, v in s["weights"].items()})
                state = want(s["h0"]) if s["c0"] is None else (want(s["h0"]), want(s["c0"]))
                y, _ = rnn(want(s["x"]), state)
                err = float(np.abs(y - want(s["want"])).max())
                check(f"rnn snippet, {s['name']}: the golden parameters by name, the golden outputs", err < 1e-4, f"max abs error {err:.1e}")
            elif s["kind"] == "lenet":
                # docs/pytorch/lenet5.py's module with this activation and pooling, its random
                # weights saved as nnplay's LeNet-5 files are; nnplay's logits on that file.
                from lenet5 import LeNet5
                from safetensors.numpy import save_file
                weights = os.path.join(tmp, f"lenet-{s['activation']}-{s['pooling']}.safetensors")
                module = LeNet5(s["activation"], s["pooling"])
                save_file({k: np.ascontiguousarray(v) for k, v in module.state_dict().items()}, weights,
                          metadata={"arch": "lenet5", "activation": s["activation"], "pooling": s["pooling"]})
                out = os.path.join(tmp, "lenet-logits.safetensors")
                subprocess.run(["cargo", "run", "--release", "-q", "-p", "nnplay", "--bin", "nnplay", "--", "lenet-logits", "--weights", weights,
                                "--count", "50", "--out", out], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
                ref = load_file(out)
                model = run(s["code"].replace('"FILE"', repr(weights)))["model"]
                err = float(np.abs(model(ref["images"]) - ref["logits"]).max())
                check(f"LeNet-5 module snippet ({s['activation']}, {s['pooling']}): nnplay's logits on the same file", err < 1e-4, f"max abs error {err:.1e}")
            elif s["kind"] == "sequential":
                module, shape, _, _ = models[s["name"]]
                scope = run(s["code"].replace('"FILE"', repr(os.path.join(tmp, f"{s['name']}.safetensors"))))
                x = np.random.default_rng(1).random((4, *shape), dtype=np.float32)
                err = float(np.abs(scope["model"](x) - module(x)).max())
                check(f"Sequential snippet for the student network {s['name']}: the student's module's outputs", err < 1e-5, f"max abs error {err:.1e}")
        except Exception as e:  # a snippet that does not run is a failure with its reason
            check(f"{s['kind']} snippet, {s['name']} runs", False, f"{type(e).__name__}: {e}")

passed = sum(results)
print(f"{passed} passed, {len(results) - passed} failed")
sys.exit(0 if passed == len(results) else 1)
