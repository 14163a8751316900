"""A 2-D classification set the learner shapes by clicking: points added (to the training or the test
split) and points removed, on top of a built-in set or on an empty plane with the same classes.

Pure and deterministic: the page keeps the list of edits, `edited` rebuilds the `TaskData` from it,
so the cached built-in set is never mutated and the same edits always give the same data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import torch

from core.data.task import CLASSIFICATION, TaskData
from core.errors import UserError

SPLITS = ("train", "test")
MAX_ADDED = 2000  # clicked points kept, at most
EMPTY_SPAN = 1.5  # an empty plane spans [−1.5, 1.5]² (the toys' own scale)
PICK_RADIUS = 0.04  # a click removes the nearest point within this share of the plane's diagonal


def editable(data: TaskData | None) -> bool:
    """Points can be clicked onto a 2-D classification set."""
    return data is not None and data.task == CLASSIFICATION and tuple(data.input_shape) == (2,)


def empty_like(data: TaskData) -> TaskData:
    """The same task (classes, names) with no points: an empty plane to click on."""
    none = torch.zeros((0, 2), dtype=torch.float32)
    labels = torch.zeros((0,), dtype=torch.int64)
    return replace(data, x_train=none, y_train=labels, x_test=none.clone(), y_test=labels.clone())


def bounds(data: TaskData, margin: float = 0.15) -> tuple[tuple[float, float], tuple[float, float]]:
    """The plane to draw and click on: the points' box with a margin, or ±`EMPTY_SPAN` with no points."""
    x = torch.cat([data.x_train, data.x_test]).numpy()
    if x.shape[0] == 0:
        return (-EMPTY_SPAN, EMPTY_SPAN), (-EMPTY_SPAN, EMPTY_SPAN)
    low, high = x.min(axis=0), x.max(axis=0)
    pad = np.maximum(high - low, 1e-6) * margin
    return (float(low[0] - pad[0]), float(high[0] + pad[0])), (float(low[1] - pad[1]), float(high[1] + pad[1]))


def _rows(points: Sequence[Sequence], split: str, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    chosen = [p for p in points if p[3] == split]
    for p in chosen:
        if not 0 <= int(p[2]) < n_classes:
            raise UserError("training.errors.point_class", f"class {p[2]} is not one of 0…{n_classes - 1}",
                            value=p[2], high=n_classes - 1)  # fmt: skip
    x = np.asarray([[float(p[0]), float(p[1])] for p in chosen], dtype=np.float32).reshape(-1, 2)
    return x, np.asarray([int(p[2]) for p in chosen], dtype=np.int64)


def edited(
    data: TaskData, added: Sequence[Sequence] = (), removed: Sequence[tuple[str, int]] = (), empty: bool = False
) -> TaskData:
    """`data` (or its empty plane) with the clicked points.

    Args:
        added: ``(x1, x2, class, split)`` per click, split "train" or "test", appended in order.
        removed: ``(split, index)`` of points of the *base* set to leave out (indices into
            `data`'s own split; ignored on an empty plane).
        empty: start from `empty_like(data)` instead of the built-in points.
    """
    if not editable(data):
        raise ValueError("only 2-D classification sets can be edited")
    if len(added) > MAX_ADDED:
        raise UserError("training.errors.too_many_points", f"{len(added)} points; at most {MAX_ADDED}",
                        count=len(added), cap=MAX_ADDED)  # fmt: skip
    base = empty_like(data) if empty else data
    parts = {}
    for split in SPLITS:
        x, y = getattr(base, f"x_{split}").numpy(), getattr(base, f"y_{split}").numpy()
        drop = {i for s, i in removed if s == split and not empty}
        keep = np.asarray([i for i in range(x.shape[0]) if i not in drop], dtype=np.int64)
        ax, ay = _rows(added, split, data.n_classes)
        parts[f"x_{split}"] = torch.from_numpy(np.concatenate([x[keep].reshape(-1, 2), ax]))
        parts[f"y_{split}"] = torch.from_numpy(np.concatenate([y[keep], ay]))
    return replace(base, **parts)


def nearest(data: TaskData, x: float, y: float, radius: float | None = None) -> tuple[str, int] | None:
    """The (split, index) of the point nearest to (x, y) within `radius` (default: `PICK_RADIUS` of the
    plane's diagonal), or None when no point is that close."""
    (x0, x1), (y0, y1) = bounds(data)
    radius = PICK_RADIUS * float(np.hypot(x1 - x0, y1 - y0)) if radius is None else radius
    best, where = radius, None
    for split in SPLITS:
        pts = getattr(data, f"x_{split}").numpy().reshape(-1, 2)
        if pts.shape[0] == 0:
            continue
        d = np.hypot(pts[:, 0] - x, pts[:, 1] - y)
        i = int(d.argmin())
        if d[i] <= best:
            best, where = float(d[i]), (split, i)
    return where


def remove_at(
    data: TaskData, added: Sequence[Sequence], removed: Sequence[tuple[str, int]], split: str, index: int,
    empty: bool = False,
) -> tuple[list, list]:  # fmt: skip
    """The edits after removing point `index` of `split` of the *edited* set: a base point joins `removed`,
    a clicked one leaves `added`. Returns new (added, removed) lists."""
    added, removed = [list(p) for p in added], [tuple(r) for r in removed]
    n_base = 0 if empty else getattr(data, f"x_{split}").shape[0]
    kept = [i for i in range(n_base) if (split, i) not in set(removed)]
    if index < len(kept):
        return added, [*removed, (split, kept[index])]
    mine = [j for j, p in enumerate(added) if p[3] == split]
    del added[mine[index - len(kept)]]
    return added, removed
