"""MNIST and Fashion-MNIST as `TaskData`: a seeded subset, pixels in [0, 1], then normalized.

x = (p / 255 − μ) / σ with μ, σ the mean and std of all pixels of the training subset
(one number each, as torchvision's ``Normalize((0.1307,), (0.3081,))`` does for MNIST).
"""

from __future__ import annotations

import torch

from core.data.images import load_images
from core.data.task import CLASSIFICATION, TaskData

FASHION_CLASSES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]
CLASS_NAMES = {"MNIST": [str(d) for d in range(10)], "FashionMNIST": FASHION_CLASSES}


def _subset(images: torch.Tensor, labels: torch.Tensor, n: int, generator: torch.Generator):
    index = torch.randperm(images.shape[0], generator=generator)[: min(n, images.shape[0])]
    return images[index], labels[index]


def image_task(name: str, source: str, seed: int, n_train: int, n_test: int, root=None) -> TaskData:
    """`n_train` / `n_test` images drawn (seeded) from the `source` ("MNIST" / "FashionMNIST") splits."""
    root = str(root) if root else None
    generator = torch.Generator().manual_seed(seed)
    x_tr, y_tr = _subset(*load_images(source, True, root), n_train, generator)
    x_te, y_te = _subset(*load_images(source, False, root), n_test, generator)
    x_tr = x_tr.float().div_(255).unsqueeze(1)  # (N, 1, 28, 28)
    x_te = x_te.float().div_(255).unsqueeze(1)
    mean, std = x_tr.mean().item(), x_tr.std().item()
    x_tr = (x_tr - mean) / std
    x_te = (x_te - mean) / std
    return TaskData(
        name=name,
        task=CLASSIFICATION,
        x_train=x_tr,
        y_train=y_tr.long(),
        x_test=x_te,
        y_test=y_te.long(),
        n_classes=10,
        input_shape=tuple(x_tr.shape[1:]),
        feature_names=[],
        class_names=list(CLASS_NAMES[source]),
        pixel_scale=(mean, std),
    )


def mnist(seed: int, n_train: int, n_test: int, root=None) -> TaskData:
    """Handwritten digits 0–9, 28×28 grey."""
    return image_task("mnist", "MNIST", seed, n_train, n_test, root)


def fashion_mnist(seed: int, n_train: int, n_test: int, root=None) -> TaskData:
    """Zalando's clothing pictures, 10 classes, 28×28 grey."""
    return image_task("fashion_mnist", "FashionMNIST", seed, n_train, n_test, root)
