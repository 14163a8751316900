"""Two small training experiments about initialization: the symmetry problem and trainability.

Both train a small MLP on a 2-D toy task (two concentric rings: inner ring class 0, outer
ring class 1; not linearly separable, so hidden units must learn different features).

- `symmetry_demo` (course 002 §5.3.1): with a constant init every neuron of a hidden layer
  computes the same thing, gets the same gradient and stays identical after any number of
  steps; a random init breaks the tie.
- `trainability`: the same network trained from each selected init, one loss curve each.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from core.activations import ACTIVATIONS
from core.errors import UserError
from core.initializers import INITIALIZERS, init_module_, with_nonlinearity
from core.registry import Param
from core.train import fit

POINTS = 256  # toy data set size (full-batch training)
SYM_HIDDEN = 6  # neurons per hidden layer in the symmetry demo (small enough to show every weight)
SYM_LR = 0.5
TRAIN_WIDTH = 32
TRAIN_MAX_INITS = 4
COMPARE_RANGE = (2, 4)  # initializers side by side in the lab's compare view
MOMENTUM = 0.9

MAX_TRAIN_LR = 10.0
SYMMETRY_PARAMS = (Param("sym_steps", 200, 1, 1000, 1),)
TRAIN_PARAMS = (
    Param("train_depth", 6, 1, 20, 1),
    Param("train_steps", 300, 50, 1000, 50),
    Param(
        "train_lr",
        0.05,
        0.0,
        MAX_TRAIN_LR,
        step=0.01,
        log=True,
        low_open=True,
        range_key="initializers.errors.std_positive",
    ),  # fmt: skip
)


def rings(n: int = POINTS, seed: int = 0) -> tuple[Tensor, Tensor]:
    """(n, 2) points on two noisy rings of radius 1 and 2, and (n, 1) float labels 0/1."""
    g = torch.Generator().manual_seed(seed)
    label = (torch.arange(n) % 2).float()  # (n,)
    radius = 1 + label + 0.15 * torch.randn(n, generator=g)
    angle = 2 * math.pi * torch.rand(n, generator=g)
    x = torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], dim=1)  # (n, 2)
    return x, label[:, None]


def mlp(n_in: int, width: int, depth: int, activation: str, act_params: Mapping[str, Any]) -> nn.Sequential:
    """``depth`` hidden layers of `width` units with the activation, then one logit."""
    act = ACTIVATIONS.get(activation)
    layers: list[nn.Module] = []
    for i in range(depth):
        layers += [nn.Linear(n_in if i == 0 else width, width), act.module(**act_params)]
    return nn.Sequential(*layers, nn.Linear(width, 1))


def _initialized(model: nn.Module, init: str, params: Mapping[str, Any], activation: str, gain: bool, seed: int,
                 act_params: Mapping[str, Any]) -> nn.Module:  # fmt: skip
    params = dict(params)
    if gain:
        params = with_nonlinearity(init, params, activation, act_params.get("negative_slope"))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for layer in model.modules():  # torch_default: redraw PyTorch's own init under the seed
            if isinstance(layer, nn.Linear):
                layer.reset_parameters()
        init_module_(model, init, INITIALIZERS.get(init).resolve(params))
    return model


def neuron_spread(weight: Tensor) -> float:
    """Largest difference between two neurons (rows) of a layer, max over inputs: 0 ⇔ all identical."""
    return float((weight.max(0).values - weight.min(0).values).max())


@dataclass(frozen=True)
class SymmetryRun:
    """One init's run: the second hidden layer's weights (H, H) before and after, spreads per step."""

    init: str
    before: np.ndarray
    after: np.ndarray
    spread: np.ndarray  # (steps + 1,) neuron spread of hidden layer 2
    loss: np.ndarray  # (steps,)


def symmetry_demo(
    init: str,
    params: Mapping[str, Any] | None = None,
    activation: str = "tanh",
    act_params: Mapping[str, Any] | None = None,
    steps: int = 200,
    seed: int = 0,
) -> SymmetryRun:
    """Train a 2 → H → H → 1 MLP with full-batch SGD from `init` and watch its neurons."""
    steps = SYMMETRY_PARAMS[0].validate(steps)
    act_params = ACTIVATIONS.get(activation).values(act_params)
    model = _initialized(mlp(2, SYM_HIDDEN, 2, activation, act_params), init, params or {}, activation, False, seed,
                         act_params)  # fmt: skip
    hidden = model[2]  # the second hidden layer: its rows are the neurons we compare
    before = hidden.weight.detach().clone()
    spread = [neuron_spread(before)]
    x, y = rings(seed=seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=SYM_LR)
    history = fit(
        model,
        nn.functional.binary_cross_entropy_with_logits,
        optimizer,
        lambda epoch: [(x, y)],
        epochs=steps,
        on_step=lambda info: spread.append(neuron_spread(hidden.weight.detach())),
    )
    return SymmetryRun(
        init, before.numpy(), hidden.weight.detach().clone().numpy(), np.array(spread), np.array(history.step_loss)
    )


@dataclass(frozen=True)
class TrainCurve:
    """Loss per step of one init; `diverged_at` is the step whose loss was inf/NaN (or None)."""

    init: str
    loss: np.ndarray
    accuracy: float  # on the training set after the last step
    diverged_at: int | None


def check_count(count: int, low: int, high: int) -> None:
    """A UserError unless `count` initializers (chosen for a comparison) lie in [low, high]."""
    if not low <= count <= high:
        raise UserError("initializers.errors.compare_count", f"{count} chosen", low=low, high=high, count=count)


def trainability(
    inits: Sequence[tuple[str, Mapping[str, Any]]],
    activation: str = "relu",
    act_params: Mapping[str, Any] | None = None,
    train_depth: int = 6,
    train_steps: int = 300,
    train_lr: float = 0.05,
    recommended_gain: bool = False,
    seed: int = 0,
) -> list[TrainCurve]:
    """Train the same MLP (depth × 32 units) on the rings from each init; SGD with momentum 0.9.

    Same data and the same seed for every init, so the curves differ only by the init.
    """
    check_count(len(inits), 1, TRAIN_MAX_INITS)
    values = {"train_depth": train_depth, "train_steps": train_steps, "train_lr": train_lr}
    depth, steps, lr = (p.validate(values[p.name]) for p in TRAIN_PARAMS)
    act_params = ACTIVATIONS.get(activation).values(act_params)
    x, y = rings(seed=seed)
    curves = []
    for name, params in inits:
        model = mlp(2, TRAIN_WIDTH, depth, activation, act_params)
        _initialized(model, name, params, activation, recommended_gain, seed + 1, act_params)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=MOMENTUM)
        history = fit(
            model, nn.functional.binary_cross_entropy_with_logits, optimizer, lambda epoch: [(x, y)], epochs=steps
        )
        with torch.no_grad():
            accuracy = float(((model(x) > 0).float() == y).float().mean())
        curves.append(TrainCurve(name, np.array(history.step_loss), accuracy, history.diverged_at))
    return curves
