"""Class probabilities for one prepared 28×28 digit."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

# Below this top probability the page says the model is not sure and shows the two most likely
# digits. On the canvas-like benchmark the shipped CNNs give < 60 % to about 1 in 200 drawings,
# and about half of those are misread: a warning there is worth reading.
NOT_SURE = 0.6


@dataclass(frozen=True)
class Prediction:
    """softmax output (10,), its arg-max and whether the model is confident."""

    probs: np.ndarray
    label: int
    confidence: float

    @property
    def sure(self) -> bool:
        return self.confidence >= NOT_SURE

    @property
    def top_two(self) -> tuple[tuple[int, float], tuple[int, float]]:
        """The two most likely digits with their probabilities, most likely first (ties: the lower digit)."""
        order = np.argsort(-self.probs, kind="stable")
        return (int(order[0]), float(self.probs[order[0]])), (int(order[1]), float(self.probs[order[1]]))


def as_batch(image: np.ndarray) -> torch.Tensor:
    """(28, 28) array → (1, 1, 28, 28) float tensor."""
    return torch.as_tensor(np.asarray(image, dtype=np.float32))[None, None]


@torch.no_grad()
def predict(model: nn.Module, image: np.ndarray) -> Prediction:
    """p = softmax(f(x)) for one (28, 28) image in [0, 1]; the model is put in eval mode."""
    model.eval()
    probs = torch.softmax(model(as_batch(image)), dim=1)[0].numpy()
    label = int(probs.argmax())
    return Prediction(probs, label, float(probs[label]))
