"""Live training playground: data → model → recipe → Start, with live curves, comparisons and downloads.

The settings column is drawn by the full page run (Start trains what it shows). The live view (which
polls its run with a nested `ui.live.poll` fragment), the comparison and the files are fragments;
Start, Stop and Reset rerun the page once, since the comparison and the downloads change with them.
"""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from core import artifacts
from core.checkpoints import saved, score
from core.data import TaskData
from core.data.limits import MAX_MODEL_BYTES
from core.models import build_model, count_params
from core.train import export
from core.train.runs import Limits, global_slots
from core.train.setup import prepare
from core.train.worker import job
from ui import charts
from ui.feedback import user_errors
from ui.i18n import lang, t
from ui.live import poll, run_book
from ui.sidebar import device
from ui.state import key
from ui.training_charts import compare_figures, live_panel
from ui.training_settings import label_of, settings
from ui.widgets import multiselect, uploader

LIMITS = Limits.from_env()
COMPARE_KEY, FILES_KEY = key("training", "compare"), key("training", "files_run")
# Not widgets: which runs the comparison and the download box have offered already (new ones join / are picked).
COMPARE_SEEN, FILES_LATEST = "_training_compare_seen", "_training_files_latest"
PARK_WAIT_S = 1.0  # Pause waits this long at most for the worker to park (it parks after its current step)


# -- the live view ----------------------------------------------------------------------


def following(live) -> bool:
    """The worker is stepping (a parked one publishes nothing new: nothing to poll)."""
    return live.running and not live.parked


class UntilEnd:
    """The run as `ui.live.poll` should see it here: running until it ends, never parked. A pause is this
    section's business (Pause waits for the park, then the section draws the run without the poller); a poll
    that came in with the click (Streamlit runs it first) must not take the park for an end and rerun the page."""

    def __init__(self, live) -> None:
        self.live, self.parked = live, False

    @property
    def running(self) -> bool:
        return self.live.running

    def snapshot(self) -> dict:
        return self.live.snapshot()


def pause_or_resume(live, action: str) -> None:
    """A button callback, so the live view redraws once, in its new state. It says what the button read:
    Streamlit can deliver one click twice when a poll of the view was under way (the second must not undo
    the first). A pause waits for the worker to park after its step, so the view stops polling at once."""
    if action == "resume":
        live.resume()
        return
    live.pause()
    deadline = time.monotonic() + PARK_WAIT_S
    while following(live) and time.monotonic() < deadline:
        time.sleep(0.002)


def controls(book, config: dict | None, data: TaskData | None) -> None:
    active = book.active()
    live = active.live if active is not None else None
    c1, c2, c3, c4 = st.columns(4)
    if c1.button(t("training.buttons.start"), type="primary", disabled=config is None or active is not None,
                 width="stretch"):  # fmt: skip
        with user_errors():
            setup = prepare(config, data, device(), LIMITS)
            book.start(label_of(config), setup.config, job(setup, global_slots()), setup=setup, data=data)
            st.rerun(scope="app")
    action = "resume" if live is not None and live.paused else "pause"
    c2.button(t(f"training.buttons.{action}"), disabled=live is None, width="stretch", on_click=pause_or_resume,
              args=(live, action))  # fmt: skip
    if c3.button(t("training.buttons.stop"), disabled=live is None, width="stretch"):
        live.stop()
        live.join(5)
        st.rerun(scope="app")  # the run joins the comparison and the downloads
    if c4.button(t("training.buttons.reset"), disabled=not book.runs, width="stretch"):
        for record in book.runs:
            book.remove(record.id)
        st.rerun(scope="app")


@st.fragment
def live_section(book, config: dict | None, data: TaskData | None) -> None:
    """Start / Pause / Stop / Reset and the current (or last) run: polled while its worker steps."""
    controls(book, config, data)
    record = book.active() or (book.runs[-1] if book.runs else None)
    if record is None:
        st.info(t("training.status.none"))
        return
    limit = global_slots().limit
    if following(record.live):
        poll(UntilEnd(record.live), lambda snap: live_panel(record, snap, limit), key=f"training.{record.id}")
    else:  # drawn once without the poller (a pause, an end): its polling stops
        live_panel(record, record.live.snapshot(), limit)


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
