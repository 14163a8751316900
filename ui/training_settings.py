"""The training page's settings column: data (built-in or CSV), model, recipe; what Start would train.

Drawn by the page's full run (the live view's Start trains what it shows, so these widgets are
not a fragment of their own). The page's defaults live here: `DEFAULTS`, the epochs and batch size
of `core.train.setup`, and the learning rate every optimizer starts at, given to the widget helper
through the spec (`with_page_lr`), not by writing the widget's key.
"""

from __future__ import annotations

import dataclasses
import hashlib

import pandas as pd
import streamlit as st

from core.data import DATASETS, TaskData, csv_columns, load_csv
from core.data.limits import MAX_CATEGORIES, MAX_CSV_BYTES, REGRESSION_MIN_VALUES
from core.losses import LOSSES
from core.models import MODELS, build_model, count_params, layer_table
from core.optim import OPTIMIZERS
from core.registry import Entry, Registry
from core.schedulers import SCHEDULERS
from core.train.runs import Limits, global_slots
from core.train.setup import (
    BATCH_FORMULAS,
    BATCH_MODES,
    BATCH_SIZE,
    DEFAULT_BATCH_SIZE,
    DEFAULT_EPOCHS,
    MAX_BATCH_SIZE,
    epochs_param,
    matching_losses,
)
from ui.feedback import user_errors
from ui.i18n import t, t_or
from ui.sidebar import device, seed
from ui.state import init, key
from ui.training_extras import feature_choice, regularization
from ui.training_points import point_editor
from ui.widgets import choose, explain, param_input, param_inputs, title_text, uploader

# What the page starts with: a 2-D toy whose boundary is fun to watch, and Adam at a learning rate that
# solves it in about a minute on a CPU (every optimizer starts at that rate here, whatever its spec says).
DEFAULTS = {"dataset": "moons", "model": "mlp", "optimizer": "adam", "scheduler": "constant", "lr": 0.01}
SOURCE_KEY, CSV_TARGET_KEY = key("training", "source"), key("training", "csv_target")
MODE_KEY, BATCH_KEY, EPOCHS_KEY = (
    key("training", "batch_mode"),
    key("training", "batch_size"),
    key("training", "epochs"),
)
# A model setting whose choices are another registry's names is shown by that registry's titles.
CHOICE_FAMILIES = {"activation": "activations", "initializer": "initializers"}


@st.cache_resource(max_entries=8, show_spinner=False)
def builtin_data(name: str, data_seed: int, params: tuple) -> TaskData:
    return DATASETS.get(name).load(data_seed, **dict(params))


@st.cache_resource(max_entries=4, show_spinner=False)
def csv_data(digest: str, _raw: bytes, target: str, data_seed: int) -> TaskData:
    return load_csv(_raw, target, seed=data_seed)


@st.cache_data(max_entries=32, show_spinner=False)
def model_summary(config: dict, input_shape: tuple) -> tuple[list[dict], int]:
    """The model's layer table and parameter count (a full page run rebuilds neither while the config stays)."""
    model = build_model(config)
    return layer_table(model, input_shape), count_params(model)


def subset(registry: Registry, names: list[str]) -> Registry:
    """The entries of `registry` named in `names` (same family, so labels and widget keys stay)."""
    return Registry(registry.family, [registry.get(n) for n in names])


def with_page_lr(entry: Entry) -> Entry:
    """`entry` whose learning-rate spec starts at this page's rate (the widgets take their defaults from the spec)."""
    params = tuple(dataclasses.replace(p, default=DEFAULTS["lr"]) if p.name == "lr" else p for p in entry.params)
    return dataclasses.replace(entry, params=params)


def model_inputs(entry, family: str, *scope: object) -> dict:
    """A model's settings: registry choices (activation, initializer) full width by their titles,
    the other settings two to a row, each with its detail in `help` (short labels are not cut off)."""
    values, row = {}, []

    def flush() -> None:
        for col, param in zip(st.columns(2), row, strict=False):
            values[param.name] = param_input(param, key(family, *scope, entry.name, param.name), family,
                                             help=t_or(f"training.model_help.{param.name}", "") or None, where=col)  # fmt: skip
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


def pick(registry: Registry, label_key: str, default: str | None = None, *scope: str):
    """A registry choice, its widgets and its formula. When the offered names change (the data's task), a
    choice no longer offered falls back to the first name (Streamlit resets a select box to its index 0)."""
    name = choose(registry, registry.family, "training", *scope, label_key=label_key, default=default)
    entry = with_page_lr(registry.get(name))
    if registry.family == "models":
        values = model_inputs(entry, registry.family, "training", *scope)
    else:
        values = param_inputs(entry, registry.family, "training", *scope, columns=2)
    with st.popover(t("training.recipe.formula")):
        explain(registry.family, entry)
    return entry, values


def csv_source() -> TaskData | None:
    st.caption(t("datasets.csv.desc", max_categories=MAX_CATEGORIES, min_values=REGRESSION_MIN_VALUES))
    upload = uploader(t("training.source.upload"), ["csv", "txt"], key="training_csv", max_bytes=MAX_CSV_BYTES)
    if upload is None:
        st.info(t("training.source.need_file"))
        return None
    raw = upload.getvalue()
    with user_errors():
        columns = csv_columns(raw)
        if st.session_state.get(CSV_TARGET_KEY) not in columns:  # a new table: predict its last column
            st.session_state[CSV_TARGET_KEY] = columns[-1]
        target = st.selectbox(t("datasets.csv.target"), columns, key=CSV_TARGET_KEY)
        data = csv_data(hashlib.sha256(raw).hexdigest(), raw, target, seed())
        if data.dropped_columns:
            st.caption(t("datasets.csv.dropped", columns=", ".join(data.dropped_columns)))
        return data
    return None


def data_section() -> TaskData | None:
    init(SOURCE_KEY, "builtin")
    source = st.segmented_control(t("training.source.label"), ["builtin", "csv"], key=SOURCE_KEY,
                                  format_func=lambda s: t(f"training.source.{s}"))  # fmt: skip
    if source == "csv":
        return csv_source()
    entry, values = pick(DATASETS, "datasets.label", DEFAULTS["dataset"])
    with user_errors():
        params = tuple(sorted(entry.resolve(values).items()))
        return point_editor(builtin_data(entry.name, seed(), params), f"{entry.name}:{seed()}:{params}")
    return None


def model_section(data: TaskData) -> dict | None:
    names = [m.name for m in MODELS if not m.needs_image or len(data.input_shape) == 3]
    entry, values = pick(subset(MODELS, names), "models.label", DEFAULTS["model"], "model")
    with user_errors():
        config = entry.config(data.input_shape, data.n_outputs, values)
        features = feature_choice(data, entry.name)
        if features is not None:
            config["features"] = features
        rows, n_params = model_summary(config, tuple(data.input_shape))
        columns = ("name", "type", "output_shape", "params")
        table = {t(f"models.table.{c}"): [str(r[c]) if c == "output_shape" else r[c] for r in rows] for c in columns}
        with st.expander(t("models.table.total", count=f"{n_params:,}")):
            st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
        return config
    return None


def recipe_section(data: TaskData, model_config: dict, limits: Limits) -> dict:
    loss, loss_values = pick(subset(LOSSES, matching_losses(data)), "training.recipe.loss", None, "loss")
    optimizer, opt_values = pick(OPTIMIZERS, "training.recipe.optimizer", DEFAULTS["optimizer"], "optimizer")
    scheduler, sched_values = pick(SCHEDULERS, "training.recipe.scheduler", DEFAULTS["scheduler"], "scheduler")
    init(MODE_KEY, "minibatch")
    init(BATCH_KEY, DEFAULT_BATCH_SIZE, spec=BATCH_SIZE)
    init(EPOCHS_KEY, DEFAULT_EPOCHS, spec=epochs_param(limits))
    mode = st.selectbox(t("training.recipe.batch_mode"), BATCH_MODES, key=MODE_KEY,
                        format_func=lambda m: t(f"training.batch.{m}.title"))  # fmt: skip
    c1, c2 = st.columns(2)
    # No min/max on the widgets: a bound there turns the box red and silently keeps the old value, so
    # Start would train something else than what is shown. Any whole number reaches `prepare`, which
    # refuses one out of range with a message beside Start.
    c1.number_input(t("training.recipe.batch_size"), step=1, key=BATCH_KEY, disabled=mode != "minibatch",
                    help=t("training.recipe.batch_size_help", high=MAX_BATCH_SIZE))  # fmt: skip
    c2.number_input(t("training.recipe.epochs"), step=1, key=EPOCHS_KEY,
                    help=t("training.recipe.epochs_help", cap=limits.epochs))  # fmt: skip
    with st.popover(t("training.recipe.formula")):
        st.latex(BATCH_FORMULAS[mode])
        st.markdown(t(f"training.batch.{mode}.desc"))
    rates, patience = regularization()
    st.caption(t("training.recipe.seed_device", seed=seed(), device=device().type))
    return {"data": {"name": data.name}, "model": model_config,
            "loss": {"name": loss.name, "params": loss_values},
            "optimizer": {"name": optimizer.name, "params": opt_values},
            "scheduler": {"name": scheduler.name, "params": sched_values},
            "batch_mode": mode, "batch_size": int(st.session_state[BATCH_KEY]),
            "epochs": int(st.session_state[EPOCHS_KEY]), "seed": seed(),
            "regularization": rates, "early_stop": patience}  # fmt: skip


def settings(limits: Limits) -> tuple[dict | None, TaskData | None]:
    """The settings column: data, model, recipe; the run config Start would train (None while incomplete)."""
    config = None
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
            config = recipe_section(data, model_config, limits)
    slots = global_slots()
    st.caption(t("training.caps", params=limits.params, epochs=limits.epochs, steps=limits.steps,
                 concurrent=slots.limit))  # fmt: skip
    st.caption(t("training.server_load", running=slots.running, queued=slots.queued))
    return config, data


def label_of(config: dict) -> str:
    mode = config["batch_mode"] if config["batch_mode"] != "minibatch" else f"B={config['batch_size']}"
    return f"{config['data']['name']} · {config['model']['kind']} · {config['optimizer']['name']} · {mode}"
