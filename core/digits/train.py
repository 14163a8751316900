"""Train a shipped digit model reproducibly from the local MNIST files.

    python -m core.digits.train --model cnn --out assets/models/digits/cnn.pt --seed 0

The checkpoint is rewritten after every epoch (so a usable file exists early) with the
measured MNIST test accuracy in its meta. Augmentation (rotation, scale, shift, stroke
thickness; see `core.digits.augment`) makes the model robust to how people draw.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from core import artifacts
from core.data.images import load_images
from core.device import seed_everything
from core.digits.augment import Augment, Robust, augment, robust_augment
from core.digits.conditions import CONDITIONS, cached_batch
from core.digits.models import MODELS
from core.models import count_params
from core.train import fit, tensor_batches

# Per-model recipes: epochs, peak learning rate, weight decay, augmentation.
RECIPES = {
    "mlp": dict(epochs=6, lr=2e-3, weight_decay=1e-4, augment=Augment(rotate=8, scale=0.08, shift=1.5, thicken=0.2)),
    "lenet": dict(epochs=8, lr=3e-3, weight_decay=1e-4, augment=Augment(rotate=10, scale=0.1, shift=2, thicken=0.3)),
    "cnn": dict(epochs=5, lr=3e-3, weight_decay=5e-4, augment=Augment(rotate=10, scale=0.1, shift=2, thicken=0.3)),
    # A deeper CNN for drawings unlike MNIST's (issue 18): half of every batch distorted on the fly, the other half
    # MNIST training digits drawn as in `core.digits.conditions`, broken and pieces (the hardest) more often.
    "robust": dict(
        epochs=10, lr=3e-3, weight_decay=5e-4, augment=Robust(), drawn=0.5, drawn_odds={"broken": 3.0, "pieces": 2.0}
    ),
}


def to_float(images: torch.Tensor) -> torch.Tensor:
    """(N, 28, 28) uint8 → (N, 1, 28, 28) float in [0, 1]."""
    return images.unsqueeze(1).float().div_(255)


@torch.no_grad()
def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 1000) -> float:
    """Fraction of `x` classified as `y` (eval mode)."""
    was_training = model.training
    model.eval()
    correct = 0
    for start in range(0, len(x), batch_size):
        correct += (model(x[start : start + batch_size]).argmax(1) == y[start : start + batch_size]).sum().item()
    model.train(was_training)
    return correct / len(x)


def drawn_pool(
    digits: torch.Tensor, labels: torch.Tensor, seed: int, workers: int, odds: dict[str, float] | None = None
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Every training digit drawn under every condition of `core.digits.conditions` and prepared as the page
    prepares a drawing: (M, 1, 28, 28) float inputs, (M,) labels and (M,) sampling odds (`odds` per condition,
    1 for those it does not name), the drawings the page would call empty left out.

    These are MNIST's *training* digits; the robustness benchmark draws the *test* digits, so no picture is shared.
    """
    images, targets, weights = [], [], []
    for name in CONDITIONS:
        drawn, valid = cached_batch(name, digits.numpy(), seed, "train", workers)
        images.append(torch.from_numpy(drawn[valid]))
        targets.append(labels[torch.from_numpy(valid)])
        weights.append(torch.full((int(valid.sum()),), (odds or {}).get(name, 1.0)))
        print(f"drawn pool: {name} {int(valid.sum()):,} drawings, odds {weights[-1][0]:g}", flush=True)
    return torch.cat(images).unsqueeze(1), torch.cat(targets), torch.cat(weights)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, choices=MODELS.names())
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, help="default: the model's recipe")
    parser.add_argument("--lr", type=float, help="peak learning rate of the one-cycle schedule")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--limit", type=int, help="train on the first N images only (a smoke run)")
    parser.add_argument("--init", type=Path, help="start from these weights (default: the recipe's, if any)")
    parser.add_argument("--stop-after", type=int, help="stop after this many epochs of the planned schedule")
    parser.add_argument("--drawn", type=float, help="share of every batch from the drawn pool (default: the recipe's)")
    args = parser.parse_args(argv)

    recipe = RECIPES[args.model]
    epochs = args.epochs or recipe["epochs"]
    lr = args.lr or recipe["lr"]
    spec: Augment | Robust = recipe["augment"]
    distort = robust_augment if isinstance(spec, Robust) else augment
    init = args.init or (Path(recipe["init"]) if recipe.get("init") else None)
    torch.set_num_threads(args.threads)
    generator = seed_everything(args.seed)

    x_train, y_train = load_images("MNIST", train=True)
    x_test, y_test = load_images("MNIST", train=False)
    if args.limit:
        x_train, y_train = x_train[: args.limit], y_train[: args.limit]
    drawn = recipe.get("drawn", 0.0) if args.drawn is None else args.drawn
    odds = recipe.get("drawn_odds")
    # Drawn once per seed by every core (~9 min on 2) and cached; the drawings do not depend on the core count.
    pool = drawn_pool(x_train, y_train, args.seed, os.cpu_count() or 1, odds) if drawn > 0 else None
    x_train, x_test = to_float(x_train), to_float(x_test)

    entry = MODELS.get(args.model)
    model = entry.build()
    init_meta = None
    if init is not None:
        ckpt = artifacts.load(init)
        model.load_state_dict(ckpt["state_dict"])
        # The chain of runs that made the starting weights, so the file says how to rebuild it.
        init_meta = {"file": str(init), **{k: ckpt["meta"][k] for k in ("command", "test_accuracy", "epochs",
                                                                       "epochs_planned", "init") if k in ckpt["meta"]}}  # fmt: skip
    # channels_last is 2-3× faster for these small convolutions on x86 CPUs (oneDNN).
    layout = torch.channels_last if entry.convolutional else torch.contiguous_format
    model = model.to(memory_format=layout)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=recipe["weight_decay"])
    steps_per_epoch = -(-len(x_train) // args.batch_size)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=lr, epochs=epochs, steps_per_epoch=steps_per_epoch
    )

    def batches(epoch: int) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        for xb, yb in tensor_batches(x_train, y_train, args.batch_size, generator):
            xb = distort(xb, spec, generator)
            if pool is not None:  # drawn / (1 − drawn) pool drawings per distorted digit
                pick = torch.multinomial(pool[2], round(len(xb) * drawn / (1 - drawn)), True, generator=generator)
                xb, yb = torch.cat([xb, pool[0][pick]]), torch.cat([yb, pool[1][pick]])
            yield xb.contiguous(memory_format=layout), yb

    started = time.perf_counter()
    config = {"arch": args.model}
    command = "python -m core.digits.train " + " ".join(argv if argv is not None else sys.argv[1:])
    result: dict = {}

    def on_epoch(epoch: int, record: dict[str, float]) -> None:
        seconds = time.perf_counter() - started
        meta = {
            "test_accuracy": record["test_accuracy"],
            "test_images": len(x_test),
            "params": count_params(model),
            "epochs": epoch + 1,
            "epochs_planned": epochs,
            "seed": args.seed,
            "lr": lr,
            "batch_size": args.batch_size,
            "train_images": len(x_train),
            "augment": asdict(spec),
            "drawn": drawn,
            **({"drawn_odds": odds} if pool is not None and odds else {}),
            **({"init": init_meta} if init_meta else {}),
            "train_seconds": round(seconds, 1),
            "command": command,
            "torch": str(torch.__version__),  # TorchVersion is not loadable with weights_only=True
            "machine": f"{platform.machine()} × {args.threads} threads",
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.out.with_suffix(".tmp")
        artifacts.save(artifacts.checkpoint(config, model.to(memory_format=torch.contiguous_format), meta), tmp)
        model.to(memory_format=layout)
        os.replace(tmp, args.out)
        rate = (epoch + 1) * len(x_train) / seconds
        print(
            f"epoch {epoch + 1}/{epochs} loss {record['train_loss']:.4f} test {record['test_accuracy']:.4%}"
            f" {seconds:.0f}s ({rate:.0f} img/s) → {args.out}",
            flush=True,
        )
        result.update(meta)

    stop_after = args.stop_after or epochs
    fit(
        model,
        F.cross_entropy,
        optimizer,
        batches,
        epochs=epochs,
        scheduler=scheduler,
        scheduler_per_step=True,
        evaluate=lambda m: {"test_accuracy": accuracy(m, x_test, y_test)},
        on_epoch=on_epoch,
        should_stop=lambda: result.get("epochs", 0) >= stop_after,  # polled after a step: the file is epoch N's
    )
    return result


if __name__ == "__main__":
    main()
