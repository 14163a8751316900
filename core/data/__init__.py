"""Data sets: the course's own, scikit-learn's toys and tables, MNIST-style images, CSV.

Every loader returns a `TaskData` (train/test tensors + what the model builder needs to
know); built-in sets are entries of `DATASETS`, an uploaded table goes through `load_csv`.
"""

from core.data.catalog import DATASETS, DatasetSpec
from core.data.tabular import csv_columns, infer_task, load_csv, read_table
from core.data.task import CLASSIFICATION, REGRESSION, TASKS, TaskData

__all__ = [
    "CLASSIFICATION",
    "DATASETS",
    "REGRESSION",
    "TASKS",
    "DatasetSpec",
    "TaskData",
    "csv_columns",
    "infer_task",
    "load_csv",
    "read_table",
]
