"""A host that mounts no data (``$DLP_DATA`` empty): every page still runs, and says what is missing.

The shipped models need no data; MNIST, Fashion-MNIST and the poem corpus are read from
``$DLP_DATA``. Caches are cleared before and after, so no data loaded by another test leaks in.
"""

import pytest
import streamlit as st

from core.data.images import load_images
from tests.apptest import assert_clean, open_page
from tests.test_pages import PAGES


@pytest.fixture
def no_data(tmp_path, monkeypatch):
    monkeypatch.setenv("DLP_DATA", str(tmp_path / "data"))
    for clear in (st.cache_resource.clear, st.cache_data.clear, load_images.cache_clear):
        clear()
    yield tmp_path / "data"
    for clear in (st.cache_resource.clear, st.cache_data.clear, load_images.cache_clear):
        clear()


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_the_data_directory(page, no_data):
    at = open_page(page, "en")
    assert_clean(at)


def test_training_on_mnist_without_data_says_where_to_put_it(no_data):
    at = open_page("training", "en", **{"p.datasets.training.choice": "mnist"})
    assert_clean(at)
    errors = " ".join(e.value for e in at.error)
    assert "MNIST/raw" in errors and "DLP_DATA" in errors and str(no_data) in errors
