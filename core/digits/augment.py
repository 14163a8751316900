"""Random distortions of MNIST batches that mimic how people draw on a canvas.

All functions take (B, 1, 28, 28) float images in [0, 1] (ink = 1) and a
`torch.Generator`, so a seeded run draws the same distortions every time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class Augment:
    """How strongly to distort: rotation in degrees, relative scale, shift in pixels, stroke thickening odds."""

    rotate: float = 10.0
    scale: float = 0.1
    shift: float = 2.0
    thicken: float = 0.3  # probability of a thicker stroke (half of those get a full 3×3 dilation)


NONE = Augment(rotate=0.0, scale=0.0, shift=0.0, thicken=0.0)


def _uniform(n: int, half_width: float, generator: torch.Generator) -> torch.Tensor:
    return (torch.rand(n, generator=generator) * 2 - 1) * half_width


def random_affine(
    x: torch.Tensor, rotate: float, scale: float, shift: float, generator: torch.Generator
) -> torch.Tensor:
    """Rotate by U(±rotate)°, scale by 1 + U(±scale), shift by U(±shift) px, with bilinear resampling."""
    n, _, h, w = x.shape
    angle = _uniform(n, math.radians(rotate), generator)
    factor = 1 + _uniform(n, scale, generator)
    # affine_grid maps output to input coordinates in [-1, 1], so the inverse transform goes in theta.
    dx = _uniform(n, shift, generator) * 2 / w
    dy = _uniform(n, shift, generator) * 2 / h
    cos, sin = torch.cos(angle) / factor, torch.sin(angle) / factor
    theta = torch.stack([torch.stack([cos, -sin, dx], 1), torch.stack([sin, cos, dy], 1)], 1)  # (B, 2, 3)
    grid = F.affine_grid(theta.to(x.dtype), list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def dilate(x: torch.Tensor, size: int = 3) -> torch.Tensor:
    """Grey-level dilation (a max filter): every stroke grows by size // 2 pixels on each side."""
    return F.max_pool2d(x, size, stride=1, padding=size // 2)


def random_thicken(x: torch.Tensor, probability: float, generator: torch.Generator) -> torch.Tensor:
    """With `probability`, thicken a sample's strokes: half of the time fully, else halfway."""
    n = x.shape[0]
    pick = torch.rand(n, generator=generator)
    amount = torch.where(pick < probability / 2, 1.0, torch.where(pick < probability, 0.5, 0.0))
    amount = amount.view(n, 1, 1, 1).to(x.dtype)
    return x + amount * (dilate(x) - x)


def augment(x: torch.Tensor, spec: Augment, generator: torch.Generator) -> torch.Tensor:
    """Stroke thickness, then a random affine map; the result is clamped to [0, 1]."""
    if spec.thicken > 0:
        x = random_thicken(x, spec.thicken, generator)
    if spec.rotate > 0 or spec.scale > 0 or spec.shift > 0:
        x = random_affine(x, spec.rotate, spec.scale, spec.shift, generator)
    return x.clamp(0, 1)
