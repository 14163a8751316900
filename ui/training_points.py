"""The training page's point editor: click on the plane to add points of a class, or to remove one, on a
built-in 2-D set or on an empty plane. The next Start (or Reset) trains on the edited set.

The edits are plain data in the session (`core.data.edit.edited` rebuilds the set from them), so the
cached built-in set is never changed. An empty plane has no points to click on, so an invisible grid
of clickable points covers it (a click on one adds a point there), as the optimizers page does.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import streamlit as st

from core.data import TaskData
from core.data.edit import bounds, editable, edited, nearest, remove_at
from ui import charts
from ui.feedback import user_errors
from ui.i18n import t
from ui.live import quick_figure
from ui.state import init, key

EDITS = "_training_point_edits"  # {data identity: {"added": [...], "removed": [...]}} (not a widget)
MODE_KEY, SPLIT_KEY, BASE_KEY = key("training", "points", "mode"), key("training", "points", "split"), \
    key("training", "points", "base")  # fmt: skip
CHART_KEY = "training_points_chart"
PICK_GRID = 41  # clickable points per side of the plane (spacing 1/40 of its width)


def edits_of(identity: str) -> dict:
    return st.session_state.setdefault(EDITS, {}).setdefault(identity, {"added": [], "removed": []})


def plane_figure(data: TaskData, box) -> dict:
    """Training points (●) and test points (◆) by class over a fixed plane, and the clickable grid."""
    (x0, x1), (y0, y1) = box
    names = data.class_names or [str(k) for k in range(data.n_classes)]
    traces = []
    for split, symbol in (("train", "circle"), ("test", "diamond")):
        x, y = getattr(data, f"x_{split}").numpy(), getattr(data, f"y_{split}").numpy()
        for k in range(data.n_classes):
            pts = x[y == k]
            traces.append({"type": "scatter", "mode": "markers", "x": pts[:, 0], "y": pts[:, 1],
                           "name": t(f"training.charts_more.{split}_points", name=names[k]),
                           "marker": {"color": charts.color(k), "size": 7 if split == "train" else 8, "symbol": symbol,
                                      "line": {"width": 0.6, "color": "white" if split == "train" else "black"}}})  # fmt: skip
    gx, gy = np.meshgrid(np.linspace(x0, x1, PICK_GRID), np.linspace(y0, y1, PICK_GRID))
    traces.append({"type": "scatter", "mode": "markers", "x": gx.ravel(), "y": gy.ravel(), "name": "pick",
                   "showlegend": False, "hovertemplate": "(%{x:.2f}, %{y:.2f})<extra></extra>",
                   "marker": {"size": 8, "opacity": 0, "color": "white"}, "selected": {"marker": {"opacity": 0}},
                   "unselected": {"marker": {"opacity": 0}}})  # fmt: skip
    axes = {"showgrid": False, "zeroline": False}
    return quick_figure(traces, title=t("training.points.chart"), x="x₁", y="x₂", height=380, hovermode="closest",
                        xaxis={**axes, "range": [x0, x1]}, yaxis={**axes, "range": [y0, y1]}, clickmode="event+select",
                        dragmode="zoom", legend={"orientation": "h", "y": -0.18, "x": 0})  # fmt: skip


def on_click(base: TaskData, identity: str, empty: bool) -> None:
    """A click on the plane: add a point of the chosen class to the chosen split, or remove the nearest one."""
    state = st.session_state.get(CHART_KEY)
    points = state.selection.points if state else []
    if not points:
        return
    x, y = float(points[0]["x"]), float(points[0]["y"])
    edits = edits_of(identity)
    mode = st.session_state.get(MODE_KEY, 0)
    if mode == "remove":
        current = edited(base, edits["added"], edits["removed"], empty)
        hit = nearest(current, x, y)
        if hit is not None:
            edits["added"], edits["removed"] = remove_at(base, edits["added"], edits["removed"], *hit, empty)
    else:
        edits["added"].append([round(x, 4), round(y, 4), int(mode), st.session_state.get(SPLIT_KEY, "train")])


def point_editor(base: TaskData, identity: str) -> TaskData:
    """The editor (mode, split, start from, undo) and the clickable plane; returns the edited set."""
    if not editable(base):
        return base
    edits = edits_of(identity)
    with st.expander(t("training.points.title"), expanded=bool(edits["added"] or edits["removed"])):
        st.caption(t("training.points.hint"))
        modes = [*range(base.n_classes), "remove"]
        init(MODE_KEY, 0)
        if st.session_state[MODE_KEY] not in modes:
            st.session_state[MODE_KEY] = 0
        st.segmented_control(t("training.points.mode"), modes, key=MODE_KEY, required=True,
                             format_func=lambda m: t("training.points.remove") if m == "remove" else
                             t("training.points.add", k=m))  # fmt: skip
        c1, c2 = st.columns(2)
        init(SPLIT_KEY, "train")
        c1.segmented_control(t("training.points.split"), ["train", "test"], key=SPLIT_KEY, required=True,
                             format_func=lambda s: t(f"training.points.{s}"))  # fmt: skip
        init(BASE_KEY, "builtin")
        c2.segmented_control(t("training.points.base"), ["builtin", "empty"], key=BASE_KEY, required=True,
                             format_func=lambda s: t(f"training.points.{s}"))  # fmt: skip
        empty = st.session_state[BASE_KEY] == "empty"
        data = base
        with user_errors():
            data = edited(base, edits["added"], edits["removed"], empty)
        charts.show(plane_figure(data, bounds(base)), key=CHART_KEY, on_select=partial(on_click, base, identity, empty),
                    selection_mode="points")  # fmt: skip
        c1, c2 = st.columns([2, 1])
        c1.caption(t("training.points.summary", added=len(edits["added"]), removed=len(edits["removed"])))
        if c2.button(t("training.points.clear"), width="stretch", disabled=not (edits["added"] or edits["removed"])):
            edits["added"], edits["removed"] = [], []
            st.rerun()
    return data
