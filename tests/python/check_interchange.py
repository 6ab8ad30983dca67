#!/usr/bin/env python3
"""nnplay's weight files and PyTorch's, both ways (run by scripts/test-all.sh):

1. weights/lenet5.safetensors loads with Python's `safetensors` into the PyTorch module of
   docs/pytorch/lenet5.py (`model.load_state_dict(load_file(...))`), and that module's
   logits for 200 MNIST test digits equal nnplay's (`nnplay lenet-logits`). numpy stands in
   for torch (tests/python/torch_shim): PyTorch is too large to install here.
2. A file that Python's `safetensors.numpy.save_file` writes from that module's state_dict
   (PyTorch's names, float32, no metadata of ours) loads in nnplay and gives the same logits.
3. weights/bmes.safetensors loads too, with PyTorch's names for its three submodules.
4. A character model (RNN, GRU, LSTM; two layers) that nnplay writes loads through
   docs/pytorch/char_lm.py's `load_nnplay`, whose module gives nnplay's logits and final
   states (`nnplay lm-logits`) and the same greedy continuation through its `generate`; the
   module's state_dict saved by Python loads in nnplay with the same logits.

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
import char_lm  # noqa: E402

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


def torch_log_softmax(x):
    import torch.nn.functional as F
    return F.log_softmax(x, dim=-1)


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



def nnplay_lm(args, out):
    """`nnplay lm-logits` with `args`: its tensors and its greedy continuation."""
    cmd = ["cargo", "run", "--release", "-q", "-p", "nnplay", "--bin", "nnplay", "--", "lm-logits", *args, "--out", out]
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    with safe_open(out, framework="np") as f:
        generated = f.metadata()["generated"]
    return load_file(out), generated


# The vocabulary: a poem's characters, a newline and the letters (V = 74 with id 0); the text
# also holds "X", which it lacks (id 0).
POEM = "床前明月光，疑是地上霜。举头望明月，低头思故乡。"
VOCAB = POEM + "\n" + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW"
TEXT = "床前明月光，\nX疑是地上霜。"
with tempfile.TemporaryDirectory() as tmp:
    # The last: an LSTM whose output layer is its embedding (E = H, "tie_weights").
    for cell, emb, tied in [("rnn", "6", False), ("gru", "6", False), ("lstm", "6", False), ("lstm", "12", True)]:
        name = cell + (" tied" if tied else "")
        model_file = os.path.join(tmp, f"{name}.safetensors")
        ours, generated = nnplay_lm(["--vocab", VOCAB, "--cell", cell, "--layers", "2", "--emb", emb, "--hidden", "12",
                                     "--seed", "5", "--tie", str(tied).lower(), "--text", TEXT, "--generate", "12",
                                     "--model-out", model_file],
                                    os.path.join(tmp, f"{name}-logits.safetensors"))
        model = char_lm.load_nnplay(model_file)
        ids = model.encode(TEXT)
        check(f"char_lm {name}: same character ids", ids.tolist() == ours["tokens"][:, 0].astype(int).tolist(), str(ids.tolist()[:8]))
        logits, state = model(ids.reshape(-1, 1))
        h_n, c_n = state if cell == "lstm" else (state, None)
        err = max(float(np.abs(logits - ours["logits"]).max()), float(np.abs(h_n - ours["h_n"]).max()))
        if c_n is not None:
            err = max(err, float(np.abs(c_n - ours["c_n"]).max()))
        check(f"char_lm {name}: PyTorch module on nnplay's file: same logits and final states", err < 1e-4, f"max abs error {err:.2e}")
        lp = torch_log_softmax(logits)
        err = float(np.abs(lp - ours["log_probs"]).max())
        check(f"char_lm {name}: same log-probabilities", err < 1e-4, f"max abs error {err:.2e}")
        theirs = char_lm.generate(model, TEXT, 12, top_k=1)
        check(f"char_lm {name}: same greedy continuation", theirs == generated, f"{theirs!r} vs {generated!r}")
        if tied:
            check(f"char_lm {name}: nnplay's file holds the shared weight once, and the module shares it",
                  "fc.weight" not in load_file(model_file) and model.fc.weight is model.embedding.weight)

        py_file = os.path.join(tmp, f"{name}-from-python.safetensors")
        meta = {"arch": "char-lm", "cell": cell, "num_layers": "2", "embedding_dim": emb, "hidden_size": "12", "vocab": model.vocab}
        state = dict(model.state_dict())
        if tied:
            del state["fc.weight"]  # safetensors stores a tensor once, as save_nnplay does
            meta["tie_weights"] = "true"
        save_file({k: np.ascontiguousarray(v, dtype=np.float32) for k, v in state.items()}, py_file, metadata=meta)
        again, _ = nnplay_lm(["--weights", py_file, "--text", TEXT], os.path.join(tmp, f"{name}-again.safetensors"))
        err = float(np.abs(again["logits"] - logits).max())
        check(f"char_lm {name}: nnplay on Python's save_file: same logits", err < 1e-4, f"max abs error {err:.2e}")

    bad = dict(state)
    bad["rnn.weight_hh_l9"] = bad.pop("rnn.weight_hh_l1")
    bad_file = os.path.join(tmp, "renamed-lm.safetensors")
    save_file({k: np.ascontiguousarray(v) for k, v in bad.items()}, bad_file, metadata=meta)
    r = subprocess.run(["cargo", "run", "--release", "-q", "-p", "nnplay", "--bin", "nnplay", "--", "lm-logits",
                        "--weights", bad_file, "--text", TEXT], cwd=ROOT, capture_output=True, text=True)
    check("nnplay refuses a character model without rnn.weight_hh_l1, naming it",
          r.returncode != 0 and "rnn.weight_hh_l1" in r.stderr, r.stderr.strip()[-120:])


# 5. Students' own CNNs through docs/pytorch/export_sequential.py (tests/python/student_models.py):
# an nn.Sequential LeNet with ReLU and max pooling on 32×32, a module of one's own (3×3
# convolutions, one strided, functional ReLUs, a reused pooling module), and a Sequential with
# Tanh, average pooling and padding="same" on an even kernel; nnplay runs each file and gives
# the module's outputs.
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))
import student_models  # noqa: E402

with tempfile.TemporaryDirectory() as tmp:
    for name, (model, shape, _, _) in student_models.make(tmp).items():
        if name == "bare":
            continue  # no description in the file: the page's questions, not this command
        out = os.path.join(tmp, "student-logits.safetensors")
        cmd = ["cargo", "run", "--release", "-q", "-p", "nnplay", "--bin", "nnplay", "--", "sequential-logits",
               "--weights", os.path.join(tmp, f"{name}.safetensors"), "--count", "50", "--out", out]
        r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if r.returncode != 0:
            check(f"student CNN {name}: nnplay runs the exported file", False, r.stderr.strip()[-200:])
            continue
        f = load_file(out)
        err = float(np.abs(model(f["images"]) - f["logits"]).max())
        check(f"student CNN {name}: nnplay's outputs are the module's", err < 1e-4, f"max abs error {err:.2e}")

passed = sum(results)
print(f"{passed} passed, {len(results) - passed} failed")
sys.exit(0 if passed == len(results) else 1)
