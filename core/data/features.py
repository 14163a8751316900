"""Input features of a 2-D point, as TensorFlow Playground offers them: x₁, x₂, x₁², x₂², x₁x₂, sin x₁, sin x₂.

`FeatureMap` is the first layer of an MLP whose config lists ``features``: the model still takes
the raw (N, 2) points (so its decision map, a checkpoint and the exported script need nothing
else), and the layer table shows the input width the hidden layers see.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from core.errors import UserError

FEATURES = ("x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2")
DEFAULT_FEATURES = ("x1", "x2")
FEATURE_FORMULAS = {
    "x1": "x_1",
    "x2": "x_2",
    "x1_sq": "x_1^2",
    "x2_sq": "x_2^2",
    "x1x2": "x_1 x_2",
    "sin_x1": r"\sin x_1",
    "sin_x2": r"\sin x_2",
}


def check_features(names: Sequence[str]) -> list[str]:
    """The names as a list, in the order given; a UserError for an unknown, repeated or empty choice."""
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise UserError("training.errors.features", f"features must be a list of names, got {names!r}",
                        value=names, choices=", ".join(FEATURES))  # fmt: skip
    names = list(names)
    if not names or len(set(names)) != len(names) or any(n not in FEATURES for n in names):
        raise UserError("training.errors.features", f"features {names!r}: pick one or more of {', '.join(FEATURES)}",
                        value=", ".join(map(str, names)), choices=", ".join(FEATURES))  # fmt: skip
    return names


class FeatureMap(nn.Module):
    """(N, 2) points → (N, k) features, one column per name in `names`, in that order (no parameters).

    Self-contained (torch only), so the exported script can carry its source.
    """

    def __init__(self, names: list[str]):
        super().__init__()
        self.names = list(names)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x1, x2 = x[:, 0], x[:, 1]  # (N,), (N,)
        column = {
            "x1": lambda: x1,
            "x2": lambda: x2,
            "x1_sq": lambda: x1 * x1,
            "x2_sq": lambda: x2 * x2,
            "x1x2": lambda: x1 * x2,
            "sin_x1": lambda: torch.sin(x1),
            "sin_x2": lambda: torch.sin(x2),
        }
        return torch.stack([column[name]() for name in self.names], dim=1)  # (N, k)

    def extra_repr(self) -> str:
        return f"names={self.names!r}"


def expand(x: torch.Tensor, names: Sequence[str]) -> torch.Tensor:
    """The chosen features of (N, 2) points: (N, len(names))."""
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"features are computed from (N, 2) points, got {tuple(x.shape)}")
    return FeatureMap(check_features(names))(x)
