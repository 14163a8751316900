"""Gradients through depth: the chain rule multiplies one f′ per layer.

A scalar chain a_0 = x_0, z_k = w · a_{k−1}, a_k = f(z_k) has
∂a_N/∂a_0 = ∏_k w · f′(z_k). With sigmoid, f′ ≤ 1/4, so the product shrinks at least like
(w/4)^N: the gradient vanishes with depth (course 002 §5.1.2). tanh (f′ ≤ 1) decays more
slowly, ReLU passes 1 (or 0: a dead unit) per layer. Computed by autograd, layer by layer.
"""

from __future__ import annotations

import torch
from torch import Tensor

from core.activations import ACTIVATIONS
from core.errors import UserError
from core.registry import Param

DEPTH = Param("depth", 30, 1, 100, 1)
X0 = Param("x0", 1.0, -3.0, 3.0, 0.1)
WEIGHT = Param("weight", 1.0, 0.1, 3.0, 0.05)
DEFAULT_NAMES = ("sigmoid", "tanh", "relu")


def derivative_product(name: str, depth: int, x0: float = 1.0, weight: float = 1.0) -> Tensor:
    """|∂a_k/∂a_0| for k = 1..depth, shape (depth,), by autograd (float64)."""
    entry = ACTIVATIONS.get(name)
    depth, x0, weight = DEPTH.validate(depth), X0.validate(x0), WEIGHT.validate(weight)
    if "training" in entry.defaults():  # RReLU: its mean (evaluation) slope, not a random draw
        params = {"training": False}
    else:
        params = {}
    a0 = torch.tensor([x0], dtype=torch.float64, requires_grad=True)
    activations = []
    a = a0
    for _ in range(depth):
        a = entry.scalar(weight * a, **params)
        activations.append(a)
    out = []
    for a_k in activations:
        (g,) = torch.autograd.grad(a_k.sum(), a0, retain_graph=True)
        out.append(g.abs())
    return torch.cat(out).detach()


def products(names: list[str], depth: int, x0: float = 1.0, weight: float = 1.0) -> dict[str, Tensor]:
    """`derivative_product` for each name; nothing selected → UserError."""
    if not names:
        raise UserError("nothing_selected", "select at least one activation")
    return {n: derivative_product(n, depth, x0, weight) for n in names}


def sigmoid_bound(depth: int, weight: float = 1.0) -> Tensor:
    """(w/4)^k for k = 1..depth: the most a sigmoid chain can pass back."""
    k = torch.arange(1, depth + 1, dtype=torch.float64)
    return (weight / 4) ** k
