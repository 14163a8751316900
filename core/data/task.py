"""`TaskData`: a supervised task as in-memory tensors, plus the split/scaling helpers every loader shares."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import torch
from sklearn.model_selection import train_test_split

CLASSIFICATION = "classification"
REGRESSION = "regression"
TASKS = (CLASSIFICATION, REGRESSION)


@dataclass
class TaskData:
    """A train/test split ready for training.

    Shapes: ``x_*`` (N, *input_shape) float32; ``y_*`` (N,) int64 class indices for
    classification, (N, 1) float32 for regression.

    Args:
        name: the data set's registry name ("csv" for an uploaded table).
        task: "classification" or "regression".
        n_classes: number of classes (0 for regression).
        input_shape: one sample's shape: (d,) for tables and 2-D toys, (1, 28, 28) for images.
        feature_names: one name per input column ((d,) inputs); empty for images.
        class_names: one name per class index; empty for regression (language-neutral; the
            i18n key ``datasets.classes.<name>.<index>`` translates it where one exists).
        target_mean, target_std: a standardized regression target is ``(y - mean) / std``;
            ``y * std + mean`` gives it back in the table's own units (0 and 1 when left as is).
        dropped_columns: CSV columns not used as features (empty, or too many categories).
        pixel_scale: for images, the (mean, std) of the normalization: ``x * std + mean`` is the
            pixel in [0, 1] again (None for other data).
    """

    name: str
    task: str
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    n_classes: int
    input_shape: tuple[int, ...]
    feature_names: list[str]
    class_names: list[str]
    target_mean: float = 0.0
    target_std: float = 1.0
    dropped_columns: list[str] = field(default_factory=list)
    pixel_scale: tuple[float, float] | None = None

    @property
    def n_train(self) -> int:
        return int(self.x_train.shape[0])

    @property
    def n_test(self) -> int:
        return int(self.x_test.shape[0])

    @property
    def n_outputs(self) -> int:
        """Width of the model's last layer: one logit per class, or one value."""
        return self.n_classes if self.task == CLASSIFICATION else 1

    def to(self, device: torch.device | str) -> TaskData:
        """A copy with the four tensors on `device` (small data sets live on the device, DESIGN.md)."""
        return replace(
            self,
            x_train=self.x_train.to(device),
            y_train=self.y_train.to(device),
            x_test=self.x_test.to(device),
            y_test=self.y_test.to(device),
        )


def split(
    x: np.ndarray, y: np.ndarray, test_ratio: float, seed: int, stratify: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Seeded train/test split (stratified by class for classification when every class can be)."""
    labels = y if stratify and _stratifiable(y, test_ratio) else None
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=test_ratio, random_state=seed, stratify=labels)
    return x_tr, x_te, y_tr, y_te


def _stratifiable(y: np.ndarray, test_ratio: float) -> bool:
    _, counts = np.unique(y, return_counts=True)
    n_test = int(np.ceil(len(y) * test_ratio))
    return counts.min() >= 2 and n_test >= len(counts) and len(y) - n_test >= len(counts)


def standardize(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(x - μ) / σ`` per column with μ, σ fit on the training split only (σ = 0 → 1).

    Returns:
        (train, test, mean, std) — the statistics so a caller can undo or reuse them.
    """
    mean = train.mean(axis=0)
    std = train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return (train - mean) / std, (test - mean) / std, mean, std


def make_task(
    name: str,
    task: str,
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    *,
    feature_names: list[str],
    class_names: list[str] | None = None,
    target_mean: float = 0.0,
    target_std: float = 1.0,
    dropped_columns: list[str] | None = None,
) -> TaskData:
    """Numpy arrays → a `TaskData` with the dtypes and target shapes of the contract."""
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, not {task!r}")
    if task == CLASSIFICATION:
        class_names = list(class_names or [])
        yt = torch.as_tensor(np.asarray(y_train), dtype=torch.int64)
        ye = torch.as_tensor(np.asarray(y_test), dtype=torch.int64)
        n_classes = len(class_names)
    else:
        class_names = []
        yt = torch.as_tensor(np.asarray(y_train, dtype=np.float32).reshape(-1, 1))
        ye = torch.as_tensor(np.asarray(y_test, dtype=np.float32).reshape(-1, 1))
        n_classes = 0
    xt = torch.as_tensor(np.ascontiguousarray(x_train, dtype=np.float32))
    xe = torch.as_tensor(np.ascontiguousarray(x_test, dtype=np.float32))
    return TaskData(
        name=name,
        task=task,
        x_train=xt,
        y_train=yt,
        x_test=xe,
        y_test=ye,
        n_classes=n_classes,
        input_shape=tuple(xt.shape[1:]),
        feature_names=list(feature_names),
        class_names=class_names,
        target_mean=float(target_mean),
        target_std=float(target_std),
        dropped_columns=list(dropped_columns or []),
    )
