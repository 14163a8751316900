"""Live training playground: data → model → recipe → Start, with live curves, comparisons and downloads."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import streamlit as st

from core import artifacts
from core.checkpoints import saved, score
from core.data import DATASETS, TaskData, csv_columns, load_csv
from core.data.limits import MAX_CATEGORIES, MAX_CSV_BYTES, MAX_MODEL_BYTES, REGRESSION_MIN_VALUES
from core.losses import LOSSES
from core.models import MODELS, build_model, count_params, layer_table
from core.optim import OPTIMIZERS
from core.registry import Registry
from core.schedulers import SCHEDULERS
from core.train import export, metrics
from core.train.runs import Limits, global_slots
from core.train.setup import (
    BATCH_FORMULAS,
    BATCH_MODES,
    DEFAULT_BATCH_SIZE,
    DEFAULT_EPOCHS,
    MAX_BATCH_SIZE,
    matching_losses,
    prepare,
)
from core.train.worker import job
from ui import charts
from ui.feedback import user_errors
from ui.i18n import lang, t, t_or
from ui.live import format_seconds, log_axis, poll, quick_figure, run_book
from ui.sidebar import device, seed
from ui.state import init, key
from ui.widgets import choose, explain, multiselect, param_input, param_inputs, title_text, uploader

LIMITS = Limits.from_env()
# What the page starts with: a 2-D toy whose boundary is fun to watch, and Adam at a
# learning rate that solves it in about a minute on a CPU.
PAGE_DEFAULTS = {"dataset": "moons", "model": "mlp", "optimizer": "adam", "scheduler": "constant", "lr": 0.01}
SOURCE_KEY, CSV_TARGET_KEY = key("training", "source"), key("training", "csv_target")
MODE_KEY, BATCH_KEY, EPOCHS_KEY = (
    key("training", "batch_mode"),
    key("training", "batch_size"),
    key("training", "epochs"),
)
COMPARE_KEY = key("training", "compare")
FILES_KEY = key("training", "files_run")
# Not widgets: which runs the comparison and the download box have offered already (new ones join / are picked).
COMPARE_SEEN, FILES_LATEST = "_training_compare_seen", "_training_files_latest"
# A model setting whose choices are another registry's names is shown by that registry's titles.
CHOICE_FAMILIES = {"activation": "activations", "initializer": "initializers"}


@st.cache_resource(max_entries=8, show_spinner=False)
def builtin_data(name: str, data_seed: int, params: tuple) -> TaskData:
    return DATASETS.get(name).load(data_seed, **dict(params))


@st.cache_resource(max_entries=4, show_spinner=False)
def csv_data(digest: str, _raw: bytes, target: str, data_seed: int) -> TaskData:
    return load_csv(_raw, target, seed=data_seed)


def subset(registry: Registry, names: list[str]) -> Registry:
    """The entries of `registry` named in `names` (same family, so labels and widget keys stay)."""
    return Registry(registry.family, [registry.get(n) for n in names])


def model_inputs(entry, family: str, *scope: object) -> dict:
    """A model's settings: registry choices (activation, initializer) full width by their titles,
    the other settings two to a row, each with its detail in `help` (short labels are not cut off)."""
    values, row = {}, []

    def flush() -> None:
        cols = st.columns(2)
        for col, param in zip(cols, row, strict=False):
            help_text = t_or(f"training.model_help.{param.name}", "") or None
            values[param.name] = param_input(param, key(family, *scope, entry.name, param.name), family,
                                             help=help_text, where=col)  # fmt: skip
        row.clear()

    for param in entry.params:
        if param.name not in CHOICE_FAMILIES:
            row.append(param)
            if len(row) == 2:
                flush()
            continue
        if row:
            flush()
        widget_key = key(family, *scope, entry.name, param.name)
        init(widget_key, param.default)
        values[param.name] = st.selectbox(t(f"{family}.params.{param.name}"), param.choices, key=widget_key,
                                          format_func=title_text(CHOICE_FAMILIES[param.name]),
                                          help=t(f"training.model_help.{param.name}"))  # fmt: skip
    if row:
        flush()
    return values


def pick(registry: Registry, scope: str, label_key: str, default: str | None = None):
    """A registry choice (kept valid when the offered names change), its widgets and its formula."""
    widget_key = key(registry.family, "training", scope, "choice")
    names = registry.names()
    if widget_key in st.session_state and st.session_state[widget_key] not in names:
        st.session_state[widget_key] = default if default in names else names[0]
    name = choose(registry, registry.family, "training", scope, label_key=label_key,
                  default=default if default in names else None)  # fmt: skip
    entry = registry.get(name)
    if "lr" in {p.name for p in entry.params}:
        init(key(registry.family, "training", scope, entry.name, "lr"), PAGE_DEFAULTS["lr"])
    if registry.family == "models":
        values = model_inputs(entry, registry.family, "training", scope)
    else:
        values = param_inputs(entry, registry.family, "training", scope, columns=2)
    with st.popover(t("training.recipe.formula")):
        explain(registry.family, entry)
    return entry, values


def data_section() -> TaskData | None:
    init(SOURCE_KEY, "builtin")
    source = st.segmented_control(t("training.source.label"), ["builtin", "csv"], key=SOURCE_KEY,
                                  format_func=lambda s: t(f"training.source.{s}"))  # fmt: skip
    if source == "csv":
        st.caption(t("datasets.csv.desc", max_categories=MAX_CATEGORIES, min_values=REGRESSION_MIN_VALUES))
        upload = uploader(t("training.source.upload"), ["csv", "txt"], key="training_csv", max_bytes=MAX_CSV_BYTES)
        if upload is None:
            st.info(t("training.source.need_file"))
            return None
        raw = upload.getvalue()
        with user_errors():
            columns = csv_columns(raw)
            if st.session_state.get(CSV_TARGET_KEY) not in columns:
                st.session_state[CSV_TARGET_KEY] = columns[-1]
            target = st.selectbox(t("datasets.csv.target"), columns, key=CSV_TARGET_KEY)
            data = csv_data(hashlib.sha256(raw).hexdigest(), raw, target, seed())
            if data.dropped_columns:
                st.caption(t("datasets.csv.dropped", columns=", ".join(data.dropped_columns)))
            return data
        return None
    name = choose(DATASETS, "datasets", "training", label_key="datasets.label", default=PAGE_DEFAULTS["dataset"])
    entry = DATASETS.get(name)
    values = param_inputs(entry, "datasets", "training", columns=2)
    with st.popover(t("training.recipe.formula")):
        explain("datasets", entry)
    with user_errors():
        return builtin_data(name, seed(), tuple(sorted(entry.resolve(values).items())))
    return None


def model_section(data: TaskData) -> dict | None:
    names = [m.name for m in MODELS if not m.needs_image or len(data.input_shape) == 3]
    entry, values = pick(subset(MODELS, names), "model", "models.label", PAGE_DEFAULTS["model"])
    with user_errors():
        config = entry.config(data.input_shape, data.n_outputs, values)
        model = build_model(config)
        rows = layer_table(model, data.input_shape)
        table = pd.DataFrame(
            {
                t(f"models.table.{c}"): [str(r[c]) if c == "output_shape" else r[c] for r in rows]
                for c in ("name", "type", "output_shape", "params")
            }  # fmt: skip
        )
        with st.expander(t("models.table.total", count=f"{count_params(model):,}")):
            st.dataframe(table, hide_index=True, width="stretch")
        return config
    return None


def recipe_section(data: TaskData, model_config: dict) -> dict:
    loss, loss_values = pick(subset(LOSSES, matching_losses(data)), "loss", "training.recipe.loss")
    optimizer, opt_values = pick(OPTIMIZERS, "optimizer", "training.recipe.optimizer", PAGE_DEFAULTS["optimizer"])
    scheduler, sched_values = pick(SCHEDULERS, "scheduler", "training.recipe.scheduler", PAGE_DEFAULTS["scheduler"])
    init(MODE_KEY, "minibatch")
    init(BATCH_KEY, DEFAULT_BATCH_SIZE)
    init(EPOCHS_KEY, DEFAULT_EPOCHS)
    mode = st.selectbox(t("training.recipe.batch_mode"), BATCH_MODES, key=MODE_KEY,
                        format_func=lambda m: t(f"training.batch.{m}.title"))  # fmt: skip
    c1, c2 = st.columns(2)
    # No min/max on the widgets: a bound there turns the box red and silently keeps the old value, so
    # Start would train something else than what is shown. Any whole number reaches `prepare`, which
    # refuses one out of range with a message beside Start.
    c1.number_input(t("training.recipe.batch_size"), step=1, key=BATCH_KEY, disabled=mode != "minibatch",
                    help=t("training.recipe.batch_size_help", high=MAX_BATCH_SIZE))  # fmt: skip
    c2.number_input(t("training.recipe.epochs"), step=1, key=EPOCHS_KEY,
                    help=t("training.recipe.epochs_help", cap=LIMITS.epochs))  # fmt: skip
    with st.popover(t("training.recipe.formula")):
        st.latex(BATCH_FORMULAS[mode])
        st.markdown(t(f"training.batch.{mode}.desc"))
    st.caption(t("training.recipe.seed_device", seed=seed(), device=device().type))
    return {
        "data": {"name": data.name},
        "model": model_config,
        "loss": {"name": loss.name, "params": loss_values},
        "optimizer": {"name": optimizer.name, "params": opt_values},
        "scheduler": {"name": scheduler.name, "params": sched_values},
        "batch_mode": mode,
        "batch_size": int(st.session_state[BATCH_KEY]),
        "epochs": int(st.session_state[EPOCHS_KEY]),
        "seed": seed(),
    }


def label_of(config: dict) -> str:
    mode = config["batch_mode"] if config["batch_mode"] != "minibatch" else f"B={config['batch_size']}"
    return f"{config['data']['name']} · {config['model']['kind']} · {config['optimizer']['name']} · {mode}"


def controls(book, config: dict | None, data: TaskData | None) -> None:
    active = book.active()
    c1, c2, c3, c4 = st.columns(4)
    if c1.button(t("training.buttons.start"), type="primary", disabled=config is None or active is not None,
                 width="stretch"):  # fmt: skip
        with user_errors():
            setup = prepare(config, data, device(), LIMITS)
            book.start(label_of(config), setup.config, job(setup, global_slots()), setup=setup, data=data)
            st.rerun()
    paused = active is not None and active.live.paused  # asked for: 'pausing' until the worker is parked
    if c2.button(t("training.buttons.resume" if paused else "training.buttons.pause"), disabled=active is None,
                 width="stretch"):  # fmt: skip
        (active.live.resume if paused else active.live.pause)()
        st.rerun()
    if c3.button(t("training.buttons.stop"), disabled=active is None, width="stretch"):
        active.live.stop()
        active.live.join(5)
        st.rerun()
    if c4.button(t("training.buttons.reset"), disabled=not book.runs, width="stretch"):
        for record in book.runs:
            book.remove(record.id)
        st.rerun()


# -- live drawing ------------------------------------------------------------------
# Figures are built by `ui.live.quick_figure` (no plotly validation: the live panel redraws every
# second while the worker trains in the same GIL), and a finished run's are built once and kept.


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


def loss_figure(snap: dict):
    epochs = snap.get("epochs", [])
    spe = snap.get("total_steps", 0) / max(snap.get("epochs_total", 1), 1)
    step_loss = snap.get("step_loss", [])
    traces = [line(snap.get("curve_steps", []), step_loss, t("training.charts.train_step"), charts.color(0),
                   opacity=0.45, line={"color": charts.color(0), "width": 1})]  # fmt: skip
    values = list(step_loss)
    for i, split in enumerate(("train", "test"), start=1):
        done = evaluated(epochs, f"{split}_eval_loss")
        ys = [r[f"{split}_eval_loss"] for r in done]
        values += ys
        traces.append(line([r["epoch"] * spe for r in done], ys, t(f"training.charts.{split}"), charts.color(i),
                           mode="lines+markers" if len(ys) < 30 else "lines"))  # fmt: skip
    return quick_figure(traces, title=t("training.charts.loss"), x=t("training.charts.step"), height=300,
                        yaxis=log_axis(values))  # fmt: skip


def metric_figure(snap: dict):
    metric = snap.get("metric", "accuracy")
    epochs = snap.get("epochs", [])
    traces, values = [], []
    for i, split in enumerate(("train", "test"), start=1):
        done = evaluated(epochs, f"{split}_{metric}")
        ys = [r[f"{split}_{metric}"] for r in done]
        values += ys
        traces.append(line([r["epoch"] for r in done], ys, t(f"training.charts.{split}"), charts.color(i),
                           mode="lines+markers" if len(ys) < 30 else "lines"))  # fmt: skip
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
    x, y = data.x_test.numpy(), data.y_test.numpy()
    for k in range(n):
        pts = x[y == k]
        traces.append({"type": "scatter", "mode": "markers", "x": pts[:, 0], "y": pts[:, 1],
                       "name": str(data.class_names[k] if data.class_names else k),
                       "marker": {"color": charts.color(k), "size": 6, "line": {"width": 0.5, "color": "white"}}})  # fmt: skip
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


def divergence_text(snap: dict) -> str:
    """Why the run counts as diverged: a NaN/inf loss at a step, a loss that exploded, an accuracy back at chance."""
    why = snap.get("divergence") or {}
    if why.get("reason") == "exploded":
        return t("training.status.exploded", start=why["start"], end=why["end"], factor=why["factor"])
    if why.get("reason") == "collapsed":
        return t("training.status.collapsed", metric=t(f"training.charts.metrics.{why['metric']}"),
                 value=why["value"], best=why["best"], chance=why["chance"])  # fmt: skip
    return t("training.status.diverged_at", step=snap.get("diverged_at"))


def status_line(record, snap: dict) -> None:
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
        st.info(t("training.status.queue_position", limit=global_slots().limit, position=snap["queue_position"]))


def run_figures(record, snap: dict) -> list:
    """The run's charts: loss, metric, picture of the model (boundary, curve or confusion), learning rate.

    A finished run's figures are built once per language and kept with the run (a page rerun
    only re-sends them); a running one's are rebuilt from each snapshot.
    """
    done = not record.live.running
    cache = record.extra.setdefault("figures", {})
    if done and lang() in cache:
        return cache[lang()]
    data: TaskData = record.extra["data"]
    picture = None
    if "boundary" in snap:
        picture = boundary_figure(snap, data)
    elif "curve" in snap:
        picture = curve_figure(snap, data)
    elif "confusion" in snap:
        picture = confusion_figure(snap, data)
    figures = [loss_figure(snap), metric_figure(snap), picture, lr_figure(snap)]
    if done:
        cache[lang()] = figures
    return figures


def render_run(record) -> None:
    data: TaskData = record.extra["data"]

    def draw(snap: dict) -> None:
        status_line(record, snap)
        step, total = snap.get("step", 0), max(snap.get("total_steps", 1), 1)
        st.progress(min(step / total, 1.0), text=t("training.progress", pct=100 * step / total, step=step, total=total,
                    epoch=snap.get("epoch", 0), epochs=snap.get("epochs_total", 0), rate=snap.get("samples_per_s", 0.0),
                    eta=format_seconds(snap.get("eta_s")) if record.live.running else "–"))  # fmt: skip
        loss, metric, picture, lr = run_figures(record, snap)
        k = f"live.{record.id}"  # stable keys: the browser updates a chart in place instead of mounting a new one
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
        misclassified_images(snap, data)

    poll(record.live, draw, key=f"training.{record.id}")


# -- comparison and files -------------------------------------------------------------


def final(record) -> dict:
    epochs = record.live.get("epochs") or []
    return epochs[-1] if epochs else {}


def overlay(ids: list[int]) -> list[int]:
    """The runs to overlay: what the user kept selected, plus every run that finished since the last draw."""
    seen = st.session_state.get(COMPARE_SEEN, [])
    chosen = [i for i in st.session_state.get(COMPARE_KEY, []) if i in ids]
    st.session_state[COMPARE_SEEN] = list(dict.fromkeys([*seen, *ids]))
    return chosen + [i for i in ids if i not in seen and i not in chosen]


def compare_figures(book, chosen: list[int], labels: dict[int, str]):
    """Loss and metric overlays of finished runs (built once per selection and language: finished runs do not change)."""
    cache_key = (tuple(chosen), tuple(labels[i] for i in chosen), lang())
    cached = st.session_state.get("_training_compare_figures")
    if cached is not None and cached[0] == cache_key:
        return cached[1]
    loss_traces, metric_traces, losses, metric_values, metrics_seen = [], [], [], [], set()
    for i, run_id in enumerate(chosen):
        r = book.get(run_id)
        epochs, metric = r.live.get("epochs") or [], r.live.get("metric", "accuracy")
        metrics_seen.add(metric)
        done = evaluated(epochs, "test_eval_loss")
        xs = [e["epoch"] for e in done]
        ys = [e["test_eval_loss"] for e in done]
        ms = [e.get(f"test_{metric}") for e in done]
        losses += ys
        metric_values += ms
        loss_traces.append(line(xs, ys, labels[run_id], charts.color(i)))
        metric_traces.append(line(xs, [np.nan if v is None else v for v in ms], labels[run_id], charts.color(i)))
    metric = next(iter(metrics_seen)) if len(metrics_seen) == 1 else None
    loss_fig = quick_figure(loss_traces, title=t("training.charts.loss"), x=t("training.charts.epoch"), height=320,
                            yaxis=log_axis(losses))  # fmt: skip
    metric_fig = quick_figure(metric_traces, title=t("training.charts.metric"), x=t("training.charts.epoch"),
                              height=320, yaxis=metric_axis(metric, metric_values) if metric else None)  # fmt: skip
    st.session_state["_training_compare_figures"] = (cache_key, (loss_fig, metric_fig))
    return loss_fig, metric_fig


def compare_section(book) -> None:
    done = [r for r in book.runs if not r.active]
    if not done:
        st.caption(t("training.compare.empty"))
        return
    ids = [r.id for r in done]
    st.session_state[COMPARE_KEY] = overlay(ids)
    labels = {r.id: t("training.compare.series", id=r.id, label=r.label) for r in done}
    chosen = multiselect(t("training.compare.label"), ids, key=COMPARE_KEY, format_func=labels.get)
    rows = []
    for r in done:
        last, metric = final(r), r.live.get("metric", "accuracy")
        rows.append({t("training.compare.table_run"): labels[r.id],
                     t("training.compare.table_status"): t(f"training.status.{r.live.status}"),
                     t("training.compare.table_epochs"): int(last.get("epoch", 0)),
                     t("training.compare.table_loss"): last.get("test_eval_loss"),
                     t("training.compare.table_metric"): last.get(f"test_{metric}"),
                     t("training.compare.table_seconds"): round(r.live.get("elapsed_s", 0.0), 1)})  # fmt: skip
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    if not chosen:
        return
    loss_fig, metric_fig = compare_figures(book, chosen, labels)
    a, b = st.columns(2)
    with a:
        charts.show(loss_fig, key="training.compare.loss")
    with b:
        charts.show(metric_fig, key="training.compare.metric")


def files_section(book, data: TaskData | None) -> None:
    finished = [r for r in book.runs if not r.active and r.live.result is not None]
    if not finished:
        st.caption(t("training.files.no_finished"))
    else:
        labels = {r.id: f"#{r.id} {r.label}" for r in finished}
        newest = finished[-1].id
        if st.session_state.get(FILES_KEY) not in labels or st.session_state.get(FILES_LATEST) != newest:
            st.session_state[FILES_KEY] = newest  # a run that just finished is the one to download
        st.session_state[FILES_LATEST] = newest
        run_id = st.selectbox(t("training.files.run"), list(labels), format_func=labels.get, key=FILES_KEY)
        record = book.get(run_id)
        c1, c2 = st.columns(2)
        c1.download_button(t("training.files.download_model"), artifacts.to_bytes(saved(record.live.result)), file_name=f"run{run_id}.pt",
                           mime="application/octet-stream", width="stretch")  # fmt: skip
        with c2, user_errors():
            source = export.script(record.extra["setup"])
            st.download_button(t("training.files.download_script"), source, file_name=f"run{run_id}.py",
                               mime="text/x-python", help=t("training.files.script_help"), width="stretch")  # fmt: skip
    upload = uploader(t("training.files.upload"), ["pt", "pth"], key="training_model_upload",
                            max_bytes=MAX_MODEL_BYTES, help=t("training.files.upload_help"))  # fmt: skip
    if upload is not None:
        with user_errors():
            ckpt = artifacts.load(upload.getvalue())
            model = artifacts.restore(ckpt, lambda c: build_model(c["model"]))
            config, meta = ckpt["config"], ckpt["meta"]
            st.success(t("training.files.loaded", kind=config["model"].get("kind", "?"), params=count_params(model),
                         data=meta.get("data", "?"), epochs=int(meta.get("epochs", 0))))  # fmt: skip
            result = score(model, config, data) if data is not None else None
            if result is not None:
                st.info(t("training.files.evaluated", loss=result["loss"], value=result["value"],
                          metric=t(f"training.charts.metrics.{result['metric']}")))  # fmt: skip
            elif data is not None:
                st.info(t("training.files.mismatch", model_shape=config["model"].get("input_shape"),
                          outputs=config["model"].get("n_outputs"), data_shape=list(data.input_shape)))  # fmt: skip


# -- the page -----------------------------------------------------------------------------

st.title(t("nav.training.title"))
st.markdown(t("training.intro"))
book = run_book()
left, right = st.columns([1, 2], gap="large")
config = data = None
with left:
    st.subheader(t("training.sections.data"))
    data = data_section()
    if data is not None:
        task = t("training.tasks.classification", classes=data.n_classes) if data.task == "classification" else \
            t("training.tasks.regression")  # fmt: skip
        st.caption(t("training.data_summary", task=task, n_train=data.n_train, n_test=data.n_test,
                     shape=list(data.input_shape)))  # fmt: skip
        st.subheader(t("training.sections.model"))
        model_config = model_section(data)
        if model_config is not None:
            st.subheader(t("training.sections.recipe"))
            config = recipe_section(data, model_config)
    slots = global_slots()
    st.caption(t("training.caps", params=LIMITS.params, epochs=LIMITS.epochs, steps=LIMITS.steps,
                 concurrent=slots.limit))  # fmt: skip
    st.caption(t("training.server_load", running=slots.running, queued=slots.queued))
with right:
    st.subheader(t("training.sections.live"))
    controls(book, config, data)
    runs = book.runs
    if runs:
        render_run(book.active() or runs[-1])
    else:
        st.info(t("training.status.none"))
st.subheader(t("training.sections.compare"))
compare_section(book)
st.subheader(t("training.sections.files"))
files_section(book, data)
