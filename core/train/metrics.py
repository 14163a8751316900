"""What a live run measures: accuracy, R², confusion matrix, decision-boundary and fitted-curve grids."""

from __future__ import annotations

import torch
from torch import nn

EVAL_CHUNK = 4096  # rows per forward pass when evaluating a whole data set


def predict(model: nn.Module, x: torch.Tensor, chunk: int = EVAL_CHUNK) -> torch.Tensor:
    """Model outputs for all of `x`, in chunks, without gradients. (N, ...) → (N, K)."""
    with torch.no_grad():
        return torch.cat([model(x[i : i + chunk]) for i in range(0, max(x.shape[0], 1), chunk)])


def labels_from_outputs(outputs: torch.Tensor) -> torch.Tensor:
    """Predicted class: argmax over K ≥ 2 logits, or logit > 0 for a single binary logit. (N,)"""
    if outputs.ndim == 1 or outputs.shape[1] == 1:
        return (outputs.reshape(-1) > 0).long()
    return outputs.argmax(dim=1)


def probabilities(outputs: torch.Tensor) -> torch.Tensor:
    """Class probabilities (N, K): softmax of K logits, or [1-σ(z), σ(z)] for one binary logit."""
    if outputs.ndim == 1 or outputs.shape[1] == 1:
        p = torch.sigmoid(outputs.reshape(-1))
        return torch.stack([1 - p, p], dim=1)
    return torch.softmax(outputs, dim=1)


def accuracy(outputs: torch.Tensor, targets: torch.Tensor) -> float:
    """Share of correct predictions, targets (N,) class indices (or (N, 1) 0/1 floats)."""
    predicted = labels_from_outputs(outputs)
    return float((predicted == targets.reshape(-1).long()).float().mean())


def r2_score(outputs: torch.Tensor, targets: torch.Tensor) -> float:
    """Coefficient of determination R² = 1 − Σ(y−ŷ)² / Σ(y−ȳ)² (1 is perfect, 0 predicts the mean)."""
    y = targets.reshape(outputs.shape).float()
    residual = ((y - outputs) ** 2).sum()
    total = ((y - y.mean(dim=0)) ** 2).sum()
    if float(total) == 0.0:
        return 0.0
    return float(1 - residual / total)


def confusion_matrix(predicted: torch.Tensor, targets: torch.Tensor, n_classes: int) -> torch.Tensor:
    """(K, K) int64 counts; row = true class, column = predicted class."""
    index = targets.reshape(-1).long() * n_classes + predicted.reshape(-1).long()
    return torch.bincount(index.cpu(), minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def misclassified(predicted: torch.Tensor, targets: torch.Tensor, limit: int = 12) -> list[tuple[int, int, int]]:
    """Up to `limit` wrong predictions as (index, true, predicted), in data order."""
    wrong = torch.nonzero(predicted.reshape(-1).cpu() != targets.reshape(-1).long().cpu()).reshape(-1)[:limit]
    t, p = targets.reshape(-1).cpu(), predicted.reshape(-1).cpu()
    return [(int(i), int(t[i]), int(p[i])) for i in wrong]


def grid_2d(x: torch.Tensor, steps: int = 80, margin: float = 0.15) -> tuple[torch.Tensor, torch.Tensor]:
    """Axis values covering 2-D inputs `x` (N, 2) with a margin: (steps,), (steps,) on x's device."""
    low, high = x.min(dim=0).values, x.max(dim=0).values
    pad = (high - low).clamp_min(1e-6) * margin
    low, high = low - pad, high + pad
    return (
        torch.linspace(float(low[0]), float(high[0]), steps, device=x.device),
        torch.linspace(float(low[1]), float(high[1]), steps, device=x.device),
    )


def decision_grid(model: nn.Module, xs: torch.Tensor, ys: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Predicted class and its probability on the grid xs × ys: two (len(ys), len(xs)) tensors.

    Rows follow ys and columns xs, the layout a heatmap/contour expects (z[i][j] at (xs[j], ys[i])).
    """
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    points = torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1)  # (S*S, 2)
    probs = probabilities(predict(model, points))
    confidence, label = probs.max(dim=1)
    shape = (ys.shape[0], xs.shape[0])
    return label.reshape(shape), confidence.reshape(shape)


def curve_1d(
    model: nn.Module, x: torch.Tensor, steps: int = 200, margin: float = 0.05
) -> tuple[torch.Tensor, torch.Tensor]:
    """The fitted function of a 1-input regression model over x's range: (steps,), (steps,)."""
    low, high = float(x.min()), float(x.max())
    pad = (high - low) * margin
    xs = torch.linspace(low - pad, high + pad, steps, device=x.device)
    ys = predict(model, xs.reshape(-1, 1))
    return xs, ys.reshape(steps, -1)[:, 0]


def unit_range(image: torch.Tensor) -> torch.Tensor:
    """An image rescaled to [0, 1] for display (a standardized image has negative pixels)."""
    low, high = image.min(), image.max()
    return (image - low) / (high - low).clamp_min(1e-6)
