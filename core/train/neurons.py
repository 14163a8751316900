"""Inside an MLP on 2-D points: each hidden neuron's output over the input plane, its activations, the weights.

TensorFlow Playground's signature view. `neuron_view` is computed in a run's worker at the
visual throttle (never per step): one forward pass of a coarse `GRID` × `GRID` grid (1600
points) and one of the training points, with forward hooks on the activation layers
(``act1``, ``act2``, …), so it costs a few forward passes of a tiny model twice a second.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from core.train import metrics

GRID = 40  # neuron-map resolution (40 × 40: enough to see a neuron's boundary, cheap to send)
HIST_BINS = 20
MAX_NEURONS = 16 * 8  # beyond this many hidden units the view is not drawn (too many small maps)


def hidden_layers(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """The activation modules of an MLP's hidden layers, in order: their outputs are the neurons."""
    return [(name, m) for name, m in model.named_children() if name.startswith("act")]


def hidden_outputs(model: nn.Module, x: torch.Tensor) -> list[torch.Tensor]:
    """Each hidden layer's output (N, units) for inputs `x` (N, 2), in eval mode, without gradients."""
    captured: list[torch.Tensor] = []
    hooks = [m.register_forward_hook(lambda _m, _i, out: captured.append(out)) for _, m in hidden_layers(model)]
    was_training = model.training
    try:
        model.eval()
        metrics.predict(model, x)
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)
    n = x.shape[0]  # predict runs in chunks: stitch each layer's chunks back together
    layers = len(hooks)
    return [torch.cat(captured[k::layers]).reshape(n, -1) for k in range(layers)]


def plane(xs: torch.Tensor, ys: torch.Tensor) -> torch.Tensor:
    """The grid xs × ys as (len(ys)·len(xs), 2) points, row-major over ys (a heatmap's layout)."""
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1)


def neuron_maps(model: nn.Module, xs: torch.Tensor, ys: torch.Tensor) -> list[np.ndarray]:
    """Per hidden layer, every neuron's output on the grid: (units, len(ys), len(xs)) float32 arrays."""
    outputs = hidden_outputs(model, plane(xs, ys))
    return [o.T.reshape(o.shape[1], ys.shape[0], xs.shape[0]).float().cpu().numpy() for o in outputs]


def histograms(values: torch.Tensor, bins: int = HIST_BINS) -> tuple[np.ndarray, np.ndarray]:
    """Per column of `values` (N, units): counts (units, bins) and bin edges (units, bins + 1) over its range.

    Bins as `np.histogram`'s (equal widths, the last one closed), all columns at once with one bincount.
    """
    v = values.detach().float().cpu().numpy()  # (N, U)
    units = v.shape[1]
    finite = np.isfinite(v)
    low = np.where(finite, v, np.inf).min(axis=0, initial=np.inf)
    high = np.where(finite, v, -np.inf).max(axis=0, initial=-np.inf)
    empty = ~np.isfinite(low)
    low, high = np.where(empty, 0.0, low), np.where(empty, 1.0, high)
    flat = high - low < 1e-9  # a constant neuron still gets a bin range around its value
    low, high = np.where(flat, low - 0.5, low), np.where(flat, high + 0.5, high)
    edges = low[:, None] + (high - low)[:, None] * np.linspace(0.0, 1.0, bins + 1)[None, :]
    with np.errstate(invalid="ignore"):
        index = np.clip(np.floor((v - low) / (high - low) * bins), 0, bins - 1)
    cells = (np.arange(units)[None, :] * bins + np.nan_to_num(index).astype(np.int64))[finite]
    counts = np.bincount(cells, minlength=units * bins).reshape(units, bins)
    return counts, edges


def weights(model: nn.Module) -> list[dict[str, np.ndarray]]:
    """Every Linear layer in order (``fc1`` … ``out``): ``{"name", "weight" (out, in), "bias" (out,)}``."""
    return [{"name": name, "weight": m.weight.detach().float().cpu().numpy().copy(),
             "bias": m.bias.detach().float().cpu().numpy().copy()}
            for name, m in model.named_children() if isinstance(m, nn.Linear)]  # fmt: skip


def input_maps(model: nn.Module, xs: torch.Tensor, ys: torch.Tensor) -> np.ndarray:
    """What the first Linear layer sees over the grid: each input feature's value, (k, len(ys), len(xs))."""
    points = plane(xs, ys)
    features = getattr(model, "features", None)
    with torch.no_grad():
        values = features(points) if features is not None else points  # (S*S, k)
    return values.T.reshape(values.shape[1], ys.shape[0], xs.shape[0]).float().cpu().numpy()


def input_names(model: nn.Module) -> list[str]:
    """What the first Linear layer sees: the `FeatureMap`'s feature names, else x1, x2."""
    features = getattr(model, "features", None)
    return list(features.names) if features is not None else ["x1", "x2"]


def viewable(model: nn.Module, input_shape: tuple[int, ...]) -> bool:
    """An MLP on 2-D points with at most `MAX_NEURONS` hidden units (and at least one hidden layer)."""
    if tuple(input_shape) != (2,) or not isinstance(model, nn.Sequential):
        return False
    if any(isinstance(m, nn.Conv2d) for m in model.modules()):
        return False
    units = sum(m.out_features for name, m in model.named_children() if name.startswith("fc"))
    return bool(hidden_layers(model)) and units <= MAX_NEURONS


def neuron_view(model: nn.Module, points: torch.Tensor, x_train: torch.Tensor, steps: int = GRID) -> dict[str, Any]:
    """The snapshot piece of the neuron view: grid axes, maps, histograms on `x_train`, weights, input names.

    Args:
        points: all the data's points (N, 2): the grid covers them (`metrics.grid_2d`).
        x_train: the training inputs, whose activations fill each neuron's histogram.
    """
    xs, ys = metrics.grid_2d(points, steps)
    grid = plane(xs, ys)
    layers = []  # one forward pass over the grid and the training points together (half the call overhead)
    for out in hidden_outputs(model, torch.cat([grid, x_train])):
        maps, acts = out[: grid.shape[0]], out[grid.shape[0] :]
        counts, edges = histograms(acts)
        layers.append({"maps": maps.T.reshape(-1, ys.shape[0], xs.shape[0]).float().cpu().numpy(), "hist": counts,
                       "edges": edges})  # fmt: skip
    return {"x": xs.cpu().numpy(), "y": ys.cpu().numpy(), "layers": layers, "weights": weights(model),
            "inputs": input_names(model), "input_maps": input_maps(model, xs, ys)}  # fmt: skip
