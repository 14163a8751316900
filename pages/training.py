"""Live training playground: data → model → recipe → Start, with live curves, comparisons and downloads.

The settings column is drawn by the full page run (Start trains what it shows). The live view (which
polls its run with a nested `ui.live.poll` fragment; its buttons and knobs are `ui.training_drive`, the
neuron view `ui.training_network`), the comparison and the files are fragments; Start, Stop and Reset
rerun the page once, since the comparison and the downloads change with them.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import artifacts
from core.checkpoints import saved, score
from core.data import TaskData
from core.data.limits import MAX_MODEL_BYTES
from core.models import build_model, count_params
from core.train import export
from core.train.runs import Limits, global_slots
from ui import charts
from ui.feedback import user_errors
from ui.i18n import lang, t
from ui.live import POLL_S, poll, run_book
from ui.state import key
from ui.training_charts import compare_figures, live_panel
from ui.training_drive import UntilEnd, buttons, following, knobs, speed_control
from ui.training_network import DETAIL_POLL_S, NEURON_POLL_S, has_neurons, network_panel, neuron_detail
from ui.training_settings import settings
from ui.widgets import multiselect, uploader

LIMITS = Limits.from_env()
COMPARE_KEY, FILES_KEY = key("training", "compare"), key("training", "files_run")
# Not widgets: which runs the comparison and the download box have offered already (new ones join / are picked).
COMPARE_SEEN, FILES_LATEST = "_training_compare_seen", "_training_files_latest"


# -- the live view ----------------------------------------------------------------------


@st.fragment
def live_section(book, config: dict | None, data: TaskData | None) -> None:
    """Start / Step / Pause / Stop / Reset, the speed and the knobs, and the current (or last) run: polled while
    its worker steps (the curves once a second, the neuron view as often as the worker draws its maps)."""
    active = book.active()
    buttons(book, config, data, LIMITS)
    record = book.active() or (book.runs[-1] if book.runs else None)
    speed_control(record)
    if record is None:
        st.info(t("training.status.none"))
        return
    knobs(record)
    limit = global_slots().limit
    if following(record.live):  # the curves at 1 Hz; the network in its own fragment at the worker's neuron rate
        run = UntilEnd(record.live)
        poll(run, lambda snap: live_panel(record, snap, limit), key=f"training.{record.id}", interval=POLL_S)
        if has_neurons(record):
            poll(run, lambda snap: network_panel(record, snap), key=f"training.{record.id}.network",
                 interval=NEURON_POLL_S)  # fmt: skip
            poll(run, lambda snap: neuron_detail(record, snap), key=f"training.{record.id}.neuron",
                 interval=DETAIL_POLL_S)  # fmt: skip
        else:
            network_panel(record, record.live.snapshot())  # says why there is no neuron view
    else:  # drawn once without the poller (a pause, an end): its polling stops
        snap = record.live.snapshot()
        live_panel(record, snap, limit)
        network_panel(record, snap)
        neuron_detail(record, snap)
    if active is not None and not active.live.running:  # it ended while this ran: redraw the buttons to match
        st.rerun(scope="app")


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


def overlay_figures(book, chosen: list[int], labels: dict[int, str]):
    """`compare_figures`, built once per selection and language (finished runs do not change)."""
    cache_key = (tuple(chosen), tuple(labels[i] for i in chosen), lang())
    cached = st.session_state.get("_training_compare_figures")
    if cached is None or cached[0] != cache_key:
        cached = (cache_key, compare_figures([book.get(i) for i in chosen], labels))
        st.session_state["_training_compare_figures"] = cached
    return cached[1]


@st.fragment
def compare_section(book) -> None:
    done = [r for r in book.runs if not r.active]
    if not done:
        st.caption(t("training.compare.empty"))
        return
    if st.button(t("training.buttons.clear")):
        for record in done:
            book.remove(record.id)
        st.rerun(scope="app")
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
    loss_fig, metric_fig = overlay_figures(book, chosen, labels)
    a, b = st.columns(2)
    with a:
        charts.show(loss_fig, key="training.compare.loss")
    with b:
        charts.show(metric_fig, key="training.compare.metric")


def run_file(record, kind: str):
    """A finished run's checkpoint bytes ("model") or exported script ("script"), each made once (a rerun
    re-sends it); the script is a UserError for a run it cannot rebuild (a plateau schedule)."""
    files = record.extra.setdefault("files", {})
    if kind == "model" and kind not in files:
        files[kind] = artifacts.to_bytes(saved(record.live.result))
    elif kind not in files:
        files[kind] = export.script(record.extra["setup"])
    return files[kind]


def downloads(book) -> None:
    finished = [r for r in book.runs if not r.active and r.live.result is not None]
    if not finished:
        st.caption(t("training.files.no_finished"))
        return
    labels = {r.id: f"#{r.id} {r.label}" for r in finished}
    newest = finished[-1].id
    if st.session_state.get(FILES_KEY) not in labels or st.session_state.get(FILES_LATEST) != newest:
        st.session_state[FILES_KEY] = newest  # a run that just finished is the one to download
    st.session_state[FILES_LATEST] = newest
    run_id = st.selectbox(t("training.files.run"), list(labels), format_func=labels.get, key=FILES_KEY)
    record = book.get(run_id)
    c1, c2 = st.columns(2)
    c1.download_button(t("training.files.download_model"), run_file(record, "model"), file_name=f"run{run_id}.pt",
                       mime="application/octet-stream", width="stretch")  # fmt: skip
    with c2, user_errors():
        source = run_file(record, "script")
        st.download_button(t("training.files.download_script"), source, file_name=f"run{run_id}.py",
                           mime="text/x-python", help=t("training.files.script_help"), width="stretch")  # fmt: skip


def uploaded_model(data: TaskData | None) -> None:
    upload = uploader(t("training.files.upload"), ["pt", "pth"], key="training_model_upload",
                      max_bytes=MAX_MODEL_BYTES, help=t("training.files.upload_help"))  # fmt: skip
    if upload is None:
        return
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


@st.fragment
def files_section(book, data: TaskData | None) -> None:
    """Download a finished run (checkpoint, script); load a checkpoint and score it on the current data."""
    downloads(book)
    uploaded_model(data)


def main() -> None:
    st.title(t("nav.training.title"))
    st.markdown(t("training.intro"))
    book = run_book()
    left, right = st.columns([1, 2], gap="large")
    with left:
        config, data = settings(LIMITS)
    with right:
        st.subheader(t("training.sections.live"))
        live_section(book, config, data)
    st.subheader(t("training.sections.compare"))
    compare_section(book)
    st.subheader(t("training.sections.files"))
    files_section(book, data)


main()
