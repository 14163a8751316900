"""Digits page figures: test accuracy, robustness to canvas-like drawing, and drawing → probabilities latency.

    python benchmarks/bench_digits.py [--robust-n 2000] [--latency-n 200]

1. MNIST test accuracy of every shipped model (all 10,000 images), beside the figure
   recorded in its checkpoint.
2. Robustness: MNIST test digits turned into canvas drawings (random scale 4-10 canvas
   pixels per MNIST pixel, random position on the 280×280 canvas, strokes thickened by a
   random max filter, solid white strokes on black) and then passed through the page's own
   preprocessing (decode PNG → crop → 20×20 → centre of mass) before classification.
3. Latency: canvas PNG bytes → probabilities (decode, preprocess, forward), median and
   90th percentile wall time over repeated calls with 1 and 2 torch threads, and the median
   CPU time (the wall time on a busy shared machine includes waiting for a core).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.data.images import load_images
from core.digits.models import BEST, MODELS, load_shipped, model_path
from core.digits.predict import predict
from core.digits.preprocess import decode_canvas, from_canvas
from core.digits.settings import CANVAS_SIDE
from core.digits.train import accuracy, to_float
from core.errors import UserError


def canvas_like(digit: np.ndarray, rng: np.random.Generator) -> bytes:
    """A 28×28 uint8 MNIST digit redrawn as the canvas would send it: a 280×280 RGBA PNG."""
    scale = rng.uniform(4, 10)  # canvas pixels per MNIST pixel: the digit spans 80-200 px
    side = int(round(28 * scale))
    big = Image.fromarray(digit).resize((side, side), Image.Resampling.BILINEAR)
    thicken = int(rng.integers(0, 3)) * 2 + 1  # 1 (none), 3 or 5 canvas-pixel max filter...
    thicken += 2 * int(rng.uniform(0, 0.6) * scale)  # ...plus up to ~0.6 MNIST pixels on each side
    if thicken > 1:
        big = big.filter(ImageFilter.MaxFilter(thicken))
    ink = np.asarray(big, np.float32) / 255
    ink = np.clip((ink - 0.2) / 0.3, 0, 1)  # solid strokes with a thin anti-aliased edge, like a brush
    canvas = np.zeros((CANVAS_SIDE, CANVAS_SIDE), np.float32)
    room = CANVAS_SIDE - side
    top, left = (int(rng.integers(0, room + 1)), int(rng.integers(0, room + 1))) if room > 0 else (0, 0)
    canvas[top : top + side, left : left + side] = ink[: CANVAS_SIDE - top, : CANVAS_SIDE - left]
    grey = (canvas * 255).astype(np.uint8)
    rgba = np.stack([grey, grey, grey, np.full_like(grey, 255)], axis=-1)
    buffer = io.BytesIO()
    Image.fromarray(rgba).save(buffer, format="PNG")
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--robust-n", type=int, default=2000, help="test digits for the robustness figure")
    parser.add_argument("--latency-n", type=int, default=200, help="timed calls per model")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    images, labels = load_images("MNIST", train=False)
    x_test = to_float(images)
    models = {name: load_shipped(name) for name in MODELS.names()}

    print("## MNIST test accuracy (10,000 images)")
    print("| model | params | file | recorded | measured now |")
    print("| --- | ---: | ---: | ---: | ---: |")
    total = 0
    for name, (model, meta) in models.items():
        size = model_path(name).stat().st_size
        total += size
        measured = accuracy(model, x_test, labels)
        print(f"| {name} | {meta['params']:,} | {size / 2**20:.2f} MB | {meta['test_accuracy']:.2%} | {measured:.2%} |")
    print(f"shipped weights: {total / 2**20:.2f} MB in total (limit 5 MB)\n")

    rng = np.random.default_rng(args.seed)
    pick = rng.choice(len(images), size=min(args.robust_n, len(images)), replace=False)
    drawings = [(canvas_like(images[i].numpy(), rng), int(labels[i])) for i in pick]
    print(f"## Robustness: {len(drawings)} MNIST test digits as canvas drawings → page preprocessing")
    print("| model | accuracy |")
    print("| --- | ---: |")
    inputs = []
    for png, label in drawings:
        try:
            inputs.append((from_canvas(decode_canvas(png)).image, label))
        except UserError:
            inputs.append((None, label))  # counted as wrong: the page would prompt instead of predicting
    batch = torch.as_tensor(np.stack([im if im is not None else np.zeros((28, 28), np.float32) for im, _ in inputs]))
    truth = torch.tensor([label for _, label in inputs])
    valid = torch.tensor([im is not None for im, _ in inputs])
    for name, (model, _) in models.items():
        with torch.no_grad():
            guess = model.eval()(batch[:, None]).argmax(1)
        correct = ((guess == truth) & valid).float().mean().item()
        print(f"| {name}{' (best)' if name == BEST else ''} | {correct:.2%} |")
    print(f"rejected as empty: {int((~valid).sum())}\n")

    print(f"## Latency: canvas PNG → probabilities (decode, preprocess, forward), {args.latency_n} calls")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| model | torch threads | median wall | p90 wall | median CPU time |")
    print("| --- | ---: | ---: | ---: | ---: |")
    sample = [png for png, _ in drawings[: args.latency_n]]
    for name, (model, _) in models.items():
        for threads in sorted({1, args.threads}):
            torch.set_num_threads(threads)
            for png in sample[:10]:  # warm-up
                predict(model, from_canvas(decode_canvas(png)).image)
            wall, cpu = [], []
            for png in sample:
                start, start_cpu = time.perf_counter(), time.process_time()
                predict(model, from_canvas(decode_canvas(png)).image)
                wall.append(1000 * (time.perf_counter() - start))
                cpu.append(1000 * (time.process_time() - start_cpu))
            p90 = statistics.quantiles(wall, n=10)[-1]
            print(
                f"| {name} | {threads} | {statistics.median(wall):.1f} ms | {p90:.1f} ms | {statistics.median(cpu):.1f} ms |"
            )
    print("(wall time includes waiting for a core on a shared machine; CPU time is the work itself)")


if __name__ == "__main__":
    main()
