"""MNIST and Fashion-MNIST from a local data directory (no download needed).

The IDX files sit gzipped in ``<root>/<Name>/raw/``; torchvision reads them decompressed,
so they are extracted once into a cache directory and then loaded by torchvision.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import torch
from torchvision import datasets
from torchvision.datasets.utils import extract_archive

from core.env import data_root
from core.errors import UserError

NAMES = {"MNIST": datasets.MNIST, "FashionMNIST": datasets.FashionMNIST}
CACHE = Path(os.environ.get("DLP_CACHE", Path.home() / ".cache" / "deep-learning-playground"))


def default_root() -> Path | None:
    """`core.env.data_root()` (``$DLP_DATA``, else ``../shared/data``) if it is a directory."""
    root = data_root()
    return root if root.is_dir() else None


@cache
def load_images(name: str = "MNIST", train: bool = True, root: str | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """(images, labels): (N, 28, 28) uint8 and (N,) int64.

    Args:
        name: "MNIST" or "FashionMNIST".
        train: the 60,000-image training split, else the 10,000-image test split.
        root: a directory holding ``<name>/raw/*-ubyte[.gz]`` (default: `default_root()`).
    """
    if name not in NAMES:
        raise UserError("unknown_name", f"Unknown image data set {name!r}; choose from: {', '.join(NAMES)}",
                        family="dataset", value=name, choices=", ".join(NAMES))  # fmt: skip
    base = Path(root) if root else data_root()
    raw = base / name / "raw"
    if not raw.is_dir():
        raise UserError("no_image_data", f"no {name} files found under {base}/{name}/raw", name=name, path=str(base))
    cached_raw = CACHE / name / "raw"
    cached_raw.mkdir(parents=True, exist_ok=True)
    for gz in raw.glob("*-ubyte.gz"):
        if not (cached_raw / gz.name[:-3]).exists():
            extract_archive(str(gz), str(cached_raw))
    for plain in raw.glob("*-ubyte"):
        target = cached_raw / plain.name
        if not target.exists():
            target.symlink_to(plain.resolve())
    ds = NAMES[name](str(CACHE), train=train, download=False)
    return ds.data.clone(), ds.targets.clone()
