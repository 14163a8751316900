"""The linear-model page's core calls, cached on their inputs (bounded): runs, searches and surfaces."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.linear import logistic as lg
from core.linear import regression as rg
from core.linear.data import LOGISTIC_DATA, REGRESSION_DATA

REGISTRIES = {r.family: r for r in (REGRESSION_DATA, LOGISTIC_DATA)}


@st.cache_data(max_entries=64, show_spinner=False)
def points_of(family: str, name: str, data_seed: int, values: tuple):
    return REGISTRIES[family].get(name).load(data_seed, **dict(values))


@st.cache_data(max_entries=64, show_spinner=False)
def search(data: tuple, model: str, w_range: tuple, b_range: tuple):
    points = points_of(*data)
    return rg.search_w(points, *w_range) if model == "w" else rg.search_wb(points, w_range, b_range)


@st.cache_data(max_entries=64, show_spinner=False)
def descend(data: tuple, model: str, lr, epochs, start: tuple):
    points = points_of(*data)
    run = rg.descend(points, model, lr, epochs, start=start)
    verdict = rg.verdict(run, points)
    surface = rg.surface_around(points, run.thetas, verdict.optimum) if model == "wb" else None
    return run, verdict, surface


@st.cache_data(max_entries=32, show_spinner=False)
def race(data: tuple, modes: tuple, batch_size, lr, epochs, start: tuple, shuffle: bool, run_seed: int):
    points = points_of(*data)
    runs = {m: rg.descend(points, "wb", lr, epochs, mode=m, batch_size=batch_size, start=start, seed=run_seed,
                          shuffle=shuffle, max_epochs=rg.SGD_EPOCHS.high) for m in modes}  # fmt: skip
    optimum = rg.least_squares(points, "wb")
    return runs, optimum, rg.surface_around(points, np.vstack([r.thetas for r in runs.values()]), optimum)


@st.cache_data(max_entries=32, show_spinner=False)
def train_logistic(data: tuple, lr, epochs, start: tuple):
    return lg.train(points_of(*data), lr, epochs, start)
