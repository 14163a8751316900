"""The course's toy data for the linear-model chapter, as registries of seeded generators.

Regression (`REGRESSION_DATA`): the course's three points x = 1, 2, 3 with y = 2x (002), and a
noisy line y = w*·x + b* + ε with an offset. Binary classification (`LOGISTIC_DATA`): the
course's "hours studied → passed" points (004: x = 1, 2, 3, y = 0, 0, 1), a noisy 1-D version
and a 2-D pair of Gaussian clusters. Every set is float64 numpy, deterministic for a seed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.errors import UserError
from core.registry import Entry, Param, Registry

COURSE_X = (1.0, 2.0, 3.0)
COURSE_Y = (2.0, 4.0, 6.0)  # y = 2x: the best w is 2, the MSE there is 0
HOURS_Y = (0.0, 0.0, 1.0)  # 004: 1 and 2 hours fail, 3 hours pass
NOISY_X_RANGE = (0.0, 4.0)
NOISE_MAX = 3.0  # the noise level is typed: values outside [0, NOISE_MAX] get a message
SPREAD_MAX = 3.0

N_POINTS = Param("n_points", 20, 3, 200, 1)
NOISE = Param("noise", 0.5, 0.0, None, 0.1)  # no high bound on the widget: see check_level
TRUE_W = Param("true_w", 2.0, -3.0, 3.0, 0.1)
TRUE_B = Param("true_b", 1.0, -3.0, 3.0, 0.1)
SPREAD = Param("spread", 0.8, 0.0, None, 0.1)  # class overlap (std of each cluster), typed like NOISE


@dataclass(frozen=True)
class Points:
    """A small data set: inputs `x` (N,) for 1-D or (N, 2) for 2-D, targets `y` (N,), both float64."""

    x: np.ndarray
    y: np.ndarray

    @property
    def n(self) -> int:
        return int(self.y.shape[0])

    @property
    def dim(self) -> int:
        return 1 if self.x.ndim == 1 else int(self.x.shape[1])


def check_level(name: str, value: Any, high: float) -> float:
    """A typed noise/spread level as a float in [0, high], or UserError("linear.errors.<name>_range")."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not (math.isfinite(number) and 0.0 <= number <= high):
        raise UserError(
            f"linear.errors.{name}_range", f"{name}={value!r} must be in [0, {high}]", value=value, high=high
        )
    return number


@dataclass(frozen=True)
class DataEntry(Entry):
    """A data set: its generator ``make(seed, **params) -> Points`` and whether x is 2-D."""

    make: Callable[..., Points] | None = None
    is_2d: bool = False

    def load(self, seed: int = 0, **params: Any) -> Points:
        """The points for `seed` and these parameter values (typed levels checked first, then the specs)."""
        for level, high in (("noise", NOISE_MAX), ("spread", SPREAD_MAX)):
            if level in params and any(p.name == level for p in self.params):
                params[level] = check_level(level, params[level], high)
        return self.make(int(seed), **self.resolve(params))


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed % 2**32)


def course(seed: int) -> Points:
    """002: x = 1, 2, 3 and y = 2x (no randomness)."""
    return Points(np.array(COURSE_X), np.array(COURSE_Y))


def noisy_line(seed: int, n_points: int, noise: float, true_w: float, true_b: float) -> Points:
    """x ~ U(0, 4) sorted, y = true_w·x + true_b + ε with ε ~ N(0, noise²)."""
    rng = _rng(seed)
    x = np.sort(rng.uniform(*NOISY_X_RANGE, n_points))
    y = true_w * x + true_b + noise * rng.standard_normal(n_points)
    return Points(x, y)


def hours(seed: int) -> Points:
    """004: hours studied x = 1, 2, 3 → passed y = 0, 0, 1 (no randomness)."""
    return Points(np.array(COURSE_X), np.array(HOURS_Y))


def hours_noisy(seed: int, n_points: int, spread: float) -> Points:
    """1-D: fail ~ N(1.5, spread²), pass ~ N(3.5, spread²) hours, half of each (class 0 first)."""
    rng = _rng(seed)
    n0 = n_points // 2
    y = np.r_[np.zeros(n0), np.ones(n_points - n0)]
    x = np.where(y == 0, 1.5, 3.5) + spread * rng.standard_normal(n_points)
    return Points(x, y)


BLOB_CENTERS = ((-1.0, -0.5), (1.0, 0.5))


def blobs(seed: int, n_points: int, spread: float) -> Points:
    """2-D: two Gaussian clusters around BLOB_CENTERS with std `spread`, half of each."""
    rng = _rng(seed)
    n0 = n_points // 2
    y = np.r_[np.zeros(n0), np.ones(n_points - n0)]
    centers = np.array(BLOB_CENTERS)[y.astype(int)]  # (N, 2)
    x = centers + spread * rng.standard_normal((n_points, 2))
    return Points(x, y)


REGRESSION_DATA: Registry[DataEntry] = Registry(
    "linear.data",
    [
        DataEntry("course", (), r"x=(1,2,3),\ y=(2,4,6)", make=course),
        DataEntry(
            "noisy",
            (N_POINTS, NOISE, TRUE_W, TRUE_B),
            r"\begin{gathered}y=w^\ast x+b^\ast+\varepsilon\\ x\sim U(0,4),\ \varepsilon\sim\mathcal N(0,\sigma^2)\end{gathered}",
            make=noisy_line,
        ),
    ],
)

LOGISTIC_DATA: Registry[DataEntry] = Registry(
    "linear.logistic_data",
    [
        DataEntry("hours", (), r"x=(1,2,3),\ y=(0,0,1)", make=hours),
        DataEntry(
            "hours_noisy",
            (N_POINTS, SPREAD),
            r"\begin{gathered}x\mid y{=}0\sim\mathcal N(1.5,s^2)\\ x\mid y{=}1\sim\mathcal N(3.5,s^2)\end{gathered}",
            make=hours_noisy,
        ),
        DataEntry(
            "blobs",
            (Param("n_points", 60, 4, 400, 2), SPREAD),
            r"\begin{gathered}x\mid y{=}k\sim\mathcal N(\mu_k,s^2I)\\ \mu_0=(-1,-\tfrac12),\ \mu_1=(1,\tfrac12)\end{gathered}",
            make=blobs,
            is_2d=True,
        ),
    ],
)
