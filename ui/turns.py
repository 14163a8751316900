"""Whole-page runs of all visitors take turns: at most `DLP_MAX_CONCURRENT_PAGES` (default 2) at once.

app.py runs each whole-page run inside `page_turns().turn()`. Every session's script shares the
server's one GIL: twenty visitors opening pages together each rendered at 1/20 of it, so a page
that costs 140 ms took ~3-5 s; taking turns, a render waits about as long as any other and then
takes its own cost. Fragment runs (a slider's section, a live chart's poll) are short and do not
queue.
"""

from __future__ import annotations

import streamlit as st

from core.env import env_int
from core.threads import Turnstile

DEFAULT_CONCURRENT_PAGES = 2  # the machine's cores: a render's torch work runs outside the GIL


@st.cache_resource(show_spinner=False)
def page_turns() -> Turnstile:
    """The server's one turnstile for whole-page runs."""
    return Turnstile(env_int("DLP_MAX_CONCURRENT_PAGES", DEFAULT_CONCURRENT_PAGES))
