"""Cached results and figures of the initializers page: each lab pass, demo and figure once per input.

A figure's cache key holds the language, since its labels are translated when it is built.
"""

import streamlit as st

from core.gradflow import LabConfig, LabResult, WeightView, layer_weights, run_lab
from core.init_demos import SymmetryRun, TrainCurve, symmetry_demo, trainability
from ui import init_charts as charts
from ui.spec_charts import Spec
from ui.widgets import entry_title

FAMILY = "initializers"
# A config's repr names every field: hashing it is ~50× cheaper than Streamlit's walk over the dataclass.
BY_REPR = {LabConfig: repr}


@st.cache_data(show_spinner=False, max_entries=32, hash_funcs=BY_REPR)
def lab_pass(config: LabConfig, device_name: str, heatmaps: bool) -> LabResult:
    return run_lab(config, device_name, heatmaps=heatmaps)


@st.cache_data(show_spinner=False, max_entries=32, hash_funcs=BY_REPR)
def weights(config: LabConfig, device_name: str, layer: int) -> WeightView:
    return layer_weights(config, layer, device_name)  # the slider needs no new pass, only the rebuilt weights


@st.cache_data(show_spinner=False, max_entries=16)
def symmetry(init: str, params: tuple, activation: str, act_params: tuple, steps: int, seed: int) -> SymmetryRun:
    return symmetry_demo(init, dict(params), activation, dict(act_params), steps, seed)


@st.cache_data(show_spinner=False, max_entries=16)
def train(inits: tuple, activation: str, act_params: tuple, settings: tuple, gain: bool, seed: int) -> list[TrainCurve]:
    return trainability([(n, dict(ps)) for n, ps in inits], activation, dict(act_params), **dict(settings),
                         recommended_gain=gain, seed=seed)  # fmt: skip


@st.cache_resource(show_spinner=False, max_entries=64, hash_funcs=BY_REPR)
def flow_chart(kind: str, language: str, config: LabConfig, device_name: str, extra: object = None) -> Spec | None:
    """One figure of the one-pass tab, built once per input and language."""
    if kind == "weights":
        return charts.weights(weights(config, device_name, extra))
    result = lab_pass(config, device_name, True)
    if kind == "layers":
        return charts.per_layer({entry_title(FAMILY, config.initializer): result})
    if kind == "fractions":
        return charts.fractions(result)
    return charts.heatmap(result, *extra)


@st.cache_resource(show_spinner=False, max_entries=32, hash_funcs=BY_REPR)
def compare_chart(language: str, configs: tuple, device_name: str) -> Spec:
    return charts.per_layer({entry_title(FAMILY, c.initializer): lab_pass(c, device_name, False) for c in configs}, 420)


@st.cache_resource(show_spinner=False, max_entries=32)
def symmetry_charts(language: str, runs: tuple) -> tuple[list[Spec], Spec]:
    """The two runs' before/after heatmaps and their spreads (`runs`: `symmetry`'s arguments, twice)."""
    done = [symmetry(*run) for run in runs]
    names = [entry_title(FAMILY, run.init) for run in done]
    return [charts.symmetry(run, name) for run, name in zip(done, names, strict=True)], charts.spread(done, names)
