"""Why non-linearity: fit sin(x) with N stacked Linear layers, with and without an activation.

Without an activation the stack W_N(…(W_1 x + b_1)…) + b_N is itself one affine map
W x + b, so however deep it is, it draws a straight line (the course: "ten linear layers
equal one"). With an activation between the layers the same stack bends to fit the sine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from core.activations import ACTIVATIONS
from core.registry import Param
from core.threads import single_thread

LAYERS = Param("layers", 3, 1, 10, 1)
WIDTH = Param("width", 32, 4, 128, 4)
STEPS = Param("steps", 300, 50, 1000, 50)
LR = Param("lr", 0.01, 1e-4, 1.0, log=True)
POINTS = 200
X_SPAN = (-math.pi, math.pi)
DEFAULT_ACTIVATION = "tanh"


def stack(layers: int, width: int, activation: str | None) -> nn.Sequential:
    """`layers` Linear layers 1 → width → … → 1, with `activation` between them (None: none)."""
    sizes = [1] + [width] * (layers - 1) + [1]
    modules: list[nn.Module] = []
    for i in range(layers):
        modules.append(nn.Linear(sizes[i], sizes[i + 1]))
        if activation is not None and i < layers - 1:
            modules.append(ACTIVATIONS.get(activation).module())
    return nn.Sequential(*modules)


def collapse(model: nn.Sequential) -> tuple[float, float]:
    """(w, b) of the single line a stack of Linear layers without activations equals.

    W = W_N ⋯ W_1 and b = W_N(⋯(W_2 b_1 + b_2)⋯) + b_N: composition of affine maps.
    """
    weight = torch.eye(1)
    bias = torch.zeros(1)
    for layer in model:
        if not isinstance(layer, nn.Linear):
            raise ValueError("collapse() needs a stack of Linear layers only")
        weight = layer.weight.detach() @ weight
        bias = layer.weight.detach() @ bias + layer.bias.detach()
    return float(weight.squeeze()), float(bias.squeeze())


@dataclass(frozen=True)
class Fit:
    x: Tensor  # (POINTS,)
    target: Tensor  # (POINTS,) sin(x)
    prediction: Tensor  # (POINTS,)
    losses: list[float]  # MSE per step
    line: tuple[float, float] | None  # (w, b) when the stack has no activation


def fit_sine(
    layers: int, activation: str | None, *, width: int = 32, steps: int = 300, lr: float = 0.01, seed: int = 0
) -> Fit:
    """Train the stack on sin(x), x ∈ [−π, π], with Adam (full batch, MSE)."""
    layers = LAYERS.validate(layers)
    width = WIDTH.validate(width)
    steps = STEPS.validate(steps)
    lr = LR.validate(lr)
    if activation is not None:
        ACTIVATIONS.get(activation)
    with single_thread():
        return _fit(layers, activation, width, steps, lr, seed)


def _fit(layers: int, activation: str | None, width: int, steps: int, lr: float, seed: int) -> Fit:
    torch.manual_seed(seed)
    x = torch.linspace(*X_SPAN, POINTS).unsqueeze(1)  # (N, 1)
    y = torch.sin(x)
    model = stack(layers, width, activation)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))
    model.eval()  # RReLU: the mean slope, not a random one, for the drawn curve
    with torch.no_grad():
        prediction = model(x).squeeze(1)
    line = collapse(model) if activation is None else None
    return Fit(x.squeeze(1), y.squeeze(1), prediction, losses, line)
