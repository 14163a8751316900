"""L1 and L2 weight penalties with their rates, as TensorFlow Playground's "regularization" (002 §5.4.2).

.. math::  \\Omega(\\theta) = \\lambda_1 \\sum_l \\lVert W_l \\rVert_1 + \\frac{\\lambda_2}{2} \\sum_l \\lVert W_l \\rVert_2^2

Only the weight matrices (and conv kernels) are penalised, never biases or BatchNorm's scale and
shift (a penalty on a bias only moves the boundary, as in Playground and d2l §3.7). The ½ makes
the L2 gradient λ₂·W, the optimizer's ``weight_decay`` of plain SGD.
"""

from __future__ import annotations

import torch
from torch import nn

from core.registry import Param

PENALTIES = ("l1", "l2")
FORMULAS = {
    "l1": r"\Omega(\theta)=\lambda_1\sum_l\lVert W_l\rVert_1",
    "l2": r"\Omega(\theta)=\frac{\lambda_2}{2}\sum_l\lVert W_l\rVert_2^2",
}
MAX_RATE = 10.0
RATE = Param("rate", 0.0, 0.0, MAX_RATE, step=0.001, typed=True)  # the L1/L2 boxes' spec


def penalised(model: nn.Module) -> list[torch.Tensor]:
    """The weights a penalty applies to: every Linear weight and conv kernel (not biases, not BatchNorm)."""
    return [m.weight for m in model.modules() if isinstance(m, nn.Linear | nn.Conv1d | nn.Conv2d)]


def check_rate(name: str, rate: float) -> float:
    """A rate in [0, MAX_RATE] as a float; a ValueError naming the penalty otherwise."""
    rate = float(rate)
    if not 0.0 <= rate <= MAX_RATE:
        raise ValueError(f"{name} rate must be in [0, {MAX_RATE}], got {rate}")
    return rate


def penalty(model: nn.Module, l1: float = 0.0, l2: float = 0.0) -> torch.Tensor:
    """Ω(θ) = λ₁ Σ|w| + (λ₂/2) Σ w² over `penalised(model)`; a 0-d tensor (0 when both rates are 0)."""
    l1, l2 = check_rate("L1", l1), check_rate("L2", l2)
    weights = penalised(model)
    total = torch.zeros((), device=weights[0].device if weights else None)
    if l1:
        total = total + l1 * sum(w.abs().sum() for w in weights)
    if l2:
        total = total + 0.5 * l2 * sum((w * w).sum() for w in weights)
    return total
