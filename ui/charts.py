"""Plotly helpers: one look for every chart, with fonts that render Chinese."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

# Plotly renders in the viewer's browser, so a CJK-capable family list is all Chinese needs.
FONT = (
    "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', "
    "'WenQuanYi Micro Hei', 'Hiragino Sans GB', sans-serif"
)
COLORS = (
    "#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2",
    "#B279A2", "#EECA3B", "#9D755D", "#FF9DA6", "#BAB0AC",
)  # fmt: skip


def color(i: int) -> str:
    return COLORS[i % len(COLORS)]


def figure(title: str | None = None, *, x: str | None = None, y: str | None = None, height: int = 420) -> go.Figure:
    """An empty figure in the house style."""
    fig = go.Figure()
    style(fig, title=title, x=x, y=y, height=height)
    return fig


def style(
    fig: go.Figure, *, title: str | None = None, x: str | None = None, y: str | None = None, height: int = 420
) -> go.Figure:
    # A title sits at the top of the figure and the horizontal legend just above the plot,
    # so with a title the top margin makes room for both (else they overlap).
    fig.update_layout(
        title={"text": title, "y": 0.98, "yanchor": "top"} if title else None,
        height=height,
        font={"family": FONT, "size": 13},
        margin={"l": 50, "r": 20, "t": 85 if title else 30, "b": 45},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        template="plotly_white",
        hovermode="x unified",
    )
    if x is not None:
        fig.update_xaxes(title_text=x)
    if y is not None:
        fig.update_yaxes(title_text=y)
    return fig


def show(fig: go.Figure, key: str | None = None) -> None:
    st.plotly_chart(fig, width="stretch", key=key, config={"displaylogo": False})
