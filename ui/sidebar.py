"""The shared sidebar: language, compute device and global seed."""

from __future__ import annotations

import streamlit as st
import torch

from core.device import describe, pick_device
from core.registry import Param
from ui.i18n import LANG_KEY, LANGUAGES, lang, t
from ui.state import init

FORCE_CPU_KEY = "p.force_cpu"
SEED_KEY = "p.seed"
DEFAULT_SEED = 0
SEED = Param("seed", DEFAULT_SEED, 0, 2**31 - 1, 1)


def render() -> None:
    """Draw the sidebar controls (app.py calls this once per run)."""
    init(LANG_KEY, lang(), choices=list(LANGUAGES))
    init(FORCE_CPU_KEY, False)
    init(SEED_KEY, DEFAULT_SEED, spec=SEED)
    with st.sidebar:
        st.selectbox("🌐 语言 / Language", list(LANGUAGES), key=LANG_KEY, format_func=LANGUAGES.get)
        info = describe(device())
        memory = f" · {info.memory_gb:.1f} GB" if info.memory_gb else ""
        threads = f" ({t('common.cpu_threads', n=info.threads)})" if info.threads else ""
        st.caption(f"{t('common.device')}: **{info.device.type}** — {info.name}{threads}{memory}")
        st.toggle(t("common.force_cpu"), key=FORCE_CPU_KEY, help=t("common.force_cpu_help"),
                  disabled=pick_device().type == "cpu")  # fmt: skip
        st.number_input(t("common.seed"), min_value=0, max_value=2**31 - 1, step=1, key=SEED_KEY,
                        help=t("common.seed_help"))  # fmt: skip


def device() -> torch.device:
    """The device pages should compute on (the sidebar's choice)."""
    return pick_device(force_cpu=bool(st.session_state.get(FORCE_CPU_KEY, False)))


def seed() -> int:
    """The global seed from the sidebar."""
    return int(st.session_state.get(SEED_KEY, DEFAULT_SEED))
