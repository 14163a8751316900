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


# ---------------------------------------------------------------------------------------------
# Robust augmentation: how people who are not MNIST's writers draw (issue 18). Each distortion
# below mirrors one condition of `core.digits.conditions`; `renormalize` then does what the page's
# preprocessing does (crop to the ink, fit 20×20, centre of mass at the centre), so the network
# trains on inputs shaped like the ones it will be given.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Robust:
    """Odds and strengths of the robust distortions (a sample may get several).

    Attributes:
        plain: share of samples that only get the mild `base` augmentation (keeps MNIST accuracy).
        slant: half-range of the horizontal shear, degrees (italic writing).
        elastic: odds of an elastic distortion (Simard et al. 2003) of strength `alpha` px, smoothness `sigma` px.
        blur: odds of a Gaussian blur with σ ~ U(0.5, blur_sigma) px.
        low_res: odds of rendering at 8–14 px and scaling back up (a small digit in a photo).
        thick / thin: odds of strokes grown by 1–2 px / shrunk by ½–1 px on each side.
        broken: odds of 1–4 gaps erased in the strokes.
        pieces: odds of the digit cut in two along a line and the pieces moved 1–2 px apart.
    """

    base: Augment = Augment(rotate=10, scale=0.1, shift=2, thicken=0.3)
    plain: float = 0.25
    slant: float = 25.0
    elastic: float = 0.5
    alpha: float = 2.0
    sigma: float = 3.0
    blur: float = 0.2
    blur_sigma: float = 2.5
    low_res: float = 0.2
    thick: float = 0.2
    thin: float = 0.2
    broken: float = 0.15
    pieces: float = 0.15


def _pick(n: int, odds: float, generator: torch.Generator) -> torch.Tensor:
    """(n, 1, 1, 1) bool: which samples get a distortion."""
    return (torch.rand(n, generator=generator) < odds).view(n, 1, 1, 1)


def _gaussian_kernels(sigma: torch.Tensor, radius: int) -> torch.Tensor:
    """(B, 2r+1) normalised 1-D Gaussian kernels, one per σ."""
    offsets = torch.arange(-radius, radius + 1, dtype=torch.float32)
    kernels = torch.exp(-(offsets[None] ** 2) / (2 * sigma[:, None] ** 2))
    return kernels / kernels.sum(1, keepdim=True)


def gaussian_blur(x: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    """Separable Gaussian blur of each image with its own σ (pixels), zeros outside the image.

    Args:
        x: (B, 1, H, W); sigma: (B,) positive.
    """
    n, _, h, w = x.shape
    radius = max(1, int(math.ceil(3 * float(sigma.max()))))
    k = _gaussian_kernels(sigma.float(), radius).to(x.dtype)  # (B, K)
    y = x.reshape(1, n, h, w)
    y = F.conv2d(y, k.view(n, 1, 1, -1), padding=(0, radius), groups=n)
    y = F.conv2d(y, k.view(n, 1, -1, 1), padding=(radius, 0), groups=n)
    return y.reshape(n, 1, h, w)


def elastic(x: torch.Tensor, alpha: float, sigma: float, generator: torch.Generator) -> torch.Tensor:
    """Elastic distortion (Simard, Steinkraus & Platt 2003): a random displacement field smoothed by a
    Gaussian of `sigma` px and scaled so its typical displacement is about `alpha` px."""
    n, _, h, w = x.shape
    field = torch.rand(n * 2, 1, h, w, generator=generator) * 2 - 1
    field = gaussian_blur(field, torch.full((n * 2,), sigma)).view(n, 2, h, w)
    field = field / field.abs().amax(dim=(2, 3), keepdim=True).clamp_min(1e-6) * alpha
    base = F.affine_grid(torch.eye(2, 3).expand(n, 2, 3), [n, 1, h, w], align_corners=False)
    grid = base + field.permute(0, 2, 3, 1) * torch.tensor([2 / w, 2 / h])
    return F.grid_sample(x, grid.to(x.dtype), mode="bilinear", padding_mode="zeros", align_corners=False)


def slant_affine(x: torch.Tensor, spec: Augment, slant: float, generator: torch.Generator) -> torch.Tensor:
    """`random_affine` plus a horizontal shear of U(±slant)°: x' = x + tan(θ)·(centre row − y)."""
    n, _, h, w = x.shape
    angle = _uniform(n, math.radians(spec.rotate), generator)
    factor = 1 + _uniform(n, spec.scale, generator)
    shear = torch.tan(_uniform(n, math.radians(slant), generator))
    dx = _uniform(n, spec.shift, generator) * 2 / w
    dy = _uniform(n, spec.shift, generator) * 2 / h
    cos, sin = torch.cos(angle) / factor, torch.sin(angle) / factor
    # output → input: undo the shear after the rotation (the inverse of x' = x − s·y is x = x' + s·y').
    a = torch.stack([torch.stack([cos, -sin], 1), torch.stack([sin, cos], 1)], 1)  # (B, 2, 2)
    s = torch.zeros(n, 2, 2)
    s[:, 0, 0], s[:, 1, 1], s[:, 0, 1] = 1, 1, shear
    theta = torch.cat([a @ s, torch.stack([dx, dy], 1)[..., None]], 2)  # (B, 2, 3)
    grid = F.affine_grid(theta.to(x.dtype), list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def erode(x: torch.Tensor, size: int = 3) -> torch.Tensor:
    """Grey-level erosion (a min filter): every stroke shrinks by size // 2 pixels on each side."""
    return -F.max_pool2d(-x, size, stride=1, padding=size // 2)


def thinner(x: torch.Tensor, steps: int) -> torch.Tensor:
    """Strokes ½ px thinner on each side per step: erosion at twice the resolution, then area-averaged back."""
    h, w = x.shape[-2:]
    big = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
    for _ in range(steps):
        big = erode(big)
    return F.interpolate(big, size=(h, w), mode="area")


def low_resolution(x: torch.Tensor, sides: torch.Tensor) -> torch.Tensor:
    """Each image shrunk to `sides[i]` px (area averaging) and scaled back up (bilinear)."""
    out = x.clone()
    h, w = x.shape[-2:]
    for side in sides.unique().tolist():
        rows = sides == side
        small = F.interpolate(x[rows], size=(side, side), mode="area")
        out[rows] = F.interpolate(small, size=(h, w), mode="bilinear", align_corners=False)
    return out


def break_strokes(x: torch.Tensor, gaps: int, radius: float, generator: torch.Generator) -> torch.Tensor:
    """Erase `gaps` discs of `radius` px centred on random ink pixels (a pen that skips)."""
    n, _, h, w = x.shape
    weights = (x.view(n, -1) > 0.5).float() + 1e-6
    centres = torch.multinomial(weights, gaps, replacement=True, generator=generator)  # (B, gaps)
    rows, cols = (centres // w).float(), (centres % w).float()
    yy = torch.arange(h, dtype=torch.float32).view(1, 1, h, 1)
    xx = torch.arange(w, dtype=torch.float32).view(1, 1, 1, w)
    d2 = (yy - rows[..., None, None]) ** 2 + (xx - cols[..., None, None]) ** 2  # (B, gaps, H, W)
    keep = (d2 > radius**2).all(1, keepdim=True)
    return x * keep.to(x.dtype)


def in_pieces(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Cut along a random line through the ink's centre of mass; move one side 1–2 px (strokes that do not meet)."""
    n, _, h, w = x.shape
    mass = x.sum((2, 3)).clamp_min(1e-6)  # (B, 1)
    yy = torch.arange(h, dtype=x.dtype).view(1, h, 1)
    xx = torch.arange(w, dtype=x.dtype).view(1, 1, w)
    cy = (x[:, 0] * yy).sum((1, 2)) / mass[:, 0]
    cx = (x[:, 0] * xx).sum((1, 2)) / mass[:, 0]
    angle = torch.rand(n, generator=generator) * math.pi
    side = (torch.cos(angle).view(n, 1, 1) * (xx - cx.view(n, 1, 1)) + torch.sin(angle).view(n, 1, 1)
            * (yy - cy.view(n, 1, 1)) > 0).to(x.dtype)[:, None]  # fmt: skip
    distance = 1 + torch.rand(n, generator=generator)  # 1–2 px
    direction = torch.rand(n, generator=generator) * 2 * math.pi
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0], theta[:, 1, 1] = 1, 1
    theta[:, 0, 2] = -distance * torch.cos(direction) * 2 / w
    theta[:, 1, 2] = -distance * torch.sin(direction) * 2 / h
    grid = F.affine_grid(theta.to(x.dtype), list(x.shape), align_corners=False)
    moved = F.grid_sample(x * side, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return torch.maximum(moved, x * (1 - side))


def renormalize(x: torch.Tensor, box: int = 20, level: float = 0.2) -> torch.Tensor:
    """What `core.digits.preprocess.prepare` does, batched: crop to the ink (≥ level × peak), fit the
    longer side to `box` px keeping the aspect ratio, scale the peak to 1, and move the centre of mass
    to pixel (14, 14) by a whole-pixel shift. Blank images stay blank."""
    n, _, h, w = x.shape
    peak = x.amax((2, 3), keepdim=True).clamp_min(1e-6)
    x = x / peak
    ink = x[:, 0] >= level  # (B, H, W)
    rows, cols = ink.any(2), ink.any(1)  # (B, H), (B, W)
    idx_r, idx_c = torch.arange(h), torch.arange(w)
    top = torch.where(rows, idx_r, h).amin(1).float()
    bottom = torch.where(rows, idx_r, -1).amax(1).float() + 1
    left = torch.where(cols, idx_c, w).amin(1).float()
    right = torch.where(cols, idx_c, -1).amax(1).float() + 1
    extent = torch.maximum(bottom - top, right - left).clamp_min(1)
    scale = box / extent  # output px per input px
    cy, cx = (top + bottom - 1) / 2, (left + right - 1) / 2
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = theta[:, 1, 1] = 1 / scale * (w / w)
    theta[:, 0, 2] = (2 * cx + 1) / w - 1
    theta[:, 1, 2] = (2 * cy + 1) / h - 1
    grid = F.affine_grid(theta.to(x.dtype), list(x.shape), align_corners=False)
    y = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    y = y / y.amax((2, 3), keepdim=True).clamp_min(1e-6)
    mass = y.sum((2, 3)).clamp_min(1e-6)[:, 0]
    com_r = (y[:, 0] * idx_r.view(1, h, 1)).sum((1, 2)) / mass
    com_c = (y[:, 0] * idx_c.view(1, 1, w)).sum((1, 2)) / mass
    shift = torch.zeros(n, 2, 3)
    shift[:, 0, 0] = shift[:, 1, 1] = 1
    shift[:, 0, 2] = -torch.round(w // 2 - com_c) * 2 / w
    shift[:, 1, 2] = -torch.round(h // 2 - com_r) * 2 / h
    grid = F.affine_grid(shift.to(x.dtype), list(x.shape), align_corners=False)
    y = F.grid_sample(y, grid, mode="nearest", padding_mode="zeros", align_corners=False)
    return y


def _some(y: torch.Tensor, odds: float, generator: torch.Generator, fn) -> torch.Tensor:
    """`fn` applied to a random `odds` share of the batch only (cheaper than computing it for all)."""
    rows = torch.nonzero(torch.rand(y.shape[0], generator=generator) < odds)[:, 0]
    if len(rows):
        y = y.clone()
        y[rows] = fn(y[rows])
    return y


def robust_augment(x: torch.Tensor, spec: Robust, generator: torch.Generator) -> torch.Tensor:
    """A batch distorted as people draw: `plain` of it only by `spec.base`, the rest by slant, elastic
    distortion, stroke width, blur, low resolution, gaps and pieces (each at its odds), then `renormalize`d."""
    g = generator
    n = x.shape[0]
    x = random_thicken(x, spec.base.thicken, g)
    x = slant_affine(x, spec.base, spec.slant, g).clamp(0, 1)
    plain = _pick(n, spec.plain, g)
    y = _some(x, spec.elastic, g, lambda z: elastic(z, spec.alpha, spec.sigma, g))
    y = _some(y, spec.thick, g, lambda z: dilate(z, 3 + 2 * int(torch.rand(1, generator=g) < 0.25)))
    y = _some(y, spec.thin, g, lambda z: thinner(z, 1 + int(torch.rand(1, generator=g) < 0.5)))
    y = _some(y, spec.broken, g, lambda z: break_strokes(z, int(torch.randint(1, 5, (1,), generator=g)), 1.5, g))
    y = _some(y, spec.pieces, g, lambda z: in_pieces(z, g))
    y = _some(
        y, spec.blur, g, lambda z: gaussian_blur(z, 0.5 + torch.rand(len(z), generator=g) * (spec.blur_sigma - 0.5))
    )
    y = _some(y, spec.low_res, g, lambda z: low_resolution(z, torch.randint(8, 15, (len(z),), generator=g)))
    y = renormalize(y.clamp(0, 1))
    return torch.where(plain, x, y).clamp(0, 1)
