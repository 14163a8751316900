"""`DATASETS`: every built-in data set as a registry entry with its parameter specs and flags."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.data import image_sets, tables, toys
from core.data.limits import MAX_IMAGE_TEST, MAX_IMAGE_TRAIN, MAX_TOY_SAMPLES
from core.data.task import CLASSIFICATION, REGRESSION, TaskData
from core.registry import Entry, Param, Registry


@dataclass(frozen=True)
class DatasetSpec(Entry):
    """A data set: its generator/loader, parameter specs and capability flags.

    Flags:
        task: "classification" or "regression".
        is_2d: two input features (the page can draw a decision boundary).
        is_image: (1, 28, 28) images (the page offers CNNs, a confusion matrix, misclassified examples).
    """

    loader: Callable[..., TaskData] | None = None
    task: str = CLASSIFICATION
    is_2d: bool = False
    is_image: bool = False

    def load(self, seed: int, root: str | Path | None = None, **params: Any) -> TaskData:
        """Build the data set, deterministically for a given `seed` and parameter values.

        Args:
            seed: drives sampling and the train/test split.
            root: image data directory holding ``<Name>/raw`` (default ``../shared/data``); images only.
            **params: values for `self.params` (validated; missing ones take their defaults).

        Raises:
            UserError: a parameter is unknown or out of range; image files are missing.
        """
        values = self.resolve(params)
        if self.is_image:
            values["root"] = root
        return self.loader(seed=int(seed), **values)


def n_samples(default: int, low: int = 20) -> Param:
    return Param("n_samples", default, low, MAX_TOY_SAMPLES, 10)


def noise(default: float, high: float = 1.0) -> Param:
    return Param("noise", default, 0.0, high, 0.01)


TEST_RATIO = Param("test_ratio", 0.25, 0.1, 0.5, 0.05)
IMAGE_PARAMS = (
    Param("n_train", 6_000, 100, MAX_IMAGE_TRAIN, 100),
    Param("n_test", 1_000, 100, MAX_IMAGE_TEST, 100),
)

DATASETS: Registry[DatasetSpec] = Registry(
    "datasets",
    [
        DatasetSpec(
            "sum3",
            (n_samples(1_000), TEST_RATIO),
            r"x_1,x_2,x_3\sim U(0,1),\quad y=\begin{cases}0 & \sum x_i<1\\ 1 & 1\le\sum x_i\le 2\\ 2 & \sum x_i>2\end{cases}",
            loader=toys.sum3,
        ),
        DatasetSpec(
            "sine",
            (n_samples(200), noise(0.1), TEST_RATIO),
            r"x\sim U(-\pi,\pi),\quad y=\sin x+\varepsilon,\ \varepsilon\sim\mathcal N(0,\sigma^2)",
            loader=toys.sine,
            task=REGRESSION,
        ),
        DatasetSpec(
            "breast_cancer",
            (TEST_RATIO,),
            r"x\in\mathbb R^{30},\ y\in\{0\ \text{malignant},1\ \text{benign}\},\quad x'=\frac{x-\mu_{train}}{\sigma_{train}}",
            loader=tables.breast_cancer,
        ),
        DatasetSpec(
            "diabetes",
            (TEST_RATIO,),
            r"x\in\mathbb R^{10},\ y\in\mathbb R,\quad x'=\frac{x-\mu_{train}}{\sigma_{train}},\ y'=\frac{y-\mu_y}{\sigma_y}",
            loader=tables.diabetes,
            task=REGRESSION,
        ),
        DatasetSpec(
            "moons",
            (n_samples(400), noise(0.15), TEST_RATIO),
            r"(\cos t,\sin t)\ \text{vs.}\ (1-\cos t,\tfrac12-\sin t),\ t\sim U(0,\pi),\ +\mathcal N(0,\sigma^2 I)",
            loader=toys.moons,
            is_2d=True,
        ),
        DatasetSpec(
            "circles",
            (n_samples(400), noise(0.08), TEST_RATIO),
            r"(\cos t,\sin t)\ \text{vs.}\ \tfrac12(\cos t,\sin t),\ t\sim U(0,2\pi),\ +\mathcal N(0,\sigma^2 I)",
            loader=toys.circles,
            is_2d=True,
        ),
        DatasetSpec(
            "spirals",
            (n_samples(600), noise(0.05), TEST_RATIO, Param("arms", 2, 2, 5, 1)),
            r"r\sim U(0.1,1),\ \theta_k=\frac{2\pi k}{K}+2.5\pi r,\ x=r(\cos\theta_k,\sin\theta_k)+\mathcal N(0,\sigma^2 I)",
            loader=toys.spirals,
            is_2d=True,
        ),
        DatasetSpec(
            "xor",
            (n_samples(400), noise(0.05), TEST_RATIO),
            r"x\in[-1,1]^2,\ y=[x_1x_2<0]\ (=\ [x_1>0]\oplus[x_2>0]),\ +\mathcal N(0,\sigma^2 I)",
            loader=toys.xor,
            is_2d=True,
        ),
        DatasetSpec(
            "blobs",
            (n_samples(400), Param("centers", 3, 2, 8, 1), Param("cluster_std", 1.0, 0.1, 4.0, 0.1), TEST_RATIO),
            r"\mu_k=3\big(\cos(\varphi+\tfrac{2\pi k}{K}),\sin(\varphi+\tfrac{2\pi k}{K})\big),\quad x\mid y{=}k\sim\mathcal N(\mu_k,\sigma^2 I)",
            loader=toys.blobs,
            is_2d=True,
        ),
        DatasetSpec(
            "mnist",
            IMAGE_PARAMS,
            r"x=\frac{p/255-\mu}{\sigma}\in\mathbb R^{1\times28\times28},\ y\in\{0,\dots,9\}",
            loader=image_sets.mnist,
            is_image=True,
        ),
        DatasetSpec(
            "fashion_mnist",
            IMAGE_PARAMS,
            r"x=\frac{p/255-\mu}{\sigma}\in\mathbb R^{1\times28\times28},\ y\in\{0,\dots,9\}",
            loader=image_sets.fashion_mnist,
            is_image=True,
        ),
    ],
)
