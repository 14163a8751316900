"""Linear regression the course's way: try every w (穷举法), then gradient descent on the MSE.

Model ``ŷ = w·x`` (002, one parameter) or ``ŷ = w·x + b`` (two). The loss is the mean squared
error over the N points,

    L(w, b) = 1/N Σ (w·x_n + b − y_n)²,
    ∂L/∂w = 1/N Σ 2·x_n·(w·x_n + b − y_n),   ∂L/∂b = 1/N Σ 2·(w·x_n + b − y_n).

L is a quadratic with Hessian H = 2·[[E x², E x], [E x, 1]] (just 2·E x² for ``ŷ = w·x``), so
batch gradient descent θ ← θ − η∇L converges exactly when η < 2/λ_max(H), overshoots (zig-zags
across the valley) when η > 1/λ_max, and diverges above 2/λ_max. Stochastic and mini-batch
descent use the gradient of one sample / B samples per update (003).

Arrays are numpy float64; the tests check every gradient and step against torch autograd and
``torch.optim.SGD``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.errors import UserError
from core.linear.data import Points
from core.registry import Entry, Param, Registry

GRID_LIMIT = 1e4  # |w|, |b| of a search grid
MAX_CURVE_POINTS = 20_001  # w values tried by the 1-D search
MAX_AXIS_POINTS = 401  # values per axis of the 2-D search
MAX_EPOCHS = 5000
MAX_UPDATES = 50_000  # epochs × updates per epoch of one run
DIVERGE_LIMIT = 1e6  # a run whose |w| or |b| passes this has diverged: it is stopped there
TOL = 1e-3  # converged: within this distance of the least-squares solution

# A search grid's ends and step are typed (grid_axis gives the message); the bounds refuse a link's value.
W_MIN = Param("w_min", 0.0, -GRID_LIMIT, GRID_LIMIT, typed=True)
W_MAX = Param("w_max", 4.0, -GRID_LIMIT, GRID_LIMIT, typed=True)
W_STEP = Param("w_step", 0.1, 0.0, 2 * GRID_LIMIT, low_open=True, typed=True)
B_MIN = Param("b_min", -2.0, -GRID_LIMIT, GRID_LIMIT, typed=True)
B_MAX = Param("b_max", 4.0, -GRID_LIMIT, GRID_LIMIT, typed=True)
B_STEP = Param("b_step", 0.1, 0.0, 2 * GRID_LIMIT, low_open=True, typed=True)
TRY_W = Param("try_w", 1.0, 0.0, 4.0, 0.1)  # the course's table of one w's predictions and errors
LR = Param("lr", 0.01, 0.001, 0.3, 0.001)  # a slider spanning slow, good, zig-zag and divergent rates
LR_TYPED = Param("lr_typed", 0.01, log=True)  # typed (any value reaches check_lr: 0 gets a message)
TYPE_LR = Param("type_lr", False)
EPOCHS = Param("epochs", 100, 1, MAX_EPOCHS, 1)  # typed (wide range): check_epochs gives the message
W0 = Param("w0", 1.0, -5.0, 5.0, 0.1)  # the course starts at w = 1.0
B0 = Param("b0", 0.0, -5.0, 5.0, 0.1)
SGD_EPOCHS = Param("sgd_epochs", 20, 1, 500, 1)
SGD_LR = Param("sgd_lr", 0.02, 0.001, 0.2, 0.001)
SHUFFLE = Param("shuffle", True)


@dataclass(frozen=True)
class Model(Entry):
    """``ŷ = w·x`` or ``ŷ = w·x + b``: its parameter names and the gradient formula."""

    names: tuple[str, ...] = ("w",)
    grad_formula: str = ""

    @property
    def size(self) -> int:
        return len(self.names)


MODELS: Registry[Model] = Registry(
    "linear.models",
    [
        Model(
            "w",
            formula=r"\hat y=w\,x,\qquad L(w)=\frac1N\sum_{n=1}^{N}(w\,x_n-y_n)^2",
            names=("w",),
            grad_formula=r"\frac{\partial L}{\partial w}=\frac1N\sum_{n=1}^{N}2\,x_n\,(w\,x_n-y_n)",
        ),
        Model(
            "wb",
            formula=r"\hat y=w\,x+b,\qquad L(w,b)=\frac1N\sum_{n=1}^{N}(w\,x_n+b-y_n)^2",
            names=("w", "b"),
            grad_formula=(
                r"\frac{\partial L}{\partial w}=\frac1N\sum_{n}2\,x_n\,(w\,x_n+b-y_n),\quad"
                r"\frac{\partial L}{\partial b}=\frac1N\sum_{n}2\,(w\,x_n+b-y_n)"
            ),
        ),
    ],
)


@dataclass(frozen=True)
class Mode(Entry):
    """How many samples one update's gradient averages: all, one, or a mini-batch of B."""


BATCH_SIZE = Param("batch_size", 4, 1, 200, 1)

MODES: Registry[Mode] = Registry(
    "linear.modes",
    [
        Mode("batch", formula=r"\theta\leftarrow\theta-\eta\,\frac1N\sum_{n=1}^{N}\nabla_\theta\,(\hat y_n-y_n)^2"),
        Mode("stochastic", formula=r"\theta\leftarrow\theta-\eta\,\nabla_\theta\,(\hat y_n-y_n)^2,\quad n=1,\dots,N"),
        Mode(
            "minibatch",
            (BATCH_SIZE,),
            r"\theta\leftarrow\theta-\eta\,\frac1B\sum_{n\in\mathcal B}\nabla_\theta\,(\hat y_n-y_n)^2,\quad|\mathcal B|=B",
        ),
    ],
)


# ----------------------------------------------------------------------------- the loss


def mse(points: Points, w: float, b: float = 0.0) -> float:
    """L(w, b) computed directly: mean of (w·x + b − y)²."""
    return float(np.mean((w * points.x + b - points.y) ** 2))


def gradient(points: Points, w: float, b: float = 0.0, index: np.ndarray | None = None) -> tuple[float, float]:
    """(∂L/∂w, ∂L/∂b) of the MSE over the samples `index` (all by default)."""
    x, y = (points.x, points.y) if index is None else (points.x[index], points.y[index])
    r = w * x + b - y  # (B,) residuals
    return float(np.mean(2 * x * r)), float(np.mean(2 * r))


def mse_grid(points: Points, ws: np.ndarray, bs: np.ndarray) -> np.ndarray:
    """L over a grid: (len(bs), len(ws)), row j is b = bs[j].

    Expanded as w²·E x² + 2wb·E x + b² − 2w·E xy − 2b·E y + E y², so the cost is O(grid), not
    O(grid·N) (the tests compare it with the direct mean).
    """
    x, y = points.x, points.y
    sxx, sx, sxy, sy, syy = (float(np.mean(v)) for v in (x * x, x, x * y, y, y * y))
    W, B = np.meshgrid(ws, bs)  # (J, K)
    return W * W * sxx + 2 * W * B * sx + B * B - 2 * W * sxy - 2 * B * sy + syy


def least_squares(points: Points, model: str) -> np.ndarray:
    """The exact minimiser θ* of the MSE: (w*,) = Σxy/Σx², or (w*, b*) by least squares."""
    entry = MODELS.get(model)
    x, y = points.x, points.y
    if entry.size == 1:
        sxx = float(np.sum(x * x))
        if sxx == 0:
            raise UserError("linear.errors.degenerate", "all x are 0: w is not determined")
        return np.array([float(np.sum(x * y)) / sxx])
    design = np.stack([x, np.ones_like(x)], axis=1)  # (N, 2)
    if np.ptp(x) == 0:
        raise UserError("linear.errors.degenerate", "all x are equal: w and b are not determined")
    theta, *_ = np.linalg.lstsq(design, y, rcond=None)
    return theta


def hessian(points: Points, model: str) -> np.ndarray:
    """∇²L: [[2·E x²]] or 2·[[E x², E x], [E x, 1]] (constant: L is quadratic)."""
    x = points.x
    h = 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    return h[:1, :1] if MODELS.get(model).size == 1 else h


def critical_lr(points: Points, model: str) -> float:
    """2/λ_max(H): batch gradient descent converges for η below it and diverges above."""
    return 2.0 / float(np.linalg.eigvalsh(hessian(points, model)).max())


# ----------------------------------------------------------------------------- exhaustive search


def grid_axis(name: str, low: Any, high: Any, step: Any, max_points: int) -> np.ndarray:
    """low, low + step, …, ≤ high (like the course's ``np.arange(0.0, 4.1, 0.1)``), validated."""
    try:
        low, high, step = float(low), float(high), float(step)
    except (TypeError, ValueError):
        raise UserError(
            "linear.errors.grid_range", f"{name} range must be numbers", name=name, low=low, high=high, limit=GRID_LIMIT
        ) from None
    if not (math.isfinite(low) and math.isfinite(high)) or low >= high or max(abs(low), abs(high)) > GRID_LIMIT:
        raise UserError(
            "linear.errors.grid_range",
            f"{name} range needs finite min < max within ±{GRID_LIMIT:g}, got [{low}, {high}]",
            name=name,
            low=low,
            high=high,
            limit=GRID_LIMIT,
        )
    if not (math.isfinite(step) and step > 0):
        raise UserError("linear.errors.grid_step", f"{name} step must be > 0, got {step}", name=name, value=step)
    count = math.floor((high - low) / step + 1e-9) + 1
    if count > max_points:
        raise UserError(
            "linear.errors.grid_points",
            f"{name}: {count} values to try, at most {max_points}",
            name=name,
            count=count,
            max=max_points,
        )
    return low + step * np.arange(count)


@dataclass(frozen=True)
class SearchCurve:
    """MSE of ``ŷ = w·x`` for every w tried; `best` indexes the smallest."""

    ws: np.ndarray  # (K,)
    losses: np.ndarray  # (K,)
    best: int
    exact_w: float  # Σxy / Σx², the true minimiser (the grid's best is within step/2 of it)

    @property
    def best_w(self) -> float:
        return float(self.ws[self.best])

    @property
    def best_loss(self) -> float:
        return float(self.losses[self.best])


def search_w(points: Points, w_min: Any, w_max: Any, w_step: Any) -> SearchCurve:
    """穷举法 for ``ŷ = w·x``: L(w) for w = w_min, w_min + step, …, ≤ w_max."""
    ws = grid_axis("w", w_min, w_max, w_step, MAX_CURVE_POINTS)
    losses = mse_grid(points, ws, np.zeros(1))[0]
    return SearchCurve(ws, losses, int(np.argmin(losses)), float(least_squares(points, "w")[0]))


@dataclass(frozen=True)
class SearchSurface:
    """MSE of ``ŷ = w·x + b`` on a (b, w) grid; `best` is (row j, column k) of the smallest."""

    ws: np.ndarray  # (K,)
    bs: np.ndarray  # (J,)
    losses: np.ndarray  # (J, K)
    best: tuple[int, int]
    exact: tuple[float, float]  # least-squares (w*, b*)

    @property
    def best_w(self) -> float:
        return float(self.ws[self.best[1]])

    @property
    def best_b(self) -> float:
        return float(self.bs[self.best[0]])

    @property
    def best_loss(self) -> float:
        return float(self.losses[self.best])


def search_wb(points: Points, w_range: tuple[Any, Any, Any], b_range: tuple[Any, Any, Any]) -> SearchSurface:
    """穷举法 for ``ŷ = w·x + b``: L on every (w, b) of two grids given as (min, max, step)."""
    ws = grid_axis("w", *w_range, MAX_AXIS_POINTS)
    bs = grid_axis("b", *b_range, MAX_AXIS_POINTS)
    losses = mse_grid(points, ws, bs)
    j, k = np.unravel_index(int(np.argmin(losses)), losses.shape)
    w_star, b_star = least_squares(points, "wb")
    return SearchSurface(ws, bs, losses, (int(j), int(k)), (float(w_star), float(b_star)))


def residuals(points: Points, w: float, b: float = 0.0) -> dict[str, np.ndarray]:
    """The course's printout for one w: x, y, ŷ = w·x + b and (ŷ − y)² per sample."""
    y_hat = w * points.x + b
    return {"x": points.x, "y": points.y, "y_hat": y_hat, "sq_err": (y_hat - points.y) ** 2}


# ----------------------------------------------------------------------------- gradient descent


def check_lr(lr: Any) -> float:
    """A learning rate as a float > 0 (huge values are allowed: they diverge, and that is shown)."""
    try:
        value = float(lr)
    except (TypeError, ValueError):
        raise UserError("linear.errors.lr_positive", f"lr={lr!r} is not a number", value=lr) from None
    if math.isnan(value) or value <= 0:
        raise UserError("linear.errors.lr_positive", f"lr must be > 0, got {lr}", value=lr)
    if not math.isfinite(value):
        raise UserError("param_not_finite", f"lr={lr!r} is not finite", name="lr", value=lr)
    return value


def check_epochs(epochs: Any, cap: int = MAX_EPOCHS) -> int:
    """A whole number of epochs in [1, cap], or UserError("linear.errors.epochs_range")."""
    try:
        number = float(epochs)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or number != int(number) or not 1 <= number <= cap:
        raise UserError("linear.errors.epochs_range", f"epochs={epochs!r} must be in [1, {cap}]", value=epochs, cap=cap)
    return int(number)


@dataclass(frozen=True)
class Descent:
    """One gradient-descent run. Update k takes θ_k to θ_{k+1} = θ_k − η·g_k.

    thetas: (S+1, P) θ_0 … θ_S, P = 1 (w) or 2 (w, b). grads: (S, P) g_k, the gradient on
    update k's batch. batch_losses: (S,) that batch's loss at θ_k. losses: (S+1,) the MSE
    over all points at θ_k. diverged_at: the update that took |θ| past DIVERGE_LIMIT (θ_{k+1}
    is kept when it and its loss are finite) or overflowed (then it is not kept); the run stops there.
    """

    model: str
    mode: str
    lr: float
    thetas: np.ndarray
    grads: np.ndarray
    batch_losses: np.ndarray
    losses: np.ndarray
    updates_per_epoch: int
    planned: int  # epochs × updates_per_epoch
    diverged_at: int | None = None

    @property
    def steps(self) -> int:
        """Updates made (S)."""
        return int(self.grads.shape[0])

    @property
    def names(self) -> tuple[str, ...]:
        return MODELS.get(self.model).names

    def epoch_losses(self) -> np.ndarray:
        """The full-data MSE after each epoch (index 0: before training)."""
        return self.losses[:: self.updates_per_epoch]


def _plan(n: int, mode: str, batch_size: Any, epochs: int) -> tuple[int, int, int]:
    """(samples per update, updates per epoch, updates in all) of a run over n points; too many is refused."""
    if mode == "batch":
        size = n
    elif mode == "stochastic":
        size = 1
    else:
        size = int(MODES.get("minibatch").resolve({"batch_size": batch_size})["batch_size"])
        size = min(size, n)
    per_epoch = math.ceil(n / size)
    planned = epochs * per_epoch
    if planned > MAX_UPDATES:
        raise UserError(
            "linear.errors.too_many_updates",
            f"{epochs} epochs × {per_epoch} updates = {planned} > {MAX_UPDATES}",
            epochs=epochs,
            per_epoch=per_epoch,
            total=planned,
            max=MAX_UPDATES,
        )
    return size, per_epoch, planned


def descend(
    points: Points,
    model: str,
    lr: Any,
    epochs: Any,
    *,
    mode: str = "batch",
    batch_size: Any = None,
    start: tuple[float, float] = (W0.default, B0.default),
    seed: int = 0,
    shuffle: bool = True,
    max_epochs: int = MAX_EPOCHS,
) -> Descent:
    """Gradient descent on the MSE from `start`, `epochs` passes over the data.

    batch: one update per epoch with the mean gradient over all N points (003 §2).
    stochastic: N updates per epoch, one sample each (003 §3). minibatch: ⌈N/B⌉ updates of B
    samples. With `shuffle` the samples are visited in a new seeded order every epoch
    (``torch.randperm``-style), else in their stored order as in the course's loop.
    """
    entry = MODELS.get(model)
    MODES.get(mode)
    lr = check_lr(lr)
    epochs = check_epochs(epochs, max_epochs)
    n = points.n
    size, per_epoch, planned = _plan(n, mode, batch_size, epochs)
    p = entry.size
    rng = np.random.default_rng(seed % 2**32)
    w, b = float(start[0]), (float(start[1]) if p == 2 else 0.0)  # ŷ = w·x has no offset
    thetas, grads, batch_losses = [(w, b)], [], []
    diverged_at = None
    # Plain floats and one dot product per gradient: a run is thousands of tiny updates, where
    # numpy's per-call overhead, not arithmetic, is the cost.
    for _ in range(epochs):
        order = rng.permutation(n) if shuffle and size < n else None
        for start_i in range(0, n, size):
            index = slice(start_i, start_i + size) if order is None else order[start_i : start_i + size]
            x, y = points.x[index], points.y[index]
            r = w * x + b - y  # (B,) residuals
            gw, gb = 2.0 * float(x @ r) / len(r), (2.0 * float(r.sum()) / len(r) if p == 2 else 0.0)
            with np.errstate(over="ignore", invalid="ignore"):  # an overflow is caught just below
                new_w, new_b = w - lr * gw, b - lr * gb
                far = not abs(new_w) <= DIVERGE_LIMIT or not abs(new_b) <= DIVERGE_LIMIT
                new_loss = float(np.mean((new_w * points.x + new_b - points.y) ** 2)) if far else 0.0
            if not (math.isfinite(new_w) and math.isfinite(new_b) and math.isfinite(new_loss)):
                diverged_at = len(grads)
                break
            grads.append((gw, gb))
            batch_losses.append(float(r @ r) / len(r))
            w, b = new_w, new_b
            thetas.append((w, b))
            if far:
                diverged_at = len(grads) - 1
                break
        if diverged_at is not None:
            break
    path = np.array(thetas)  # (S+1, 2)
    losses = np.mean((path[:, :1] * points.x[None, :] + path[:, 1:] - points.y[None, :]) ** 2, axis=1)
    thetas = path[:, :p]
    return Descent(
        model,
        mode,
        lr,
        thetas,
        np.array(grads).reshape(-1, 2)[:, :p],
        np.array(batch_losses),
        losses,
        per_epoch,
        planned,
        diverged_at,
    )


@dataclass(frozen=True)
class Verdict:
    """What a batch run did: "converged", "oscillating" (converged zig-zagging), "slow" or "diverged"."""

    kind: str
    critical_lr: float  # 2/λ_max
    overshoot_lr: float  # 1/λ_max: above it every step jumps past the valley floor
    factor: float  # |1 − η·λ_max|: how the error along the steepest direction scales per step
    converged_at: int | None  # first step from which θ stays within TOL of θ*
    distance: float  # |θ_S − θ*| at the end
    optimum: np.ndarray


def verdict(run: Descent, points: Points) -> Verdict:
    """Classify a batch run with the quadratic's theory (exact for batch GD) and the run's distances."""
    optimum = least_squares(points, run.model)
    lam = float(np.linalg.eigvalsh(hessian(points, run.model)).max())
    dist = np.linalg.norm(run.thetas - optimum, axis=1)  # (S+1,)
    factor = abs(1 - run.lr * lam)
    far = np.nonzero(dist > TOL)[0]
    converged_at = None if far.size and far[-1] == len(dist) - 1 else (int(far[-1]) + 1 if far.size else 0)
    if run.diverged_at is not None or run.lr >= 2 / lam:
        kind = "diverged"
    elif converged_at is not None:
        kind = "oscillating" if run.lr > 1 / lam else "converged"
    else:
        kind = "slow"
    return Verdict(kind, 2 / lam, 1 / lam, factor, converged_at, float(dist[-1]), optimum)


def fmt(value: float) -> str:
    """A number for an update line: 3 decimals, scientific when huge or tiny, a real minus sign."""
    if value == 0:
        text = "0.000"
    elif 1e-3 <= abs(value) < 1e5:
        text = f"{value:.3f}"
    else:
        text = f"{value:.3e}"
    return text.replace("-", "−")


def fmt_lr(lr: float) -> str:
    """A learning rate as typed: 0.01, 0.5, 1e9 (no "+09")."""
    return re.sub(r"e\+?(-?)0*(\d)", r"e\1\2", f"{lr:g}").replace("-", "−")


def _operand(value: float) -> str:
    text = fmt(value)
    return f"({text})" if value < 0 else text


def update_lines(run: Descent, k: int) -> list[str]:
    """Update k written with its numbers, one line per parameter: ``w ← 1.000 − 0.01 × (−9.333) = 1.093``."""
    if not 0 <= k < run.steps:
        raise UserError("linear.errors.step_range", f"step {k} outside 0..{run.steps - 1}", value=k, last=run.steps - 1)
    lr = fmt_lr(run.lr)
    lines = []
    for i, name in enumerate(run.names):
        before, g, after = run.thetas[k, i], run.grads[k, i], run.thetas[k + 1, i]
        lines.append(f"{name} ← {fmt(before)} − {lr} × {_operand(g)} = {fmt(after)}")
    return lines


def tangent(run: Descent, points: Points, k: int) -> tuple[float, float, float]:
    """(w_k, L(w_k, b_k), ∂L/∂w at θ_k over all points): the tangent of the slice b = b_k at w_k."""
    w = float(run.thetas[k, 0])
    b = float(run.thetas[k, 1]) if run.thetas.shape[1] == 2 else 0.0
    return w, mse(points, w, b), gradient(points, w, b)[0]


def view_bounds(values: np.ndarray, center: float, pad: float = 0.25, least: float = 1.0) -> tuple[float, float]:
    """An axis range holding `center` and the finite `values` within ±DIVERGE_LIMIT, padded by `pad`."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (np.abs(v) <= DIVERGE_LIMIT)]
    lo, hi = min(float(v.min(initial=center)), center), max(float(v.max(initial=center)), center)
    half = max((hi - lo) / 2 * (1 + pad), least / 2)
    mid = (lo + hi) / 2
    return mid - half, mid + half


def around(values: np.ndarray, center: float, pad: float = 1.3, least: float = 0.5) -> tuple[float, float]:
    """center ± pad·(the largest |value − center| of the finite values within ±DIVERGE_LIMIT), at least ±least."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (np.abs(v) <= DIVERGE_LIMIT)]
    half = max(pad * float(np.abs(v - center).max(initial=0.0)), least)
    return center - half, center + half


def loss_slice(points: Points, b: float, bounds: tuple[float, float], n: int = 201) -> tuple[np.ndarray, np.ndarray]:
    """(ws, L(w, b)) over `bounds`: the MSE curve of ``ŷ = w·x + b`` at a fixed b."""
    ws = np.linspace(*bounds, n)
    return ws, mse_grid(points, ws, np.array([b]))[0]


def surface_around(points: Points, thetas: np.ndarray, optimum: np.ndarray, n: int = 81) -> SearchSurface:
    """The (w, b) surface on a window holding every (w, b) in `thetas` (K, 2) and θ*."""
    w_bounds = around(thetas[:, 0], float(optimum[0]))
    b_bounds = around(thetas[:, 1], float(optimum[1]))
    ws, bs = np.linspace(*w_bounds, n), np.linspace(*b_bounds, n)
    losses = mse_grid(points, ws, bs)
    j, k = np.unravel_index(int(np.argmin(losses)), losses.shape)
    return SearchSurface(ws, bs, losses, (int(j), int(k)), (float(optimum[0]), float(optimum[1])))


@dataclass(frozen=True)
class StepView:
    """What the gradient-descent section draws at step k: the slice b = b_k around θ*, its tangent, θ_k and θ_{k+1}."""

    ws: np.ndarray  # (201,) w along the slice
    losses: np.ndarray  # (201,) L(w, b_k)
    tangent: tuple[float, float, float]  # (w_k, L(θ_k), ∂L/∂w at θ_k)
    b_k: float
    lines: tuple[tuple[float, float], tuple[float, float]]  # (w, b) of θ_k and θ_{k+1} (b = 0 for ŷ = w·x)


def step_view(run: Descent, points: Points, k: int, optimum: np.ndarray) -> StepView:
    """The slice, tangent and the two lines of step k → k + 1 (0 ≤ k < run.steps)."""
    with_b = run.thetas.shape[1] == 2
    b_k = float(run.thetas[k, 1]) if with_b else 0.0
    b_next = float(run.thetas[k + 1, 1]) if with_b else 0.0
    ws, losses = loss_slice(points, b_k, around(run.thetas[: k + 2, 0], float(optimum[0])))
    lines = ((float(run.thetas[k, 0]), b_k), (float(run.thetas[k + 1, 0]), b_next))
    return StepView(ws, losses, tangent(run, points, k), b_k, lines)


def check_modes(modes: Sequence[str]) -> tuple[str, ...]:
    """The descent modes to race, at least one."""
    if not modes:
        raise UserError("nothing_selected", "no descent mode selected")
    return tuple(modes)


SEARCH_LATEX = r"w^\ast=\arg\min_{w\in\{w_0,\,w_0+\Delta,\,\dots\}}L(w)"  # exhaustive search over a grid


def rule_latex(model: str) -> str:
    """The gradient-descent update of `model`'s parameters."""
    rule = r"w\leftarrow w-\eta\,\frac{\partial L}{\partial w}"
    return rule + (r",\qquad b\leftarrow b-\eta\,\frac{\partial L}{\partial b}" if model == "wb" else "")


def regimes_latex(model: str) -> str:
    """The stable learning rates of `model`: η < 2 / λ_max of the loss's Hessian."""
    hessian = r"2\,\overline{x^2}" if model == "w" else r"2\begin{pmatrix}\overline{x^2}&\bar x\\ \bar x&1\end{pmatrix}"
    return r"\eta<\frac{2}{\lambda_{\max}(H)},\qquad H=\nabla^2L=" + hessian
