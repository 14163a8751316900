"""Plotly helpers: one look for every chart, with fonts that render Chinese."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
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


SHORT_LOG_SPAN = 2.5  # decades up to which a log axis is ticked 1, 2, 5 (else decade by decade)
MODEBAR_MARGIN = 40  # px right of the plot: room for the upright toolbar (its buttons are about 30 px wide)


def _house_template() -> go.layout.Template:
    """plotly_white without what no chart here uses (polar, ternary, geo axes; default colour scales).

    Every figure copies and validates its template, and the full plotly_white took about 30 ms
    of each figure's 45 ms on the 2-core machine; this one takes about 1 ms. Every colour scale
    here is named where it is used, so the defaults are not missed.
    """
    white = pio.templates["plotly_white"].layout.to_plotly_json()
    layout = {k: v for k, v in white.items() if k not in ("polar", "ternary", "geo", "colorscale", "coloraxis")}
    bar = {"colorbar": {"outlinewidth": 0, "ticks": ""}}
    return go.layout.Template(layout=layout, data={"heatmap": [bar], "contour": [bar], "surface": [bar]})


# The default for every figure, also those given to st.plotly_chart as plain dicts.
pio.templates["house"] = _house_template()
pio.templates.default = "house"


def color(i: int) -> str:
    return COLORS[i % len(COLORS)]


def figure(title: str | None = None, *, x: str | None = None, y: str | None = None, height: int = 420) -> go.Figure:
    """An empty figure in the house style (its layout given whole: `update_layout` costs ~10 ms a call)."""
    axes = {"xaxis": {"title": {"text": x}}} if x is not None else {}
    if y is not None:
        axes["yaxis"] = {"title": {"text": y}}
    return go.Figure(layout={**house_layout(title, height), **axes})


def style(
    fig: go.Figure, *, title: str | None = None, x: str | None = None, y: str | None = None, height: int = 420
) -> go.Figure:
    """The house style on an existing figure (e.g. subplots: the axis titles go on every axis)."""
    fig.update_layout(house_layout(title, height))
    if x is not None:
        fig.update_xaxes(title_text=x)
    if y is not None:
        fig.update_yaxes(title_text=y)
    return fig


def house_layout(title: str | None, height: int) -> dict:
    # A title sits at the top of the figure and the horizontal legend just above the plot,
    # so with a title the top margin makes room for both (else they overlap). The toolbar
    # (modebar) stands upright in the right margin: lying across the top it covered the
    # legend's last entries, which plotly wraps within the plot's width.
    return {
        "title": {"text": title, "y": 0.98, "yanchor": "top"} if title else None,
        "height": height,
        "font": {"family": FONT, "size": 13},
        "margin": {"l": 50, "r": MODEBAR_MARGIN, "t": 85 if title else 30, "b": 45},
        "modebar": {"orientation": "v"},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        "hovermode": "x unified",
    }


def log_ticks(low: float, high: float, most: int = 8) -> list[float]:
    """Tick values for a log axis over [low, high] (both > 0) that read as whole numbers.

    Plotly's own choice on a range of one or two decades labels the in-between ticks with a
    bare digit ("10, 2, 5, 100"), which reads like a jumbled linear axis. Here: 1, 2, 5 of each
    decade on a short range, else every decade (every 2nd, 3rd… when there are many).
    """
    k0, k1 = math.floor(math.log10(low)), math.ceil(math.log10(high))
    span = math.log10(high / low)  # decades the data cover
    if span <= SHORT_LOG_SPAN:
        steps = (1, 2, 3, 5) if span < 1 else (1, 2, 5)
        ticks = [float(f"{m}e{k}") for k in range(k0, k1 + 1) for m in steps]  # exact decimals: 0.3, not 0.30…04
        inside = [v for v in ticks if low <= v <= high]
        return inside if len(inside) >= 3 else _linear_ticks(low, high)
    step = math.ceil((k1 - k0) / most)
    return [float(f"1e{k}") for k in range(k0, k1 + 1) if k % step == 0]


def _linear_ticks(low: float, high: float, most: int = 5) -> list[float]:
    """Round, evenly spaced ticks inside [low, high] (a log axis over a fraction of a decade)."""
    if not high > low:
        return [low]
    raw = (high - low) / most
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step)
    return [float(f"{k * step:.12g}") for k in range(first, math.floor(high / step + 1e-9) + 1)]


def log_y(fig: go.Figure, **axis) -> go.Figure:
    """A log y axis whose ticks are whole decades or 1-2-5 steps (see `log_ticks`), from the traces' data."""
    values = [np.asarray(trace.y, dtype=float) for trace in fig.data if trace.y is not None]
    values = np.concatenate([v.ravel() for v in values]) if values else np.array([])
    values = values[np.isfinite(values) & (values > 0)]
    fig.update_yaxes(type="log", exponentformat="power", **axis)
    if values.size:
        ticks = log_ticks(float(values.min()), float(values.max()))
        powers = any(not 1e-3 <= v < 1e4 for v in ticks)  # one style on one axis: 10⁻⁴, 10⁻³ (not 0.001)
        fig.update_yaxes(tickvals=ticks, ticktext=[tick_text(v, power=powers) for v in ticks])
    return fig


def tick_text(value: float, *, power: bool = False) -> str:
    """A tick label as people write it: 20, 0.05, or with `power` 10⁻⁷, 2×10⁻⁵ (plotly writes 1×10⁻⁷)."""
    if value in (0, 1, 10) or not power:
        return f"{value:g}"
    mantissa, exponent = f"{value:.6e}".split("e")
    text = f"10<sup>{int(exponent)}</sup>".replace("-", "−")
    m = float(mantissa)
    return text if m == 1 else f"{m:g}×{text}"


MARKERS_BELOW = 60  # a line with fewer points shows them as markers; more would be thousands of SVG nodes to redraw


def line_mode(points: int, below: int = MARKERS_BELOW) -> str:
    """Plotly's scatter mode for a line of `points` points: markers only below `below` (while they can be told apart)."""
    return "lines+markers" if points < below else "lines"


def show(fig: go.Figure | dict, key: str | None = None, **kwargs) -> object:
    """A figure (a `go.Figure`, a plain dict, or a `ui.spec_charts.Spec`) across the page's width.

    Extra arguments (e.g. ``on_select``) go to `st.plotly_chart`; its return value comes back. A `go.Figure`
    is sent as a `Spec` (`ui.spec_charts.frozen`): its long float arrays then travel as float32, half the bytes.
    """
    from ui.spec_charts import Spec, frozen  # spec_charts builds on this module

    if isinstance(fig, go.Figure) and not isinstance(fig, Spec):
        fig = frozen(fig)
    return st.plotly_chart(fig, width="stretch", key=key, config={"displaylogo": False}, **kwargs)


def table(frame, decimals: int | None = None, **kwargs) -> object:
    """A data frame across the page's width, without its index; float columns to `decimals` places.

    The rounding is a column format, not a pandas Styler: a Styler costs tens of milliseconds
    per rerun (jinja templates), which a slider step pays on every move.
    """
    config = kwargs.pop("column_config", {})
    if decimals is not None:
        fmt = st.column_config.NumberColumn(format=f"%.{decimals}f")
        config = {**{c: fmt for c in frame.columns if frame[c].dtype.kind == "f"}, **config}
    return st.dataframe(frame, hide_index=True, width="stretch", column_config=config or None, **kwargs)
