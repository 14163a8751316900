"""Turn a drawing or a photo into a 28×28 MNIST-style model input.

MNIST was made by scaling each digit to fit a 20×20 box (keeping its aspect ratio,
with anti-aliasing) and placing it in a 28×28 field so that its centre of mass sits at
the centre (LeCun, Cortes & Burges). `prepare` does the same to any ink image; the
canvas and photo front-ends only turn their input into ink (1 = ink, 0 = paper).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageFilter, UnidentifiedImageError

from core.errors import UserError

SIZE = 28  # side of the model input
BOX = 20  # the digit's longer side after scaling
# MNIST put the centre of mass at pixel (14, 14) with a whole-pixel shift (its test digits'
# mean centre of mass is (13.99, 14.01)), so do we: the model sees inputs placed like its data.
CENTRE = SIZE // 2
INK_LEVEL = 0.2  # a pixel with at least this much ink counts towards the bounding box
MIN_EXTENT = 0.08  # drawings whose ink spans less than this fraction of the canvas are "empty"
MIN_INK_PIXELS = 12  # ... and so are drawings with fewer ink pixels than this
PHOTO_SIDE = 256  # photos are shrunk to this longer side before thresholding (speed, less noise)
MIN_CONTRAST = 0.15  # photos whose ink and paper differ by less than this are blank
MAX_PHOTO_PIXELS = 40_000_000  # refuse larger uploads (decompression bombs)


@dataclass(frozen=True)
class Prepared:
    """A model input and where it came from.

    Attributes:
        image: (28, 28) float32 in [0, 1], ink = 1, centre of mass within half a pixel of (14, 14).
        box: (top, left, bottom, right) of the ink in the source, bottom/right exclusive.
        ink: (H, W) float32 ink map the input was made from (for display).
        scale: input pixels per source pixel (20 / the box's longer side).
        size: (rows, cols) of the scaled digit, its longer side 20.
        mass: (row, col) centre of mass of the scaled digit placed in the middle of 28×28, before the shift.
        shift: (rows, cols) whole-pixel move that brought the centre of mass to (14, 14).
    """

    image: np.ndarray
    box: tuple[int, int, int, int]
    ink: np.ndarray
    scale: float = 1.0
    size: tuple[int, int] = (SIZE, SIZE)
    mass: tuple[float, float] = (CENTRE, CENTRE)
    shift: tuple[int, int] = (0, 0)


def canvas_ink(rgba: np.ndarray) -> np.ndarray:
    """Ink of a light-on-dark canvas drawing: luminance × opacity, (H, W) float32 in [0, 1].

    Args:
        rgba: (H, W, 4) or (H, W, 3) uint8 pixels, or (H, W) grey levels, as the
            drawable canvas returns them (white strokes on a black background).
    """
    array = np.asarray(rgba)
    if array.ndim == 2:
        return _unit(array)
    if array.ndim != 3 or array.shape[2] not in (3, 4) or array.shape[0] < 1 or array.shape[1] < 1:
        raise UserError("digits.errors.bad_canvas", f"expected an (H, W, 3|4) image, got shape {array.shape}",
                        shape=str(array.shape))  # fmt: skip
    rgb = _unit(array[..., :3])
    luminance = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)  # ITU-R BT.601 weights
    if array.shape[2] == 4:
        luminance = luminance * _unit(array[..., 3])
    return luminance.astype(np.float32)


def _unit(array: np.ndarray) -> np.ndarray:
    if array.dtype == np.uint8:
        return array.astype(np.float32) / 255
    return np.clip(array.astype(np.float32), 0, 1)


def open_photo(data: bytes, *, too_large: str, unreadable: str) -> Image.Image:
    """An uploaded image decoded safely, transparent pixels made white paper.

    Pixels are counted before they are read (decompression bombs), and every decoding
    failure becomes a UserError: `too_large` (with width, height) or `unreadable`.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PHOTO_PIXELS:
                raise UserError(too_large, f"{image.width}×{image.height} pixels is too large",
                                width=image.width, height=image.height)  # fmt: skip
            image.load()
    except UserError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning,
            Image.DecompressionBombError) as exc:  # fmt: skip
        raise UserError(unreadable, f"not a readable image: {exc}") from None
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image.convert("RGBA"))
    return image


def photo_ink(data: bytes) -> np.ndarray:
    """Ink of a photo or scan of a handwritten digit, (H, W) float32 in [0, 1].

    Light paper is detected (median brightness above one half) and inverted so ink is
    bright; a median filter removes specks; Otsu's threshold splits ink from paper,
    and the ink is rescaled so that the paper is exactly 0.

    Raises:
        UserError: not an image file, or an image too large to be a digit photo.
    """
    image = open_photo(data, too_large="digits.errors.photo_too_large", unreadable="digits.errors.bad_photo")
    grey = image.convert("L")
    grey.thumbnail((PHOTO_SIDE, PHOTO_SIDE), Image.Resampling.BOX)
    grey = grey.filter(ImageFilter.MedianFilter(3))
    values = np.asarray(grey, dtype=np.float32) / 255
    if np.median(values) > 0.5:
        values = 1 - values
    top, bottom = float(np.percentile(values, 99.5)), float(np.percentile(values, 0.5))
    if top - bottom < MIN_CONTRAST:  # a flat image: blank paper, no ink at all
        return np.zeros_like(values)
    threshold = otsu_threshold(values)
    return np.clip((values - threshold) / (top - threshold), 0, 1).astype(np.float32)


def otsu_threshold(values: np.ndarray, bins: int = 256) -> float:
    """The grey level that maximises the between-class variance of the histogram (Otsu 1979)."""
    hist, edges = np.histogram(values, bins=bins, range=(0.0, 1.0))
    p = hist.astype(np.float64) / max(hist.sum(), 1)
    centres = (edges[:-1] + edges[1:]) / 2
    w0 = np.cumsum(p)  # weight of the dark class for a threshold after each bin
    mu = np.cumsum(p * centres)
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mu[-1] * w0 - mu) ** 2 / (w0 * (1 - w0))
    between = np.nan_to_num(between)
    return float(edges[int(np.argmax(between)) + 1])


def ink_box(ink: np.ndarray, level: float = INK_LEVEL) -> tuple[int, int, int, int] | None:
    """(top, left, bottom, right) of the pixels at or above `level` × max, or None when there are none."""
    peak = float(ink.max()) if ink.size else 0.0
    if peak <= 0:
        return None
    rows = np.flatnonzero((ink >= level * peak).any(axis=1))
    cols = np.flatnonzero((ink >= level * peak).any(axis=0))
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1


def is_empty(ink: np.ndarray) -> bool:
    """No drawing worth classifying: too few ink pixels, or ink spanning a tiny part of the canvas."""
    box = ink_box(ink)
    if box is None:
        return True
    top, left, bottom, right = box
    extent = max(bottom - top, right - left) / max(ink.shape)
    return int((ink >= INK_LEVEL).sum()) < MIN_INK_PIXELS or extent < MIN_EXTENT


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, column) of the intensity-weighted mean position."""
    total = float(image.sum())
    rows, cols = np.indices(image.shape)
    return float((rows * image).sum() / total), float((cols * image).sum() / total)


def prepare(ink: np.ndarray) -> Prepared:
    """Crop to the ink, fit it in 20×20 keeping the aspect ratio, centre it by mass in 28×28.

    Args:
        ink: (H, W) float in [0, 1], 1 = ink.

    Raises:
        UserError: ``digits.errors.empty`` when there is (almost) no ink.
    """
    ink = np.asarray(ink, dtype=np.float32)
    if ink.ndim != 2:
        raise UserError("digits.errors.bad_canvas", f"expected an (H, W) ink map, got shape {ink.shape}",
                        shape=str(ink.shape))  # fmt: skip
    if is_empty(ink):
        raise UserError("digits.errors.empty", "the drawing is empty")
    top, left, bottom, right = box = ink_box(ink)
    crop = torch.from_numpy(np.ascontiguousarray(ink[top:bottom, left:right]))[None, None]  # (1, 1, h, w)
    h, w = crop.shape[-2:]
    scale = BOX / max(h, w)
    size = (max(1, round(h * scale)), max(1, round(w * scale)))
    if scale < 1:
        # Shrinking averages each output pixel's footprint (a box filter): the anti-aliasing
        # that turned MNIST's binary scans into grey levels.
        small = F.interpolate(crop, size=size, mode="area")[0, 0]
    else:
        small = F.interpolate(crop, size=size, mode="bilinear", align_corners=False)[0, 0]
    small = small.clamp(0, 1)
    small = small / small.max().clamp_min(1e-6)
    field = torch.zeros(SIZE, SIZE)
    r0, c0 = (SIZE - size[0]) // 2, (SIZE - size[1]) // 2
    field[r0 : r0 + size[0], c0 : c0 + size[1]] = small
    row, col = centre_of_mass(field.numpy())
    moved = (round(CENTRE - row), round(CENTRE - col))
    image = shift(field.numpy(), *moved)
    return Prepared(image.astype(np.float32), box, ink, scale, size, (row, col), moved)


def shift(image: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Translate a (H, W) image by whole pixels (zeros come in, what leaves is lost).

    A whole-pixel shift keeps the strokes sharp and leaves the centre of mass within half a
    pixel of its target, as in MNIST.
    """
    h, w = image.shape
    out = np.zeros_like(image)
    src_r, dst_r = slice(max(0, -rows), min(h, h - rows)), slice(max(0, rows), min(h, h + rows))
    src_c, dst_c = slice(max(0, -cols), min(w, w - cols)), slice(max(0, cols), min(w, w + cols))
    out[dst_r, dst_c] = image[src_r, src_c]
    return out


def from_canvas(rgba: np.ndarray) -> Prepared:
    """`prepare` a canvas drawing (white on black RGBA)."""
    return prepare(canvas_ink(rgba))


def decode_canvas(data: bytes) -> np.ndarray:
    """(H, W, 4) uint8 pixels of the PNG the drawable canvas sends."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return np.asarray(image.convert("RGBA"))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UserError("digits.errors.bad_canvas_data", f"the canvas sent no readable image: {exc}") from None


def from_photo(data: bytes) -> Prepared:
    """`prepare` an uploaded photo or scan (any background, inverted when light)."""
    return prepare(photo_ink(data))
