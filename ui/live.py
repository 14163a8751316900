"""Live runs on a page: the session's run book and a fragment that polls a LiveRun's snapshot.

The worker thread never calls ``st.*``; a fragment re-runs every `POLL_S` seconds while a
run is active, reads ``live.snapshot()`` and redraws. When the run ends, the whole page
reruns once (so buttons and downloads update) and the polling stops. Reusable by any page
that trains in the background (the poems page may use it too).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import streamlit as st

from core.train import LiveRun
from core.train.runs import RunBook

POLL_S = 0.5  # 2 Hz: the snapshot refresh rate the benchmark's ≤ 5 % overhead was measured at


def _close(book: RunBook) -> None:
    book.close()


@st.cache_resource(scope="session", on_release=_close, show_spinner=False)
def run_book() -> RunBook:
    """This browser session's runs; closing the tab releases the cache and stops every worker."""
    return RunBook()


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
    active = live is not None and live.running

    def panel() -> None:
        running = live is not None and live.running
        render(live.snapshot() if live is not None else {})
        was = st.session_state.get(seen_key, False)
        st.session_state[seen_key] = running
        if was and not running:
            st.rerun(scope="app")  # the run just ended: redraw buttons, downloads and comparisons once

    st.session_state[seen_key] = active
    st.fragment(panel, run_every=interval if active else None)()
