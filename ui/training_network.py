"""The neuron view of a live run: the network with one map per neuron, the selected neuron's incoming weights
and activation histogram, and the per-layer gradient norms with their verdict.

Drawn from the run's snapshot (`core.train.neurons`, `core.train.gradients`): the worker computes the maps
at its neuron rate (`core.train.report.NEURON_EVERY_S`), this only draws them. While a run trains, the network
is polled in its own fragment at that rate (`NEURON_POLL_S`), apart from the live panel's curves (1 Hz) and
from the selected neuron and the gradient view (`DETAIL_POLL_S`), so each redraw is one chart. A click on a
neuron selects it (the chart's selection event, which reruns the network's fragment: its frame moves at once,
the neuron's charts follow at their next poll), as does the select box below it.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from core.gradflow import FACTOR
from core.train.neurons import MAX_NEURONS
from core.train.report import NEURON_EVERY_S
from ui import charts
from ui.i18n import t
from ui.state import init, key
from ui.training_network_charts import gradient_figure, network_figure, neuron_figure

NEURON_POLL_S = NEURON_EVERY_S  # the network's own poll: as often as the worker draws new maps
# The selected neuron's weights and histogram and the gradient view: every 2 s while it trains. Each redraw of a
# plotly chart costs a 2-core machine's browser 40-130 ms; at 1 Hz these two with the curves and the network at
# 2.5 Hz kept it busy all the time, and the network's refresh fell to ~1.6 Hz.
DETAIL_POLL_S = 2.0


def has_neurons(record) -> bool:
    """The run draws a neuron view: an MLP on 2-D classification points (`core.train.report.neurons_on`)."""
    from core.train.report import neurons_on

    setup = record.extra.get("setup")
    return setup is not None and neurons_on(setup)


def on_pick(chart_key: str, neuron_key: str) -> None:
    state = st.session_state.get(chart_key)
    points = state.selection.points if state else []
    custom = points[0].get("customdata") if points else None
    if custom:
        st.session_state[neuron_key] = f"{int(custom[0])}:{int(custom[1])}"


def neuron_choice(view: dict, neuron_key: str) -> tuple[int, int]:
    options = [f"{li}:{u}" for li, lay in enumerate(view["layers"], 1) for u in range(1, lay["maps"].shape[0] + 1)]
    init(neuron_key, options[0])
    if st.session_state[neuron_key] not in options:  # a run with fewer neurons than the last one
        st.session_state[neuron_key] = options[0]
    st.selectbox(t("training.network.neuron"), options, key=neuron_key,
                 format_func=lambda o: t("training.network.neuron_label", layer=o.split(":")[0], unit=o.split(":")[1]))  # fmt: skip
    layer, unit = st.session_state[neuron_key].split(":")
    return int(layer), int(unit)


def network_panel(record, snap: dict) -> None:
    """The network with its neuron maps, the selected one framed (a caption instead for runs without a neuron view)."""
    data = record.extra.get("data")
    if not has_neurons(record):
        if data is not None and tuple(data.input_shape) == (2,) and record.config.get("model", {}).get("kind") == "mlp":
            st.caption(t("training.network.too_big", max=MAX_NEURONS))
        return
    view = snap.get("neurons")
    if view is None:
        st.caption(t("training.network.waiting"))
        return
    k = f"live.{record.id}"
    neuron_key = key("training", "neuron")
    layer, unit = neuron_choice_value(view, neuron_key)
    st.caption(t("training.network.caption"))
    fig = network_figure(view, snap.get("boundary"), data.n_classes, (layer, unit))
    charts.show(fig, key=f"{k}.network", on_select=partial(on_pick, f"{k}.network", neuron_key),
                selection_mode="points")  # fmt: skip


def neuron_detail(record, snap: dict) -> None:
    """The selected neuron (its select box, incoming weights and activation histogram), then the gradient view."""
    view = snap.get("neurons")
    if not has_neurons(record) or view is None:
        return
    k = f"live.{record.id}"
    layer, unit = neuron_choice(view, key("training", "neuron"))
    charts.show(neuron_figure(view, layer, unit), key=f"{k}.neuron")
    gradient_section(snap, k)


def neuron_choice_value(view: dict, neuron_key: str) -> tuple[int, int]:
    """The selected neuron before its select box is drawn (the network highlights it), valid for this view."""
    value = st.session_state.get(neuron_key, "1:1")
    layer, unit = (int(v) for v in value.split(":"))
    if not 1 <= layer <= len(view["layers"]) or not 1 <= unit <= view["layers"][layer - 1]["maps"].shape[0]:
        return 1, 1
    return layer, unit


def gradient_section(snap: dict, k: str) -> None:
    """Per-layer gradient norms over steps and their verdict."""
    grads = snap.get("grads")
    if not grads or not len(grads["steps"]):
        st.caption(t("training.grads.none"))
        return
    charts.show(gradient_figure(grads, snap.get("changes")), key=f"{k}.grads")
    v = grads.get("verdict") or {"kind": "healthy"}
    text = t(f"training.grads.{v['kind']}", layer=v.get("layer"), ratio=v.get("ratio") or 0.0, factor=FACTOR)
    (st.success if v["kind"] == "healthy" else st.warning)(text)
