"""A look inside a digit model: convolutional feature maps and a saliency map."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from core.digits.predict import Prediction, as_batch


@dataclass(frozen=True)
class FeatureMaps:
    """The activations of one layer: (C, H, W) for a single image."""

    layer: str
    maps: np.ndarray


def feature_maps(model: nn.Module, image: np.ndarray) -> list[FeatureMaps]:
    """Output of every ReLU that follows a convolution, in forward order.

    Empty for a model without convolutions (the MLP has no spatial maps to show).
    """
    model.eval()
    found: list[FeatureMaps] = []
    hooks = _record_maps(model, found)
    try:
        with torch.no_grad():
            model(as_batch(image))
    finally:
        for hook in hooks:
            hook.remove()
    return found


def _record_maps(model: nn.Module, found: list[FeatureMaps]) -> list:
    """Forward hooks that append every convolutional ReLU's output to `found` (remove them after the pass)."""
    # "block1.2" (the ReLU inside block1) reads better as "block1", and a block with several ReLUs gives "block2a",
    # "block2b", …; LeNet's "relu1" stays.
    relus = [(name, module) for name, module in model.named_modules() if isinstance(module, nn.ReLU)]
    blocks = [name.rsplit(".", 1)[0] if name.rsplit(".", 1)[-1].isdigit() else name for name, _ in relus]
    hooks = []
    for k, ((_, module), block) in enumerate(zip(relus, blocks, strict=True)):
        label = block + (chr(ord("a") + blocks[:k].count(block)) if blocks.count(block) > 1 else "")
        hooks.append(module.register_forward_hook(_recorder(label, found)))
    return hooks


def _recorder(name: str, found: list[FeatureMaps]):
    def record(_module: nn.Module, _inputs: tuple, output: torch.Tensor) -> None:
        if output.dim() == 4:  # (1, C, H, W): a convolutional layer, not a fully connected one
            found.append(FeatureMaps(name, output[0].detach().numpy().copy()))

    return record


def saliency(model: nn.Module, image: np.ndarray, target: int | None = None) -> np.ndarray:
    """|∂ s_c / ∂ x|: how strongly each input pixel moves the class score s_c (Simonyan et al. 2014).

    Args:
        target: the class c (default: the predicted class).

    Returns:
        (28, 28) float32 scaled to [0, 1] (all zeros when the gradient vanishes).
    """
    model.eval()
    x = as_batch(image).requires_grad_(True)
    scores = model(x)  # (1, 10) logits
    c = int(scores.argmax(1)) if target is None else int(target)
    (grad,) = torch.autograd.grad(scores[0, c], x)
    return _scaled(grad)


def _scaled(grad: torch.Tensor) -> np.ndarray:
    """|grad| of a (1, 1, 28, 28) input as (28, 28) float32 in [0, 1] (zeros when it vanishes)."""
    magnitude = grad[0, 0].abs().numpy()
    peak = float(magnitude.max())
    return (magnitude / peak if peak > 0 else magnitude).astype(np.float32)


def enlarge(image: np.ndarray, factor: int) -> np.ndarray:
    """Blow an image up by whole pixels (nearest neighbour), so 28×28 stays crisp on screen."""
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)


def mosaic(maps: np.ndarray, columns: int = 8, limit: int = 32, gap: int = 1) -> np.ndarray:
    """Tile the first `limit` of (C, H, W) maps into one grey image, each map scaled to [0, 1] on its own.

    A map that is constant (a channel this digit does not excite) stays black.
    """
    maps = maps[:limit]
    count, h, w = maps.shape
    rows = -(-count // columns)
    cols = min(columns, count)
    out = np.ones((rows * (h + gap) - gap, cols * (w + gap) - gap), np.float32)  # white grid lines
    for i, fmap in enumerate(maps):
        low, high = float(fmap.min()), float(fmap.max())
        scaled = (fmap - low) / (high - low) if high > low else np.zeros_like(fmap)
        r, c = divmod(i, columns)
        out[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = scaled
    return out


def overlay(image: np.ndarray, heat: np.ndarray, strength: float = 0.8) -> np.ndarray:
    """(H, W, 3) uint8: the grey input with `heat` in [0, 1] painted over it in red-yellow."""
    grey = np.repeat(np.asarray(image, np.float32)[..., None] * 0.6, 3, axis=-1)
    colour = np.stack([np.ones_like(heat), heat, np.zeros_like(heat)], axis=-1)  # red → yellow as heat grows
    alpha = strength * np.asarray(heat, np.float32)[..., None]
    return np.clip(255 * ((1 - alpha) * grey + alpha * colour), 0, 255).astype(np.uint8)


@dataclass(frozen=True)
class Reading:
    """What the digits page shows of one model reading one 28×28 input."""

    prediction: Prediction
    layers: list[tuple[str, int, int, int, int, np.ndarray]]  # (layer, channels, h, w, maps shown, enlarged mosaic)
    heat: np.ndarray  # (28, 28) saliency map of the predicted class


def read(model: nn.Module, image: np.ndarray, *, columns: int, limit: int, pixels: int) -> Reading:
    """Predict `image`, tile every convolutional layer's maps (`mosaic`, about `pixels` a map) and the saliency.

    One forward pass gives the prediction and (by hooks) the maps, one backward pass the
    saliency: the same numbers as `predict`, `feature_maps` and `saliency`, which take three
    forward passes and a backward one.
    """
    model.eval()
    found: list[FeatureMaps] = []
    hooks = _record_maps(model, found)
    x = as_batch(image).requires_grad_(True)
    try:
        scores = model(x)  # (1, 10) logits
    finally:
        for hook in hooks:
            hook.remove()
    probs = torch.softmax(scores.detach(), dim=1)[0].numpy()
    label = int(probs.argmax())
    (grad,) = torch.autograd.grad(scores[0, label], x)
    layers = []
    for maps in found:
        channels, h, w = maps.maps.shape
        tile = enlarge(mosaic(maps.maps, columns=columns, limit=limit), max(1, pixels // h))
        layers.append((maps.layer, channels, h, w, min(channels, limit), tile))
    return Reading(Prediction(probs, label, float(probs[label])), layers, _scaled(grad))


def boxed(ink: np.ndarray, box: tuple[int, int, int, int], side: int = 140) -> np.ndarray:
    """(side', side', 3) uint8: the ink map shrunk to about `side` px with its ink box drawn in red.

    Args:
        box: (top, left, bottom, right) in `ink`'s pixels, bottom/right exclusive.
    """
    ink = np.asarray(ink, np.float32)
    step = max(1, int(np.ceil(max(ink.shape) / side)))
    h, w = (ink.shape[0] // step) * step, (ink.shape[1] // step) * step
    small = ink[:h, :w].reshape(h // step, step, w // step, step).mean((1, 3))  # area average
    rgb = np.repeat((np.clip(small, 0, 1) * 200)[..., None], 3, axis=-1).astype(np.uint8)
    top, left, bottom, right = (int(v // step) for v in box)
    bottom, right = min(max(bottom, top + 1), rgb.shape[0]) - 1, min(max(right, left + 1), rgb.shape[1]) - 1
    red = np.array([255, 60, 60], np.uint8)
    rgb[top, left : right + 1] = rgb[bottom, left : right + 1] = red
    rgb[top : bottom + 1, left] = rgb[top : bottom + 1, right] = red
    return rgb


def marked(image: np.ndarray, point: tuple[float, float], factor: int, colour=(255, 60, 60)) -> np.ndarray:
    """(28·factor, 28·factor, 3) uint8: a 28×28 input enlarged, a cross drawn at `point` (row, col) and
    a grey cross at the target centre (14, 14)."""
    big = enlarge(np.clip(np.asarray(image, np.float32), 0, 1) * 200, factor)
    rgb = np.repeat(big[..., None], 3, axis=-1).astype(np.uint8)
    for (row, col), paint in (((14.0, 14.0), (150, 150, 150)), (point, colour)):
        r, c = int(round((row + 0.5) * factor)), int(round((col + 0.5) * factor))
        arm = factor
        rgb[max(0, r - 1) : r + 1, max(0, c - arm) : c + arm] = paint
        rgb[max(0, r - arm) : r + arm, max(0, c - 1) : c + 1] = paint
    return rgb
