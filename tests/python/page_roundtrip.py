#!/usr/bin/env python3
"""What the PyTorch modules of docs/pytorch/ make of a network the page trained and saved
(the end-to-end tests download it and compare with the page's own numbers). numpy stands
in for torch (tests/python/torch_shim).

    page_roundtrip.py lenet FILE IMAGE   softmax of docs/pytorch/lenet5.py's logits for IMAGE
                                         (a JSON list of 784 pixel values)
    page_roundtrip.py lm FILE TEXT       docs/pytorch/char_lm.py's probabilities of the next
                                         character after TEXT, read from a fresh state

Prints a JSON list.
"""
import json
import os
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "python", "torch_shim"))
sys.path.insert(0, os.path.join(ROOT, "docs", "pytorch"))
import torch  # noqa: E402
import char_lm  # noqa: E402
from lenet5 import LeNet5  # noqa: E402

kind, path, arg = sys.argv[1:4]
if kind == "lenet":
    with safe_open(path, framework="np") as f:
        meta = f.metadata() or {}
    # As docs/pytorch/lenet5.py's load_nnplay, with numpy's loader (the shim has no torch storage).
    model = LeNet5(meta["activation"], meta["pooling"])
    model.load_state_dict(load_file(path))
    x = np.asarray(json.loads(open(arg).read()), dtype=np.float32).reshape(1, 1, 28, 28)
    probs = torch.softmax(model(x), dim=-1)[0]
else:
    model = char_lm.load_nnplay(path)
    logits, _ = model(model.encode(arg).reshape(-1, 1))
    probs = torch.softmax(logits[-1, 0], dim=-1)
print(json.dumps(np.asarray(probs, dtype=float).tolist()))
