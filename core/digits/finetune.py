"""Teach a model one example: fine-tune a private copy for a few steps; the original never changes."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core.digits.augment import Augment, augment
from core.digits.predict import as_batch
from core.errors import UserError
from core.registry import Entry, Param

COPIES = 16  # augmented copies of the example per step, so the model learns the digit, not its pixels
JITTER = Augment(rotate=8, scale=0.08, shift=1.5, thicken=0.3)


@dataclass(frozen=True)
class Teach(Entry):
    """Settings of the fine-tuning step the page offers."""


TEACH = Teach(
    "teach",
    params=(
        Param("steps", 10, 1, 50, 1),
        Param("lr", 1e-3, 1e-5, 1e-1, log=True),
    ),
    formula=r"\theta \leftarrow \mathrm{Adam}\big(\theta,\ \nabla_\theta \tfrac{1}{K}\sum_{k=1}^{K}"
    r" -\log p_\theta(y \mid \tilde x_k)\big),\quad \tilde x_k = \text{jitter}(x)",
)


def teach(
    model: nn.Module, image: np.ndarray, label: int, *, steps: int = 10, lr: float = 1e-3, seed: int = 0
) -> tuple[nn.Module, list[float]]:
    """A fine-tuned deep copy of `model` and the loss at each step.

    Each step is one Adam step on `COPIES` randomly jittered copies of the image, all
    labelled `label`. The whole network stays in eval mode: BatchNorm keeps its running
    statistics (a batch made of one digit would ruin them) and dropout is off.

    Args:
        image: (28, 28) prepared input in [0, 1].
        label: the right digit, 0-9.
        steps, lr: validated against `TEACH`'s specs.
    """
    if not isinstance(label, int | np.integer) or not 0 <= int(label) <= 9:
        raise UserError("digits.errors.bad_label", f"label must be a digit 0-9, got {label!r}", value=label)
    values = TEACH.resolve({"steps": steps, "lr": lr})
    student = copy.deepcopy(model).eval()
    optimizer = torch.optim.Adam(student.parameters(), lr=values["lr"])
    generator = torch.Generator().manual_seed(seed)
    x = as_batch(image).expand(COPIES, 1, -1, -1)
    y = torch.full((COPIES,), int(label))
    losses = []
    for _ in range(values["steps"]):
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(student(augment(x, JITTER, generator)), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return student.eval(), losses
