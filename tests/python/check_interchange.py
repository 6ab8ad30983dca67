#!/usr/bin/env python3
"""nnplay's weight files and PyTorch's, both ways (run by scripts/test-all.sh):

1. weights/lenet5.safetensors loads with Python's `safetensors` into the PyTorch module of
   docs/pytorch/lenet5.py (`model.load_state_dict(load_file(...))`), and that module's
   logits for 200 MNIST test digits equal nnplay's (`nnplay lenet-logits`). numpy stands in
   for torch (tests/python/torch_shim): PyTorch is too large to install here.
2. A file that Python's `safetensors.numpy.save_file` writes from that module's state_dict
   (PyTorch's names, float32, no metadata of ours) loads in nnplay and gives the same logits.
3. weights/bmes.safetensors loads too, with PyTorch's names for its three submodules.

Ends with "N passed, N failed"; exits 1 if anything failed.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file, save_file

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "python", "torch_shim"))
sys.path.insert(0, os.path.join(ROOT, "docs", "pytorch"))
from lenet5 import LeNet5  # noqa: E402  (the docs' module, on the numpy torch)

results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(f"{'pass' if ok else 'FAIL'}  {name}  {detail}")


def nnplay_logits(weights, out):
    """nnplay's images and logits for the first 200 test digits, with `weights`."""
    cmd = ["cargo", "run", "--release", "-q", "-p", "nnplay", "--bin", "nnplay", "--",
           "lenet-logits", "--weights", weights, "--count", "200", "--out", out]
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    f = load_file(out)
    return f["images"], f["logits"]


def module_from(path):
    with safe_open(path, framework="np") as f:
        meta = f.metadata() or {}
    model = LeNet5(meta.get("activation", "relu"), meta.get("pooling", "max"))
    model.load_state_dict(load_file(path))
    return model, meta


with tempfile.TemporaryDirectory() as tmp:
    shipped = os.path.join(ROOT, "weights", "lenet5.safetensors")
    model, meta = module_from(shipped)
    check("lenet5.safetensors names its architecture", meta.get("arch") == "lenet5", str(meta.get("arch")))
    images, ours = nnplay_logits(shipped, os.path.join(tmp, "ours.safetensors"))
    theirs = model(images)
    err = float(np.abs(theirs - ours).max())
    same = int((theirs.argmax(1) == ours.argmax(1)).sum())
    check("PyTorch module on nnplay's file: same logits", err < 1e-4, f"max abs error {err:.2e}")
    check("PyTorch module on nnplay's file: same digits", same == len(ours), f"{same}/{len(ours)}")

    py_file = os.path.join(tmp, "from-python.safetensors")
    save_file({k: np.ascontiguousarray(v, dtype=np.float32) for k, v in model.state_dict().items()}, py_file)
    _, again = nnplay_logits(py_file, os.path.join(tmp, "again.safetensors"))
    err = float(np.abs(again - ours).max())
    check("nnplay on Python's save_file: same logits", err < 1e-5, f"max abs error {err:.2e}")

    bad = dict(model.state_dict())
    bad["fc9.weight"] = bad.pop("fc3.weight")
    bad_file = os.path.join(tmp, "renamed.safetensors")
    save_file({k: np.ascontiguousarray(v) for k, v in bad.items()}, bad_file)
    r = subprocess.run(["cargo", "run", "--release", "-q", "-p", "nnplay", "--bin", "nnplay", "--",
                        "eval-lenet", "--weights", bad_file], cwd=ROOT, capture_output=True, text=True)
    check("nnplay refuses a file without fc3.weight, naming it", r.returncode != 0 and "fc3.weight" in r.stderr, r.stderr.strip()[-120:])

tagger = load_file(os.path.join(ROOT, "weights", "bmes.safetensors"))
with safe_open(os.path.join(ROOT, "weights", "bmes.safetensors"), framework="np") as f:
    meta = f.metadata()
vocab, emb = meta["vocab"], tagger["embedding.weight"]
check("bmes.safetensors: embedding rows = vocabulary + unknown", emb.shape[0] == len(vocab) + 1, f"{emb.shape} for {len(vocab)} characters")
names = {"lstm.weight_ih_l0", "lstm.weight_hh_l0_reverse", "fc.weight", "fc.bias"}
check("bmes.safetensors: PyTorch's names", names <= set(tagger), ", ".join(sorted(set(tagger))[:4]))

passed = sum(results)
print(f"{passed} passed, {len(results) - passed} failed")
sys.exit(0 if passed == len(results) else 1)
