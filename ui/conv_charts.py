"""Plotly figures for the convolution page: pictures as heatmaps, kernels with their numbers, the sliding window.

Only drawing: every number comes from core (`core.conv`).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.conv.walk import Walk
from ui.charts import style

GREY = "gray"  # 0 = black, 1 = white: ink is bright, as the models see it
SIGNED = "RdBu_r"  # negative blue, positive red, 0 white
TAP_COLOUR = "#F58518"
FRAME_MS = 350  # animation: time per output value


def _axes(fig: go.Figure, h: int, w: int, *, top: int = 0, left: int = 0, n: int = 1) -> None:
    """Subplot `n` shows rows top..top+h−1 downwards and columns left..left+w−1, with square pixels."""
    suffix = "" if n == 1 else str(n)
    fig.update_layout({
        f"xaxis{suffix}": {"range": [left - 0.5, left + w - 0.5], "showgrid": False, "zeroline": False,
                           "constrain": "domain"},
        f"yaxis{suffix}": {"range": [top + h - 0.5, top - 0.5], "showgrid": False, "zeroline": False,
                           "constrain": "domain", "scaleanchor": f"x{suffix}"},
    })  # fmt: skip


def _trace(z: np.ndarray, *, signed: bool | None = None, text: bool = False, colorbar: bool = True) -> go.Heatmap:
    z = np.asarray(z, dtype=np.float32)
    signed = bool(np.nanmin(z) < 0 or np.nanmax(z) > 1) if signed is None else signed
    if signed:
        bound = float(np.nanmax(np.abs(z))) if np.isfinite(z).any() else 1.0
        scale = {"colorscale": SIGNED, "zmin": -bound or -1.0, "zmax": bound or 1.0}
    else:
        top = float(np.nanmax(z)) if np.isfinite(z).any() else 1.0
        scale = {"colorscale": GREY, "zmin": 0.0, "zmax": max(1.0, top)}  # a picture: 0..1; ReLU maps: 0..max
    extra = {"texttemplate": "%{z:.2f}", "textfont": {"size": 11}} if text else {}
    return go.Heatmap(z=z, showscale=colorbar, hovertemplate="(%{y}, %{x}) = %{z:.3f}<extra></extra>",
                      colorbar={"thickness": 12}, **scale, **extra)  # fmt: skip


def picture(
    z: np.ndarray,
    title: str,
    *,
    signed: bool | None = None,
    height: int = 330,
    text: bool = False,
    colorbar: bool = True,
) -> go.Figure:
    """A (H, W) array as a heatmap: grey for a [0, 1] picture, red/blue around 0 for a signed map."""
    fig = style(go.Figure(_trace(z, signed=signed, text=text, colorbar=colorbar)), title=title, height=height)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 40, "b": 10}, hovermode="closest")
    _axes(fig, *np.shape(z))
    return fig


def rgb(pixels: np.ndarray, title: str, height: int = 330) -> go.Figure:
    """A (3, H, W) picture in [0, 1] as colours."""
    image = np.clip(np.asarray(pixels).transpose(1, 2, 0) * 255, 0, 255).astype(np.uint8)
    fig = style(go.Figure(go.Image(z=image, hovertemplate="(%{y}, %{x}) = %{z}<extra></extra>")), title=title,
                height=height)  # fmt: skip
    fig.update_layout(margin={"l": 10, "r": 10, "t": 40, "b": 10}, hovermode="closest")
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False)
    return fig


def row_of(
    maps: list[np.ndarray], titles: list[str], *, signed: bool = True, height: int = 300, text: bool = False
) -> go.Figure:
    """Several maps side by side, each with its own colour range (one row of subplots)."""
    fig = make_subplots(rows=1, cols=len(maps), subplot_titles=titles, horizontal_spacing=0.04)
    for k, z in enumerate(maps, start=1):
        fig.add_trace(_trace(z, signed=signed, colorbar=False, text=text), row=1, col=k)
        _axes(fig, *np.shape(z), n=k)
    style(fig, height=height)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 40, "b": 10}, hovermode="closest")
    return fig


def _window_box(step) -> dict:
    return {"type": "rect", "x0": step.cols[0] - 0.5, "x1": step.cols[-1] + 0.5, "y0": step.rows[0] - 0.5,
            "y1": step.rows[-1] + 0.5, "line": {"color": TAP_COLOUR, "width": 3}, "xref": "x", "yref": "y"}  # fmt: skip


def _taps(step) -> go.Scatter:
    ys, xs = np.meshgrid(step.rows, step.cols, indexing="ij")
    return go.Scatter(x=xs.ravel(), y=ys.ravel(), mode="markers", hoverinfo="skip", showlegend=False,
                      marker={"symbol": "circle-open", "size": 26, "color": TAP_COLOUR, "line": {"width": 2}})  # fmt: skip


def _cell(step) -> go.Scatter:
    return go.Scatter(x=[step.j], y=[step.i], mode="markers", hoverinfo="skip", showlegend=False,
                      marker={"symbol": "square-open", "size": 24, "color": TAP_COLOUR, "line": {"width": 3}})  # fmt: skip


def _partial(walk: Walk, n: int) -> np.ndarray:
    """The patch's outputs with the first n + 1 computed and the rest not yet (NaN)."""
    out = np.full(walk.output.shape, np.nan, np.float32)
    out.reshape(-1)[: n + 1] = walk.output.reshape(-1)[: n + 1]
    return out


def _picture_frame(walk: Walk) -> list[dict]:
    """A dotted outline of the picture's own pixels, when part of the patch is padding."""
    h, w = walk.region.shape
    x0, x1 = max(-0.5, walk.left - 0.5), min(walk.width - 0.5, walk.left + w - 0.5)
    y0, y1 = max(-0.5, walk.top - 0.5), min(walk.height - 0.5, walk.top + h - 0.5)
    inside = walk.top >= 0 and walk.left >= 0 and walk.top + h <= walk.height and walk.left + w <= walk.width
    if inside or x0 >= x1 or y0 >= y1:
        return []
    return [{"type": "rect", "x0": x0, "x1": x1, "y0": y0, "y1": y1, "xref": "x", "yref": "y",
             "line": {"color": "#54A24B", "width": 2, "dash": "dot"}}]  # fmt: skip


def slide(walk: Walk, current: int, labels: dict[str, str], *, height: int = 440) -> go.Figure:
    """The patch of the padded picture with the kernel's window on it (left), its outputs filling in (right).

    Plotly frames replay the window over every output value of the patch (Play, and a
    scrub bar); `current` (0-based) is the value the figure opens on. Axes are the
    picture's coordinates: a row or column < 0 or ≥ H is padding.
    """
    fig = make_subplots(rows=1, cols=2, column_widths=[0.56, 0.44], horizontal_spacing=0.08,
                        subplot_titles=(labels["patch"], labels["output"]))  # fmt: skip
    h, w = walk.region.shape
    ni, nj = walk.output.shape
    patch = _trace(walk.region, signed=bool(walk.region.min() < 0 or walk.region.max() > 1),
                   text=h <= 16 and w <= 16, colorbar=False)  # fmt: skip
    patch.update(x=np.arange(walk.left, walk.left + w), y=np.arange(walk.top, walk.top + h))
    fig.add_trace(patch, row=1, col=1)
    step = walk.step(current)
    fig.add_trace(_taps(step), row=1, col=1)
    bound = float(np.abs(walk.output).max()) or 1.0
    out = _trace(_partial(walk, current), signed=True, text=nj <= 8, colorbar=False)
    out.update(zmin=-bound, zmax=bound, x=np.arange(walk.j0, walk.j0 + nj), y=np.arange(walk.i0, walk.i0 + ni))
    fig.add_trace(out, row=1, col=2)
    fig.add_trace(_cell(step), row=1, col=2)
    frame = _picture_frame(walk)
    fig.update_layout(shapes=[*frame, _window_box(step)])
    frames = []
    for n in range(walk.steps):
        s = walk.step(n)
        frames.append(go.Frame(name=str(n + 1), data=[_taps(s), go.Heatmap(z=_partial(walk, n)), _cell(s)],
                               traces=[1, 2, 3], layout={"shapes": [*frame, _window_box(s)]}))  # fmt: skip
    fig.frames = frames
    style(fig, height=height)
    _axes(fig, h, w, top=walk.top, left=walk.left)
    _axes(fig, ni, nj, top=walk.i0, left=walk.j0, n=2)
    fig.update_xaxes(dtick=1 if w <= 16 else None, row=1, col=1)
    fig.update_yaxes(dtick=1 if h <= 16 else None, row=1, col=1)
    fig.update_xaxes(dtick=1, row=1, col=2)
    fig.update_yaxes(dtick=1, row=1, col=2)
    fig.update_layout(
        hovermode="closest",
        margin={"l": 10, "r": 10, "t": 40, "b": 110},
        updatemenus=[{
            "type": "buttons", "direction": "left", "x": 0.0, "y": -0.1, "xanchor": "left", "yanchor": "top",
            "showactive": False,
            "buttons": [
                {"label": labels["play"], "method": "animate",
                 "args": [None, {"frame": {"duration": FRAME_MS, "redraw": True}, "transition": {"duration": 0},
                                 "fromcurrent": True, "mode": "immediate"}]},
                {"label": labels["pause"], "method": "animate",
                 "args": [[None], {"frame": {"duration": 0, "redraw": True}, "mode": "immediate"}]},
            ],
        }],
        sliders=[{
            "active": current, "x": 0.22, "y": -0.02, "len": 0.78, "yanchor": "top",
            "currentvalue": {"prefix": labels["step"] + " ", "xanchor": "right"},
            "steps": [{"label": f.name, "method": "animate",
                       "args": [[f.name], {"frame": {"duration": 0, "redraw": True}, "mode": "immediate"}]}
                      for f in frames],
        }],
    )  # fmt: skip
    return fig
