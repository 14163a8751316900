"""What a learner may change in a run that is under way: learning rate, L1/L2 rates, batch size, speed.

The page writes a change with `RunControls.request` (while the run is paused, or running);
the worker takes it at its next step (`apply`), so a paused run resumes with it and nothing
is lost: same model, same optimizer state, same history, which marks the step and the values
(`RunControls.changes`). The speed (steps per second) applies at once.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any

import torch

from core.errors import UserError
from core.train.penalty import MAX_RATE

KNOBS = ("lr", "l1", "l2", "batch_size")
SPEEDS = (0, 1, 3, 10, 30, 100)  # steps per second; 0 = as fast as the machine goes
MAX_LR = 10.0
MAX_BATCH = 4096


def check(name: str, value: Any) -> float | int:
    """A knob's value, validated (a UserError naming it and its range otherwise)."""
    if name not in KNOBS:
        raise ValueError(f"unknown knob {name!r}; choose from {KNOBS}")
    if name == "batch_size":
        if isinstance(value, bool) or float(value) != int(value) or not 1 <= int(value) <= MAX_BATCH:
            raise UserError("training.errors.batch_size", f"batch size {value} outside [1, {MAX_BATCH}]",
                            value=value, high=MAX_BATCH)  # fmt: skip
        return int(value)
    value = float(value)
    high = MAX_LR if name == "lr" else MAX_RATE
    low_ok = value > 0 if name == "lr" else value >= 0
    if not (low_ok and value <= high):
        raise UserError("training.errors.knob", f"{name} = {value} outside its range (0, {high}]", name=name,
                        value=value, high=high)  # fmt: skip
    return value


def check_speed(speed: float) -> float:
    speed = float(speed)
    if speed < 0:
        raise ValueError(f"speed must be ≥ 0 steps per second, got {speed}")
    return speed


class RunControls:
    """The knobs of one run: current values (the worker's), pending requests (the page's), the speed."""

    def __init__(self, values: dict[str, Any], speed: float = 0.0):
        self._lock = threading.Lock()
        self.values = {k: check(k, values[k]) for k in KNOBS}
        self._pending: dict[str, Any] = {}
        self.speed = check_speed(speed)
        self.changes: list[dict[str, Any]] = []  # {"step", "name", "old", "new"}, in the order applied
        self._last_step = -math.inf

    def request(self, **values: Any) -> None:
        """Ask for new values (validated now, applied at the worker's next step); equal ones cancel a request."""
        checked = {k: check(k, v) for k, v in values.items()}
        with self._lock:
            for k, v in checked.items():
                if v == self.values[k]:
                    self._pending.pop(k, None)
                else:
                    self._pending[k] = v

    @property
    def pending(self) -> dict[str, Any]:
        with self._lock:
            return dict(self._pending)

    def set_speed(self, speed: float) -> None:
        self.speed = check_speed(speed)

    def take(self) -> dict[str, Any]:
        """The pending requests, cleared (the worker's side)."""
        if not self._pending:  # a dict's truth is read atomically: no lock on the per-step path
            return {}
        with self._lock:
            taken, self._pending = self._pending, {}
        return taken

    def throttle(self, clock=time.perf_counter, sleep=time.sleep) -> None:
        """Called once per step: sleep so that steps come at most `speed` per second (0: no wait)."""
        if self.speed > 0:
            wait = 1.0 / self.speed - (clock() - self._last_step)
            if wait > 0:
                sleep(min(wait, 1.0))
        self._last_step = clock()


def scale_lr(optimizer: torch.optim.Optimizer, scheduler: Any, ratio: float) -> None:
    """Multiply the learning rate by `ratio` where torch keeps it: each group's ``lr`` (and the
    ``initial_lr`` / ``max_lr`` / ``min_lr`` a scheduler stored there) and a scheduler's ``base_lrs``,
    so a schedule goes on from the new rate (a constant one simply holds it)."""
    for group in optimizer.param_groups:
        for key in ("lr", "initial_lr", "max_lr", "min_lr"):
            if key in group:
                group[key] = group[key] * ratio
    if scheduler is not None and hasattr(scheduler, "base_lrs"):
        scheduler.base_lrs = [b * ratio for b in scheduler.base_lrs]
    if scheduler is not None and hasattr(scheduler, "_last_lr"):
        scheduler._last_lr = [g["lr"] for g in optimizer.param_groups]


def apply(controls: RunControls, setup: Any, step: int, epochs_begun: int) -> list[dict[str, Any]]:
    """Take the pending changes into the run (`setup`: optimizer, scheduler, batch size); returns them.

    The batch size takes effect from the next epoch (the `epochs_begun` ones drew their batches).
    """
    changes = []
    for name, new in controls.take().items():
        old = controls.values[name]
        if name == "lr":
            scale_lr(setup.optimizer, setup.scheduler, new / old)
        elif name == "batch_size":
            setup.resize_batches(new, epochs_begun)
        controls.values[name] = new
        changes.append({"step": step, "name": name, "old": old, "new": new})
    controls.changes.extend(changes)
    return changes
