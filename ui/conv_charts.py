"""Plotly figures for the convolution page: pictures as heatmaps, kernels with their numbers, the sliding window.

Only drawing: every number comes from core (`core.conv`). Every figure is a plain plotly
spec (dicts and lists) in the house layout (`ui.charts.house_layout`, the default template)
wrapped in `Spec`, a ``go.Figure`` whose ``to_dict()`` is that spec:
Streamlit serialises ``to_dict()`` of a figure object without validating it again, while a
dict passed to ``st.plotly_chart`` is validated, and plotly validates animation frames even
with ``_validate=False``. Validation was most of the cost of a slider step: ~0.2 s for one
heatmap in the house template and ~0.4 s for the 16-frame sliding window on a busy 2-core
server; as specs they cost a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from plotly.colors import get_colorscale

from core.conv.walk import Step, Walk
from ui import charts

# Spelled out: plotly.js knows neither "gray" nor a reversed "_r" scale by name (the python validator would expand them).
GREY = get_colorscale("gray")  # 0 = black, 1 = white: ink is bright, as the models see it
SIGNED = get_colorscale("RdBu_r")  # negative blue, positive red, 0 white
TAP_COLOUR = "#F58518"
EDGE_COLOUR = "#54A24B"
FRAME_MS = 350  # animation: time per output value
GAP = 0.06  # horizontal space between two panels, as a fraction of the figure's width
MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}
TEMPLATE = pio.templates["house"].to_plotly_json()  # a spec skips go.Figure, which would add the default template


class Spec(go.Figure):
    """A figure given as a finished plotly spec: ``to_dict()`` returns it as is (no validation, no copy)."""

    def __init__(self, spec: dict[str, Any]):
        super().__init__(_validate=False)
        self._spec = spec

    def to_dict(self) -> dict[str, Any]:
        return self._spec


def _figure(traces: list[dict], title: str | None, height: int, frames: list[dict] | None = None,
            **layout: Any) -> Spec:  # fmt: skip
    base = {**charts.house_layout(title, height), "template": TEMPLATE, "margin": MARGIN, "hovermode": "closest",
            "showlegend": False}  # fmt: skip
    spec = {"data": traces, "layout": {**base, **layout}}
    if frames:
        spec["frames"] = frames
    return Spec(spec)


def _axes(h: int, w: int, *, top: int = 0, left: int = 0, n: int = 1, domain: Sequence[float] = (0, 1)) -> dict:
    """Layout of panel `n`: rows top..top+h−1 downwards, columns left..left+w−1, square pixels."""
    suffix = "" if n == 1 else str(n)
    common = {"showgrid": False, "zeroline": False, "constrain": "domain", "ticks": "", "automargin": True}
    return {
        f"xaxis{suffix}": {**common, "range": [left - 0.5, left + w - 0.5], "domain": list(domain),
                           "anchor": f"y{suffix}"},
        f"yaxis{suffix}": {**common, "range": [top + h - 0.5, top - 0.5], "scaleanchor": f"x{suffix}",
                           "anchor": f"x{suffix}"},
    }  # fmt: skip


def _domains(widths: Sequence[float]) -> list[tuple[float, float]]:
    """Side-by-side panel domains with `GAP` between them, sized in proportion to `widths`."""
    free = 1 - GAP * (len(widths) - 1)
    total = float(sum(widths))
    out, x = [], 0.0
    for w in widths:
        out.append((x, x + free * w / total))
        x += free * w / total + GAP
    return out


def _titles(titles: Sequence[str], domains: Sequence[tuple[float, float]]) -> list[dict]:
    return [{"text": t, "x": (a + b) / 2, "y": 1.0, "xref": "paper", "yref": "paper", "xanchor": "center",
             "yanchor": "bottom", "showarrow": False, "font": {"size": 14}} for t, (a, b) in zip(titles, domains, strict=True)]  # fmt: skip


def _heat(z: np.ndarray, *, signed: bool | None = None, text: bool = False, colorbar: bool = True, n: int = 1,
          x: np.ndarray | None = None, y: np.ndarray | None = None, bound: float | None = None) -> dict:  # fmt: skip
    """A heatmap trace: grey 0..max(1, z) for a picture, red/blue symmetric around 0 for a signed map."""
    z = np.asarray(z, dtype=np.float32)
    finite = np.isfinite(z).any()
    signed = bool(finite and (np.nanmin(z) < 0 or np.nanmax(z) > 1)) if signed is None else signed
    if signed:
        b = bound if bound is not None else (float(np.nanmax(np.abs(z))) if finite else 1.0)
        scale = {"colorscale": SIGNED, "zmin": -(b or 1.0), "zmax": b or 1.0}
    else:
        top = float(np.nanmax(z)) if finite else 1.0
        scale = {"colorscale": GREY, "zmin": 0.0, "zmax": max(1.0, top)}  # a picture: 0..1; ReLU maps: 0..max
    trace = {"type": "heatmap", "z": np.where(np.isfinite(z), z, None).tolist(), "showscale": colorbar,
             "colorbar": {"thickness": 12}, "hovertemplate": "(%{y}, %{x}) = %{z:.3f}<extra></extra>", **scale}  # fmt: skip
    if text:
        trace.update(texttemplate="%{z:.2f}", textfont={"size": 11})
    if x is not None:
        trace.update(x=np.asarray(x).tolist(), y=np.asarray(y).tolist())
    if n > 1:
        trace.update(xaxis=f"x{n}", yaxis=f"y{n}")
    return trace


def picture(z: np.ndarray, title: str, *, signed: bool | None = None, height: int = 330, text: bool = False,
            colorbar: bool = True) -> Spec:  # fmt: skip
    """A (H, W) array as a heatmap: grey for a [0, 1] picture, red/blue around 0 for a signed map."""
    h, w = np.shape(z)
    return _figure([_heat(z, signed=signed, text=text, colorbar=colorbar)], title, height, **_axes(h, w))


def rgb(pixels: np.ndarray, title: str, height: int = 330) -> Spec:
    """A (3, H, W) picture in [0, 1] as colours."""
    image = np.clip(np.asarray(pixels).transpose(1, 2, 0) * 255, 0, 255).astype(np.uint8)
    h, w = image.shape[:2]
    trace = {"type": "image", "z": image.tolist(), "hovertemplate": "(%{y}, %{x}) = %{z}<extra></extra>"}
    layout = _axes(h, w)
    layout["xaxis"]["showticklabels"] = layout["yaxis"]["showticklabels"] = False
    return _figure([trace], title, height, **layout)


def row_of(maps: list[np.ndarray], titles: list[str], *, signed: bool = True, height: int = 300,
           text: bool = False) -> Spec:  # fmt: skip
    """Several maps side by side, each with its own colour range."""
    domains = _domains([np.shape(z)[1] for z in maps])
    traces, layout = [], {}
    for n, (z, domain) in enumerate(zip(maps, domains, strict=True), start=1):
        traces.append(_heat(z, signed=signed, colorbar=False, text=text, n=n))
        layout.update(_axes(*np.shape(z), n=n, domain=domain))
    return _figure(traces, None, height, annotations=_titles(titles, domains), **layout)


def _window_box(step: Step) -> dict:
    return {"type": "rect", "x0": step.cols[0] - 0.5, "x1": step.cols[-1] + 0.5, "y0": step.rows[0] - 0.5,
            "y1": step.rows[-1] + 0.5, "line": {"color": TAP_COLOUR, "width": 3}, "xref": "x", "yref": "y"}  # fmt: skip


def _taps(step: Step) -> dict:
    ys, xs = np.meshgrid(step.rows, step.cols, indexing="ij")
    return {"type": "scatter", "x": xs.ravel().tolist(), "y": ys.ravel().tolist(), "mode": "markers",
            "hoverinfo": "skip", "marker": {"symbol": "circle-open", "size": 26, "color": TAP_COLOUR,
                                            "line": {"width": 2}}}  # fmt: skip


def _cell(step: Step) -> dict:
    return {"type": "scatter", "x": [step.j], "y": [step.i], "mode": "markers", "hoverinfo": "skip",
            "xaxis": "x2", "yaxis": "y2",
            "marker": {"symbol": "square-open", "size": 24, "color": TAP_COLOUR, "line": {"width": 3}}}  # fmt: skip


def _partial(walk: Walk, n: int) -> list:
    """The patch's outputs with the first n + 1 computed and the rest not yet (blank)."""
    flat = [None] * walk.steps
    flat[: n + 1] = walk.output.reshape(-1)[: n + 1].tolist()
    cols = walk.output.shape[1]
    return [flat[r * cols : (r + 1) * cols] for r in range(walk.output.shape[0])]


def _picture_frame(walk: Walk) -> list[dict]:
    """A dotted outline of the picture's own pixels, when part of the patch is padding."""
    h, w = walk.region.shape
    x0, x1 = max(-0.5, walk.left - 0.5), min(walk.width - 0.5, walk.left + w - 0.5)
    y0, y1 = max(-0.5, walk.top - 0.5), min(walk.height - 0.5, walk.top + h - 0.5)
    inside = walk.top >= 0 and walk.left >= 0 and walk.top + h <= walk.height and walk.left + w <= walk.width
    if inside or x0 >= x1 or y0 >= y1:
        return []
    return [{"type": "rect", "x0": x0, "x1": x1, "y0": y0, "y1": y1, "xref": "x", "yref": "y",
             "line": {"color": EDGE_COLOUR, "width": 2, "dash": "dot"}}]  # fmt: skip


def slide(walk: Walk, current: int, labels: dict[str, str], *, height: int = 440) -> Spec:
    """The patch of the padded picture with the kernel's window on it (left), its outputs filling in (right).

    Plotly frames replay the window over every output value of the patch (Play, and a
    scrub bar); `current` (0-based) is the value the figure opens on. Axes are the
    picture's coordinates: a row or column < 0 or ≥ H is padding.
    """
    h, w = walk.region.shape
    ni, nj = walk.output.shape
    domains = _domains([w, max(nj, w * 0.6)])
    step = walk.step(current)
    region_signed = bool(walk.region.min() < 0 or walk.region.max() > 1)
    bound = float(np.abs(walk.output).max()) or 1.0
    patch = _heat(walk.region, signed=region_signed, text=h <= 16 and w <= 16, colorbar=False,
                  x=np.arange(walk.left, walk.left + w), y=np.arange(walk.top, walk.top + h))  # fmt: skip
    out = _heat(walk.output, signed=True, text=nj <= 8, colorbar=False, n=2, bound=bound,
                x=np.arange(walk.j0, walk.j0 + nj), y=np.arange(walk.i0, walk.i0 + ni))  # fmt: skip
    out["z"] = _partial(walk, current)
    frame = _picture_frame(walk)
    frames = []
    for n in range(walk.steps):
        s = walk.step(n)
        frames.append({"name": str(n + 1), "data": [_taps(s), {"type": "heatmap", "z": _partial(walk, n)}, _cell(s)],
                       "traces": [1, 2, 3], "layout": {"shapes": [*frame, _window_box(s)]}})  # fmt: skip
    axes = {**_axes(h, w, top=walk.top, left=walk.left, domain=domains[0]),
            **_axes(ni, nj, top=walk.i0, left=walk.j0, n=2, domain=domains[1])}  # fmt: skip
    axes["xaxis"]["dtick"] = axes["yaxis"]["dtick"] = 1 if max(h, w) <= 16 else None
    axes["xaxis2"]["dtick"] = axes["yaxis2"]["dtick"] = 1
    animate = {"frame": {"duration": FRAME_MS, "redraw": True}, "transition": {"duration": 0}, "mode": "immediate"}
    still = {"frame": {"duration": 0, "redraw": True}, "mode": "immediate"}
    fig = _figure(
        [patch, _taps(step), out, _cell(step)],
        None,
        height,
        frames=frames,
        shapes=[*frame, _window_box(step)],
        annotations=_titles([labels["patch"], labels["output"]], domains),
        margin={**MARGIN, "b": 110},
        updatemenus=[{
            "type": "buttons", "direction": "left", "x": 0.0, "y": -0.1, "xanchor": "left", "yanchor": "top",
            "showactive": False,
            "buttons": [
                {"label": labels["play"], "method": "animate", "args": [None, {**animate, "fromcurrent": True}]},
                {"label": labels["pause"], "method": "animate", "args": [[None], still]},
            ],
        }],
        sliders=[{
            "active": current, "x": 0.22, "y": -0.02, "len": 0.78, "yanchor": "top",
            "currentvalue": {"prefix": labels["step"] + " ", "xanchor": "right"},
            "steps": [{"label": f["name"], "method": "animate", "args": [[f["name"]], still]} for f in frames],
        }],
        **axes,
    )  # fmt: skip
    return fig
