"""Per-layer gradient norms of a run over its steps, and the vanishing / exploding verdict on them.

After a backward pass, `GradientLog` records ‖∂L/∂W_l‖₂ of every weight matrix (input side
first, the output layer last), at most every `every_s` seconds so that watching costs a
step a few microseconds at most. `verdict` reads one row as the initializers page reads its
lab (`core.gradflow.verdict`, rule 4): a layer whose norm is below the output layer's
÷ `FACTOR` (above × `FACTOR`) has vanishing (exploding) gradients.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from core.gradflow import FACTOR

MAX_ROWS = 300  # rows kept; older ones are thinned by half when the log is full (a chart is ~900 px wide)


def weight_layers(model: nn.Module) -> list[tuple[str, torch.Tensor]]:
    """(name, weight) of every Linear/conv layer in forward order: ``fc1``, …, ``out``."""
    return [(name, m.weight) for name, m in model.named_modules() if isinstance(m, nn.Linear | nn.Conv2d)]


def grad_norms(model: nn.Module) -> list[float]:
    """‖∂L/∂W‖₂ of each weight in `weight_layers` (0 where a weight has no gradient yet)."""
    grads = [w.grad for _, w in weight_layers(model)]
    present = [g for g in grads if g is not None]
    norms = iter(torch.stack(torch._foreach_norm(present)).tolist()) if present else iter(())
    return [next(norms) if g is not None else 0.0 for g in grads]


class GradientLog:
    """Rows of per-layer gradient norms with the step they were taken at (call it after `backward`)."""

    def __init__(self, model: nn.Module, every_s: float = 0.05, clock: Callable[[], float] = time.perf_counter):
        self.model, self.every_s, self.clock = model, every_s, clock
        self.layers = [name for name, _ in weight_layers(model)]
        self.steps: list[int] = []
        self.norms: list[list[float]] = []
        self.last = -math.inf
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1
        now = self.clock()
        if now - self.last < self.every_s:
            return
        self.last = now
        self.steps.append(self.calls)
        self.norms.append(grad_norms(self.model))
        if len(self.steps) > MAX_ROWS:  # keep the whole run in view: drop every other old row
            self.steps, self.norms = self.steps[::2], self.norms[::2]

    def snapshot(self) -> dict[str, Any]:
        """``{"layers", "steps" (T,), "norms" (T, L), "verdict"}`` for a UI (arrays: cheap to copy)."""
        norms = np.asarray(self.norms, dtype=np.float64).reshape(len(self.norms), len(self.layers))
        return {"layers": list(self.layers), "steps": np.asarray(self.steps), "norms": norms,
                "verdict": verdict(norms[-1]) if len(norms) else None}  # fmt: skip


def verdict(norms: np.ndarray | list[float], factor: float = FACTOR) -> dict[str, Any]:
    """Healthy, or vanishing / exploding gradients from layer k (1-based) back from the output.

    Each layer's norm is compared with the output layer's (the last): below it ÷ `factor` is
    vanishing, above it × `factor` exploding; the first such layer counting back from the
    output is named (everything before it is at least as far off). A non-finite norm explodes.
    """
    norms = np.asarray(norms, dtype=np.float64)
    if norms.ndim != 1 or norms.size < 1:
        raise ValueError(f"one norm per layer expected, got shape {norms.shape}")
    last = norms[-1]
    for layer in range(norms.size - 2, -1, -1):
        g = norms[layer]
        if not np.isfinite(g) or not np.isfinite(last):
            return {"kind": "exploding", "layer": layer + 1, "ratio": math.inf}
        if last == 0:
            if g == 0:
                return {"kind": "vanishing", "layer": layer + 1, "ratio": 0.0}
            continue
        ratio = float(g / last)
        if ratio < 1 / factor or ratio > factor:
            return {"kind": "vanishing" if ratio < 1 / factor else "exploding", "layer": layer + 1, "ratio": ratio}
    return {"kind": "healthy", "layer": None, "ratio": None}
