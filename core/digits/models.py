"""The three digit classifiers the page offers, as a registry of builders.

Every model takes (B, 1, 28, 28) images in [0, 1] (ink = 1, paper = 0, like MNIST) and
returns (B, 10) logits. Each starts with `Standardize`, so callers never need MNIST's
mean and standard deviation.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from core import artifacts
from core.errors import UserError
from core.registry import Entry, Registry

MNIST_MEAN = 0.1307  # mean pixel of the MNIST training set (on a 0..1 scale)
MNIST_STD = 0.3081
IMAGE_SIZE = 28
CLASSES = 10


class Standardize(nn.Module):
    """x ↦ (x − μ) / σ with MNIST's training-set statistics."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - MNIST_MEAN) / MNIST_STD


def build_mlp() -> nn.Sequential:
    """The course's fully connected net 784-512-256-128-64-10 with ReLU (003 §5.3)."""
    sizes = (IMAGE_SIZE * IMAGE_SIZE, 512, 256, 128, 64)
    layers: list[tuple[str, nn.Module]] = [("standardize", Standardize()), ("flatten", nn.Flatten())]
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=1):
        layers += [(f"fc{i}", nn.Linear(n_in, n_out)), (f"relu{i}", nn.ReLU()), (f"drop{i}", nn.Dropout(0.2))]
    layers.append(("out", nn.Linear(sizes[-1], CLASSES)))
    return nn.Sequential(OrderedDict(layers))


def build_lenet() -> nn.Sequential:
    """LeNet-5 style: conv5×5(6) → pool → conv5×5(16) → pool → 120 → 84 → 10 (LeCun et al. 1998).

    ReLU and max-pooling replace the original's scaled tanh and trainable sub-sampling,
    as in most modern re-implementations; the first convolution pads by 2 so a 28×28
    MNIST image plays the role of the original 32×32 input.
    """
    return nn.Sequential(
        OrderedDict(
            standardize=Standardize(),
            conv1=nn.Conv2d(1, 6, 5, padding=2),  # (B, 6, 28, 28)
            relu1=nn.ReLU(),
            pool1=nn.MaxPool2d(2),  # (B, 6, 14, 14)
            conv2=nn.Conv2d(6, 16, 5),  # (B, 16, 10, 10)
            relu2=nn.ReLU(),
            pool2=nn.MaxPool2d(2),  # (B, 16, 5, 5)
            flatten=nn.Flatten(),
            fc1=nn.Linear(16 * 5 * 5, 120),
            relu3=nn.ReLU(),
            fc2=nn.Linear(120, 84),
            relu4=nn.ReLU(),
            out=nn.Linear(84, CLASSES),
        )
    )


def _conv_bn(c_in: int, c_out: int, size: int = 3) -> list[nn.Module]:
    # The convolution has no bias: the BatchNorm's shift β that follows makes it redundant.
    return [nn.Conv2d(c_in, c_out, size, padding=size // 2, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]


def _stage(c_in: int, c_out: int, convs: int = 1, size: int = 3) -> nn.Sequential:
    """`convs` conv → BN → ReLU (the first `size`×`size`, the others 3×3), then a 2×2 max-pool."""
    layers = _conv_bn(c_in, c_out, size)
    for _ in range(convs - 1):
        layers += _conv_bn(c_out, c_out)
    return nn.Sequential(*layers, nn.MaxPool2d(2))


def _staged_cnn(convs: int) -> nn.Sequential:
    """Three stages of 32, 64 and 128 channels (`convs` convolutions in the last two), dropout, one linear layer."""
    return nn.Sequential(
        OrderedDict(
            standardize=Standardize(),
            block1=_stage(1, 32, size=5),
            block2=_stage(32, 64, convs),
            block3=_stage(64, 128, convs),
            flatten=nn.Flatten(),
            drop=nn.Dropout(0.3),
            out=nn.Linear(128 * 3 * 3, CLASSES),
        )
    )


def build_cnn() -> nn.Sequential:
    """A small modern CNN with BatchNorm: three conv stages (32, 64, 128 channels), each ending in a max-pool.

    Shapes: (B,1,28,28) → block1 conv5×5 (B,32,28,28) → pool (B,32,14,14)
    → block2 conv3×3 (B,64,14,14) → pool (B,64,7,7) → block3 conv3×3 (B,128,7,7)
    → pool (B,128,3,3) → dropout → linear (B,10).
    Sized to train on two shared CPU cores within an hour (≈ 8 M multiply-adds per image).
    """
    return _staged_cnn(convs=1)


def build_deep_cnn() -> nn.Sequential:
    """The CNN above with a second 3×3 convolution in its last two stages (a 5×5 view at 14×14 and at 7×7), for
    drawings unlike MNIST's: broken strokes and separate pieces need a wider view to be joined up.

    Shapes: (B,1,28,28) → block1 conv5×5 (B,32,28,28) → pool (B,32,14,14) → block2 2×conv3×3 (B,64,14,14)
    → pool (B,64,7,7) → block3 2×conv3×3 (B,128,7,7) → pool (B,128,3,3) → dropout → linear (B,10).
    ≈ 22 M multiply-adds per image (2.8× the CNN), 0.29 M parameters.
    """
    return _staged_cnn(convs=2)


@dataclass(frozen=True)
class DigitModel(Entry):
    """A registry entry: how to build the network, and whether it has convolutional feature maps."""

    build: Callable[[], nn.Module] = field(default=build_mlp, compare=False)
    convolutional: bool = False


MODELS: Registry[DigitModel] = Registry(
    "digits",
    (
        DigitModel(
            "mlp",
            formula=r"\hat y = \mathrm{softmax}(W_5\,\mathrm{ReLU}(W_4 \cdots \mathrm{ReLU}(W_1 x + b_1) \cdots) + b_5),"
            r"\; x \in \mathbb{R}^{784}",
            build=build_mlp,
        ),
        DigitModel(
            "lenet",
            formula=r"\text{conv}_{5\times5}^{6} \to \text{pool} \to \text{conv}_{5\times5}^{16} \to \text{pool}"
            r" \to \text{FC}_{120} \to \text{FC}_{84} \to \text{FC}_{10}",
            build=build_lenet,
            convolutional=True,
        ),
        DigitModel(
            "cnn",
            formula=r"\text{CBR}^{32}_{5\times5} \to \text{pool} \to \text{CBR}^{64}_{3\times3}"
            r" \to \text{pool} \to \text{CBR}^{128}_{3\times3} \to \text{pool} \to \text{FC}_{10},"
            r"\quad \text{CBR}(x) = \mathrm{ReLU}(\mathrm{BN}(W * x))",
            build=build_cnn,
            convolutional=True,
        ),
        DigitModel(
            "robust",
            formula=r"\text{the CNN with } 2 \times \text{CBR}_{3\times3} \text{ in stages 2, 3, trained on}"
            r" \ \tilde x = \mathrm{prepare}(\mathrm{distort}(x)),"
            r"\quad \text{distort} \in \{\text{slant, elastic, blur, low-res, stroke width, gaps, pieces}\}",
            build=build_deep_cnn,
            convolutional=True,
        ),
    ),
)

BEST = "robust"  # the model the page opens with


def build(config: Mapping[str, Any]) -> nn.Module:
    """Rebuild a model from a checkpoint config ``{"arch": name}`` (for `core.artifacts.restore`)."""
    arch = config.get("arch")
    if arch not in MODELS:
        raise UserError("bad_model_file", f"unknown digit model architecture {arch!r}")
    return MODELS.get(arch).build()


MODEL_DIR = Path(__file__).resolve().parents[2] / "assets" / "models" / "digits"


def model_path(name: str) -> Path:
    """Where the shipped weights of model `name` live (unknown name → UserError with the choices)."""
    return MODEL_DIR / f"{MODELS.get(name).name}.pt"


def trained_epochs(meta: Mapping[str, Any]) -> int:
    """Epochs of the whole chain of runs behind a checkpoint: its own plus those of the weights it started from."""
    start = meta.get("init")
    return int(meta["epochs"]) + (trained_epochs(start) if isinstance(start, Mapping) and "epochs" in start else 0)


def load_shipped(name: str) -> tuple[nn.Module, dict[str, Any]]:
    """(model in eval mode, its meta) from ``assets/models/digits/<name>.pt`` (weights_only=True)."""
    path = model_path(name)
    if not path.is_file():
        raise UserError("digits.errors.missing_model", f"no weights at {path}; train them with core.digits.train",
                        name=name)  # fmt: skip
    ckpt = artifacts.load(path)
    return artifacts.restore(ckpt, build), ckpt["meta"]
