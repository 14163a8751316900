"""Class probabilities for one prepared 28×28 digit."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

NOT_SURE = 0.6  # below this top probability the page says the model is not sure


@dataclass(frozen=True)
class Prediction:
    """softmax output (10,), its arg-max and whether the model is confident."""

    probs: np.ndarray
    label: int
    confidence: float

    @property
    def sure(self) -> bool:
        return self.confidence >= NOT_SURE


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
