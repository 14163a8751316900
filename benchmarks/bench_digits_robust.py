"""Digits robustness: every shipped model on MNIST test digits redrawn under each condition of `core.digits.conditions`.

    nice -n 10 python benchmarks/bench_digits_robust.py [--n 10000] [--seed 0] [--record]

Each condition (strong blur, low resolution, slant ±20°, thin and thick strokes, small and
off-centre, broken strokes, one stroke vs in pieces, and the first benchmark's canvas-like
redraw) turns the first `--n` MNIST test digits into canvas pictures with a generator seeded by
(seed, condition, index), and the page's own preprocessing (`prepare`) makes the model inputs.
Printed per condition: every model's accuracy, then every model's recall per digit class.
A drawing the page would call empty counts as a miss.

The prepared inputs are cached (``$DLP_CACHE/digits_conditions``, `cached_batch`) keyed by the source
of the conditions and of the preprocessing, so a second run only classifies. ``--record`` writes the
best model's figures (and its accuracy on the tests' fixed slice) into its checkpoint's meta.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import artifacts
from core.data.images import load_images
from core.digits.conditions import CONDITIONS, SLICE, batch, cached_batch, scores
from core.digits.models import BEST, MODELS, load_shipped, model_path
from core.digits.predict import NOT_SURE


def record(results: dict, digits: np.ndarray, labels: np.ndarray, seed: int, n: int) -> None:
    """Write the best model's figures, and its accuracy on the tests' slice, into its checkpoint's meta."""
    path = model_path(BEST)
    ckpt = artifacts.load(path)
    model, _ = load_shipped(BEST)
    ckpt["meta"]["conditions"] = {c: round(r[BEST]["accuracy"], 4) for c, r in results.items()}
    ckpt["meta"]["conditions_worst_recall"] = {c: round(r[BEST]["worst"][1], 4) for c, r in results.items()}
    ckpt["meta"]["conditions_images"] = n
    ckpt["meta"]["conditions_seed"] = seed
    ckpt["meta"]["conditions_slice"] = {
        c: round(scores(model, *batch(c, digits, seed, range(SLICE)), labels[:SLICE])["accuracy"], 4)
        for c in CONDITIONS
    }
    artifacts.save(ckpt, path)
    print(f"recorded in {path}'s meta: conditions, conditions_worst_recall, conditions_slice")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10000, help="MNIST test digits per condition (first N)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="processes that draw the conditions (first run only)")
    parser.add_argument("--only", nargs="*", choices=list(CONDITIONS), help="these conditions only")
    parser.add_argument("--record", action="store_true", help="write the best model's figures into its meta")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    images, labels = load_images("MNIST", train=False)
    digits, truth = images.numpy()[: args.n], labels.numpy()[: args.n]
    models = {name: load_shipped(name)[0] for name in MODELS.names() if model_path(name).is_file()}
    if BEST not in models:
        print(f"(no weights for {BEST} yet: the other models only)")
    names = args.only or list(CONDITIONS)
    results: dict[str, dict[str, dict]] = {}
    started = time.perf_counter()
    for name in names:
        prepared, valid = cached_batch(name, digits, args.seed, "test", args.workers)
        results[name] = {m: scores(model, prepared, valid, truth) for m, model in models.items()}
        print(f"[{name}: {time.perf_counter() - started:.0f}s, {int((~valid).sum())} rejected as empty]", flush=True)

    print(f"\n## Accuracy per condition: {len(digits):,} MNIST test digits each, canvas → page preprocessing")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; seed {args.seed}")
    print("| condition | " + " | ".join(f"{m}{' (best)' if m == BEST else ''}" for m in models) + " |")
    print("| --- |" + " ---: |" * len(models))
    for name, row in results.items():
        cells = [f"{r['accuracy']:.2%} (worst {r['worst'][0]}: {r['worst'][1]:.1%})" for r in row.values()]
        print(f"| {name} | " + " | ".join(cells) + " |")
    for model in models:
        print(f"\n## Recall per digit, {model}")
        print("| condition | " + " | ".join(str(d) for d in range(10)) + " |")
        print("| --- |" + " ---: |" * 10)
        for name, row in results.items():
            print(f"| {name} | " + " | ".join(f"{r:.1%}" for r in row[model]["recall"]) + " |")
    if BEST not in models:
        return
    best = {name: row[BEST] for name, row in results.items()}
    print(f"\n## {BEST}: how often it is unsure (top probability < {NOT_SURE:.0%}), and how right it is then")
    print("| condition | unsure | accuracy when unsure | accuracy when sure |")
    print("| --- | ---: | ---: | ---: |")
    for name, r in best.items():
        print(f"| {name} | {r['unsure']:.2%} | {r['unsure_accuracy']:.1%} | {r['sure_accuracy']:.2%} |")
    missed = [n for n, r in best.items() if r["accuracy"] < 0.98]
    weak = [f"{n} ({r['worst'][0]}: {r['worst'][1]:.1%})" for n, r in best.items() if r["worst"][1] < 0.95]
    print(
        f"\n{BEST}: conditions below 98 %: {', '.join(missed) or 'none'}; classes below 95 %: {', '.join(weak) or 'none'}"
    )
    if args.record:
        record(results, digits, truth, args.seed, len(digits))


if __name__ == "__main__":
    main()
