"""Live training playground: data → model → recipe → Start, with live curves, comparisons and downloads."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from core import artifacts
from core.data import DATASETS, TaskData, csv_columns, load_csv
from core.data.limits import MAX_CATEGORIES, MAX_CSV_BYTES, REGRESSION_MIN_VALUES
from core.losses import LOSSES
from core.models import MODELS, build_model, count_params, layer_table
from core.optim import OPTIMIZERS
from core.registry import Registry
from core.schedulers import SCHEDULERS
from core.train import export, metrics
from core.train.recipe import (
    BATCH_FORMULAS,
    BATCH_MODES,
    DEFAULT_BATCH_SIZE,
    DEFAULT_EPOCHS,
    MAX_BATCH_SIZE,
    PAGE_DEFAULTS,
    job,
    matching_losses,
    prepare,
    saved,
    score,
)
from core.train.runs import Limits, global_slots
from ui import charts
from ui.feedback import user_errors
from ui.i18n import t
from ui.live import format_seconds, poll, run_book
from ui.sidebar import device, seed
from ui.state import init, key
from ui.widgets import choose, explain, param_inputs

LIMITS = Limits.from_env()
SOURCE_KEY, CSV_TARGET_KEY = key("training", "source"), key("training", "csv_target")
MODE_KEY, BATCH_KEY, EPOCHS_KEY = (
    key("training", "batch_mode"),
    key("training", "batch_size"),
    key("training", "epochs"),
)
COMPARE_KEY = key("training", "compare")


@st.cache_resource(max_entries=8, show_spinner=False)
def builtin_data(name: str, data_seed: int, params: tuple) -> TaskData:
    return DATASETS.get(name).load(data_seed, **dict(params))


@st.cache_resource(max_entries=4, show_spinner=False)
def csv_data(digest: str, _raw: bytes, target: str, data_seed: int) -> TaskData:
    return load_csv(_raw, target, seed=data_seed)


def subset(registry: Registry, names: list[str]) -> Registry:
    """The entries of `registry` named in `names` (same family, so labels and widget keys stay)."""
    return Registry(registry.family, [registry.get(n) for n in names])


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
    values = param_inputs(entry, registry.family, "training", scope, columns=2)
    with st.popover(t("training.recipe.formula")):
        explain(registry.family, entry)
    return entry, values


def data_section() -> TaskData | None:
    init(SOURCE_KEY, "builtin")
    source = st.segmented_control(t("training.source.label"), ["builtin", "csv"], key=SOURCE_KEY,
                                  format_func=lambda s: t(f"training.source.{s}"))  # fmt: skip
    if source == "csv":
        st.caption(t("datasets.csv.desc", max_mb=MAX_CSV_BYTES // 2**20, max_categories=MAX_CATEGORIES,
                     min_values=REGRESSION_MIN_VALUES))  # fmt: skip
        upload = st.file_uploader(t("training.source.upload"), type=["csv", "txt"], key="training_csv")
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
    c1.number_input(t("training.recipe.batch_size"), min_value=1, max_value=MAX_BATCH_SIZE, step=1, key=BATCH_KEY,
                    disabled=mode != "minibatch")  # fmt: skip
    c2.number_input(t("training.recipe.epochs"), min_value=1, max_value=LIMITS.epochs, step=1, key=EPOCHS_KEY)
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
    paused = active is not None and active.live.paused
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


def evaluated(epochs: list[dict], metric: str) -> list[dict]:
    """The epoch records that carry `metric` (short epochs are evaluated only a few times a second)."""
    return [r for r in epochs if metric in r]


def loss_chart(snap: dict, key_: str) -> None:
    fig = charts.figure(t("training.charts.loss"), x=t("training.charts.step"), height=300)
    fig.add_scatter(x=snap.get("curve_steps", []), y=snap.get("step_loss", []), name=t("training.charts.train_step"),
                    line={"color": charts.color(0), "width": 1}, opacity=0.45)  # fmt: skip
    epochs = snap.get("epochs", [])
    spe = snap.get("total_steps", 0) / max(snap.get("epochs_total", 1), 1)
    for i, split in enumerate(("train", "test"), start=1):
        done = evaluated(epochs, f"{split}_eval_loss")
        ys = [r[f"{split}_eval_loss"] for r in done]
        fig.add_scatter(x=[r["epoch"] * spe for r in done], y=ys, name=t(f"training.charts.{split}"),
                        mode="lines+markers" if len(ys) < 30 else "lines", line={"color": charts.color(i)})  # fmt: skip
    fig.update_yaxes(type="log")
    charts.show(fig, key=f"{key_}.loss")


def metric_chart(snap: dict, key_: str) -> None:
    metric = snap.get("metric", "accuracy")
    title = t(f"training.charts.metrics.{metric}")
    fig = charts.figure(title, x=t("training.charts.epoch"), height=300)
    epochs = snap.get("epochs", [])
    for i, split in enumerate(("train", "test"), start=1):
        done = evaluated(epochs, f"{split}_{metric}")
        fig.add_scatter(x=[r["epoch"] for r in done], y=[r[f"{split}_{metric}"] for r in done],
                        name=t(f"training.charts.{split}"), line={"color": charts.color(i)})  # fmt: skip
    charts.show(fig, key=f"{key_}.metric")


def lr_chart(snap: dict, key_: str) -> None:
    fig = charts.figure(t("training.charts.lr"), x=t("training.charts.step"), height=240)
    fig.add_scatter(x=snap.get("curve_steps", []), y=snap.get("lr", []), line={"color": charts.color(3)},
                    name=t("training.charts.lr"))  # fmt: skip
    fig.update_yaxes(rangemode="tozero")  # a constant rate is a flat line above 0, not a line at the axis' middle
    charts.show(fig, key=f"{key_}.lr")


def boundary_chart(snap: dict, data: TaskData, key_: str) -> None:
    b = snap["boundary"]
    fig = charts.figure(t("training.charts.boundary"), x=data.feature_names[0], y=data.feature_names[1], height=420)
    n = max(data.n_classes, 2)
    scale = [[k / max(n - 1, 1), charts.color(k)] for k in range(n)]
    fig.add_heatmap(x=b["x"], y=b["y"], z=b["label"], colorscale=scale, zmin=0, zmax=n - 1, showscale=False,
                    opacity=0.35, hoverinfo="skip")  # fmt: skip
    x, y = data.x_test.numpy(), data.y_test.numpy()
    for k in range(n):
        pts = x[y == k]
        fig.add_scatter(x=pts[:, 0], y=pts[:, 1], mode="markers", name=data.class_names[k] if data.class_names else k,
                        marker={"color": charts.color(k), "size": 6, "line": {"width": 0.5, "color": "white"}})  # fmt: skip
    fig.update_layout(hovermode="closest")
    charts.show(fig, key=f"{key_}.boundary")
    st.caption(t("training.charts.boundary_note"))


def curve_chart(snap: dict, data: TaskData, key_: str) -> None:
    c = snap["curve"]
    fig = charts.figure(t("training.charts.curve"), x=data.feature_names[0] if data.feature_names else "x", height=360)
    for i, (x, y) in enumerate(((data.x_train, data.y_train), (data.x_test, data.y_test))):
        fig.add_scatter(x=x[:, 0].numpy(), y=y[:, 0].numpy(), mode="markers", opacity=0.5,
                        name=t(f"training.charts.{('train', 'test')[i]}"), marker={"color": charts.color(i + 1), "size": 5})  # fmt: skip
    fig.add_scatter(x=c["x"], y=c["y"], name=t("training.charts.model"), line={"color": charts.color(0), "width": 3})
    fig.update_layout(hovermode="closest")
    charts.show(fig, key=f"{key_}.curve")


def confusion_chart(snap: dict, data: TaskData, key_: str) -> None:
    names = data.class_names or [str(k) for k in range(data.n_classes)]
    fig = charts.figure(t("training.charts.confusion"), x=t("training.charts.predicted"), y=t("training.charts.true"),
                        height=380)  # fmt: skip
    fig.add_heatmap(z=snap["confusion"], x=names, y=names, colorscale="Blues", texttemplate="%{z}", showscale=False)
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category")
    fig.update_layout(hovermode="closest")
    charts.show(fig, key=f"{key_}.confusion")


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


def status_line(record, snap: dict) -> None:
    status = record.live.status
    text = t("training.status.label", label=f"#{record.id} {record.label}", status=t(f"training.status.{status}"))
    if status == "diverged":
        st.error(text + " — " + t("training.status.diverged_at", step=snap.get("diverged_at")), icon="⚠️")
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


def render_run(record) -> None:
    data: TaskData = record.extra["data"]

    def draw(snap: dict) -> None:
        status_line(record, snap)
        step, total = snap.get("step", 0), max(snap.get("total_steps", 1), 1)
        st.progress(min(step / total, 1.0), text=t("training.progress", pct=100 * step / total, step=step, total=total,
                    epoch=snap.get("epoch", 0), epochs=snap.get("epochs_total", 0), rate=snap.get("samples_per_s", 0.0),
                    eta=format_seconds(snap.get("eta_s")) if record.live.running else "–"))  # fmt: skip
        k = f"live.{record.id}.{step}"
        a, b = st.columns(2)
        with a:
            loss_chart(snap, k)
        with b:
            metric_chart(snap, k)
        v, w = st.columns(2)
        with v:
            if "boundary" in snap:
                boundary_chart(snap, data, k)
            elif "curve" in snap:
                curve_chart(snap, data, k)
            elif "confusion" in snap:
                confusion_chart(snap, data, k)
        with w:
            lr_chart(snap, k)
        misclassified_images(snap, data)

    poll(record.live, draw, key=f"training.{record.id}")


# -- comparison and files -------------------------------------------------------------


def final(record) -> dict:
    epochs = record.live.get("epochs") or []
    return epochs[-1] if epochs else {}


def compare_section(book) -> None:
    done = [r for r in book.runs if not r.active]
    if not done:
        st.caption(t("training.compare.empty"))
        return
    ids = [r.id for r in done]
    init(COMPARE_KEY, ids[-2:])
    if any(i not in ids for i in st.session_state[COMPARE_KEY]):
        st.session_state[COMPARE_KEY] = [i for i in st.session_state[COMPARE_KEY] if i in ids]
    labels = {r.id: t("training.compare.series", id=r.id, label=r.label) for r in done}
    chosen = st.multiselect(t("training.compare.label"), ids, key=COMPARE_KEY, format_func=labels.get)
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
    a, b = st.columns(2)
    loss_fig = charts.figure(t("training.charts.loss"), x=t("training.charts.epoch"), height=320)
    metric_fig = charts.figure(t("training.charts.metric"), x=t("training.charts.epoch"), height=320)
    for i, run_id in enumerate(chosen):
        r = book.get(run_id)
        epochs, metric = r.live.get("epochs") or [], r.live.get("metric", "accuracy")
        epochs = evaluated(epochs, "test_eval_loss")
        xs = [e["epoch"] for e in epochs]
        style = {"color": charts.color(i)}
        loss_fig.add_scatter(x=xs, y=[e["test_eval_loss"] for e in epochs], name=labels[run_id], line=style)
        metric_fig.add_scatter(x=xs, y=[e.get(f"test_{metric}") for e in epochs], name=labels[run_id], line=style)
    loss_fig.update_yaxes(type="log")
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
        run_key = key("training", "files_run")
        if st.session_state.get(run_key) not in labels:
            st.session_state[run_key] = finished[-1].id
        run_id = st.selectbox(t("training.files.run"), list(labels), format_func=labels.get, key=run_key)
        record = book.get(run_id)
        c1, c2 = st.columns(2)
        c1.download_button(t("training.files.download_model"), artifacts.to_bytes(saved(record.live.result)), file_name=f"run{run_id}.pt",
                           mime="application/octet-stream", width="stretch")  # fmt: skip
        with c2, user_errors():
            source = export.script(record.extra["setup"])
            st.download_button(t("training.files.download_script"), source, file_name=f"run{run_id}.py",
                               mime="text/x-python", help=t("training.files.script_help"), width="stretch")  # fmt: skip
    upload = st.file_uploader(t("training.files.upload"), type=["pt", "pth"], key="training_model_upload",
                              help=t("training.files.upload_help"))  # fmt: skip
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
