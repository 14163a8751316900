"""The convolution page's results, cached: the data splits and the digit CNN once per server, maps per input."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.conv import checked, digit_filters
from core.conv.walk import walk as walk_patch
from core.data.images import load_images
from core.digits.inspect import enlarge, mosaic
from core.digits.models import load_shipped

FILTER_PIXELS = 14  # screen pixels per filter weight in the mosaic
MAP_COLUMNS = 8
MAP_PIXELS = 84  # screen pixels per feature map in the mosaic


@st.cache_resource(show_spinner=False)
def split(name: str):
    """(images, labels) of a test split, read once per server (never mutated)."""
    return load_images(name, False)


@st.cache_resource(show_spinner=False)
def digit_cnn():
    """The shipped digit CNN (weights_only), once per server; never trained here."""
    return load_shipped("cnn")[0]


@st.cache_data(max_entries=64, show_spinner=False)
def convolve(picture: np.ndarray, kernel: np.ndarray, stride: int, padding: int, dilation: int, mode: str):
    return checked.convolve(picture, kernel, stride, padding, dilation, mode)


@st.cache_data(max_entries=64, show_spinner=False)
def walk(picture: np.ndarray, kernel: np.ndarray, geometry: tuple, i0: int, j0: int, n: int):
    stride, padding, dilation, mode = geometry
    return walk_patch(picture[0], kernel, stride=stride, padding=padding, dilation=dilation, padding_mode=mode,
                i0=i0, j0=j0, n=n)  # fmt: skip


@st.cache_data(max_entries=32, show_spinner=False)
def channels(picture: np.ndarray, kernel: np.ndarray, weights: tuple, bias: float):
    return checked.channels(picture, kernel, weights, bias)


@st.cache_data(max_entries=32, show_spinner=False)
def pool(picture: np.ndarray, kind: str, size: int, stride: int, padding: int):
    return checked.pool(picture, kind, size, stride, padding)


@st.cache_data(max_entries=16, show_spinner=False)
def first_layer(picture: np.ndarray):
    return digit_filters.first_layer(digit_cnn(), picture)


@st.cache_data(max_entries=16, show_spinner=False)
def mosaics(picture: np.ndarray, activated: bool) -> tuple[np.ndarray, np.ndarray]:
    """(the filters, the maps) as two enlarged grey tiles, each filter or map scaled on its own."""
    layer = first_layer(picture)
    maps = layer.activated if activated else layer.conv
    filters = enlarge(mosaic(layer.filters, columns=MAP_COLUMNS, limit=len(layer.filters)), FILTER_PIXELS)
    return filters, enlarge(mosaic(maps, columns=MAP_COLUMNS, limit=len(maps)), max(1, MAP_PIXELS // maps.shape[1]))
