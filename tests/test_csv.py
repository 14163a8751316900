"""Uploaded tables: the house-price preparation (002 §7.6), task inference, and every error a user can cause."""

import os
import string

import numpy as np
import pandas as pd
import pytest
import torch

from core.data import CLASSIFICATION, REGRESSION, csv_columns, infer_task, load_csv
from core.data.limits import MAX_CATEGORIES, MAX_CSV_ROWS, MIN_CSV_ROWS
from core.data.tabular import MISSING
from core.errors import UserError
from ui.i18n import LANGUAGES, table


def house_table(n=200, seed=0) -> pd.DataFrame:
    """A small house-price table: numbers, a text column, missing values in both, and an Id."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "Id": np.arange(1, n + 1),
            "Area": rng.uniform(50, 200, n).round(1),
            "Rooms": rng.integers(1, 6, n),
            "Zone": rng.choice(["RL", "RM", "C"], n),
        }
    )
    df["Price"] = (df["Area"] * 1000 + df["Rooms"] * 5000 + rng.normal(0, 3000, n)).round(0)
    df.loc[::7, "Area"] = np.nan
    df.loc[::11, "Zone"] = None
    return df


def as_bytes(df: pd.DataFrame, sep=",") -> bytes:
    return df.to_csv(index=False, sep=sep).encode("utf-8")


def raises(key, data, target="Price", **kw):
    with pytest.raises(UserError) as info:
        load_csv(data, target, **kw)
    assert info.value.key == f"datasets.errors.{key}", info.value
    for lang in LANGUAGES:  # the message exists and formats in both languages
        text = table(lang)[info.value.key]
        assert text.format(**info.value.params)
    return info.value


def test_columns():
    assert csv_columns(as_bytes(house_table())) == ["Id", "Area", "Rooms", "Zone", "Price"]


def test_house_price_regression_preparation():
    df = house_table()
    data = load_csv(as_bytes(df), "Price", test_ratio=0.25, seed=1, exclude=["Id"])
    assert data.task == REGRESSION and data.n_classes == 0 and data.class_names == []
    assert data.feature_names == ["Area", "Rooms", f"Zone={MISSING}", "Zone=C", "Zone=RL", "Zone=RM"]
    assert data.input_shape == (6,)
    assert data.n_train == 150 and data.n_test == 50
    assert data.x_train.dtype == torch.float32 and data.y_train.shape == (150, 1)
    assert torch.isfinite(data.x_train).all() and torch.isfinite(data.x_test).all()

    # Numeric columns: standardized with the training rows; a missing value became 0 = the mean.
    area, rooms = data.x_train[:, 0].double(), data.x_train[:, 1].double()
    assert float(rooms.mean()) == pytest.approx(0.0, abs=1e-6)
    assert float(rooms.std(unbiased=False)) == pytest.approx(1.0, abs=1e-5)
    present = area != 0
    assert float(area[present].mean()) == pytest.approx(0.0, abs=1e-6)
    assert float(area[present].std(unbiased=False)) == pytest.approx(1.0, abs=1e-5)
    assert int((~present).sum()) > 0

    # Text column: one-hot, exactly one level a row, the missing level included.
    onehot = torch.cat([data.x_train[:, 2:], data.x_test[:, 2:]])
    assert set(onehot.unique().tolist()) == {0.0, 1.0}
    assert torch.equal(onehot.sum(1), torch.ones(onehot.shape[0]))
    assert int(onehot[:, 0].sum()) == df["Zone"].isna().sum()

    # The target is standardized on the training rows; target_mean/std give the prices back.
    assert float(data.y_train.mean()) == pytest.approx(0.0, abs=1e-5)
    prices = torch.cat([data.y_train, data.y_test])[:, 0].double() * data.target_std + data.target_mean
    assert sorted(np.round(prices.numpy())) == sorted(df["Price"].to_numpy())


def test_deterministic_and_seeded():
    raw = as_bytes(house_table())
    a, b, c = load_csv(raw, "Price", seed=2), load_csv(raw, "Price", seed=2), load_csv(raw, "Price", seed=3)
    assert torch.equal(a.x_train, b.x_train) and torch.equal(a.y_test, b.y_test)
    assert not torch.equal(a.x_train, c.x_train)


def test_task_inference():
    df = house_table()
    assert infer_task(df["Price"]) == REGRESSION
    assert infer_task(df["Rooms"]) == CLASSIFICATION  # five distinct numbers: classes
    assert infer_task(df["Zone"]) == CLASSIFICATION
    rooms = load_csv(as_bytes(df), "Rooms")
    assert rooms.task == CLASSIFICATION and rooms.class_names == ["1", "2", "3", "4", "5"]
    zone = load_csv(as_bytes(df.dropna(subset=["Zone"])), "Zone", exclude=["Id"])
    assert zone.class_names == ["C", "RL", "RM"] and zone.y_train.dtype == torch.int64
    assert zone.n_train + zone.n_test == df["Zone"].notna().sum()  # rows without a target are dropped
    # Stratified split: each class keeps its share.
    share = lambda y: torch.bincount(y, minlength=3).double() / len(y)  # noqa: E731
    assert torch.allclose(share(zone.y_train), share(zone.y_test), atol=0.05)
    forced = load_csv(as_bytes(df), "Rooms", task="regression")
    assert forced.task == REGRESSION


def test_separators_bom_and_text_input():
    df = house_table(60)
    semicolon = load_csv(as_bytes(df, sep=";"), "Price")
    comma = load_csv(as_bytes(df), "Price")
    assert torch.equal(semicolon.x_train, comma.x_train)
    tab = load_csv(as_bytes(df, sep="\t"), "Price")
    assert torch.equal(tab.x_train, comma.x_train)
    bom = load_csv(b"\xef\xbb\xbf" + as_bytes(df), "Price")
    assert torch.equal(bom.x_train, comma.x_train)
    chinese = df.rename(columns={"Price": "价格", "Zone": "区域"})
    assert {"区域=C", "区域=RL", "区域=RM"} <= set(load_csv(as_bytes(chinese), "价格").feature_names)


def test_high_cardinality_and_empty_columns_are_dropped():
    df = house_table()
    df["Name"] = [f"house {i}" for i in range(len(df))]
    df["Empty"] = np.nan
    data = load_csv(as_bytes(df), "Price")
    assert len(df) > MAX_CATEGORIES
    assert data.dropped_columns == ["Name", "Empty"]
    assert not any(n.startswith(("Name", "Empty")) for n in data.feature_names)


def test_unseen_test_level_is_all_zeros():
    df = house_table(40)
    df["Zone"] = "A"
    df.loc[0, "Zone"] = "B"  # one row: wherever it lands, the other split never saw it
    data = load_csv(as_bytes(df), "Price", exclude=["Id"])
    levels = [n for n in data.feature_names if n.startswith("Zone=")]
    assert levels in (["Zone=A"], ["Zone=A", "Zone=B"])


# -- errors ------------------------------------------------------------------------


def test_empty_file():
    raises("csv_empty", b"")
    raises("csv_empty", b"  \n\n ")


def test_random_binary_file_of_20_mb():
    blob = os.urandom(20 * 1024 * 1024)
    raises("csv_binary", blob)
    with pytest.raises(UserError) as info:
        csv_columns(blob)
    assert info.value.key == "datasets.errors.csv_binary"


def test_not_utf8():
    gbk = "面积,价格\n" + "\n".join(f"{i},{i * 2}" for i in range(20))
    raises("csv_not_utf8", gbk.encode("gbk"))


def test_too_big():
    raw = as_bytes(house_table())
    raises("csv_too_big", raw, max_bytes=len(raw) - 1)
    assert load_csv(raw, "Price", max_bytes=len(raw)).n_train > 0


def test_header_only_and_unparsable():
    raises("csv_no_rows", b"Area,Price\n")
    raises("csv_unreadable", b'a,b\n1,"2\n3,4\n')


def test_no_numeric_column():
    text = "Name,Colour\n" + "\n".join(f"n{i},{string.ascii_lowercase[i % 5]}" for i in range(30))
    raises("csv_no_numeric", text.encode(), target="Colour")


def test_missing_target_lists_the_columns():
    error = raises("csv_missing_target", as_bytes(house_table()), target="SalePrice")
    assert error.params["columns"] == "Id, Area, Rooms, Zone, Price"


def test_target_with_a_single_value():
    df = house_table()
    df["Price"] = 7
    raises("csv_target_constant", as_bytes(df))


def test_too_few_rows():
    raises("csv_too_few_rows", as_bytes(house_table(MIN_CSV_ROWS - 1)))
    df = house_table(30)
    df.loc[df.index[: 30 - MIN_CSV_ROWS + 1], "Price"] = np.nan  # rows without a target do not count
    raises("csv_too_few_rows", as_bytes(df))


def test_unsuitable_targets():
    df = house_table()
    raises("csv_target_not_numeric", as_bytes(df), target="Zone", task="regression")
    raises("csv_too_many_classes", as_bytes(df), target="Id", task="classification")
    raises("csv_bad_task", as_bytes(df), task="clustering")


def test_no_feature_left():
    df = house_table()[["Id", "Price"]]
    raises("csv_no_features", as_bytes(df), exclude=["Id"])


def test_too_many_rows():
    rows = MAX_CSV_ROWS + 1
    text = "a,b\n" + "1,2\n" * rows
    raises("csv_too_many_rows", text.encode(), target="b", max_bytes=len(text) + 1)
