"""Optimizers racing on a 2-D surface: every path, step by step, with what each optimizer saw.

``race(surface, runs, start, steps)`` moves one point per run from `start` for `steps`
steps. The gradient of all points is computed in one batched call per step; each run's
update is its optimizer's kernel (`core.optim.kernels`, checked against torch.optim) and,
optionally, its learning-rate schedule (a real torch scheduler via `core.schedulers.LRTrack`;
ReduceLROnPlateau is fed the loss after every step).

A run that produces NaN/inf or leaves the plot box (enlarged by `ESCAPE_MARGIN` of its size
on every side) is stopped and reported as ``diverged_at = k`` — never an exception.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.errors import UserError
from core.optim.registry import OPTIMIZERS, OptimizerEntry
from core.schedulers import LRTrack, check_steps
from core.surfaces import Point, Surface

DEFAULT_STEPS = 300
DEFAULT_RACE = ("sgd", "momentum", "adagrad", "adam")  # the course's four (002 §7.4)
MAX_RUNS = 16
ESCAPE_MARGIN = 0.5  # a point further than half the box size outside the box has diverged


@dataclass(frozen=True)
class Run:
    """One contestant: an optimizer with its settings, optionally under a schedule."""

    optimizer: str
    hparams: Mapping[str, Any] = field(default_factory=dict)
    schedule: str | None = None
    schedule_hparams: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""


@dataclass
class Path:
    """What one run did. Arrays are numpy float64; index k of a per-step array is step k+1.

    positions: (S+1, 2) — θ₀ … θ_S (NaN from the step it diverged).
    losses: (S+1,) f(θ_k). distance: (S+1,) to the nearest listed minimum (NaN if none).
    grads: (S, 2) g used in step k+1. velocity: (S, 2) momentum / first moment after the
    step (NaN when the optimizer keeps none). scale: (S, 2) per-coordinate step size.
    lrs: (S,) learning rate of step k+1. diverged_at: first bad step, or None.
    """

    run: Run
    entry: OptimizerEntry
    hparams: dict[str, Any]
    positions: np.ndarray
    losses: np.ndarray
    distance: np.ndarray
    grads: np.ndarray
    velocity: np.ndarray
    scale: np.ndarray
    lrs: np.ndarray
    diverged_at: int | None
    has_velocity: bool

    @property
    def steps(self) -> int:
        return len(self.lrs)

    @property
    def updates(self) -> np.ndarray:
        """(S, 2) θ_{k+1} − θ_k."""
        return np.diff(self.positions, axis=0)

    @property
    def final(self) -> np.ndarray:
        """The last finite position."""
        ok = np.isfinite(self.positions).all(axis=1)
        return self.positions[np.flatnonzero(ok)[-1]]


def suggested_lr(name: str, surface: Surface) -> float:
    """A learning rate that makes `name` move visibly (but mostly stably) on `surface` (its entry's `race_lr`)."""
    return OPTIMIZERS.get(name).race_lr(surface)


def race(surface: Surface, runs: Sequence[Run], start: Point | None = None, steps: int = DEFAULT_STEPS) -> list[Path]:
    """Run every optimizer of `runs` from `start` for `steps` steps on `surface`."""
    steps = check_steps(steps)
    if not runs:
        raise UserError("nothing_selected", "no optimizer selected")
    if len(runs) > MAX_RUNS:
        raise UserError("optimizers.errors.too_many", f"at most {MAX_RUNS} optimizers", n=MAX_RUNS)
    x0, y0 = surface.check_start(start if start is not None else surface.start)
    entries = [OPTIMIZERS.get(r.optimizer) for r in runs]
    hps = [e.resolve(r.hparams) for e, r in zip(entries, runs, strict=True)]
    n = len(runs)
    # coordinate kernels: one per run and axis (every optimizer here acts element-wise)
    kernels = [[e.kernel(hp), e.kernel(hp)] for e, hp in zip(entries, hps, strict=True)]
    tracks = [
        LRTrack(r.schedule, r.schedule_hparams, hp["lr"], steps) if r.schedule else None
        for r, hp in zip(runs, hps, strict=True)
    ]
    xs, ys = [x0] * n, [y0] * n
    pos = np.full((steps + 1, n, 2), np.nan)
    pos[0] = (x0, y0)
    grads = np.full((steps, n, 2), np.nan)
    vel = np.full((steps, n, 2), np.nan)
    scale = np.full((steps, n, 2), np.nan)
    lrs = np.full((steps, n), np.nan)
    base = [hp["lr"] for hp in hps]
    diverged: list[int | None] = [None] * n
    active = list(range(n))
    lo_x, hi_x, lo_y, hi_y = _escape_box(surface)
    row_v, row_s = [[math.nan, math.nan] for _ in range(n)], [[math.nan, math.nan] for _ in range(n)]
    with np.errstate(all="ignore"):
        for k in range(steps):
            gx, gy = surface.gradient(np.asarray(xs), np.asarray(ys))
            gx, gy = np.broadcast_to(gx, (n,)).tolist(), np.broadcast_to(gy, (n,)).tolist()
            lr_k = [tracks[i].lr if tracks[i] is not None else base[i] for i in range(n)]
            for i in active:
                kx, ky = kernels[i]
                try:
                    xs[i], vx, sx = kx.step(xs[i], gx[i], lr_k[i])
                    ys[i], vy, sy = ky.step(ys[i], gy[i], lr_k[i])
                except (ZeroDivisionError, OverflowError, ValueError):
                    xs[i] = ys[i] = math.nan
                    vx = vy = sx = sy = math.nan
                row_s[i][0], row_s[i][1] = sx, sy
                if vx is not None:
                    row_v[i][0], row_v[i][1] = vx, vy
            grads[k, :, 0], grads[k, :, 1] = gx, gy
            vel[k], scale[k], lrs[k] = row_v, row_s, lr_k
            pos[k + 1, :, 0], pos[k + 1, :, 1] = xs, ys
            for i in list(active):
                x, y = xs[i], ys[i]
                if not (lo_x <= x <= hi_x and lo_y <= y <= hi_y):  # also false for NaN
                    diverged[i] = k + 1
                    active.remove(i)
            if not active:
                break
            _step_schedules(tracks, active, surface, xs, ys)
    return _paths(surface, runs, entries, hps, pos, grads, vel, scale, lrs, diverged)


def _escape_box(surface: Surface) -> tuple[float, float, float, float]:
    """(x_lo, x_hi, y_lo, y_hi): the surface's bounds widened by `ESCAPE_MARGIN`; outside, a run has escaped."""
    (bx0, bx1), (by0, by1) = surface.bounds
    mx, my = ESCAPE_MARGIN * (bx1 - bx0), ESCAPE_MARGIN * (by1 - by0)
    return bx0 - mx, bx1 + mx, by0 - my, by1 + my


def _step_schedules(tracks: list, active: list[int], surface: Surface, xs: list[float], ys: list[float]) -> None:
    """Advance the running optimizers' learning-rate schedules (plateau schedules read the loss)."""
    if not any(tracks[i] is not None for i in active):
        return
    loss = None
    if any(tracks[i] is not None and tracks[i].needs_metric for i in active):
        loss = np.broadcast_to(surface.value(np.asarray(xs), np.asarray(ys)), (len(xs),)).tolist()
    for i in active:
        if tracks[i] is not None:
            tracks[i].step(loss[i] if tracks[i].needs_metric else None)


def _paths(surface, runs, entries, hps, pos, grads, vel, scale, lrs, diverged) -> list[Path]:
    """One `Path` per run from the race's arrays (step × run × axis), blanked after an escape."""
    n = len(runs)
    for i, k in enumerate(diverged):
        if k is not None:
            pos[k:, i] = np.nan
            grads[k:, i] = vel[k:, i] = scale[k:, i] = np.nan
            lrs[k:, i] = np.nan
    with np.errstate(all="ignore"):
        losses = np.asarray(surface.value(pos[..., 0], pos[..., 1]), dtype=float) * np.ones(pos.shape[:2])
    distance = surface.distance_to_minimum(pos)
    return [
        Path(
            run=runs[i],
            entry=entries[i],
            hparams=hps[i],
            positions=pos[:, i].copy(),
            losses=losses[:, i].copy(),
            distance=distance[:, i].copy(),
            grads=grads[:, i].copy(),
            velocity=vel[:, i].copy(),
            scale=scale[:, i].copy(),
            lrs=lrs[:, i].copy(),
            diverged_at=diverged[i],
            has_velocity=bool(np.isfinite(vel[:, i]).any()),
        )
        for i in range(n)
    ]


def sample_steps(steps: int, most: int) -> np.ndarray:
    """At most `most` step indices from 0 to `steps`, evenly spread, both ends included."""
    if steps + 1 <= most:
        return np.arange(steps + 1)
    return np.unique(np.linspace(0, steps, most).round().astype(int))


def gap(path: Path, surface: Surface) -> tuple[np.ndarray, bool]:
    """(values, log_scale) for a loss-vs-step chart: f − f* when f* is known (log axis), else f."""
    f_star = surface.f_min
    if f_star is None:
        return path.losses, False
    return np.maximum(path.losses - f_star, np.finfo(float).tiny), True


def inspect(paths: Sequence[Path], k: int) -> list[dict[str, Any]]:
    """What each optimizer saw and did in step k (1-based): one row per path.

    Keys: position (θ_{k−1}), grad, velocity, scale, update (θ_k − θ_{k−1}), lr, loss (f(θ_k)),
    and diverged (True when the run had already stopped before step k).
    """
    rows = []
    for path in paths:
        if not 1 <= k <= path.steps:
            raise UserError("optimizers.errors.inspect_step", f"step {k} is outside 1..{path.steps}", n=path.steps)
        i = k - 1
        stopped = path.diverged_at is not None and k >= path.diverged_at
        rows.append(
            {
                "position": path.positions[i],
                "grad": path.grads[i],
                "velocity": path.velocity[i] if path.has_velocity else None,
                "scale": path.scale[i],
                "update": path.positions[k] - path.positions[i],
                "lr": float(path.lrs[i]),
                "loss": float(path.losses[k]),
                "diverged": stopped,
            }
        )
    return rows
