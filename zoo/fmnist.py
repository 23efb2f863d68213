"""The Fashion-MNIST family: MLPs and CNNs of graded width and depth, trained with fixed seeds on
Debian's dataset-fashion-mnist, with the test accuracy measured here.

Each exported model takes raw pixels scaled to [0, 1] (pixel / 255) of shape [N, 1, 28, 28]; the
dataset's normalisation is the model's first layer, so any engine feeding it needs no more than
the scale in the manifest.
"""
import time

import numpy as np
import torch
from torch import nn

import idx

MEAN, STD = 0.2860, 0.3530
SEED = 0

# name -> (kind, widths, epochs). MACs per sample run from ~13 k (mlp_xs) to ~7.5 M (cnn_xl).
FAMILY = {
    "fmnist_mlp_xs": ("mlp", [16], 3),
    "fmnist_mlp_s": ("mlp", [64], 3),
    "fmnist_mlp_m": ("mlp", [256], 3),
    "fmnist_mlp_l": ("mlp", [512, 256], 3),
    "fmnist_mlp_xl": ("mlp", [1024, 512], 2),
    "fmnist_cnn_xs": ("cnn", [4, 8], 2),
    "fmnist_cnn_s": ("cnn", [8, 16], 2),
    "fmnist_cnn_m": ("cnn", [16, 32], 2),
    "fmnist_cnn_l": ("cnn", [32, 64], 3),
    "fmnist_cnn_xl": ("cnn", [32, 64, 128], 3),
    "fmnist_cnn_xxl": ("cnn", [64, 128, 256], 2),
}


def load(split, limit=None):
    images, labels = idx.load_arrays(split, limit)
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


class Normalize(nn.Module):
    def forward(self, x):
        return (x - MEAN) / STD


def build(kind, widths):
    layers = [Normalize()]
    if kind == "mlp":
        layers.append(nn.Flatten())
        prev = 28 * 28
        for w in widths:
            layers += [nn.Linear(prev, w), nn.ReLU()]
            prev = w
        layers.append(nn.Linear(prev, 10))
    else:
        prev, size = 1, 28
        for w in widths:
            layers += [nn.Conv2d(prev, w, 3, padding=1), nn.BatchNorm2d(w), nn.ReLU(), nn.MaxPool2d(2)]
            prev, size = w, size // 2
        layers += [nn.Flatten(), nn.Linear(prev * size * size, 10)]
    return nn.Sequential(*layers)


def accuracy(model, x, y, batch=500):
    top1 = top5 = 0
    model.eval()
    with torch.no_grad():
        for i in range(0, len(x), batch):
            logits = model(x[i:i + batch])
            top = logits.topk(5, dim=1).indices
            top1 += (top[:, 0] == y[i:i + batch]).sum().item()
            top5 += (top == y[i:i + batch, None]).any(dim=1).sum().item()
    return 100.0 * top1 / len(x), 100.0 * top5 / len(x)


def train(name, log, test_limit=None, train_limit=None):
    """Returns (model, input_shape, accuracy dict)."""
    kind, widths, epochs = FAMILY[name]
    torch.manual_seed(SEED)
    model = build(kind, widths)
    x, y = load("train", train_limit)
    xt, yt = load("test", test_limit)
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(SEED)
    start = time.monotonic()
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(x), generator=generator)
        for i in range(0, len(x), 128):
            idx = order[i:i + 128]
            optimiser.zero_grad()
            loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            optimiser.step()
    top1, top5 = accuracy(model, xt, yt)
    log(f"{name}: trained {epochs} epoch(s) in {time.monotonic() - start:.1f} s, "
        f"test top-1 {top1:.2f} % on {len(xt)} images")
    return model.eval(), [1, 1, 28, 28], {
        "dataset": "fmnist:test",
        "top1": top1,
        "top5": top5,
        "samples": len(xt),
        "source": f"measured:fmnist:test:{len(xt)}",
    }
