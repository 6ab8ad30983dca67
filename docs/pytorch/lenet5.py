"""LeNet-5 exactly as nnplay runs it, as a PyTorch module.

nnplay's LeNet-5 (the LeNet-5 view, the training view, weights/lenet5.safetensors) has the
same parameters, names and layouts as this module's state_dict, so a file moves both ways:

    model = load_nnplay("lenet5.safetensors")      # a file nnplay wrote (shipped or trained in the page)
    save_nnplay(model, "mine.safetensors")         # a file the page's LeNet-5 view loads

Input: x [N, 1, 28, 28], ink 1 and background 0 (MNIST's pixels / 255).
"""
import torch
import torch.nn.functional as F
from torch import nn


class LeNet5(nn.Module):
    def __init__(self, activation="relu", pooling="max"):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)  # C1: 6@28×28 (SAME)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)  # C3: 16@10×10 (VALID)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)  # F5
        self.fc2 = nn.Linear(120, 84)  # F6
        self.fc3 = nn.Linear(84, 10)  # the ten digits' scores (logits)
        self.activation, self.pooling = activation, pooling

    def act(self, x):
        return F.relu(x) if self.activation == "relu" else torch.tanh(x)

    def pool(self, x):  # S2 and S4: 2×2, stride 2
        return F.max_pool2d(x, 2) if self.pooling == "max" else F.avg_pool2d(x, 2)

    def forward(self, x):
        x = self.pool(self.act(self.conv1(x)))
        x = self.pool(self.act(self.conv2(x)))
        x = torch.flatten(x, 1)  # [N, 16·5·5] in channel, row, column order
        x = self.act(self.fc1(x))
        x = self.act(self.fc2(x))
        return self.fc3(x)


def load_nnplay(path):
    """A LeNet5 with the weights of a safetensors file nnplay wrote."""
    from safetensors import safe_open
    from safetensors.torch import load_file

    with safe_open(path, framework="pt") as f:
        meta = f.metadata() or {}
    model = LeNet5(meta.get("activation", "relu"), meta.get("pooling", "max"))
    # nnplay ships f16 weights: load_state_dict copies them into the float32 parameters.
    model.load_state_dict(load_file(path))
    return model


def save_nnplay(model, path):
    """Writes `model` as a file the page's LeNet-5 view and `nnplay eval-lenet` load."""
    from safetensors.torch import save_file

    tensors = {k: v.detach().float().contiguous() for k, v in model.state_dict().items()}
    meta = {"arch": "lenet5", "activation": model.activation, "pooling": model.pooling}
    save_file(tensors, path, metadata=meta)
