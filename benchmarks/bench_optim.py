"""Optimizer race speed: 8 optimizers × 2,000 steps on a surface (target ≤ 0.5 s on 2 CPU cores).

Prints the race time (median and best of several repeats, whole `race()` call: gradients,
updates, divergence checks, recording of every inspector array, losses and distances),
and for comparison the same race done the naive way with torch.optim step by step.

    .venv/bin/python benchmarks/bench_optim.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch

from core.optim import OPTIMIZERS
from core.optim.race import Run, race, suggested_lr
from core.surfaces import SURFACES

NAMES = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "nadam", "adadelta")
STEPS = 2000
REPEATS = 7
TARGET_S = 0.5
NAIVE_STEPS = 200  # the naive loop is slow: time a tenth and scale


def timed(fn, repeats=REPEATS):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times)


def torch_race(surface, runs, steps):
    """The naive way: one torch optimizer per run, autograd for the gradient, one step at a time."""
    for run in runs:
        p = torch.tensor(surface.start, dtype=torch.float64, requires_grad=True)
        opt = OPTIMIZERS.get(run.optimizer).build([p], **run.hparams)
        for _ in range(steps):
            opt.zero_grad()
            surface.value(p[0], p[1]).backward()
            opt.step()


def main() -> None:
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}; {len(NAMES)} optimizers × {STEPS} steps")
    print(f"{'surface':<12} {'race median s':>14} {'best s':>8} {'≤ 0.5 s':>8}")
    for name in ("bowl", "rosenbrock", "rastrigin"):
        surface = SURFACES.get(name)
        runs = [Run(n, {"lr": suggested_lr(n, surface)}) for n in NAMES]
        med, best = timed(lambda: race(surface, runs, steps=STEPS))  # noqa: B023
        print(f"{name:<12} {med:>14.3f} {best:>8.3f} {'yes' if med <= TARGET_S else 'NO':>8}")
    surface = SURFACES.get("rosenbrock")
    runs = [Run(n, {"lr": suggested_lr(n, surface)}) for n in NAMES]
    naive, _ = timed(lambda: torch_race(surface, runs, NAIVE_STEPS), repeats=1)
    naive *= STEPS / NAIVE_STEPS
    fast, _ = timed(lambda: race(surface, runs, steps=STEPS))
    print(
        f"naive torch.optim + autograd loop on rosenbrock (timed {NAIVE_STEPS} steps, scaled to {STEPS}): "
        f"{naive:.2f} s → race is {naive / fast:.0f}× faster"
    )


if __name__ == "__main__":
    main()
