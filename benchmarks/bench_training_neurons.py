"""What the neuron view costs a run: training throughput with the neuron maps on ÷ off (same process).

Trains the same seeded run (3-arm spirals, an MLP of `--layers` × `--width` hidden units, Adam,
`--batch` rows a step) in a LiveRun worker, alternately with ``neuron_view`` on and off, `--trials`
times each, and prints steps/s of each and the ratio of the medians (target ≥ 0.90). Both publish
the same snapshots at the same rate (decision map, curves); "on" adds the 40 × 40 maps of every
hidden neuron, their histograms and the weights, at the visual throttle (twice a second). Also
prints what one `neuron_view` call costs.

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python benchmarks/bench_training_neurons.py [--trials 3] [--epochs 150]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch

from core.data import DATASETS
from core.models import MODELS
from core.train import LiveRun
from core.train.neurons import neuron_view
from core.train.setup import prepare
from core.train.worker import train


def config(data, args, neurons: bool) -> dict:
    model = MODELS.get("mlp").config(data.input_shape, data.n_outputs, {"layers": args.layers, "width": args.width})
    return {"model": model, "loss": {"name": "cross_entropy", "params": {}},
            "optimizer": {"name": "adam", "params": {"lr": 0.01}}, "scheduler": {"name": "constant", "params": {}},
            "batch_mode": "minibatch", "batch_size": args.batch, "epochs": args.epochs, "seed": 0,
            "neuron_view": neurons}  # fmt: skip


def rate(data, args, neurons: bool) -> float:
    setup = prepare(config(data, args, neurons), data, torch.device("cpu"))
    run = LiveRun(lambda r: train(setup, r)).start()
    run.join()
    assert run.status == "done", run.error_text
    assert ("neurons" in run.snapshot()) == neurons
    return run.result.history.steps / run.result.history.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--width", type=int, default=8)
    parser.add_argument("--batch", type=int, default=10)
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = DATASETS.get("spirals").load(0, arms=3)
    on, off = [], []
    for _ in range(args.trials):  # alternate, so a change of machine load hits both alike
        off.append(rate(data, args, False))
        on.append(rate(data, args, True))
    setup = prepare(config(data, args, True), data, torch.device("cpu"))
    points = torch.cat([setup.x_train, setup.x_test])
    t0 = time.perf_counter()
    for _ in range(20):
        neuron_view(setup.model, points, setup.x_train)
    per_call = (time.perf_counter() - t0) / 20
    print(f"spirals (3 arms, {data.n_train} train), MLP {args.layers}×{args.width}, Adam, batch {args.batch}, "
          f"{args.epochs} epochs; {args.trials} trials each; load {os.getloadavg()[0]:.1f}")  # fmt: skip
    print("steps/s, neuron view off: " + ", ".join(f"{r:,.0f}" for r in off))
    print("steps/s, neuron view on:  " + ", ".join(f"{r:,.0f}" for r in on))
    print(f"on ÷ off (medians) = {statistics.median(on) / statistics.median(off):.3f}  (target ≥ 0.90)")
    print(f"one neuron_view call (40×40 grid, {args.layers * args.width} neurons): {per_call * 1000:.1f} ms")


if __name__ == "__main__":
    main()
