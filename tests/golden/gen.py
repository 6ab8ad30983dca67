#!/usr/bin/env python3
"""Makes new golden cases for nnplay in the format of FORMAT.md.

The reference here is plain Python written from the definitions (no nnplay code, no
dependencies), so it can run anywhere; the shipped cases in cases/ came from ONNX Runtime
and numpy and are never rewritten. Usage:

    python3 tests/golden/gen.py --out DIR [--seed N] [--count N]

The test command generates a fresh random batch each run and checks it with `nnplay check`.
"""
import argparse
import json
import math
import os
import random


def plan(size, k, s, padding):
    """(out, pad_before) for one axis: TensorFlow's SAME rule, VALID, or PyTorch's int
    padding (that many zeros on both sides)."""
    if isinstance(padding, int):
        return (size + 2 * padding - k) // s + 1, padding
    if padding == "same":
        out = -(-size // s)
        total = max((out - 1) * s + k - size, 0)
        return out, total // 2
    return (size - k) // s + 1, 0


def windows(x, kh, kw, sh, sw, padding):
    """Yields (n, c, oy, ox, cells) with cells = the real input values of each window."""
    n_, c_, h, w = len(x), len(x[0]), len(x[0][0]), len(x[0][0][0])
    oh, pt = plan(h, kh, sh, padding)
    ow, pl = plan(w, kw, sw, padding)
    for n in range(n_):
        for c in range(c_):
            for oy in range(oh):
                for ox in range(ow):
                    cells = [x[n][c][iy][ix]
                             for iy in range(oy * sh - pt, oy * sh - pt + kh) if 0 <= iy < h
                             for ix in range(ox * sw - pl, ox * sw - pl + kw) if 0 <= ix < w]
                    yield n, c, oy, ox, cells


def shape_of(t):
    s = []
    while isinstance(t, list):
        s.append(len(t))
        t = t[0]
    return s


def flat(t):
    return [v for sub in t for v in flat(sub)] if isinstance(t, list) else [t]


def nest(data, shape):
    if len(shape) == 1:
        return list(data)
    step = len(data) // shape[0]
    return [nest(data[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def tensor(t):
    return {"shape": shape_of(t), "data": flat(t)}


def conv2d(x, wt, b, sh, sw, padding):
    """padding: "same", "valid" or [ph, pw] (zeros on both sides)."""
    n_, c_, h, w = shape_of(x)
    o_, _, kh, kw = shape_of(wt)
    ph, pw = padding if isinstance(padding, list) else (padding, padding)
    oh, pt = plan(h, kh, sh, ph)
    ow, pl = plan(w, kw, sw, pw)
    y = [[[[0.0] * ow for _ in range(oh)] for _ in range(o_)] for _ in range(n_)]
    for n in range(n_):
        for o in range(o_):
            for oy in range(oh):
                for ox in range(ow):
                    acc = math.fsum(
                        x[n][c][oy * sh - pt + ky][ox * sw - pl + kx] * wt[o][c][ky][kx]
                        for c in range(c_) for ky in range(kh) for kx in range(kw)
                        if 0 <= oy * sh - pt + ky < h and 0 <= ox * sw - pl + kx < w)
                    y[n][o][oy][ox] = acc + b[o]
    return y


def pool(x, kh, kw, sh, sw, padding, reduce):
    n_, c_, h, w = shape_of(x)
    oh, _ = plan(h, kh, sh, padding)
    ow, _ = plan(w, kw, sw, padding)
    y = [[[[0.0] * ow for _ in range(oh)] for _ in range(c_)] for _ in range(n_)]
    for n, c, oy, ox, cells in windows(x, kh, kw, sh, sw, padding):
        y[n][c][oy][ox] = reduce(cells)
    return y


REDUCE = {
    "max_pool2d": max,
    "avg_pool2d": lambda cells: math.fsum(cells) / len(cells),
    "stochastic_pool2d": lambda cells: (math.fsum(a * a for a in cells) / math.fsum(cells)) if math.fsum(cells) > 0 else 0.0,
}


def rand(rng, shape, lo=-1.0, hi=1.0):
    return nest([round(rng.uniform(lo, hi), 6) for _ in range(math.prod(shape))], shape)


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def matvec(w, x, b):
    """w: [rows, len(x)] nested, b: [rows] -> w x + b."""
    return [bi + sum(wi * xi for wi, xi in zip(row, x)) for row, bi in zip(w, b)]


def char_lm(rng, i, seed):
    """Embedding -> `cell` layers (PyTorch's gate order: GRU r, z, n; LSTM i, f, g, o) -> linear
    -> log-softmax over the vocabulary, at random sizes (now and then a large vocabulary)."""
    cell = rng.choice(["rnn", "gru", "lstm"])
    g = {"rnn": 1, "gru": 3, "lstm": 4}[cell]
    t, n, layers = rng.randint(1, 6), rng.randint(1, 3), rng.randint(1, 3)
    v = rng.choice([rng.randint(2, 40), rng.randint(200, 600)])
    e, h = rng.randint(1, 6), rng.randint(1, 8)
    tokens = [[rng.randrange(v) for _ in range(n)] for _ in range(t)]
    inputs = {"tokens": tensor([[float(x) for x in row] for row in tokens]),
              "h0": tensor(rand(rng, [layers, n, h]))}
    c0 = rand(rng, [layers, n, h])
    if cell == "lstm":
        inputs["c0"] = tensor(c0)
    emb = rand(rng, [v, e])
    inputs["embedding.weight"] = tensor(emb)
    weights = []
    for k in range(layers):
        width = e if k == 0 else h
        wk = {"weight_ih": rand(rng, [g * h, width]), "weight_hh": rand(rng, [g * h, h]),
              "bias_ih": rand(rng, [g * h]), "bias_hh": rand(rng, [g * h])}
        for name, val in wk.items():
            inputs[f"rnn.{name}_l{k}"] = tensor(val)
        weights.append(wk)
    fc_w, fc_b = rand(rng, [v, h]), rand(rng, [v])
    inputs["fc.weight"], inputs["fc.bias"] = tensor(fc_w), tensor(fc_b)
    hs = [[list(row) for row in layer] for layer in nest(flat(inputs["h0"]["data"]), [layers, n, h])]
    cs = [[list(row) for row in layer] for layer in c0]
    logits, log_probs = [], []
    for s in range(t):
        lrow, prow = [], []
        for b in range(n):
            x = emb[tokens[s][b]]
            for k, wk in enumerate(weights):
                gi = matvec(wk["weight_ih"], x, wk["bias_ih"])
                gh = matvec(wk["weight_hh"], hs[k][b], wk["bias_hh"])
                hp = hs[k][b]
                if cell == "rnn":
                    new = [math.tanh(gi[j] + gh[j]) for j in range(h)]
                elif cell == "gru":
                    r = [sigmoid(gi[j] + gh[j]) for j in range(h)]
                    z = [sigmoid(gi[h + j] + gh[h + j]) for j in range(h)]
                    nn = [math.tanh(gi[2 * h + j] + r[j] * gh[2 * h + j]) for j in range(h)]
                    new = [(1 - z[j]) * nn[j] + z[j] * hp[j] for j in range(h)]
                else:
                    a = [gi[j] + gh[j] for j in range(g * h)]
                    c = [sigmoid(a[h + j]) * cs[k][b][j] + sigmoid(a[j]) * math.tanh(a[2 * h + j]) for j in range(h)]
                    cs[k][b] = c
                    new = [sigmoid(a[3 * h + j]) * math.tanh(c[j]) for j in range(h)]
                hs[k][b] = new
                x = new
            z = matvec(fc_w, x, fc_b)
            m = max(z)
            lse = m + math.log(sum(math.exp(zi - m) for zi in z))
            lrow.append(z)
            prow.append([zi - lse for zi in z])
        logits.append(lrow)
        log_probs.append(prow)
    outputs = {"logits": tensor(logits), "log_probs": tensor(log_probs), "h_n": tensor(hs)}
    if cell == "lstm":
        outputs["c_n"] = tensor(cs)
    return {"name": f"char_lm/gen-{seed}-{i}-{cell}", "op": "char_lm", "attrs": {"cell": cell, "num_layers": layers},
            "inputs": inputs, "outputs": outputs, "tol": {"abs": 1e-4, "rel": 1e-4},
            "source": "tests/golden/gen.py: pure-Python reference from PyTorch's equations"}


ACTIVATIONS = {
    "relu": lambda v: max(v, 0.0),
    "tanh": math.tanh,
    "sigmoid": lambda v: 1.0 / (1.0 + math.exp(-v)),
}


def random_layers(rng, c, h, w):
    """A random nn.Sequential of the LeNet family on a c×h×w image, as the golden
    `sequential_cnn` attrs describe it, or None when a window did not fit."""
    layers = []
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(["conv2d", "conv2d", "act", "pool"])
        if kind == "conv2d":
            k = [rng.randint(1, 5), rng.randint(1, 5)] if rng.random() < 0.3 else [rng.randint(1, 5)] * 2
            s = [rng.randint(1, 2)] * 2
            padding = rng.choice(["same", "valid", [rng.randrange(k[0]), rng.randrange(k[1])]])
            ph, pw = padding if isinstance(padding, list) else (padding, padding)
            (h, _), (w, _) = plan(h, k[0], s[0], ph), plan(w, k[1], s[1], pw)
            c = rng.randint(1, 6)
            layers.append({"type": "conv2d", "out_channels": c, "kernel": k, "stride": s, "padding": padding})
        elif kind == "act":
            layers.append({"type": rng.choice(list(ACTIVATIONS))})
        else:
            k, s = rng.randint(1, 3), rng.randint(1, 3)
            h, w = (h - k) // s + 1, (w - k) // s + 1
            layers.append({"type": rng.choice(["max_pool2d", "avg_pool2d"]), "kernel": [k, k], "stride": [s, s]})
        if h < 1 or w < 1:
            return None
    layers.append({"type": "flatten"})
    for j in range(rng.randint(1, 2)):
        if j:
            layers.append({"type": rng.choice(list(ACTIVATIONS))})
        layers.append({"type": "linear", "out_features": rng.randint(1, 12)})
    return layers


def sequential(rng, n, c, h, w, layers):
    """(inputs, outputs) of a `sequential_cnn` case: random x and parameters, every
    layer's output y{i} computed from the definitions, and logits (the last)."""
    x = rand(rng, [n, c, h, w])
    inputs, outputs = {"x": tensor(x)}, {}
    for i, layer in enumerate(layers):
        t = layer["type"]
        if t == "conv2d":
            wt = rand(rng, [layer["out_channels"], shape_of(x)[1]] + layer["kernel"])
            b = rand(rng, [layer["out_channels"]])
            x = conv2d(x, wt, b, *layer["stride"], layer["padding"])
        elif t == "linear":
            wt, b = rand(rng, [layer["out_features"], len(x[0])]), rand(rng, [layer["out_features"]])
            x = [[math.fsum(a * v for a, v in zip(row, wr)) + bj for wr, bj in zip(wt, b)] for row in x]
        elif t in ACTIVATIONS:
            x = nest([ACTIVATIONS[t](v) for v in flat(x)], shape_of(x))
        elif t == "flatten":
            x = [flat(image) for image in x]
        else:
            x = pool(x, *layer["kernel"], *layer["stride"], "valid", REDUCE[t])
        if t in ("conv2d", "linear"):
            inputs[f"{i}.weight"], inputs[f"{i}.bias"] = tensor(wt), tensor(b)
        outputs[f"y{i}"] = tensor(x)
    outputs["logits"] = outputs[f"y{len(layers) - 1}"]
    return inputs, outputs


def make_sequential(rng, i, seed):
    layers = None
    while layers is None:
        n, c, h, w = rng.randint(1, 2), rng.randint(1, 3), rng.randint(5, 16), rng.randint(5, 16)
        layers = random_layers(rng, c, h, w)
    inputs, outputs = sequential(rng, n, c, h, w, layers)
    return {"name": f"sequential_cnn/gen-{seed}-{i}", "op": "sequential_cnn", "attrs": {"layers": layers},
            "inputs": inputs, "outputs": outputs, "tol": {"abs": 1e-4, "rel": 1e-4},
            "source": "tests/golden/gen.py: pure-Python reference from the definitions"}


def make(rng, op, i, seed):
    if op == "sequential_cnn":
        return make_sequential(rng, i, seed)
    if op == "char_lm":
        return char_lm(rng, i, seed)
    n, c, h, w = rng.randint(1, 2), rng.randint(1, 3), rng.randint(2, 12), rng.randint(2, 12)
    kh, kw = rng.randint(1, min(h, 5)), rng.randint(1, min(w, 5))
    sh, sw = rng.randint(1, 3), rng.randint(1, 3)
    padding = "valid" if op == "stochastic_pool2d" else rng.choice(["same", "valid"])
    case = {"name": f"{op}/gen-{seed}-{i}-{padding}", "op": op, "tol": {"abs": 1e-4, "rel": 1e-4},
            "source": "tests/golden/gen.py: pure-Python reference from the definitions"}
    if op == "conv2d":
        o = rng.randint(1, 4)
        x, wt, b = rand(rng, [n, c, h, w]), rand(rng, [o, c, kh, kw]), rand(rng, [o])
        case["attrs"] = {"stride": [sh, sw], "padding": padding}
        case["inputs"] = {"x": tensor(x), "weight": tensor(wt), "bias": tensor(b)}
        y = conv2d(x, wt, b, sh, sw, padding)
    else:
        x = rand(rng, [n, c, h, w], 0.0 if op == "stochastic_pool2d" else -1.0, 1.0)
        case["attrs"] = {"kernel": [kh, kw], "stride": [sh, sw], "padding": padding}
        if op == "stochastic_pool2d":
            case["attrs"]["mode"] = "inference"
        case["inputs"] = {"x": tensor(x)}
        y = pool(x, kh, kw, sh, sw, padding, REDUCE[op])
    case["outputs"] = {"y": tensor(y)}
    return case


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--count", type=int, default=5, help="cases per op")
    ap.add_argument("--ops", default="conv2d,max_pool2d,avg_pool2d,stochastic_pool2d,char_lm,sequential_cnn")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    for op in args.ops.split(","):
        for i in range(args.count):
            case = make(rng, op, i, args.seed)
            with open(os.path.join(args.out, case["name"].replace("/", "__") + ".json"), "w") as f:
                json.dump(case, f)
    print(f"wrote {args.count} cases for each of {args.ops} to {args.out}")


if __name__ == "__main__":
    main()
