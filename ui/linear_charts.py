"""Plotly figures for the linear-model page: search curves, (w, b) surfaces, descent steps, logistic boundaries.

Only drawing: every number comes from `core.linear`. `labels` maps short names to translated
text (the page builds it from ``linear.chart.*``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from core.linear.data import Points
from ui.charts import COLORS, FONT, color

MAX_PATH_POINTS = 400  # path points drawn (a long run is thinned evenly, its ends kept)
COLORSCALE = "Viridis"
STAR = {"symbol": "star", "size": 17, "color": "#EECA3B", "line": {"color": "black", "width": 1.5}}
NOW = {"size": 13, "color": color(3), "line": {"color": "white", "width": 2}}


def thin(n: int, keep: int | None = None) -> np.ndarray:
    """At most MAX_PATH_POINTS indices of 0..n−1, evenly spread, with the last (and `keep`) included."""
    if n <= MAX_PATH_POINTS:
        return np.arange(n)
    idx = np.unique(np.r_[np.linspace(0, n - 1, MAX_PATH_POINTS).round().astype(int), n - 1])
    return np.union1d(idx, [keep]) if keep is not None else idx


AXIS = {"gridcolor": "#EBF0F8", "linecolor": "#EBF0F8", "zerolinecolor": "#EBF0F8", "zerolinewidth": 2,
        "automargin": True, "ticks": ""}  # fmt: skip


def figure(title: str | None = None, *, x: str | None = None, y: str | None = None, height: int = 420) -> go.Figure:
    """An empty figure in the house look, its legend under the plot (half-width columns).

    The whole layout is given at once with ``template="none"``: assigning plotly's
    "plotly_white" template validates and serialises a large object, which made each figure
    cost ~50 ms idle (~200 ms on a busy machine) against ~2 ms here — too much for a slider step.
    """
    layout = {
        "template": "none", "paper_bgcolor": "white", "plot_bgcolor": "white", "height": height,
        "font": {"family": FONT, "size": 13, "color": "#2a3f5f"}, "colorway": list(COLORS),
        "margin": {"l": 55, "r": 20, "t": 45 if title else 20, "b": 110},
        # in the bottom margin, whatever the plot's height: under the axis title, never on it
        "legend": {"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0.01, "x": 0},
        "hovermode": "closest",
        "xaxis": {**AXIS, "title": {"text": x}}, "yaxis": {**AXIS, "title": {"text": y}},
    }  # fmt: skip
    if title:
        layout["title"] = {"text": title, "x": 0.05, "y": 0.98, "yanchor": "top"}
    return go.Figure(layout=layout)


def _finite(*arrays: np.ndarray) -> np.ndarray:
    ok = np.ones(len(arrays[0]), dtype=bool)
    for a in arrays:
        ok &= np.isfinite(a)
    return ok


# ----------------------------------------------------------------------------- exhaustive search


def search_curve(ws, losses, best: tuple[float, float], tried: tuple[float, float] | None, labels) -> go.Figure:
    """MSE against w, a dot per w tried, the best w starred and (optionally) one w picked out."""
    fig = figure(labels["curve_title"], x="w", y=labels["mse"], height=400)
    fig.add_trace(go.Scatter(x=ws, y=losses, mode="lines+markers", name=labels["tried"],
                             line={"color": color(0), "width": 2}, marker={"size": 4}))  # fmt: skip
    fig.add_trace(go.Scatter(x=[best[0]], y=[best[1]], mode="markers", name=labels["best"], marker=STAR))
    if tried is not None:
        fig.add_trace(go.Scatter(x=[tried[0]], y=[tried[1]], mode="markers", name=labels["picked"], marker=NOW))
    return fig


def fit(points: Points, lines: Sequence[tuple[float, float, str]], labels, *, residuals: bool = True) -> go.Figure:
    """The data, the lines ŷ = w·x + b, and the first line's errors as vertical segments."""
    fig = figure(labels["fit_title"], x="x", y="y", height=400)
    lo, hi = float(points.x.min()), float(points.x.max())
    pad = 0.15 * (hi - lo or 1.0)
    xs = np.array([min(lo - pad, 0.0), hi + pad])
    if residuals and lines:
        w, b, _ = lines[0]
        seg_x = np.repeat(points.x, 3)
        seg_y = np.column_stack([points.y, w * points.x + b, np.full(points.n, np.nan)]).ravel()
        seg_x = seg_x.astype(float)
        seg_x[2::3] = np.nan
        fig.add_trace(go.Scatter(x=seg_x, y=seg_y, mode="lines", name=labels["error"], hoverinfo="skip",
                                 line={"color": color(3), "dash": "dot", "width": 1.5}))  # fmt: skip
    for i, (w, b, name) in enumerate(lines):
        fig.add_trace(go.Scatter(x=xs, y=w * xs + b, mode="lines", name=name, line={"color": color(i + 1), "width": 3}))
    fig.add_trace(go.Scatter(x=points.x, y=points.y, mode="markers", name=labels["data"],
                             marker={"size": 9, "color": color(0), "line": {"color": "white", "width": 1}}))  # fmt: skip
    return fig


def contour(
    us, vs, z, labels, *, x: str, y: str, star=None, exact=None, path=None, k: int | None = None, height: int = 460
) -> go.Figure:
    """Filled contour of z (rows: vs, columns: us) with the best point, the exact minimum and a path.

    `path` is (S+1, 2); `k` marks θ_k and draws the step to θ_{k+1}.
    """
    fig = figure(x=x, y=y, height=height)
    fig.add_trace(go.Contour(x=us, y=vs, z=z, colorscale=COLORSCALE, ncontours=30, name=labels["loss"],
                             colorbar={"title": {"text": labels["loss"]}, "thickness": 12},
                             hovertemplate=f"{x}=%{{x:.3f}}<br>{y}=%{{y:.3f}}<br>{labels['loss']}=%{{z:.4g}}<extra></extra>"))  # fmt: skip
    if path is not None and len(path):
        idx = thin(len(path), k)
        ok = _finite(path[idx, 0], path[idx, 1])
        fig.add_trace(go.Scatter(x=path[idx, 0][ok], y=path[idx, 1][ok], mode="lines+markers", name=labels["path"],
                                 line={"color": "white", "width": 2}, marker={"size": 4, "color": "white"}))  # fmt: skip
        if k is not None:
            fig.add_trace(go.Scatter(x=[path[k, 0]], y=[path[k, 1]], mode="markers", name=labels["now"], marker=NOW))
            if k + 1 < len(path):
                fig.add_annotation(x=path[k + 1, 0], y=path[k + 1, 1], ax=path[k, 0], ay=path[k, 1],
                                   xref="x", yref="y", axref="x", ayref="y", showarrow=True, arrowhead=3,
                                   arrowsize=1.3, arrowwidth=2, arrowcolor=color(3))  # fmt: skip
    if exact is not None:
        fig.add_trace(go.Scatter(x=[exact[0]], y=[exact[1]], mode="markers", name=labels["exact"],
                                 marker={"symbol": "x", "size": 12, "color": "white",
                                         "line": {"color": "black", "width": 1}}))  # fmt: skip
    if star is not None:
        fig.add_trace(go.Scatter(x=[star[0]], y=[star[1]], mode="markers", name=labels["best"], marker=STAR))
    fig.update_xaxes(range=[float(us[0]), float(us[-1])], showgrid=False, zeroline=False)
    fig.update_yaxes(range=[float(vs[0]), float(vs[-1])], showgrid=False, zeroline=False)
    return fig


def surface_3d(us, vs, z, labels, *, x: str, y: str, star=None) -> go.Figure:
    """The loss surface in 3-D with the best point on it."""
    fig = figure(height=520)
    fig.add_trace(go.Surface(x=us, y=vs, z=z, colorscale=COLORSCALE, showscale=False, opacity=0.9,
                             name=labels["loss"], hoverinfo="x+y+z"))  # fmt: skip
    if star is not None:
        fig.add_trace(go.Scatter3d(x=[star[0]], y=[star[1]], z=[star[2]], mode="markers", name=labels["best"],
                                   marker={"size": 7, "color": "white", "symbol": "diamond",
                                           "line": {"color": "black", "width": 1}}))  # fmt: skip
    fig.update_layout(scene={"xaxis_title": x, "yaxis_title": y, "zaxis_title": labels["loss"],
                             "camera": {"eye": {"x": 1.6, "y": -1.6, "z": 1.1}},
                             "aspectmode": "manual", "aspectratio": {"x": 1, "y": 1, "z": 0.6}},
                      margin={"l": 0, "r": 0, "t": 30, "b": 0})  # fmt: skip
    return fig


# ----------------------------------------------------------------------------- gradient descent


def descent_curve(ws, losses, path_w, path_loss, k: int, tangent: tuple[float, float, float], labels) -> go.Figure:
    """The loss curve, the visited points, θ_k with its tangent line and the step to θ_{k+1}.

    `path_w`/`path_loss` are the points to draw on the curve (an empty array when they do not
    lie on it, as for ŷ = w·x + b, whose curve is the slice at b = b_k).
    """
    fig = figure(labels["descent_title"], x="w", y=labels["mse"], height=420)
    fig.add_trace(
        go.Scatter(x=ws, y=losses, mode="lines", name=labels["loss_curve"], line={"color": color(0), "width": 3})
    )
    if len(path_w):
        idx = thin(len(path_w), k)
        pw, pl = path_w[idx], path_loss[idx]
        ok = _finite(pw, pl) & (pw >= ws[0]) & (pw <= ws[-1])
        fig.add_trace(go.Scatter(x=pw[ok], y=pl[ok], mode="lines+markers", name=labels["path"],
                                 line={"color": color(1), "width": 1}, marker={"size": 6, "color": color(1)}))  # fmt: skip
    w, value, slope = tangent
    half = 0.18 * (ws[-1] - ws[0])
    tx = np.array([w - half, w + half])
    fig.add_trace(go.Scatter(x=tx, y=value + slope * (tx - w), mode="lines", name=labels["tangent"],
                             line={"color": color(3), "width": 2, "dash": "dash"}))  # fmt: skip
    fig.add_trace(go.Scatter(x=[w], y=[value], mode="markers", name=labels["now"], marker=NOW))
    top = float(np.nanmax(losses))
    fig.update_yaxes(range=[-0.04 * top, 1.05 * top])
    fig.update_xaxes(range=[float(ws[0]), float(ws[-1])])
    return fig


def loss_steps(
    series: Sequence[tuple[str, np.ndarray, np.ndarray]], labels, *, x: str, mark=None, log: bool = True,
    height: int = 380, first_color: int = 0,
) -> go.Figure:  # fmt: skip
    """Loss against the step (or epoch), one line per series, optionally a dot at (step, loss)."""
    fig = figure(labels["loss_title"], x=x, y=labels["loss"], height=height)
    for i, (name, xs, ys) in enumerate(series):
        idx = thin(len(xs))
        fig.add_trace(go.Scatter(x=xs[idx], y=ys[idx], mode="lines", name=name,
                                 line={"color": color(first_color + i), "width": 2}))  # fmt: skip
    if mark is not None:
        fig.add_trace(go.Scatter(x=[mark[0]], y=[mark[1]], mode="markers", name=labels["now"], marker=NOW))
    if log:
        fig.update_yaxes(type="log", exponentformat="power")
    return fig


def paths_contour(us, vs, z, paths: Sequence[tuple[str, np.ndarray]], labels, *, exact) -> go.Figure:
    """Several descents' (w, b) paths on one contour (batch vs stochastic vs mini-batch)."""
    fig = contour(us, vs, z, labels, x="w", y="b", exact=exact, height=500)
    for i, (name, path) in enumerate(paths):
        idx = thin(len(path))
        fig.add_trace(go.Scatter(x=path[idx, 0], y=path[idx, 1], mode="lines+markers", name=name,
                                 line={"color": color(i + 1), "width": 2}, marker={"size": 3}))  # fmt: skip
    return fig


# ----------------------------------------------------------------------------- logistic regression


def logistic_1d(points: Points, xs, ps, boundary: float | None, labels) -> go.Figure:
    """The points at y = 0 / 1, the sigmoid p(x) and the boundary p = ½."""
    fig = figure(labels["logistic_title"], x=labels["x_hours"], y="p = σ(w·x + b)", height=420)
    for cls in (0, 1):
        sel = points.y == cls
        fig.add_trace(go.Scatter(x=points.x[sel], y=points.y[sel], mode="markers", name=labels[f"class{cls}"],
                                 marker={"size": 11, "color": color(cls * 3), "line": {"color": "white", "width": 1}}))  # fmt: skip
    fig.add_trace(go.Scatter(x=xs, y=ps, mode="lines", name="σ(w·x + b)", line={"color": color(1), "width": 3}))
    fig.add_hline(y=0.5, line={"color": "grey", "dash": "dot", "width": 1})
    if boundary is not None and xs[0] <= boundary <= xs[-1]:
        fig.add_vline(x=boundary, line={"color": color(2), "dash": "dash", "width": 2})
        fig.add_annotation(x=boundary, y=1.08, text=labels["boundary_at"], showarrow=False, font={"color": color(2)})
    fig.update_yaxes(range=[-0.08, 1.15])
    fig.update_xaxes(range=[float(xs[0]), float(xs[-1])])
    return fig


def logistic_2d(points: Points, grid, line, bounds, labels) -> go.Figure:
    """The probability map p(x₁, x₂), the boundary line p = ½ and the points of both classes."""
    x1s, x2s, prob = grid
    fig = figure(labels["logistic_title"], x="x₁", y="x₂", height=480)
    fig.add_trace(go.Heatmap(x=x1s, y=x2s, z=prob, zmin=0, zmax=1, colorscale="RdBu_r", opacity=0.75,
                             colorbar={"title": {"text": "p"}, "thickness": 12}, name="p",
                             hovertemplate="x₁=%{x:.2f}<br>x₂=%{y:.2f}<br>p=%{z:.3f}<extra></extra>"))  # fmt: skip
    if line is not None:
        fig.add_trace(go.Scatter(x=line[0], y=line[1], mode="lines", name=labels["boundary"],
                                 line={"color": "black", "width": 3, "dash": "dash"}))  # fmt: skip
    for cls in (0, 1):
        sel = points.y == cls
        fig.add_trace(go.Scatter(x=points.x[sel, 0], y=points.x[sel, 1], mode="markers", name=labels[f"class{cls}"],
                                 marker={"size": 8, "color": color(cls * 3), "line": {"color": "white", "width": 1}}))  # fmt: skip
    fig.update_xaxes(range=list(bounds[0]), showgrid=False, zeroline=False)
    fig.update_yaxes(range=list(bounds[1]), showgrid=False, zeroline=False, scaleanchor="x")
    return fig
