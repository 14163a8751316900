"""Session state that survives reruns and page switches.

Streamlit drops a widget's value when a run does not draw it (another page is open).
Every widget this app creates has a key starting with ``p.``; `keep_widget_state`, called
by app.py at the top of every run, re-assigns those keys so they outlive the page switch.
It also keeps a plain copy of them: a polling fragment that fires once more after a page
switch makes Streamlit clean up widget state against that fragment run, dropping keys
before app.py can re-assign them; the next full run puts them back from the copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

PREFIX = "p."


SHADOW = "_widget_values"


def keep_widget_state() -> None:
    shadow = st.session_state.setdefault(SHADOW, {})
    for key, value in shadow.items():
        if key not in st.session_state:
            st.session_state[key] = value
    for key in list(st.session_state.keys()):
        if isinstance(key, str) and key.startswith(PREFIX):
            st.session_state[key] = shadow[key] = st.session_state[key]


def key(*parts: object) -> str:
    """A persistent widget key: ``key("act", "relu", "alpha") == "p.act.relu.alpha"``."""
    return PREFIX + ".".join(str(p) for p in parts)


def init(widget_key: str, default: Any, *, spec: Any = None, choices: Sequence[Any] | None = None) -> None:
    """Give a widget its default once; later runs keep what the user set.

    A link's value for the widget (``ui.links``) replaces the default: `spec` (its
    `core.registry.Param`) or `choices` (the options it offers) validate it.
    """
    from ui import links  # links reads this module's names

    links.claim(widget_key, default, spec, choices)
    if widget_key not in st.session_state:
        st.session_state[widget_key] = default


def forget(keys: list[str]) -> None:
    """Drop widgets' values (and their kept copies): their widgets start again from their defaults."""
    shadow = st.session_state.setdefault(SHADOW, {})
    for widget_key in keys:
        shadow.pop(widget_key, None)
        if widget_key in st.session_state:
            del st.session_state[widget_key]
