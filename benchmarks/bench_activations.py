"""Relative cost of every activation: forward + backward on 1M floats, as a ratio to ReLU and to identity.

Also times the page's live pieces (the properties table, one sine fit) so the README can quote them.

    .venv/bin/python benchmarks/bench_activations.py [--size 1048576] [--repeats 20] [--threads N] [--device cpu|cuda]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import activation_properties, nonlinearity
from core.activations import ACTIVATIONS


def time_one(name: str, x: torch.Tensor, repeats: int) -> float:
    """Median seconds of f(x).sum().backward() (after two warm-up runs)."""
    entry = ACTIVATIONS.get(name)
    times = []
    for i in range(repeats + 2):
        x.grad = None
        if x.is_cuda:
            torch.cuda.synchronize()
        start = time.perf_counter()
        entry.fn(x).sum().backward()
        if x.is_cuda:
            torch.cuda.synchronize()
        if i >= 2:
            times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2**20)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", type=int, default=0, help="torch intra-op threads (0: leave the default)")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    x = torch.randn(args.size, generator=torch.Generator().manual_seed(0)).to(device).requires_grad_(True)
    print(f"device={device} threads={torch.get_num_threads()} size={args.size:,} float32, median of {args.repeats}")
    times = {name: time_one(name, x, args.repeats) for name in ACTIVATIONS.names()}
    relu, identity = times["relu"], times["identity"]
    print(f"{'activation':<12} {'ms':>8} {'÷ relu':>8} {'÷ identity':>11}")
    for name, seconds in sorted(times.items(), key=lambda kv: kv[1]):
        print(f"{name:<12} {seconds * 1e3:8.3f} {seconds / relu:8.2f} {seconds / identity:11.2f}")

    # the page's live computations (CPU)
    start = time.perf_counter()
    activation_properties.table()
    table_s = time.perf_counter() - start
    start = time.perf_counter()
    activation_properties.relative_costs()
    cost_s = time.perf_counter() - start
    nonlinearity.fit_sine(3, "tanh")  # warm-up: first-call imports and allocator
    fits = []
    for activation in (None, "tanh"):
        start = time.perf_counter()
        fit = nonlinearity.fit_sine(3, activation)
        fits.append((activation, time.perf_counter() - start, fit.losses[-1]))
    print()
    print(f"properties table (24 functions): {table_s:.2f} s; page's relative-cost timing: {cost_s:.2f} s")
    for activation, seconds, loss in fits:
        label = activation or "none"
        print(
            f"sine fit, 3 layers, width 32, 300 Adam steps, activation {label}: {seconds:.2f} s, final MSE {loss:.5f}"
        )


if __name__ == "__main__":
    main()
