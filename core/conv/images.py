"""The pictures a kernel slides over: a data-set test image, the digits page's drawing, a photo.

Every picture is a float32 array in [0, 1], (C, H, W) with C = 1 (grey) or 3 (RGB).
"""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image

from core.data.limits import MAX_PHOTO_BYTES  # an upload larger than this is refused before decoding
from core.digits.preprocess import decode_canvas, from_canvas, open_photo
from core.errors import UserError

PHOTO_SIDE = 96  # photos are shrunk to this longer side: every pixel stays visible on screen
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)  # ITU-R BT.601 weights


def split_image(images: torch.Tensor, index: int) -> np.ndarray:
    """(1, 28, 28) of the `index`-th image of a (N, 28, 28) uint8 split, scaled p / 255."""
    n = int(images.shape[0])
    if not 0 <= int(index) < n:
        raise UserError("convolution.errors.index", f"image index {index} is outside 0..{n - 1}",
                        index=index, last=n - 1)  # fmt: skip
    return (images[int(index)].numpy().astype(np.float32) / 255)[None]


def index_of_class(labels: torch.Tensor, label: int, nth: int) -> int:
    """The index of the `nth` (0-based) image of class `label` in the split."""
    where = torch.nonzero(labels == int(label)).flatten()
    if where.numel() == 0:
        raise UserError("convolution.errors.no_class", f"no image of class {label}", label=label)
    return int(where[int(nth) % where.numel()])


def to_grey(picture: np.ndarray) -> np.ndarray:
    """(1, H, W): an RGB picture's luminance 0.299 R + 0.587 G + 0.114 B; a grey one unchanged."""
    picture = np.asarray(picture, dtype=np.float32)
    if picture.shape[0] == 1:
        return picture
    return np.tensordot(LUMA, picture, axes=(0, 0))[None].astype(np.float32)


def to_rgb(picture: np.ndarray) -> np.ndarray:
    """(3, H, W): a grey picture repeated in the three channels; an RGB one unchanged."""
    picture = np.asarray(picture, dtype=np.float32)
    return picture if picture.shape[0] == 3 else np.repeat(picture, 3, axis=0)


def decode_photo(data: bytes, side: int = PHOTO_SIDE) -> np.ndarray:
    """(3, H, W) RGB in [0, 1] of an uploaded image, shrunk (aspect kept) to `side` pixels at most.

    Transparent pixels are composited onto white. Decoding is done by PIL with its
    decompression-bomb warning turned into an error, and the size is checked before the
    pixels are read.

    Raises:
        UserError: an empty, too large or unreadable file.
    """
    if not data:
        raise UserError("convolution.errors.photo_empty", "the uploaded file is empty")
    if len(data) > MAX_PHOTO_BYTES:
        raise UserError("convolution.errors.photo_bytes", f"{len(data)} bytes is more than {MAX_PHOTO_BYTES}",
                        mb=f"{len(data) / 2**20:.1f}", max_mb=MAX_PHOTO_BYTES // 2**20)  # fmt: skip
    image = open_photo(data, too_large="convolution.errors.photo_pixels", unreadable="convolution.errors.photo_bad")
    image = image.convert("RGB")
    image.thumbnail((side, side), Image.Resampling.BOX)
    return (np.asarray(image, dtype=np.float32) / 255).transpose(2, 0, 1).copy()


def drawing_image(png: bytes) -> np.ndarray:
    """(1, 28, 28): the digits page's canvas PNG, prepared as that page feeds its models."""
    return from_canvas(decode_canvas(png)).image[None]


def colour_picture(size: int = 40) -> np.ndarray:
    """(3, size, size): a red disc, a green bar and a blue square on a soft gradient (for the RGB section)."""
    r = np.linspace(0, 1, size, dtype=np.float32)
    rows, cols = np.meshgrid(r, r, indexing="ij")
    out = np.stack([0.15 * cols, 0.15 * rows, 0.15 * (1 - cols)])
    disc = (rows - 0.33) ** 2 + (cols - 0.33) ** 2 < 0.2**2
    bar = (np.abs(rows - 0.72) < 0.08) & (cols > 0.1) & (cols < 0.9)
    square = (np.abs(rows - 0.32) < 0.16) & (np.abs(cols - 0.72) < 0.16)
    out[0][disc] = 0.95
    out[1][bar] = 0.9
    out[2][square] = 0.95
    out[0][square] = 0.25  # a purple-ish square: two channels at once
    return out.astype(np.float32)
