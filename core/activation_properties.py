"""Properties of an activation computed from the function itself (not typed in a table).

- output range: min and max of f on a wide grid; ±∞ where f keeps growing far out;
- zero-centred: for standard-normal input, |E[f(x)]| ≤ 0.1 · std[f(x)] (Gaussian quadrature);
- monotonic: f never decreases on the grid;
- saturating: which sides have |f′| → 0 far out (a saturated unit passes back ~no gradient);
- max |f′|: the largest slope by autograd (bounds how much a layer can scale a gradient);
- relative cost: forward + backward time relative to ReLU (timed, cached per process).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import torch

from core.activations import ACTIVATIONS, Activation, autograd_derivative
from core.threads import single_thread

GRID = (-20.0, 20.0, 8001)  # where range, monotonicity and max |f'| are measured
NEAR, FAR = 1e3, 1e4  # f still changing between these → unbounded on that side
GROWTH = 1.0
SATURATED = 1e-3  # |f'(±FAR)| below this → saturating on that side
ZERO_CENTRED = 0.1  # |mean| ≤ this · std for N(0, 1) input
COST_SIZE = 2**18  # elements timed for the page (large enough that arithmetic, not call overhead, dominates)
COST_REPEATS = 5


@dataclass(frozen=True)
class Properties:
    name: str
    low: float  # -inf when unbounded below
    high: float  # +inf when unbounded above
    mean: float  # E[f(x)], x ~ N(0, 1)
    std: float
    zero_centred: bool
    monotonic: bool
    saturating: str  # "both", "left", "right" or "none"
    max_grad: float  # math.inf for the step (its derivative at 0 is a Dirac delta)


def properties(entry: Activation, params: dict | None = None) -> Properties:
    """Measure `entry` (RReLU in evaluation mode: training mode is random)."""
    values = entry.values(params)
    if "training" in values:
        values["training"] = False
    x, weights = _grid()
    y, dy = autograd_derivative(entry, x, **values)
    curve = lambda t: autograd_derivative(entry, t, **values)[0]  # noqa: E731
    far = torch.tensor([-FAR, -NEAR, NEAR, FAR], dtype=torch.float64)
    y_far, dy_far = autograd_derivative(entry, far, **values)
    low = -math.inf if float(y_far[1] - y_far[0]) > GROWTH else min(_refine(curve, x, y, min), float(y_far.min()))
    high = math.inf if float(y_far[3] - y_far[2]) > GROWTH else max(_refine(curve, x, y, max), float(y_far.max()))
    # E[f] and std[f] for x ~ N(0, 1) by quadrature on the grid (deterministic)
    mean = float((weights * y).sum())
    std = math.sqrt(max(float((weights * (y - mean) ** 2).sum()), 0.0))
    left, right = abs(float(dy_far[0])) < SATURATED, abs(float(dy_far[3])) < SATURATED
    saturating = {(True, True): "both", (True, False): "left", (False, True): "right"}.get((left, right), "none")
    slope = lambda t: autograd_derivative(entry, t, **values)[1].abs()  # noqa: E731
    max_grad = math.inf if entry.name == "step" else _refine(slope, x, dy.abs(), max)
    return Properties(
        name=entry.name,
        low=low,
        high=high,
        mean=mean,
        std=std,
        zero_centred=abs(mean) <= ZERO_CENTRED * std if std > 0 else abs(mean) < 1e-12,
        monotonic=bool((y[1:] - y[:-1] >= -1e-12).all()),
        saturating=saturating,
        max_grad=max_grad,
    )


@cache
def _grid() -> tuple[torch.Tensor, torch.Tensor]:
    """The measuring grid and its N(0, 1) quadrature weights (the same for every activation)."""
    x = torch.linspace(*GRID[:2], GRID[2], dtype=torch.float64)
    weights = torch.exp(-0.5 * x * x)
    return x, weights / weights.sum()


def _refine(g, x: torch.Tensor, y: torch.Tensor, pick) -> float:
    """min or max of g: the best grid point, refined on a fine grid around it (e.g. GELU's dip)."""
    i = int(torch.argmin(y)) if pick is min else int(torch.argmax(y))
    fine = torch.linspace(float(x[max(i - 1, 0)]), float(x[min(i + 1, len(x) - 1)]), 2001, dtype=torch.float64)
    near = g(fine)
    return pick(float(y[i]), float(near.min() if pick is min else near.max()))  # a tensor reduction, not a Python loop


def time_forward_backward(entry: Activation, size: int = COST_SIZE, repeats: int = COST_REPEATS) -> float:
    """Best-of-`repeats` seconds for f(x).sum().backward() on `size` float32 numbers (CPU)."""
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(size, generator=generator).requires_grad_(True)
    best = math.inf
    for _ in range(repeats + 1):  # the first run warms up kernels and the allocator
        x.grad = None
        start = time.perf_counter()
        entry.fn(x).sum().backward()
        best = min(best, time.perf_counter() - start)
    return best


@cache
def relative_costs(names: tuple[str, ...] | None = None, size: int = COST_SIZE, repeats: int = COST_REPEATS) -> dict:
    """{name: time / time(relu)} for forward + backward; cached because timing is not free."""
    names = names or tuple(ACTIVATIONS.names())
    # One intra-op thread: on a small tensor a multi-threaded kernel measures thread wake-ups
    # (and other processes' load), not the function; per-element cost is what we compare.
    with single_thread():
        times = {n: time_forward_backward(ACTIVATIONS.get(n), size, repeats) for n in ("relu", *names)}
    return {n: times[n] / times["relu"] for n in names}


def table(names: Iterable[str] | None = None) -> list[Properties]:
    """Properties of the named activations with default parameters."""
    with single_thread():
        return [properties(ACTIVATIONS.get(n)) for n in (names or ACTIVATIONS.names())]
