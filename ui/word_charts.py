"""The words page's figures (plain dicts through `ui.live.quick_figure`: no validation per call) and word chips."""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from core.text.explore import Analysis
from ui import charts
from ui.live import quick_figure

REMOVED_STYLE = "background:#f0f0f0;color:#9a9a9a;text-decoration:line-through;border:1px dashed #c8c8c8"
CHIP_STYLE = "display:inline-block;padding:2px 9px;margin:3px;border-radius:7px;font-size:1.05rem"
RDBU = [list(stop) for stop in go.Heatmap(colorscale="RdBu").colorscale]  # plotly.py's RdBu (plotly.js has another)
TEXT_CELLS = 16  # a heatmap prints its values when it has at most this many columns


def word_chips(result: Analysis) -> str:
    """The segmented words as coloured chips; a word's colour is that of its vocabulary index."""
    index = result.vocab.word_to_index
    chips = []
    for word, removed in zip(result.tokens, result.removed, strict=True):
        if removed:
            style = REMOVED_STYLE
        else:
            c = charts.color(index[word])
            style = f"background:{c}26;border:1px solid {c}"
        chips.append(f'<span class="word-chip" style="{style};{CHIP_STYLE}">{html.escape(word)}</span>')
    return f'<div class="word-chips" style="line-height:2.1">{"".join(chips)}</div>'


def heatmap(
    z: np.ndarray, x: Sequence[str], y: Sequence[str], *, title: str, x_title: str | None = None, cosine: bool = True
) -> go.Figure:
    """Rows `y` × columns `x`, red-blue around 0 (cosine similarities on [-1, 1]), one row 26 px high."""
    trace = {
        "type": "heatmap", "z": np.asarray(z).tolist(), "x": list(x), "y": list(y), "colorscale": RDBU, "zmid": 0,
        "hovertemplate": "%{y} · %{x}: %{z:.3f}<extra></extra>",
    }  # fmt: skip
    if cosine:
        trace.update(zmin=-1, zmax=1)
    if len(x) <= TEXT_CELLS:
        trace["texttemplate"] = "%{z:.2f}"
    return quick_figure([trace], title=title, x=x_title, height=max(320, 26 * len(y) + 140), hovermode="closest",
                        xaxis={"type": "category", "tickangle": -45 if cosine else 0},
                        yaxis={"type": "category", "autorange": "reversed"})  # fmt: skip
