"""Logistic regression (004): p = σ(w·x + b), trained by batch gradient descent on cross-entropy.

    σ(z) = 1 / (1 + e^{−z}),   L = −1/N Σ [y_n log p_n + (1 − y_n) log(1 − p_n)],
    ∂L/∂w = 1/N Σ (p_n − y_n)·x_n,   ∂L/∂b = 1/N Σ (p_n − y_n).

L is computed from the logit z as softplus(z) − y·z (= BCE-with-logits), which never takes
log 0 however large |z| grows. The decision boundary is where p = ½, i.e. w·x + b = 0: a point
x = −b/w in 1-D, a line in 2-D. θ = (w₁, …, w_D, b); arrays are numpy float64, checked
against ``F.binary_cross_entropy_with_logits``, autograd and ``torch.optim.SGD`` in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from core.linear.data import Points
from core.linear.regression import DIVERGE_LIMIT, check_epochs, check_lr, view_bounds
from core.registry import Param

MAX_LOGISTIC_EPOCHS = 5000
LOGISTIC_LR = Param("logistic_lr", 0.5, 0.01, 5.0, 0.01)
LOGISTIC_EPOCHS = Param("logistic_epochs", 300, 1, MAX_LOGISTIC_EPOCHS, 1)  # typed, like EPOCHS
START_W = Param("start_w", 0.5, -3.0, 3.0, 0.1)  # every weight starts here (w = 0 has no boundary)
START_B = Param("start_b", 0.0, -3.0, 3.0, 0.1)

SIGMOID = r"\sigma(z)=\frac{1}{1+e^{-z}},\qquad p=\sigma(w^\top x+b)"
CROSS_ENTROPY = r"L(w,b)=-\frac1N\sum_{n=1}^{N}\big[y_n\log p_n+(1-y_n)\log(1-p_n)\big]"
GRADIENT = r"\frac{\partial L}{\partial w}=\frac1N\sum_{n}(p_n-y_n)\,x_n,\qquad \frac{\partial L}{\partial b}=\frac1N\sum_{n}(p_n-y_n)"
BOUNDARY = r"p=\tfrac12\iff w^\top x+b=0"


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = exp(−softplus(−z)): never overflows, and keeps full relative precision for z ≪ 0."""
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))


def _design(points: Points) -> np.ndarray:
    """x as (N, D) (a 1-D set's (N,) becomes (N, 1))."""
    return points.x.reshape(points.n, -1)


def logits(points: Points, theta: np.ndarray) -> np.ndarray:
    """z = x·w + b for every point: (N,)."""
    return _design(points) @ theta[:-1] + theta[-1]


def cross_entropy(points: Points, theta: np.ndarray) -> float:
    """Mean binary cross-entropy of p = σ(z) against y, as softplus(z) − y·z."""
    z = logits(points, theta)
    return float(np.mean(np.logaddexp(0.0, z) - points.y * z))


def gradient(points: Points, theta: np.ndarray) -> np.ndarray:
    """∇_θ L = (1/N Σ (p − y)·x, 1/N Σ (p − y)): (D + 1,)."""
    err = sigmoid(logits(points, theta)) - points.y  # (N,)
    return np.r_[_design(points).T @ err / points.n, err.mean()]


def accuracy(points: Points, theta: np.ndarray) -> float:
    """Share of points on the right side of the boundary (p ≥ ½ predicts 1)."""
    return float(np.mean((logits(points, theta) >= 0) == (points.y == 1)))


@dataclass(frozen=True)
class LogisticRun:
    """Batch gradient descent on the cross-entropy; update k takes θ_k to θ_{k+1} = θ_k − η·g_k.

    thetas: (S+1, D+1), grads: (S, D+1), losses and accuracies: (S+1,). diverged_at: the
    update that took a parameter past DIVERGE_LIMIT (the run stops there; that θ is kept when it
    and its loss are finite, else the run ends at the θ before it).
    """

    lr: float
    thetas: np.ndarray
    grads: np.ndarray
    losses: np.ndarray
    accuracies: np.ndarray
    diverged_at: int | None = None

    @property
    def steps(self) -> int:
        return int(self.grads.shape[0])

    @property
    def names(self) -> tuple[str, ...]:
        d = self.thetas.shape[1] - 1
        return ("w", "b") if d == 1 else (*(f"w{chr(0x2081 + i)}" for i in range(d)), "b")


def _evaluate(x: np.ndarray, y: np.ndarray, theta: np.ndarray) -> tuple[float, float, np.ndarray]:
    """(loss, accuracy, gradient) at θ from one pass over the (N, D) inputs."""
    z = x @ theta[:-1] + theta[-1]  # (N,)
    err = sigmoid(z) - y
    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
    acc = float(np.mean((z >= 0) == (y == 1)))
    return loss, acc, np.r_[x.T @ err / len(y), err.mean()]


def train(points: Points, lr: Any, epochs: Any, start: tuple[float, float] = (0.5, 0.0)) -> LogisticRun:
    """`epochs` full-batch steps from every w = start[0], b = start[1]."""
    lr = check_lr(lr)
    epochs = check_epochs(epochs, MAX_LOGISTIC_EPOCHS)
    x, y = _design(points), points.y
    theta = np.r_[np.full(points.dim, float(start[0])), float(start[1])]
    loss, acc, g = _evaluate(x, y, theta)
    thetas, grads, losses, accs = [theta], [], [loss], [acc]
    diverged_at = None
    for k in range(epochs):
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is caught just below
            new = theta - lr * g
            new_loss, new_acc, new_g = _evaluate(x, y, new)
        if not (np.isfinite(new).all() and np.isfinite(new_loss)):
            diverged_at = k
            break
        grads.append(g)
        thetas.append(new)
        losses.append(new_loss)
        accs.append(new_acc)
        theta, g = new, new_g
        if np.abs(theta).max() > DIVERGE_LIMIT:
            diverged_at = k
            break
    d = points.dim + 1
    return LogisticRun(
        lr, np.array(thetas), np.array(grads).reshape(-1, d), np.array(losses), np.array(accs), diverged_at
    )


def boundary_1d(theta: np.ndarray) -> float | None:
    """x where p = ½ (−b/w), or None when w = 0 (p is the same everywhere)."""
    w, b = float(theta[0]), float(theta[1])
    return None if w == 0 else -b / w


def probability_curve(theta: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """p(x) = σ(w·x + b) on a 1-D axis."""
    return sigmoid(theta[0] * np.asarray(xs, dtype=float) + theta[1])


def data_bounds(points: Points, pad: float = 0.5) -> list[tuple[float, float]]:
    """A padded (low, high) per input dimension, for drawing."""
    x = points.x.reshape(points.n, -1)
    return [(float(c.min()) - pad, float(c.max()) + pad) for c in x.T]


def probability_grid(
    theta: np.ndarray, bounds: list[tuple[float, float]], n: int = 60
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x1s, x2s, P) with P[j, i] = σ(w₁·x1s[i] + w₂·x2s[j] + b): the 2-D probability map."""
    x1s, x2s = np.linspace(*bounds[0], n), np.linspace(*bounds[1], n)
    X1, X2 = np.meshgrid(x1s, x2s)
    return x1s, x2s, sigmoid(theta[0] * X1 + theta[1] * X2 + theta[2])


def boundary_2d(theta: np.ndarray, bounds: list[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray] | None:
    """Two points of the line w₁x₁ + w₂x₂ + b = 0 spanning the plot (None when w = 0)."""
    w1, w2, b = (float(v) for v in theta)
    if w1 == 0 and w2 == 0:
        return None
    if abs(w2) >= abs(w1):
        x1 = np.array(bounds[0])
        return x1, -(w1 * x1 + b) / w2
    x2 = np.array(bounds[1])
    return -(w2 * x2 + b) / w1, x2


@dataclass(frozen=True)
class LossSlice:
    """L over a grid of two parameters θ_i (columns) and θ_j (rows), the others held fixed."""

    axes: tuple[int, int]
    us: np.ndarray  # (K,) values of θ_i
    vs: np.ndarray  # (J,) values of θ_j
    losses: np.ndarray  # (J, K)


def loss_slice(points: Points, run: LogisticRun, axes: tuple[int, int], held: np.ndarray, n: int = 61) -> LossSlice:
    """The cross-entropy surface over θ_i, θ_j (a window holding the run's path), the rest = `held`.

    For a 1-D task axes (0, 1) is the whole (w, b) surface; for 2-D, (0, 1) is (w₁, w₂) at b = held's b.
    """
    i, j = axes
    us = np.linspace(*view_bounds(run.thetas[:, i], float(held[i])), n)
    vs = np.linspace(*view_bounds(run.thetas[:, j], float(held[j])), n)
    U, V = np.meshgrid(us, vs)  # (J, K)
    thetas = np.broadcast_to(held, (*U.shape, held.size)).copy()
    thetas[..., i], thetas[..., j] = U, V
    x = _design(points)  # (N, D)
    z = np.einsum("jkd,nd->jkn", thetas[..., :-1], x) + thetas[..., -1:]  # (J, K, N)
    losses = np.mean(np.logaddexp(0.0, z) - points.y * z, axis=-1)
    return LossSlice((i, j), us, vs, losses)
