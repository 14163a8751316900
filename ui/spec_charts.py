"""Figures written as plain plotly dicts, handed to Streamlit without plotly's validation.

Building a `go.Figure` validates every property as it is set: the optimizer race's contour
with its 60 animation frames took ≈1 s on the 2-core machine, and `st.plotly_chart` given a
plain dict validates it again by building a `go.Figure` from it (≈0.1 s), then deep-copies it.
Here a chart is a dict from the start (microseconds), finished once by `spec()` (house template,
numpy arrays as plotly's base64 typed arrays), and wrapped in `Spec`: a figure object whose
`to_dict()` — the one call `st.plotly_chart` makes on a figure — returns that dict as it is.
A `Spec` can be cached (`st.cache_resource`) and shown many times; nothing mutates it.
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
import plotly.graph_objects as go

from ui.charts import house_layout, log_ticks, tick_text

TEMPLATE = go.Figure().to_dict()["layout"]["template"]  # the house template, as every go.Figure carries it


class Spec(go.Figure):
    """A finished plotly figure dict; `to_dict()` returns it without copying or validating."""

    def __init__(self, figure: dict[str, Any]) -> None:
        # Not go.Figure.__init__: it builds an empty figure with the default template (~1 ms, a dozen charts a
        # render), which nothing reads; `st.plotly_chart` only checks the type and calls `to_dict()`.
        object.__setattr__(self, "_spec", figure)

    def __reduce__(self):  # pickled (st.cache_data) as the dict it holds
        return Spec, (self._spec,)

    @property
    def spec(self) -> dict[str, Any]:
        return self._spec

    def to_dict(self) -> dict[str, Any]:
        return self._spec


def frozen(figure: go.Figure) -> Spec:
    """A built `go.Figure` as a `Spec`, for a cache: shown again, it is neither copied nor validated."""
    out = figure.to_dict()
    _typed_arrays(out)
    return Spec(out)


def spec(data: list[dict], layout: dict, frames: list[dict] | None = None) -> Spec:
    """A `Spec` of `data` traces and `layout` (given whole), with the house template."""
    figure = {"data": data, "layout": layout}
    if frames:
        figure["frames"] = frames
    _typed_arrays(figure)
    figure["layout"] = {"template": TEMPLATE, **layout}
    return Spec(figure)


# plotly.js typed-array codes (plotly's own `convert_to_base64` does the same, ≈0.5 ms an array)
TYPED = {"float64": "f8", "float32": "f4", "int8": "i1", "int16": "i2", "int32": "i4", "uint8": "u1", "uint16": "u2",
         "uint32": "u4"}  # fmt: skip


def _typed_arrays(node: Any) -> None:
    """Every numpy array inside `node` as a base64 typed array, as `go.Figure.to_dict()` sends it (and a float64
    one that `to_dict()` already packed, as float32 where `_typed` would make it so)."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for k, value in items:
        if isinstance(value, np.ndarray):
            node[k] = _typed(value)
        elif isinstance(value, dict) and value.get("dtype") == "f8" and "bdata" in value:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.float64)
            if "shape" in value:
                array = array.reshape([int(n) for n in value["shape"].split(",")])
            node[k] = _typed(array)
        elif isinstance(value, dict | list):
            _typed_arrays(value)


SINGLE_FROM = 256  # float64 arrays this long travel as float32 when no value is lost to its range (half the bytes)


def _typed(v: np.ndarray) -> Any:
    if v.dtype == np.float64 and v.size >= SINGLE_FROM and _fits_single(v):
        v = v.astype(np.float32)  # 7 significant digits: more than a chart or its hover label shows
    if v.dtype == np.int64 and v.size:
        v = v.astype(next((t for t in (np.int8, np.int16, np.int32) if np.iinfo(t).min <= v.min() and
                           v.max() <= np.iinfo(t).max), np.float64))  # fmt: skip
    code = TYPED.get(str(v.dtype))
    if code is None or not v.size:
        return v.tolist()
    out = {"dtype": code, "bdata": base64.b64encode(np.ascontiguousarray(v)).decode("ascii")}
    if v.ndim > 1:
        out["shape"] = ", ".join(str(n) for n in v.shape)
    return out


def _fits_single(v: np.ndarray) -> bool:
    """Every finite value of `v` keeps its magnitude in float32 (no overflow, no tiny value flushed to 0)."""
    finite = np.abs(v[np.isfinite(v)])
    nonzero = finite[finite > 0]
    return not nonzero.size or (float(nonzero.max()) < 1e38 and float(nonzero.min()) > 1e-37)


def layout(title: str | None = None, *, x: str | None = None, y: str | None = None, height: int = 420,
           **more: Any) -> dict:  # fmt: skip
    """`ui.charts.figure`'s layout as a dict (axis titles on the first x and y axes), plus `more`."""
    out = house_layout(title, height)
    if out["title"] is None:
        del out["title"]  # plotly drops an unset title; JSON null is not the same
    if x is not None:
        out["xaxis"] = {"title": {"text": x}}
    if y is not None:
        out["yaxis"] = {"title": {"text": y}}
    for name, value in more.items():
        if isinstance(value, dict) and isinstance(out.get(name), dict):
            out[name] = {**out[name], **value}
        else:
            out[name] = value
    return out


def log_axis(values: list[Any], **axis: Any) -> dict:
    """`ui.charts.log_y` as an axis dict: a log axis ticked 1-2-5 or by decades over the finite positive `values`."""
    flat = np.concatenate([np.asarray(v, dtype=float).ravel() for v in values]) if values else np.array([])
    flat = flat[np.isfinite(flat) & (flat > 0)]
    out = {"type": "log", "exponentformat": "power", **axis}
    if flat.size:
        ticks = log_ticks(float(flat.min()), float(flat.max()))
        powers = any(not 1e-3 <= v < 1e4 for v in ticks)
        out.update(tickvals=ticks, ticktext=[tick_text(v, power=powers) for v in ticks])
    return out


def pair_axes(titles: tuple[str, str], gap: float = 0.1) -> dict:
    """Layout keys of two equal panels side by side (``make_subplots(rows=1, cols=2)``), titled above each.

    Panel 1 draws on axes x/y, panel 2 on x2/y2; `gap` is the space between them (a fraction of the width).
    """
    half = (1 - gap) / 2
    domains = ([0.0, half], [1 - half, 1.0])
    out = {"annotations": [{"font": {"size": 16}, "showarrow": False, "text": text, "x": sum(d) / 2,
                            "xanchor": "center", "xref": "paper", "y": 1.0, "yanchor": "bottom", "yref": "paper"}
                           for text, d in zip(titles, domains, strict=True)]}  # fmt: skip
    for i, domain in enumerate(domains):
        n = "" if i == 0 else "2"
        out[f"xaxis{n}"] = {"anchor": f"y{n}", "domain": domain}
        out[f"yaxis{n}"] = {"anchor": f"x{n}", "domain": [0.0, 1.0]}
    return out
