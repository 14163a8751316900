"""Bilingual strings: one table per language, built from ``assets/i18n/<lang>/*.json``.

Each JSON file is a namespace: key ``"relu.desc"`` in ``activations.json`` is looked up as
``t("activations.relu.desc")``. Both languages must have the same keys (tested).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

ROOT = Path(__file__).resolve().parent.parent / "assets" / "i18n"
LANGUAGES = {"zh": "简体中文", "en": "English"}
DEFAULT = "zh"
LANG_KEY = "p.lang"


def _flatten(prefix: str, node: object, out: dict[str, str]) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            _flatten(f"{prefix}.{k}", v, out)
    else:
        out[prefix] = str(node)


@cache
def table(lang: str) -> dict[str, str]:
    """Every key of `lang`, flattened, namespaced by file name."""
    out: dict[str, str] = {}
    for path in sorted((ROOT / lang).glob("*.json")):
        _flatten(path.stem, json.loads(path.read_text(encoding="utf-8")), out)
    return out


def locale_language(locale: str | None) -> str:
    """'en' for an English browser locale, else the default (中文)."""
    if locale and locale.lower().startswith("en"):
        return "en"
    return DEFAULT


_last_seen = DEFAULT


def lang() -> str:
    """The language chosen in the sidebar (falls back to the browser's locale).

    Outside a script run (AppTest calls a widget's ``format_func`` there) session state
    cannot be read, so the language of the last run in this process stands in.
    """
    global _last_seen
    if get_script_run_ctx(suppress_warning=True) is None:
        return _last_seen
    value = st.session_state.get(LANG_KEY)
    if value not in LANGUAGES:
        value = locale_language(getattr(st.context, "locale", None))
    _last_seen = value
    return value


def t(key: str, **params: object) -> str:
    """The string for `key` in the current language, formatted with `params`."""
    text = table(lang()).get(key)
    if text is None:
        return key  # visible in the UI, and a test fails on it
    return text.format(**params) if params else text


def translator():
    """`t_or` bound to the current language, for callbacks Streamlit may call outside
    the script run (a select box's ``format_func``), where session state is not readable."""
    strings = table(lang())
    return lambda key, fallback: strings.get(key, fallback)


def has(key: str) -> bool:
    return key in table(lang())


def t_or(key: str, fallback: str, **params: object) -> str:
    """Like `t`, but `fallback` where the key is absent (optional text)."""
    return t(key, **params) if has(key) else fallback
