"""Figures and live panel of the training page: loss / metric / learning-rate curves, the model's picture, run overlays.

Only drawing: every number comes from a run's snapshot (`core.train.report`) or its data set.
Figures are built by `ui.live.quick_figure` from plain dicts without plotly's validation: the
live panel redraws every second while the worker trains in the same GIL. A finished run's
figures are built once per language and kept with the run (`run_figures`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from core.data import TaskData
from core.train import metrics
from ui import charts
from ui.i18n import lang, t
from ui.live import format_seconds, log_axis, quick_figure
from ui.training_network_charts import change_lines

MARKERS_BELOW = 30  # curves with fewer evaluated points show their markers


def evaluated(epochs: list[dict], metric: str) -> list[dict]:
    """The epoch records that carry `metric` (see `core.train.report.Evaluator` for which are evaluated)."""
    return [r for r in epochs if metric in r]


def line(xs, ys, name: str, color: str, **extra) -> dict:
    """A line trace (arrays travel base64-packed, lists as text: keep arrays)."""
    return {"type": "scatter", "mode": "lines", "x": np.asarray(xs), "y": np.asarray(ys), "name": name,
            "line": {"color": color}, "cliponaxis": False, **extra}  # fmt: skip


def metric_axis(metric: str, values: list[float]) -> dict:
    """Accuracy on [0, 1] (plotly pads a flat line to −0.5…1.5); R² on [0, 1], or [−1, 1] once it is negative."""
    if metric == "accuracy":
        return {"range": [0, 1]}
    finite = [v for v in values if v is not None and v == v]
    return {"range": [-1 if finite and min(finite) < 0 else 0, 1]}


def _split_lines(epochs: list[dict], field: str, x_scale: float = 1.0) -> tuple[list[dict], list[float]]:
    """The train and test curves of `field` ("eval_loss", "accuracy", …) over evaluated epochs, and their values."""
    traces, values = [], []
    for i, split in enumerate(("train", "test"), start=1):
        done = evaluated(epochs, f"{split}_{field}")
        ys = [r[f"{split}_{field}"] for r in done]
        values += ys
        traces.append(line([r["epoch"] * x_scale for r in done], ys, t(f"training.charts.{split}"), charts.color(i),
                           mode=charts.line_mode(len(ys), MARKERS_BELOW)))  # fmt: skip
    return traces, values


def loss_figure(snap: dict):
    """Per-step training loss, with the evaluated train/test losses placed at their epochs' steps (log axis)."""
    spe = snap.get("total_steps", 0) / max(snap.get("epochs_total", 1), 1)
    step_loss = snap.get("step_loss", [])
    traces = [line(snap.get("curve_steps", []), step_loss, t("training.charts.train_step"), charts.color(0),
                   opacity=0.45, line={"color": charts.color(0), "width": 1})]  # fmt: skip
    split_traces, values = _split_lines(snap.get("epochs", []), "eval_loss", spe)
    return quick_figure(traces + split_traces, title=t("training.charts.loss"), x=t("training.charts.step"),
                        height=300, yaxis=log_axis(list(step_loss) + values),
                        shapes=change_lines(snap.get("changes")))  # fmt: skip


def metric_figure(snap: dict):
    metric = snap.get("metric", "accuracy")
    traces, values = _split_lines(snap.get("epochs", []), metric)
    return quick_figure(traces, title=t(f"training.charts.metrics.{metric}"), x=t("training.charts.epoch"),
                        height=300, yaxis=metric_axis(metric, values))  # fmt: skip


def lr_figure(snap: dict):
    traces = [line(snap.get("curve_steps", []), snap.get("lr", []), t("training.charts.lr"), charts.color(3))]
    # rangemode tozero: a constant rate is a flat line above 0, not a line at the axis' middle
    return quick_figure(traces, title=t("training.charts.lr"), x=t("training.charts.step"), height=240,
                        yaxis={"rangemode": "tozero"})  # fmt: skip


def boundary_figure(snap: dict, data: TaskData):
    b = snap["boundary"]
    n = max(data.n_classes, 2)
    scale = [[k / max(n - 1, 1), charts.color(k)] for k in range(n)]
    traces = [{"type": "heatmap", "x": b["x"], "y": b["y"], "z": b["label"], "colorscale": scale, "zmin": 0,
               "zmax": n - 1, "showscale": False, "opacity": 0.35, "hoverinfo": "skip"}]  # fmt: skip
    names = data.class_names or [str(k) for k in range(n)]
    for split, symbol in (("train", "circle"), ("test", "diamond")):  # both: over-fitting shows as test points lost
        x, y = getattr(data, f"x_{split}").numpy(), getattr(data, f"y_{split}").numpy()
        for k in range(n):
            pts = x[y == k]
            traces.append({"type": "scatter", "mode": "markers", "x": pts[:, 0], "y": pts[:, 1], "legendgroup": str(k),
                           "name": t(f"training.charts_more.{split}_points", name=names[k]),
                           "marker": {"color": charts.color(k), "size": 5 if split == "train" else 7, "symbol": symbol,
                                      "opacity": 0.6 if split == "train" else 1.0,
                                      "line": {"width": 0.6, "color": "white" if split == "train" else "black"}}})  # fmt: skip
    return quick_figure(traces, title=t("training.charts.boundary"), x=data.feature_names[0],
                        y=data.feature_names[1], height=420, hovermode="closest")  # fmt: skip


def curve_figure(snap: dict, data: TaskData):
    c = snap["curve"]
    traces = []
    for i, (x, y) in enumerate(((data.x_train, data.y_train), (data.x_test, data.y_test))):
        traces.append({"type": "scatter", "mode": "markers", "x": x[:, 0].numpy(), "y": y[:, 0].numpy(),
                       "opacity": 0.5, "name": t(f"training.charts.{('train', 'test')[i]}"),
                       "marker": {"color": charts.color(i + 1), "size": 5}})  # fmt: skip
    traces.append(line(c["x"], c["y"], t("training.charts.model"), charts.color(0),
                       line={"color": charts.color(0), "width": 3}))  # fmt: skip
    return quick_figure(traces, title=t("training.charts.curve"), height=360, hovermode="closest",
                        x=data.feature_names[0] if data.feature_names else "x")  # fmt: skip


def confusion_figure(snap: dict, data: TaskData):
    names = data.class_names or [str(k) for k in range(data.n_classes)]
    traces = [{"type": "heatmap", "z": snap["confusion"], "x": names, "y": names, "colorscale": "Blues",
               "texttemplate": "%{z}", "showscale": False}]  # fmt: skip
    return quick_figure(traces, title=t("training.charts.confusion"), x=t("training.charts.predicted"),
                        y=t("training.charts.true"), height=380, hovermode="closest",
                        xaxis={"type": "category"}, yaxis={"autorange": "reversed", "type": "category"})  # fmt: skip


def picture_figure(snap: dict, data: TaskData):
    """What the model does: its decision boundary, fitted curve or confusion matrix (None before the first one)."""
    if "boundary" in snap:
        return boundary_figure(snap, data)
    if "curve" in snap:
        return curve_figure(snap, data)
    if "confusion" in snap:
        return confusion_figure(snap, data)
    return None


def run_figures(record, snap: dict) -> list:
    """The run's charts: loss, metric, picture of the model (boundary, curve or confusion), learning rate.

    A finished run's figures are built once per language and kept with the run (a page rerun
    only re-sends them); a running one's are rebuilt from each snapshot.
    """
    done = not record.live.running
    cache = record.extra.setdefault("figures", {})
    if done and lang() in cache:
        return cache[lang()]
    figures = [loss_figure(snap), metric_figure(snap), picture_figure(snap, record.extra["data"]), lr_figure(snap)]
    if done:
        cache[lang()] = figures
    return figures


def show_run(record, snap: dict) -> None:
    """The run's four charts two by two (stable keys: the browser updates a chart in place), then its mistakes."""
    loss, metric, picture, lr = run_figures(record, snap)
    k = f"live.{record.id}"
    a, b = st.columns(2)
    with a:
        charts.show(loss, key=f"{k}.loss")
    with b:
        charts.show(metric, key=f"{k}.metric")
    v, w = st.columns(2)
    with v:
        if picture is not None:
            charts.show(picture, key=f"{k}.picture")
            if "boundary" in snap:
                st.caption(t("training.charts.boundary_note"))
    with w:
        charts.show(lr, key=f"{k}.lr")
    misclassified_images(snap, record.extra["data"])


def misclassified_images(snap: dict, data: TaskData) -> None:
    wrong = snap.get("misclassified", [])
    if not wrong or len(data.input_shape) != 3:
        return
    st.caption(t("training.charts.misclassified"))
    names = data.class_names or [str(k) for k in range(data.n_classes)]
    cols = st.columns(6)
    for j, (i, true, pred) in enumerate(wrong):
        img = metrics.unit_range(data.x_test[i, 0]).numpy()
        cols[j % 6].image(img, caption=t("training.charts.shown", true=names[true], pred=names[pred]), width="stretch")


def compare_figures(records: list[Any], labels: dict[int, str]):
    """Test loss and metric over epochs of finished runs, one line each (the metric axis only when they share one)."""
    loss_traces, metric_traces, losses, metric_values, metrics_seen = [], [], [], [], set()
    for i, r in enumerate(records):
        epochs, metric = r.live.get("epochs") or [], r.live.get("metric", "accuracy")
        metrics_seen.add(metric)
        done = evaluated(epochs, "test_eval_loss")
        xs = [e["epoch"] for e in done]
        ys = [e["test_eval_loss"] for e in done]
        ms = [e.get(f"test_{metric}") for e in done]
        losses += ys
        metric_values += ms
        loss_traces.append(line(xs, ys, labels[r.id], charts.color(i)))
        metric_traces.append(line(xs, [np.nan if v is None else v for v in ms], labels[r.id], charts.color(i)))
    metric = next(iter(metrics_seen)) if len(metrics_seen) == 1 else None
    loss_fig = quick_figure(loss_traces, title=t("training.charts.loss"), x=t("training.charts.epoch"), height=320,
                            yaxis=log_axis(losses))  # fmt: skip
    metric_fig = quick_figure(metric_traces, title=t("training.charts.metric"), x=t("training.charts.epoch"),
                              height=320, yaxis=metric_axis(metric, metric_values) if metric else None)  # fmt: skip
    return loss_fig, metric_fig


# -- the live panel: the run's status, progress and charts ----------------------------------


def divergence_text(snap: dict) -> str:
    """Why the run counts as diverged: a NaN/inf loss at a step, a loss that exploded, an accuracy back at chance."""
    why = snap.get("divergence") or {}
    if why.get("reason") == "exploded":
        return t("training.status.exploded", start=why["start"], end=why["end"], factor=why["factor"])
    if why.get("reason") == "collapsed":
        return t("training.status.collapsed", metric=t(f"training.charts.metrics.{why['metric']}"),
                 value=why["value"], best=why["best"], chance=why["chance"])  # fmt: skip
    return t("training.status.diverged_at", step=snap.get("diverged_at"))


def status_line(record, snap: dict, slot_limit: int) -> None:
    """'Run #3 moons · mlp · adam · B=32: training', with the reason and advice when it diverged or failed."""
    status = record.live.status
    text = t("training.status.label", label=f"#{record.id} {record.label}", status=t(f"training.status.{status}"))
    if status == "diverged":
        st.error(text + " — " + divergence_text(snap), icon="⚠️")
        st.info(t(f"training.advice.{snap.get('advice') or 'lower_lr'}"))
    elif status == "failed":
        st.error(text, icon="⚠️")
        if snap.get("error") == "oom":
            st.info(t("training.advice.oom"))
        else:
            st.caption(t("training.status.failed_with", error=record.live.error_text))
    else:
        st.markdown(f"**{text}**")
    if status == "queued" and snap.get("queue_position"):
        st.info(t("training.status.queue_position", limit=slot_limit, position=snap["queue_position"]))


def live_panel(record, snap: dict, slot_limit: int) -> None:
    """Everything the live view shows of one run's snapshot: status, progress line, charts."""
    status_line(record, snap, slot_limit)
    step, total = snap.get("step", 0), max(snap.get("total_steps", 1), 1)
    st.progress(min(step / total, 1.0), text=t("training.progress", pct=100 * step / total, step=step, total=total,
                epoch=snap.get("epoch", 0), epochs=snap.get("epochs_total", 0), rate=snap.get("samples_per_s", 0.0),
                eta=format_seconds(snap.get("eta_s")) if record.live.running else "–"))  # fmt: skip
    if snap.get("early_stopped"):
        st.info(t("training.status.early_note", epoch=snap.get("best_epoch", 0), loss=snap.get("best_test_loss", 0.0),
                  patience=snap.get("early_stop", 0)))  # fmt: skip
    changes_note(snap.get("changes") or [])
    show_run(record, snap)


def changes_note(changes: list[dict]) -> None:
    """'Changed at step 120: learning rate 0.01 → 0.001' per step where the learner changed something."""
    by_step: dict[int, list[str]] = {}
    for c in changes:
        label = t("training.drive." + c["name"])
        by_step.setdefault(c["step"], []).append(f"{label} {c['old']:g} → {c['new']:g}")
    for step, parts in by_step.items():
        st.caption(t("training.drive.changed", step=step, changes=", ".join(parts)))
