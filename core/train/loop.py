"""`fit`: the one training loop. Reporting goes through callbacks; it knows no charts."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import torch
from torch import nn

Batch = tuple[torch.Tensor, torch.Tensor]


@dataclass(frozen=True)
class StepInfo:
    """What `on_step` receives after each optimizer step."""

    step: int  # global step, 1-based
    epoch: int  # 0-based epoch the step belongs to
    loss: float
    lr: float
    samples: int  # samples seen so far in this run


@dataclass
class History:
    """Everything a run measured; a stopped run returns the partial history."""

    step_loss: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    epochs: list[dict[str, float]] = field(default_factory=list)  # train_loss + evaluate()'s metrics
    samples: int = 0
    seconds: float = 0.0
    stopped: bool = False
    diverged_at: int | None = None  # step whose loss was NaN or inf

    @property
    def steps(self) -> int:
        return len(self.step_loss)


def tensor_batches(
    x: torch.Tensor, y: torch.Tensor, batch_size: int | None, generator: torch.Generator | None = None
) -> Iterator[Batch]:
    """Shuffled mini-batches of in-memory tensors by indexing (no DataLoader).

    Args:
        x: (N, ...) inputs, already on the training device.
        y: (N, ...) targets on the same device.
        batch_size: None or ≥ N → full batch (BGD); 1 → single-sample SGD.
        generator: CPU generator for the permutation (reproducible shuffles).
    """
    n = x.shape[0]
    if batch_size is None or batch_size >= n:
        yield x, y
        return
    order = torch.randperm(n, generator=generator).to(x.device)
    for start in range(0, n, batch_size):
        idx = order[start : start + batch_size]
        yield x[idx], y[idx]


def current_lr(optimizer: torch.optim.Optimizer) -> float:
    return float(optimizer.param_groups[0]["lr"])


def _backward(loss: torch.Tensor, penalty, after_backward) -> None:
    """``(loss + Ω(θ)).backward()`` (Ω from `penalty`, when it gives one), then `after_backward`."""
    extra = penalty() if penalty is not None else None
    (loss if extra is None else loss + extra).backward()
    if after_backward is not None:
        after_backward()


def fit(
    model: nn.Module,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    batches: Callable[[int], Iterable[Batch]],
    *,
    epochs: int,
    scheduler: torch.optim.lr_scheduler.LRScheduler | torch.optim.lr_scheduler.ReduceLROnPlateau | None = None,
    scheduler_per_step: bool = False,
    evaluate: Callable[[nn.Module], dict[str, float]] | None = None,
    on_step: Callable[[StepInfo], None] | None = None,
    on_epoch: Callable[[int, dict[str, float]], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    history: History | None = None,
    clip_grad_norm: float | None = None,
    penalty: Callable[[], torch.Tensor | None] | None = None,
    after_backward: Callable[[], None] | None = None,
) -> History:
    """Train `model` for `epochs` passes over `batches(epoch)`.

    Args:
        batches: called once per epoch; yields (inputs, targets) on the model's device.
        scheduler: stepped once per epoch, or per optimizer step with `scheduler_per_step`;
            a ReduceLROnPlateau is fed the epoch's mean training loss.
        evaluate: called in eval mode after each epoch; its metrics join the epoch record.
        on_step, on_epoch: reporting callbacks (a UI snapshot, a progress bar).
        should_stop: polled after each step; True ends the run with `stopped` set.
        history: continue this history (its epoch count is where the run resumes).
        clip_grad_norm: clip the gradients' total norm (None: no clipping).
        penalty, after_backward: a term Ω(θ) added to each batch's loss before `backward` (or None), and
            a call after it (e.g. gradient norms); the step loss recorded is the data loss alone.
    """
    if epochs < 0:
        raise ValueError(f"epochs must be ≥ 0, got {epochs}")
    history = history or History()
    start = time.perf_counter()
    plateau = isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau)
    try:
        for epoch in range(len(history.epochs), epochs):
            model.train()
            total, count = 0.0, 0
            for inputs, targets in batches(epoch):
                optimizer.zero_grad(set_to_none=True)
                loss = loss_fn(model(inputs), targets)
                _backward(loss, penalty, after_backward)
                if clip_grad_norm is not None:
                    nn.utils.clip_grad_norm_(model.parameters(), clip_grad_norm)
                value = loss.item()
                lr = current_lr(optimizer)
                history.step_loss.append(value)
                history.lr.append(lr)
                if not math.isfinite(value):
                    history.diverged_at = history.steps
                    return history
                optimizer.step()
                if scheduler is not None and scheduler_per_step and not plateau:
                    scheduler.step()
                history.samples += inputs.shape[0]
                total += value * inputs.shape[0]
                count += inputs.shape[0]
                if on_step is not None:
                    on_step(StepInfo(history.steps, epoch, value, lr, history.samples))
                if should_stop is not None and should_stop():
                    history.stopped = True
                    return history
            record = {"epoch": float(epoch + 1), "train_loss": total / max(count, 1)}
            if evaluate is not None:
                model.eval()
                with torch.no_grad():
                    record.update(evaluate(model))
            history.epochs.append(record)
            if scheduler is not None and plateau:
                scheduler.step(record["train_loss"])
            elif scheduler is not None and not scheduler_per_step:
                scheduler.step()
            if on_epoch is not None:
                on_epoch(epoch, record)
        return history
    finally:
        history.seconds += time.perf_counter() - start
