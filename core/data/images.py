"""MNIST and Fashion-MNIST from a local data directory (no download needed).

The files are the original IDX files (``<root>/<Name>/raw/*-ubyte``, gzipped or not). The IDX
format is a big-endian header (two zero bytes, a type code, the number of dimensions, one
uint32 per dimension) followed by the raw array; MNIST's are uint8. Reading it takes numpy
alone, so torchvision (and its memory) is not needed.
"""

from __future__ import annotations

import gzip
import os
from functools import cache
from pathlib import Path

import numpy as np
import torch

from core.env import data_root
from core.errors import UserError

NAMES = ("MNIST", "FashionMNIST")
CACHE = Path(os.environ.get("DLP_CACHE", Path.home() / ".cache" / "deep-learning-playground"))  # derived data only
UBYTE = 0x08  # the IDX type code of unsigned bytes


def default_root() -> Path | None:
    """`core.env.data_root()` (``$DLP_DATA``, else ``../shared/data``) if it is a directory."""
    root = data_root()
    return root if root.is_dir() else None


def read_idx(path: Path) -> np.ndarray:
    """One IDX file (gzipped when its name ends in ``.gz``) as a uint8 array of its shape."""
    data = (gzip.decompress if path.suffix == ".gz" else bytes)(path.read_bytes())
    if len(data) < 4 or data[0] or data[1] or data[2] != UBYTE:
        raise UserError("bad_image_data", f"{path.name} is not an IDX file of unsigned bytes", path=str(path))
    ndim = data[3]
    shape = tuple(int(n) for n in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    start = 4 + 4 * ndim
    if len(data) - start != int(np.prod(shape)):
        raise UserError("bad_image_data", f"{path.name} holds {len(data) - start} bytes, not {shape}", path=str(path))
    return np.frombuffer(data, dtype=np.uint8, offset=start).reshape(shape)


def _idx_file(raw: Path, stem: str) -> Path:
    for candidate in (raw / stem, raw / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    raise UserError("no_image_data", f"no {stem}[.gz] under {raw}", name=raw.parent.name, path=str(raw.parent.parent))


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
    split = "train" if train else "t10k"
    images = read_idx(_idx_file(raw, f"{split}-images-idx3-ubyte"))
    labels = read_idx(_idx_file(raw, f"{split}-labels-idx1-ubyte"))
    if images.ndim != 3 or labels.shape != images.shape[:1]:
        raise UserError("bad_image_data", f"{name} {split}: images {images.shape} and labels {labels.shape} do not match",
                        path=str(raw))  # fmt: skip
    return torch.from_numpy(images.copy()), torch.from_numpy(labels.astype(np.int64))
