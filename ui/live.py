"""Live runs on a page: the session's run book, a fragment that polls a LiveRun's snapshot, cheap figures.

The worker thread never calls ``st.*``; a fragment re-runs every `POLL_S` seconds while a
run is active, reads ``live.snapshot()`` and redraws. When the run ends (or its worker is
parked by a pause), the whole page reruns once (so buttons and downloads update) and the
polling stops. Reusable by any page that trains in the background.

Watching must not slow the training down: the page's script and the worker share one GIL,
and plotly's validating figure construction (`ui.charts.figure`: the house template is
re-validated on every figure) took ~0.2 s of GIL per chart on a busy 2-core server, four
charts twice a second. `quick_figure` builds the same figure from plain dicts without
validation (the house layout is computed once), ~10× cheaper.
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.scriptrunner_utils.script_run_context import SCRIPT_RUN_CONTEXT_ATTR_NAME

from core.train import LiveRun
from core.train.runs import RunBook
from ui import charts
from ui.spec_charts import Spec, spec

SCRIPT_THREAD = "ScriptRunner.scriptThread"  # the name Streamlit gives every session's script thread
POLL_S = 1.0  # 1 Hz: with quick figures a redraw of the live panel costs a few per cent of the GIL at this rate
LOG_TICKS_MAX = 7  # labels on a log axis, at most (more are cramped in a 300-px chart)


def _close(book: RunBook) -> None:
    book.close()


@st.cache_resource(scope="session", on_release=_close, show_spinner=False)
def run_book(page: str = "training") -> RunBook:
    """This browser session's runs of one page; closing the tab releases the cache and stops every worker.

    Its workers give way to other visitors' pages (`core.train.live.GIVE_WAY`), not to this one's own polls.
    """
    ctx = get_script_run_ctx()
    return RunBook(give_way=others_drawing(ctx.session_id) if ctx is not None else None)


def others_drawing(session_id: str) -> Callable[[], bool]:
    """A check that some other session's page script is running in this server now.

    Streamlit runs each session's script (a page or a fragment) in a thread of its own, named
    ``ScriptRunner.scriptThread`` and carrying that session's `ScriptRunContext`; the thread ends when
    the session has no more runs queued.
    """

    def drawing() -> bool:
        for thread in threading.enumerate():
            ctx = getattr(thread, SCRIPT_RUN_CONTEXT_ATTR_NAME, None)
            if ctx is not None and ctx.session_id != session_id and thread.name == SCRIPT_THREAD:
                return True
        return False

    return drawing


def format_seconds(seconds: float | None) -> str:
    """``"42 s"``, ``"3:07"`` or ``"1:02:03"``; ``"–"`` when unknown."""
    if seconds is None or not math.isfinite(seconds):
        return "–"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, sec = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}:{sec:02d}"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{sec:02d}"


def poll(live: LiveRun | None, render: Callable[[dict[str, Any]], None], *, key: str, interval: float = POLL_S) -> None:
    """Draw `render(snapshot)` now and, while `live` runs, every `interval` seconds.

    Args:
        live: the run to follow (None: render an empty snapshot once).
        render: draws the snapshot; called inside the fragment (Streamlit calls only).
        key: identifies this panel (remembers whether the run was active at the last poll).
    """
    seen_key = f"_live_active_{key}"

    def following() -> bool:  # a parked (paused) worker publishes nothing new: no need to poll it
        return live is not None and live.running and not live.parked

    active = following()

    def panel() -> None:
        running = following()
        render(live.snapshot() if live is not None else {})
        was = st.session_state.get(seen_key, False)
        st.session_state[seen_key] = running
        if was and not running:
            st.rerun(scope="app")  # the run just ended or parked: redraw buttons, downloads and comparisons once

    st.session_state[seen_key] = active
    st.fragment(panel, run_every=interval if active else None)()


@functools.lru_cache(maxsize=256)
def _house_layout(title: str | None, x: str | None, y: str | None, height: int) -> dict[str, Any]:
    """`ui.charts.figure`'s layout as a plain dict, validated once per title/axes/height."""
    return charts.figure(title, x=x, y=y, height=height).to_dict()["layout"]


def quick_figure(
    traces: Sequence[dict[str, Any]],
    *,
    title: str | None = None,
    x: str | None = None,
    y: str | None = None,
    height: int = 420,
    xaxis: dict[str, Any] | None = None,
    yaxis: dict[str, Any] | None = None,
    **layout: Any,
) -> Spec:
    """A figure in the house style (`ui.charts.style`) built from plain trace dicts without validation, as a
    `ui.spec_charts.Spec` (no `go.Figure` is built: it would copy every trace again when shown).

    Args:
        traces: plotly trace dicts, each with its ``type`` ("scatter", "heatmap", ...).
        xaxis, yaxis: merged into the house axes (title kept).
        layout: other layout keys, replacing the house ones.
    """
    base = _house_layout(title, x, y, height)
    merged = {**base, **layout}
    for name, extra in (("xaxis", xaxis), ("yaxis", yaxis)):
        if extra:
            merged[name] = {**base.get(name, {}), **extra}
    return spec(list(traces), merged)


def log_axis(values: Sequence[float]) -> dict[str, Any]:
    """A log axis whose labels are whole numbers of the 1-2-5 (or 1-10-100) series, never plotly's
    abbreviated minor labels (a "2" and a "5" that mean 20 and 50 between "10" and "100").

    Falls back to plotly's own ticks when the data spans less than two such labels.
    """
    finite = [float(v) for v in values if v is not None and math.isfinite(v) and v > 0]
    if not finite:
        return {"type": "log"}
    low, high = min(finite), max(finite)
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    decades = last - first
    for mantissas, every in (((1, 2, 5), 1), ((1,), 1), ((1,), max(1, math.ceil(decades / (LOG_TICKS_MAX - 1))))):
        ticks = [m * 10.0**k for k in range(first, last + 1, every) for m in mantissas]
        ticks = [v for v in ticks if low <= v <= high]
        if len(ticks) <= LOG_TICKS_MAX:
            break
    if len(ticks) < 2:
        return {"type": "log"}
    return {"type": "log", "tickmode": "array", "tickvals": ticks, "ticktext": [f"{v:g}" for v in ticks]}
