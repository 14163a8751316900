"""The poems page's figures (plain dicts through `ui.live.quick_figure`: no validation per call), poem markup
and the live-run panel."""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from core.poetry import rhyme
from core.poetry.explore import Neighbourhood, Thought
from ui import charts
from ui.i18n import t
from ui.live import quick_figure

BOTTOM_LEGEND = {"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0}  # clear of the title
LINE_STYLE = "font-size:1.35rem;letter-spacing:0.12em;line-height:1.9"
MARK_STYLE = "font-size:0.8rem;letter-spacing:0;margin-left:0.8em"
RHYMES, MISSES, QUIET = "#2e7d32", "#c62828", "#777"


def poem_html(i: int, lines: Sequence[str]) -> str:
    """Poem `i` line by line, each with its last character's final, rhyme class and a ✓/✗ on even lines."""
    rows = []
    for line, info in zip(lines, rhyme.rhyme_report(lines), strict=True):
        final = info["final"] or "–"
        cls = info["rhyme_class"] or "–"
        if info["even"]:
            mark, color = ("✓", RHYMES) if info["rhymes"] else ("✗", MISSES)
        else:
            mark, color = ("○" if info["in_rhyme"] else ""), QUIET
        rows.append(
            f'<div class="poem-line" style="{LINE_STYLE}">{html.escape(line)}'
            f'<span style="{MARK_STYLE};color:{color}">{html.escape(final)} · {html.escape(cls)} {mark}</span></div>'
        )
    return f'<div class="poem" data-poem="{i}">{"".join(rows)}</div>'


def position_html(text: str, position: int) -> str:
    """`text` with the character at `position` highlighted and what follows it greyed."""
    return (
        '<div style="font-size:1.3rem;letter-spacing:0.1em">'
        f"{html.escape(text[:position])}<span style='background:#ffe082;padding:0 4px;border-radius:4px'>"
        f"{html.escape(text[position])}</span>"
        f"<span style='color:#bbb'>{html.escape(text[position + 1 :])}</span></div>"
    )


def think_figure(thought: Thought, temperature: float, *, title: str, y: str) -> go.Figure:
    """Grouped bars: the most likely next characters' probabilities at each temperature (the learner's opaque)."""
    traces = [
        {"type": "bar", "x": thought.labels, "y": thought.curves[tt], "name": f"T = {tt:g}",
         "marker": {"color": charts.color(j)}, "opacity": 1.0 if tt == float(temperature) else 0.45}
        for j, tt in enumerate(thought.temperatures)
    ]  # fmt: skip
    return quick_figure(traces, title=title, y=y, height=380, barmode="group", legend=BOTTOM_LEGEND,
                        xaxis={"type": "category", "tickfont": {"size": 18}})  # fmt: skip


def embed_figure(
    xy: np.ndarray, chars: Sequence[str], hood: Neighbourhood | None, *, title: str, frequent: str, near: str
) -> go.Figure:
    """The first `len(chars)` characters' PCA positions as text, the chosen one and its neighbours marked."""
    n = len(chars)
    traces = [
        {"type": "scatter", "x": xy[:n, 0].tolist(), "y": xy[:n, 1].tolist(), "mode": "text", "text": list(chars),
         "textfont": {"color": "#607d8b", "size": 13}, "name": frequent, "hoverinfo": "text"}
    ]  # fmt: skip
    if hood is not None:
        others = len(hood.chars) - 1
        traces.append(
            {"type": "scatter", "x": xy[hood.rows, 0].tolist(), "y": xy[hood.rows, 1].tolist(),
             "mode": "markers+text", "text": hood.chars, "textposition": "top center", "textfont": {"size": 18},
             "marker": {"size": [16] + [10] * others, "color": [charts.color(1)] + [charts.color(0)] * others},
             "name": near}
        )  # fmt: skip
    return quick_figure(traces, title=title, x="PC 1", y="PC 2", height=560, hovermode="closest",
                        legend=BOTTOM_LEGEND)  # fmt: skip


def bars_figure(labels: Sequence[str], counts: Sequence[int], *, title: str, color: int | None = None,
                tick_size: int | None = None) -> go.Figure:  # fmt: skip
    """One bar per label (plotly's first colour, or house colour `color`); with `tick_size`, every
    label shown as a category at that size (characters)."""
    bar = {"type": "bar", "x": list(labels), "y": list(counts)}
    if color is not None:
        bar["marker"] = {"color": charts.color(color)}
    xaxis = {"type": "category", "tickfont": {"size": tick_size}, "tickmode": "array", "tickvals": list(labels)}
    return quick_figure([bar], title=title, height=360, xaxis=xaxis if tick_size else None)


def loss_figure(losses: Sequence[float], *, title: str, x: str, y: str) -> go.Figure:
    """A live run's training loss, one point per step."""
    return quick_figure([{"type": "scatter", "y": list(losses), "mode": "lines", "name": y}],
                        title=title, x=x, y=y, height=320)  # fmt: skip


def live_panel(snap: dict) -> None:
    """A live run's snapshot: queue position, loss curve, the poems written after each epoch."""
    if not snap:
        st.info(t("poems.live_idle"))
        return
    if snap.get("status") == "queued":
        st.info(t("poems.live_queued", pos=snap.get("queue_position", 1)))
        return
    losses = snap.get("losses", [])
    st.caption(
        t("poems.live_status", poems=snap.get("poems", 0), steps=len(losses), epochs=len(snap.get("epochs", [])))
    )
    if losses:
        charts.show(loss_figure(losses, title=t("poems.live_loss"), x=t("poems.step"), y=t("poems.loss")))
    for epoch, texts in sorted(snap.get("samples", {}).items(), reverse=True):
        st.markdown(f"**{t('poems.live_epoch', epoch=epoch)}**  " + "  ·  ".join(texts))
    if snap.get("status") in ("done", "stopped"):
        st.success(t(f"poems.live_{snap['status']}"))
