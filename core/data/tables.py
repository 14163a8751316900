"""scikit-learn's bundled tables: breast cancer (binary classification) and diabetes (regression).

Both ship with scikit-learn (no download). Features are standardized with statistics of
the training split only; the diabetes target is standardized too (so an MSE near 1 means
"no better than the mean"), its mean and std kept in `TaskData` to undo it.
"""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes

from core.data.task import CLASSIFICATION, REGRESSION, TaskData, make_task, split, standardize


def breast_cancer(seed: int, test_ratio: float) -> TaskData:
    """569 tumours, 30 measurements each; class 0 malignant, 1 benign (like 000's Data.csv)."""
    bunch = load_breast_cancer()
    x_tr, x_te, y_tr, y_te = split(bunch.data, bunch.target, test_ratio, seed, stratify=True)
    x_tr, x_te, _, _ = standardize(x_tr, x_te)
    return make_task(
        "breast_cancer",
        CLASSIFICATION,
        x_tr,
        y_tr,
        x_te,
        y_te,
        feature_names=[str(n) for n in bunch.feature_names],
        class_names=[str(n) for n in bunch.target_names],
    )


def diabetes(seed: int, test_ratio: float) -> TaskData:
    """442 patients, 10 baseline variables; target: disease progression one year later."""
    bunch = load_diabetes(scaled=False)
    x_tr, x_te, y_tr, y_te = split(bunch.data, bunch.target, test_ratio, seed, stratify=False)
    x_tr, x_te, _, _ = standardize(x_tr, x_te)
    y_tr, y_te, mean, std = standardize(y_tr.astype(np.float64), y_te.astype(np.float64))
    return make_task(
        "diabetes",
        REGRESSION,
        x_tr,
        y_tr,
        x_te,
        y_te,
        feature_names=[str(n) for n in bunch.feature_names],
        target_mean=float(mean),
        target_std=float(std),
    )
