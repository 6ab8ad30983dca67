"""nnplay's character language model as a PyTorch module.

Embedding → RNN / GRU / LSTM (one direction, `layers` deep) → Linear over the vocabulary:
the same parameters, names and layouts as the safetensors files nnplay writes (metadata
`arch` = "char-lm"), so a file moves both ways:

    model = load_nnplay("poems.safetensors")        # a file nnplay wrote; model.vocab is its vocabulary
    print(generate(model, "床前", 20, temperature=0.8, top_k=10))
    save_nnplay(model, "mine.safetensors")           # a file nnplay's character model loads

Character ids: 0 is every character not in the vocabulary, and the vocabulary's i-th
character (metadata "vocab", a string) is id i + 1.

With `tie_weights=True` (metadata "tie_weights" = "true"; emb must equal hidden) the output
layer's weight is the embedding, as in PyTorch's word_language_model example (Press & Wolf
2017): the file holds `embedding.weight` once and no `fc.weight`.
"""
import torch
from torch import nn


class CharLM(nn.Module):
    def __init__(self, vocab_size, emb, hidden, layers=1, cell="lstm", tie_weights=False):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, emb)  # embedding.weight: [V, E]
        recurrent = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}[cell]
        self.rnn = recurrent(emb, hidden, layers)  # rnn.weight_ih_l0: [G·H, E], … (G = 1, 3, 4)
        self.fc = nn.Linear(hidden, vocab_size)  # fc.weight: [V, H], fc.bias: [V]
        if tie_weights:
            if emb != hidden:
                raise ValueError(f"tie_weights needs emb == hidden, got {emb} and {hidden}")
            self.fc.weight = self.embedding.weight
        self.tie_weights = tie_weights
        self.cell = cell
        self.vocab = ""

    def forward(self, x, state=None):
        """x: [T, N] character ids (torch.long), time first. Returns the logits [T, N, V] of
        every next character and the final state (h_n [L, N, H], or (h_n, c_n) for an LSTM),
        which a next call continues from."""
        y, state = self.rnn(self.embedding(x), state)
        return self.fc(y), state

    def encode(self, text):
        ids = {c: i + 1 for i, c in enumerate(self.vocab)}
        return torch.tensor([ids.get(c, 0) for c in text])

    def decode(self, ids):
        return "".join(self.vocab[i - 1] if 0 < i <= len(self.vocab) else "\ufffd" for i in ids)


@torch.no_grad()
def generate(model, prompt, length, temperature=1.0, top_k=None, generator=None):
    """Reads `prompt`, then writes `length` characters, each drawn from softmax(logits /
    temperature) over the top_k likeliest (all if None) and fed back in. Id 0, the unknown
    symbol (every rare character at once), is never written, as in nnplay."""
    logits, state = model(model.encode(prompt).reshape(-1, 1))
    out = []
    for _ in range(length):
        z = logits[-1, 0] / temperature
        z[0] = float("-inf")
        if top_k is not None:
            kth = torch.topk(z, top_k).values[-1]
            z = torch.where(z < kth, float("-inf"), z)
        next_id = int(torch.multinomial(torch.softmax(z, -1), 1, generator=generator)[0])
        out.append(next_id)
        logits, state = model(torch.tensor([[next_id]]), state)
    return model.decode(out)


def load_nnplay(path):
    """A CharLM with the weights and vocabulary of a safetensors file nnplay wrote."""
    from safetensors import safe_open

    with safe_open(path, framework="np") as f:
        meta = f.metadata() or {}
        tensors = {k: torch.from_numpy(f.get_tensor(k)) for k in f.keys()}
    if meta.get("arch") != "char-lm":
        raise ValueError(f"{path} holds a {meta.get('arch')!r} network, not nnplay's character model")
    model = CharLM(
        len(meta["vocab"]) + 1,
        int(meta["embedding_dim"]),
        int(meta["hidden_size"]),
        int(meta["num_layers"]),
        meta["cell"],
        tie_weights=meta.get("tie_weights") == "true",
    )
    if model.tie_weights:
        tensors["fc.weight"] = tensors["embedding.weight"]  # one tensor under both names
    # f16 files load too: load_state_dict copies them into the float32 parameters.
    model.load_state_dict(tensors)
    model.vocab = meta["vocab"]
    return model


def save_nnplay(model, path):
    """Writes `model` (with its `vocab`) as a file nnplay's character model loads."""
    from safetensors.torch import save_file

    tensors = {k: v.detach().float().contiguous() for k, v in model.state_dict().items()}
    if model.tie_weights:
        del tensors["fc.weight"]  # the embedding's; safetensors stores a tensor once
    meta = {
        "arch": "char-lm",
        "cell": model.cell,
        "num_layers": str(model.rnn.num_layers),
        "embedding_dim": str(model.embedding.embedding_dim),
        "hidden_size": str(model.rnn.hidden_size),
        "vocab_size": str(len(model.vocab) + 1),
        "vocab": model.vocab,
    }
    if model.tie_weights:
        meta["tie_weights"] = "true"
    save_file(tensors, path, metadata=meta)
