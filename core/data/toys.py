"""Generated data sets: the course's own (sum3, sine) and the 2-D toys (moons, circles, spirals, XOR, blobs).

All are seeded and deterministic. The 2-D toys are left in their own O(1) coordinates (not
standardized) so a decision boundary is drawn in the data's own units; scikit-learn
generates moons, circles and blobs, numpy the rest.
"""

from __future__ import annotations

import math

import numpy as np
from sklearn.datasets import make_blobs, make_circles, make_moons

from core.data.task import CLASSIFICATION, REGRESSION, TaskData, make_task, split

XY = ["x1", "x2"]


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed % 2**32)


def _classes(name: str, x: np.ndarray, y: np.ndarray, seed: int, test_ratio: float, class_names, features=XY):
    x_tr, x_te, y_tr, y_te = split(x, y, test_ratio, seed, stratify=True)
    return make_task(name, CLASSIFICATION, x_tr, y_tr, x_te, y_te, feature_names=features, class_names=class_names)


def sum3(seed: int, n_samples: int, test_ratio: float) -> TaskData:
    """000 §3.1: x1, x2, x3 ~ U(0, 1); class 0 when the sum < 1, 1 when 1 ≤ sum ≤ 2, else 2.

    Features stay in [0, 1] as in the course (no standardization), so the rule can be read off.
    """
    x = _rng(seed).random((n_samples, 3))
    s = x.sum(axis=1)
    y = np.where(s < 1, 0, np.where(s <= 2, 1, 2))
    return _classes("sum3", x, y, seed, test_ratio, ["sum<1", "1≤sum≤2", "sum>2"], ["x1", "x2", "x3"])


SINE_RANGE = math.pi  # x ~ U(-π, π): one full period


def sine(seed: int, n_samples: int, noise: float, test_ratio: float) -> TaskData:
    """003 §1: y = sin(x) + ε, x ~ U(−π, π), ε ~ N(0, noise²); x stays in radians."""
    rng = _rng(seed)
    x = rng.uniform(-SINE_RANGE, SINE_RANGE, (n_samples, 1))
    y = np.sin(x[:, 0]) + noise * rng.standard_normal(n_samples)
    x_tr, x_te, y_tr, y_te = split(x, y, test_ratio, seed, stratify=False)
    return make_task("sine", REGRESSION, x_tr, y_tr, x_te, y_te, feature_names=["x"])


def moons(seed: int, n_samples: int, noise: float, test_ratio: float) -> TaskData:
    """Two interleaving half circles (scikit-learn's make_moons) with Gaussian noise."""
    x, y = make_moons(n_samples, noise=noise, random_state=seed % 2**32)
    return _classes("moons", x, y, seed, test_ratio, ["0", "1"])


CIRCLES_FACTOR = 0.5  # inner radius / outer radius


def circles(seed: int, n_samples: int, noise: float, test_ratio: float) -> TaskData:
    """A small circle inside a large one (scikit-learn's make_circles, radius ratio 0.5)."""
    x, y = make_circles(n_samples, noise=noise, factor=CIRCLES_FACTOR, random_state=seed % 2**32)
    return _classes("circles", x, y, seed, test_ratio, ["0", "1"])


SPIRAL_TURNS = 1.25  # how far each arm winds, in full turns


def spirals(seed: int, n_samples: int, noise: float, test_ratio: float, arms: int) -> TaskData:
    """`arms` interleaved spirals: arm k at radius r ∈ [0.1, 1], angle 2πk/arms + 2π·turns·r, plus noise."""
    rng = _rng(seed)
    y = np.arange(n_samples) % arms
    r = rng.uniform(0.1, 1.0, n_samples)
    theta = 2 * math.pi * y / arms + 2 * math.pi * SPIRAL_TURNS * r
    x = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1)
    x += noise * rng.standard_normal(x.shape)
    return _classes("spirals", x, y, seed, test_ratio, [str(k) for k in range(arms)])


XOR_PADDING = 0.1  # points keep this distance from the axes before noise, as in the TensorFlow playground


def xor(seed: int, n_samples: int, noise: float, test_ratio: float) -> TaskData:
    """Quadrants of the square [−1, 1]²: class 1 when x1·x2 < 0 (exactly one coordinate negative)."""
    rng = _rng(seed)
    magnitude = rng.uniform(XOR_PADDING, 1.0, (n_samples, 2))
    sign = rng.choice([-1.0, 1.0], (n_samples, 2))
    x = magnitude * sign
    y = (x[:, 0] * x[:, 1] < 0).astype(np.int64)
    x += noise * rng.standard_normal(x.shape)
    return _classes("xor", x, y, seed, test_ratio, ["0", "1"])


BLOB_RADIUS = 3.0  # centers sit evenly on a circle of this radius, turned by a seeded angle


def blobs(seed: int, n_samples: int, centers: int, cluster_std: float, test_ratio: float) -> TaskData:
    """`centers` isotropic Gaussian clusters (scikit-learn's make_blobs), one class each.

    The centers are evenly spaced on a circle (random rotation), so neighbouring clusters are
    always 2·R·sin(π/K) apart and the spread alone decides how much they overlap.
    """
    phase = _rng(seed).uniform(0, 2 * math.pi)
    angles = phase + 2 * math.pi * np.arange(centers) / centers
    mu = BLOB_RADIUS * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    x, y = make_blobs(n_samples, centers=mu, cluster_std=cluster_std, random_state=seed % 2**32)
    return _classes("blobs", x, y, seed, test_ratio, [str(k) for k in range(centers)])
