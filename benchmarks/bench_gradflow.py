"""Gradient-flow lab timings: the full per-layer statistics of a depth × width network (target ≤ 1 s).

Times `run_lab` (build + init, forward, backward, per-layer statistics, both heatmaps, one
weight histogram) at depth 100 × width 512, the issue's figure, and splits it into its parts
so a regression shows where it comes from. Also times the symmetry demo and the trainability
runs (the page's Train button). Reports medians of `--repeats` runs after a warm-up, plus the
machine's load average: on a shared machine the wall clock grows with everyone else's work.

    .venv/bin/python benchmarks/bench_gradflow.py [--depth 100] [--width 512] [--batch 128] [--threads 2]

On a 2-core machine shared with other busy processes, ``--threads 1`` is the fair figure:
two OpenMP threads on oversubscribed cores spin at every barrier and the wall clock grows
tenfold, while the CPU seconds (the work itself) stay the same.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.gradflow import LabConfig, build, layer_histograms, make_input, run_lab
from core.init_demos import symmetry_demo, trainability

TARGET_S = 1.0


def median_time(fn, repeats: int) -> tuple[float, float]:
    """(median wall seconds, median CPU seconds of this process) over `repeats` runs after one warm-up."""
    fn()
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=100)
    parser.add_argument("--width", type=int, default=512)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} threads, load average {os.getloadavg()[0]:.1f}")

    config = LabConfig.make("kaiming_normal", {}, "relu", depth=args.depth, width=args.width, batch=args.batch)
    label = f"depth {args.depth} × width {args.width}, batch {args.batch}"

    wall, cpu = median_time(lambda: run_lab(config, layer=args.depth // 2), args.repeats)
    verdict = "within" if wall <= TARGET_S else "OVER"
    print(f"run_lab (all statistics, heatmaps, weight view), {label}: {wall:.3f} s wall, {cpu:.3f} s CPU "
          f"— {verdict} the {TARGET_S:.0f} s target ({wall / TARGET_S:.2f}× of it)")  # fmt: skip
    bare, _ = median_time(lambda: run_lab(config, heatmaps=False), args.repeats)
    print(f"  without heatmaps/weight view: {bare:.3f} s")

    model_time, _ = median_time(lambda: build(config), args.repeats)
    model = build(config)
    x = make_input("normal", args.batch, args.width, torch.Generator().manual_seed(0))

    def forward_backward():
        model.zero_grad(set_to_none=True)
        model(x).sum().backward()

    fb, _ = median_time(forward_backward, args.repeats)
    _, outputs, _ = model.trace(x)
    heat, _ = median_time(lambda: layer_histograms([h.detach() for h in outputs], "log"), args.repeats)
    print(f"  parts: build + init {model_time:.3f} s, forward + backward {fb:.3f} s, one heatmap {heat:.3f} s")
    print(f"  overhead of statistics over a bare forward + backward: {wall / fb:.2f}×")

    sym, _ = median_time(lambda: symmetry_demo("constant", steps=200), 1)
    print(f"symmetry demo, 200 steps (one init): {sym:.3f} s")
    inits = [("normal", {"std": 0.01}), ("xavier_normal", {}), ("kaiming_normal", {}), ("torch_default", {})]
    train, train_cpu = median_time(lambda: trainability(inits, "relu", train_steps=300), 1)
    print(f"trainability, 4 inits × 300 steps (the Train button): {train:.3f} s wall, {train_cpu:.3f} s CPU")


if __name__ == "__main__":
    main()
