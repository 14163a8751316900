"""A user's own table: CSV bytes → `TaskData`, the way the course prepares the house-price data (002 §7.6).

Preparation, with every statistic fit on the training rows only:

* numeric columns: standardized ``(x − μ) / σ``; a missing value becomes 0, i.e. the mean;
* text (and true/false) columns: one-hot encoded, a missing value being a level of its own
  (d2l's ``get_dummies(dummy_na=True)``); a text column with more than `MAX_CATEGORIES`
  levels (names, ids, free text) is dropped and listed in ``dropped_columns``;
* an entirely empty column is dropped;
* rows whose target is missing are dropped.

Task inference: a numeric target with more than `REGRESSION_MIN_VALUES` distinct values is a
regression target (standardized; ``TaskData.target_mean/std`` undo it); anything else —
text, true/false, or few distinct numbers such as 0/1 or ratings 1–5 — is a classification
target whose classes are its distinct values in sorted order. ``task=`` overrides this.

The bytes are checked before parsing (empty, binary, not UTF-8, too big), so a large binary
upload fails in microseconds with a clear message instead of a parser error.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Sequence

import numpy as np
import pandas as pd

from core.data.limits import (
    MAX_CATEGORIES,
    MAX_CLASSES,
    MAX_CSV_BYTES,
    MAX_CSV_COLUMNS,
    MAX_CSV_FEATURES,
    MAX_CSV_ROWS,
    MIN_CSV_ROWS,
    REGRESSION_MIN_VALUES,
    SNIFF_BYTES,
)
from core.data.task import CLASSIFICATION, REGRESSION, TASKS, TaskData, make_task, split
from core.errors import UserError
from core.registry import Param

MISSING = "(missing)"  # the one-hot level of a missing text value
SEPARATORS = (",", ";", "\t")
AUTO = "auto"
SHOWN_COLUMNS = 30  # at most this many column names in an error message
_TEST_RATIO = Param("test_ratio", 0.2, low=0.0, high=1.0, low_open=True, high_open=True)  # the share held out


def _error(key: str, message: str, **params) -> UserError:
    return UserError(f"datasets.errors.{key}", message, **params)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}".rstrip("0").rstrip(".")


def decode(data: bytes | bytearray | memoryview | str, max_bytes: int = MAX_CSV_BYTES) -> str:
    """The upload as text, after the cheap checks: empty, binary, not UTF-8, too big (in that order).

    Only the first `SNIFF_BYTES` are inspected before the size check, so any binary file —
    however large — is refused at once as binary.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"CSV data must be bytes, not {type(data).__name__}")
    data = bytes(data)
    if not data.strip():
        raise _error("csv_empty", "the uploaded file is empty")
    head = data[:SNIFF_BYTES]
    if b"\x00" in head:
        raise _error("csv_binary", "the file contains NUL bytes: it is binary, not a CSV table")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)  # a cut multi-byte char is fine
    except UnicodeDecodeError:
        raise _error("csv_not_utf8", "the file is not UTF-8 text") from None
    if len(data) > max_bytes:
        raise _error("csv_too_big", f"{len(data)} bytes > {max_bytes}", size_mb=_mb(len(data)), max_mb=_mb(max_bytes))
    try:
        return data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte-order mark
    except UnicodeDecodeError:
        raise _error("csv_not_utf8", "the file is not UTF-8 text") from None


def _separator(text: str) -> str:
    """The most frequent of `SEPARATORS` in the header line (',' on a tie or none)."""
    header = text.lstrip().split("\n", 1)[0]
    return max(SEPARATORS, key=lambda s: (header.count(s), s == ","))


def read_table(data: bytes | str, max_bytes: int = MAX_CSV_BYTES) -> pd.DataFrame:
    """Parse an upload into a DataFrame within the caps, with at least one numeric column.

    Raises:
        UserError: ``datasets.errors.csv_*`` for an empty, binary, non-UTF-8, too big,
            unparsable, header-only, too long or too wide table, or one without numbers.
    """
    text = decode(data, max_bytes)
    try:
        df = pd.read_csv(io.StringIO(text), sep=_separator(text), nrows=MAX_CSV_ROWS + 1, low_memory=False)
    except pd.errors.EmptyDataError:
        raise _error("csv_empty", "the file has no columns") from None
    except (pd.errors.ParserError, ValueError) as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise _error("csv_unreadable", f"not a CSV table: {reason}", reason=reason) from None
    df.columns = [str(c).strip() for c in df.columns]
    if df.shape[1] > MAX_CSV_COLUMNS:
        raise _error("csv_too_many_columns", f"{df.shape[1]} columns", columns=df.shape[1], max_columns=MAX_CSV_COLUMNS)
    if len(df) == 0:
        raise _error("csv_no_rows", "the table has a header but no rows")
    if len(df) > MAX_CSV_ROWS:
        raise _error("csv_too_many_rows", f"more than {MAX_CSV_ROWS} rows", rows=f"> {MAX_CSV_ROWS}",
                     max_rows=MAX_CSV_ROWS)  # fmt: skip
    if not any(_is_numeric(df[c]) for c in df.columns):
        raise _error("csv_no_numeric", "the table has no numeric column")
    return df


def csv_columns(data: bytes | str, max_bytes: int = MAX_CSV_BYTES) -> list[str]:
    """The column names of an uploaded table (after the same checks as `load_csv`)."""
    return list(read_table(data, max_bytes).columns)


def _is_numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _column_list(columns: Sequence[str]) -> str:
    shown = ", ".join(columns[:SHOWN_COLUMNS])
    return shown + (", …" if len(columns) > SHOWN_COLUMNS else "")


def infer_task(target: pd.Series) -> str:
    """ "regression" for a numeric target with more than `REGRESSION_MIN_VALUES` distinct values, else "classification"."""
    if _is_numeric(target) and target.nunique() > REGRESSION_MIN_VALUES:
        return REGRESSION
    return CLASSIFICATION


def _levels(values: pd.Series) -> list:
    """Distinct values in a stable order (numbers numerically, anything else as text)."""
    unique = values.unique()
    if _is_numeric(values):
        return sorted(unique.tolist())
    return sorted(unique.tolist(), key=str)


def load_csv(
    data: bytes | str,
    target: str,
    *,
    test_ratio: float = 0.2,
    seed: int = 0,
    max_bytes: int = MAX_CSV_BYTES,
    task: str = AUTO,
    exclude: Sequence[str] = (),
) -> TaskData:
    """Turn an uploaded table into a train/test `TaskData` predicting column `target`.

    Args:
        data: the file's bytes (UTF-8 CSV; ',', ';' or tab separated).
        target: the column to predict.
        test_ratio: share of rows held out for testing (seeded; stratified for classes).
        seed: drives the split.
        max_bytes: upload cap.
        task: "auto" (inferred, see the module docstring), "classification" or "regression".
        exclude: columns not to use as features (e.g. an Id column).

    Raises:
        UserError: ``datasets.errors.csv_*`` (see `read_table`, plus missing/constant/unsuitable
            target, too few rows, no usable feature, too many features).
    """
    if task != AUTO and task not in TASKS:
        raise _error("csv_bad_task", f"unknown task {task!r}", task=task)
    test_ratio = _TEST_RATIO.validate(test_ratio)
    df = read_table(data, max_bytes)
    target = str(target).strip()
    if target not in df.columns:
        raise _error(
            "csv_missing_target", f"no column {target!r}", target=target, columns=_column_list(list(df.columns))
        )
    df = df[df[target].notna()].reset_index(drop=True)
    if len(df) < MIN_CSV_ROWS:
        raise _error("csv_too_few_rows", f"{len(df)} usable rows < {MIN_CSV_ROWS}", rows=len(df), min_rows=MIN_CSV_ROWS)
    y_raw = df[target]
    if y_raw.nunique() < 2:
        raise _error("csv_target_constant", f"{target!r} has one value", target=target, value=str(y_raw.iloc[0]))
    task = infer_task(y_raw) if task == AUTO else task
    if task == REGRESSION and not _is_numeric(y_raw):
        raise _error("csv_target_not_numeric", f"{target!r} is not numeric", target=target)
    if task == CLASSIFICATION and y_raw.nunique() > MAX_CLASSES:
        raise _error("csv_too_many_classes", f"{target!r} has {y_raw.nunique()} classes", target=target,
                     classes=y_raw.nunique(), max_classes=MAX_CLASSES)  # fmt: skip

    features = df.drop(columns=[target, *[c for c in exclude if c in df.columns and c != target]])
    class_names: list[str] = []
    if task == CLASSIFICATION:
        levels = _levels(y_raw)
        class_names = [_label(v) for v in levels]
        y = y_raw.map({v: i for i, v in enumerate(levels)}).to_numpy(dtype=np.int64)
    else:
        y = y_raw.to_numpy(dtype=np.float64)
    index = np.arange(len(df))
    train_idx, test_idx, y_train, y_test = split(index, y, test_ratio, seed, stratify=task == CLASSIFICATION)
    names, x_train, x_test, dropped = _encode_features(features, train_idx, test_idx)

    mean, std = 0.0, 1.0
    if task == REGRESSION:
        mean, std = float(y_train.mean()), float(y_train.std())
        std = std if std > 0 else 1.0
        y_train, y_test = (y_train - mean) / std, (y_test - mean) / std
    return make_task("csv", task, x_train, y_train, x_test, y_test, feature_names=names, class_names=class_names,
                     target_mean=mean, target_std=std, dropped_columns=dropped)  # fmt: skip


def _encode_features(
    features: pd.DataFrame, train_idx: np.ndarray, test_idx: np.ndarray
) -> tuple[list[str], np.ndarray, np.ndarray, list[str]]:
    """(names, x_train, x_test, dropped): numbers standardized on the training rows, text one-hot.

    Raises:
        UserError: no usable feature column, or more than `MAX_CSV_FEATURES` features.
    """
    train, test = features.iloc[train_idx], features.iloc[test_idx]
    names, train_cols, test_cols, dropped = [], [], [], []
    for column in features.columns:
        tr, te = train[column], test[column]
        if tr.notna().sum() == 0:
            dropped.append(column)  # empty (in the training rows): nothing to learn from
        elif _is_numeric(features[column]):
            mean, std = tr.mean(), tr.std(ddof=0)
            std = std if np.isfinite(std) and std > 0 else 1.0
            # Standardize, then fill missing values with 0 = the training mean (d2l's fillna(0)).
            train_cols.append(((tr - mean) / std).fillna(0.0).to_numpy(dtype=np.float64))
            test_cols.append(((te - mean) / std).fillna(0.0).to_numpy(dtype=np.float64))
            names.append(column)
        else:
            tr_text, te_text = _as_levels(tr), _as_levels(te)
            levels = sorted(tr_text.unique().tolist())
            if len(levels) > MAX_CATEGORIES:
                dropped.append(column)
                continue
            for level in levels:  # one-hot on the training levels; an unseen test level is all zeros
                train_cols.append((tr_text == level).to_numpy(dtype=np.float64))
                test_cols.append((te_text == level).to_numpy(dtype=np.float64))
                names.append(f"{column}={level}")
            if len(names) > MAX_CSV_FEATURES:
                break
    if not names:
        raise _error("csv_no_features", "no usable feature column")
    if len(names) > MAX_CSV_FEATURES:
        raise _error("csv_too_many_features", f"more than {MAX_CSV_FEATURES} features", features=f"> {MAX_CSV_FEATURES}",
                     max_features=MAX_CSV_FEATURES)  # fmt: skip
    return names, np.stack(train_cols, axis=1), np.stack(test_cols, axis=1), dropped


def _label(value) -> str:
    """A class name: 3.0 → "3" (pandas reads an integer column with gaps as floats)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_levels(column: pd.Series) -> pd.Series:
    """Text levels of a column, a missing value being the level `MISSING`."""
    return column.astype(object).where(column.notna(), MISSING).astype(str).str.strip()
