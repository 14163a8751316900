"""Tables of an optimizer race (optimizer and scheduler pages): what each run reached, what it did in step k.

Only formatting: the numbers come from `core.optim.race` (`Path`, `inspect`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from core.optim.race import Path
from core.surfaces import Surface
from ui.i18n import t


def last_value(values: np.ndarray, spec: str) -> str:
    """The last defined entry of `values`, formatted; "—" when there is none (f undefined at the start)."""
    defined = values[~pd.isna(values)]
    return format(defined[-1], spec) if len(defined) else "—"


def _status(paths: Sequence[Path]) -> list[str]:
    return [t("optimizers.page.diverged_short", k=p.diverged_at) if p.diverged_at else t("optimizers.page.finished")
            for p in paths]  # fmt: skip


def _distance(paths: Sequence[Path], surface: Surface) -> list[str]:
    return [last_value(p.distance, ".4g") if surface.minima else "—" for p in paths]


def race_summary(paths: Sequence[Path], names: Sequence[str], surface: Surface) -> pd.DataFrame:
    """Per optimizer: final point, final loss, distance to the nearest minimum, finished or diverged."""
    ns = "optimizers.col"
    return pd.DataFrame({
        t(f"{ns}.optimizer"): list(names),
        t(f"{ns}.final"): [f"({p.final[0]:.4g}, {p.final[1]:.4g})" for p in paths],
        t(f"{ns}.loss"): [last_value(p.losses, ".6g") for p in paths],
        t(f"{ns}.distance"): _distance(paths, surface),
        t(f"{ns}.status"): _status(paths),
    })  # fmt: skip


def schedule_summary(paths: Sequence[Path], names: Sequence[str], surface: Surface) -> pd.DataFrame:
    """Per schedule: first and last learning rate, final loss, distance to the minimum, status."""
    ns = "schedulers.col"
    return pd.DataFrame({
        t(f"{ns}.schedule"): list(names),
        t(f"{ns}.lr_start"): [f"{p.lrs[0]:.4g}" for p in paths],
        t(f"{ns}.lr_end"): [last_value(p.lrs, ".4g") for p in paths],
        t(f"{ns}.loss"): [last_value(p.losses, ".6g") for p in paths],
        t(f"{ns}.distance"): _distance(paths, surface),
        t(f"{ns}.status"): _status(paths),
    })  # fmt: skip


def _pair(v) -> str:
    return "—" if v is None else f"({v[0]:.4g}, {v[1]:.4g})"


def inspector(paths: Sequence[Path], names: Sequence[str], rows: Sequence[dict]) -> pd.DataFrame:
    """`core.optim.race.inspect` rows as a table: position, gradient, velocity, scale, update, lr, loss."""
    ns = "optimizers.col"
    return pd.DataFrame({
        t(f"{ns}.optimizer"): list(names),
        **{t(f"{ns}.{col}"): [_pair(r[col]) for r in rows]
           for col in ("position", "grad", "velocity", "scale", "update")},
        t(f"{ns}.lr"): [f"{r['lr']:.4g}" for r in rows],
        t(f"{ns}.loss_k"): [t("optimizers.page.diverged_short", k=p.diverged_at) if r["diverged"] else f"{r['loss']:.6g}"
                            for p, r in zip(paths, rows, strict=True)],
    })  # fmt: skip
