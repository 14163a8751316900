"""AppTest of the convolution page: both languages, the output-size formula follows the stride, bad input gives messages."""

import io

import numpy as np
import pytest
import streamlit as st
from PIL import Image

from core.data import images as image_files
from tests.apptest import LANGS, assert_clean, open_page

CHARTS = 13  # picture; input, kernel, output; slide, products; RGB, channels, sum; pool in/out; filter, its map


def _latex(at) -> str:
    return " ".join(e.value for e in at.get("latex"))


@pytest.mark.parametrize("lang", LANGS)
def test_page_runs_clean(lang):
    at = open_page("convolution", lang)
    assert_clean(at)
    assert not at.error, [e.value for e in at.error]
    assert len(at.get("plotly_chart")) == CHARTS
    assert len(at.header) == 5
    latex = _latex(at)
    assert r"\frac{28 + 2\cdot1 - 1\cdot(3-1) - 1}{1} \right\rfloor + 1 = 28" in latex  # same padding keeps 28
    assert r"\frac{28 + 2\cdot0 - 2}{2} \right\rfloor + 1 = 14" in latex  # 2×2 pooling halves it
    assert "0.0e+00" in " ".join(c.value for c in at.caption)  # im2col == F.conv2d exactly here


def test_stride_and_kernel_change_the_output_size():
    at = open_page("convolution", "en")
    at.slider(key="p.convolution.stride").set_value(2).run()
    assert_clean(at)
    assert r"\right\rfloor + 1 = 14" in _latex(at)
    at.selectbox(key="p.convolution.kernels.choice").set_value("box_blur").run()
    at.selectbox(key="p.convolution.kernels.box_blur.size").set_value(5).run()
    assert r"\frac{28 + 2\cdot1 - 1\cdot(5-1) - 1}{2} \right\rfloor + 1 = 13" in _latex(at)
    assert not at.error


@pytest.mark.parametrize("lang", LANGS)
def test_bad_inputs_show_messages(lang):
    at = open_page(
        "convolution",
        lang,
        **{
            "p.convolution.kernels.choice": "box_blur",
            "p.convolution.kernels.box_blur.size": 5,
            "p.convolution.dilation": 8,  # a window 33 wide in a 30 × 30 padded picture
            "p.convolution.pool_padding": 2,  # more than half a 2 × 2 pool
        },
    )
    assert_clean(at)
    texts = [e.value for e in at.error]
    assert len(texts) == 2, texts
    assert ("33" in texts[0]) and ("30 × 30" in texts[0])
    at = open_page("convolution", lang, **{"p.convolution.paddings.choice": "reflect", "p.convolution.padding": 30})
    assert_clean(at)
    assert len(at.error) == 1 and "28 × 28" in at.error[0].value
    at = open_page("convolution", lang, **{"p.convolution.pick": "index", "p.convolution.index": 12_000})
    assert_clean(at)
    assert len(at.error) == 1 and "12000" in at.error[0].value


@pytest.mark.parametrize("lang", LANGS)
def test_a_kernel_grid_with_an_empty_cell_is_a_message(lang):
    grid = [[0.0, 1.0, 0.0], [1.0, None, 1.0], [0.0, 1.0, 0.0]]
    at = open_page("convolution", lang, **{"p.convolution.kernels.choice": "custom", "convolution_grid_saved_3": grid})
    assert_clean(at)
    assert len(at.error) == 1
    assert "row 2, column 2" in at.error[0].value or "第 2 行第 2 列" in at.error[0].value
    grid[1][1] = -4.0
    at = open_page("convolution", lang, **{"p.convolution.kernels.choice": "custom", "convolution_grid_saved_3": grid})
    assert_clean(at)
    assert not at.error
    assert r"\begin{bmatrix}0&1&0\\1&-4&1\\0&1&0\end{bmatrix}" in _latex(at)


def test_the_digits_drawing_is_an_input():
    at = open_page("convolution", "en", **{"p.convolution.sources.choice": "drawing"})
    assert_clean(at)
    assert len(at.info) == 1 and not at.error  # no drawing yet: a prompt and a link to the digits page
    assert len(at.get("plotly_chart")) == 3  # only the RGB section, on its own picture
    canvas = np.zeros((100, 100, 4), np.uint8)
    canvas[..., 3] = 255
    canvas[20:80, 45:55, :3] = 255
    buffer = io.BytesIO()
    Image.fromarray(canvas, "RGBA").save(buffer, format="PNG")
    at = open_page("convolution", "zh", **{"p.convolution.sources.choice": "drawing", "digits_png": buffer.getvalue()})
    assert_clean(at)
    assert not at.error and not at.info
    assert len(at.get("plotly_chart")) == CHARTS


def test_without_the_data_directory_the_page_says_what_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("DLP_DATA", str(tmp_path))
    image_files.load_images.cache_clear()
    st.cache_resource.clear()
    try:
        at = open_page("convolution", "en")
        assert_clean(at)
        assert not at.exception and not at.error
        assert len(at.warning) == 1 and "MNIST" in at.warning[0].value
        assert len(at.get("plotly_chart")) == 3  # the RGB section still works on its own picture
    finally:
        monkeypatch.delenv("DLP_DATA")
        image_files.load_images.cache_clear()
        st.cache_resource.clear()
