"""Plotly figures for the linear-model page: search curves, (w, b) surfaces, descent steps, logistic boundaries.

Only drawing: every number comes from `core.linear`. `labels` maps short names to translated
text (the page builds it from ``linear.chart.*``, names in `LABELS`). Every figure is built
whole from plain dicts in the house style (`ui.charts.house_layout`): no ``add_*`` or
``update_*`` calls, each of which validates the figure again.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.linear import logistic as lg
from core.linear.data import Points
from ui.charts import color, house_layout

MAX_PATH_POINTS = 400  # path points drawn (a long run is thinned evenly, its ends kept)
COLORSCALE = "Viridis"
STAR = {"symbol": "star", "size": 17, "color": "#EECA3B", "line": {"color": "black", "width": 1.5}}
NOW = {"size": 13, "color": color(3), "line": {"color": "white", "width": 2}}
LABELS = (
    "curve_title", "mse", "tried", "best", "picked", "fit_title", "error", "data", "loss", "path", "now", "exact",
    "descent_title", "loss_curve", "tangent", "loss_title", "logistic_title", "x_hours", "class0", "class1",
    "boundary", "boundary_at",
)  # fmt: skip
NO_GRID = {"showgrid": False, "zeroline": False}


def thin(n: int, keep: int | None = None) -> np.ndarray:
    """At most MAX_PATH_POINTS indices of 0..n−1, evenly spread, with the last (and `keep`) included."""
    if n <= MAX_PATH_POINTS:
        return np.arange(n)
    idx = np.unique(np.r_[np.linspace(0, n - 1, MAX_PATH_POINTS).round().astype(int), n - 1])
    return np.union1d(idx, [keep]) if keep is not None else idx


def figure(traces: list[dict], title: str | None = None, *, x: str | None = None, y: str | None = None,
           height: int = 420, xaxis: dict | None = None, yaxis: dict | None = None, **layout) -> go.Figure:  # fmt: skip
    """A figure in the house look, its legend under the plot (half-width columns), given whole."""
    base = {
        **house_layout(title, height),
        "margin": {"l": 55, "r": 40, "t": 45 if title else 20, "b": 110},
        # in the bottom margin, whatever the plot's height: under the axis title, never on it
        "legend": {"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0.01, "x": 0},
        "hovermode": "closest",
        "xaxis": {"automargin": True, "title": {"text": x}, **(xaxis or {})},
        "yaxis": {"automargin": True, "title": {"text": y}, **(yaxis or {})},
    }
    if title:
        base["title"] = {"text": title, "x": 0.05, "y": 0.98, "yanchor": "top"}
    return go.Figure(data=traces, layout={**base, **layout})


def _finite(*arrays: np.ndarray) -> np.ndarray:
    ok = np.ones(len(arrays[0]), dtype=bool)
    for a in arrays:
        ok &= np.isfinite(a)
    return ok


def _dot(x: float, y: float, name: str, marker: dict) -> dict:
    return {"type": "scatter", "x": [x], "y": [y], "mode": "markers", "name": name, "marker": marker}


def _line(x, y, name: str, line: dict, mode: str = "lines", **extra) -> dict:
    return {"type": "scatter", "x": x, "y": y, "mode": mode, "name": name, "line": line, **extra}


# ----------------------------------------------------------------------------- exhaustive search


def search_curve(ws, losses, best: tuple[float, float], tried: tuple[float, float] | None, labels) -> go.Figure:
    """MSE against w, a dot per w tried, the best w starred and (optionally) one w picked out."""
    traces = [_line(ws, losses, labels["tried"], {"color": color(0), "width": 2}, "lines+markers", marker={"size": 4}),
              _dot(best[0], best[1], labels["best"], STAR)]  # fmt: skip
    if tried is not None:
        traces.append(_dot(tried[0], tried[1], labels["picked"], NOW))
    return figure(traces, labels["curve_title"], x="w", y=labels["mse"], height=400)


def fit(points: Points, lines: Sequence[tuple[float, float, str]], labels, *, residuals: bool = True) -> go.Figure:
    """The data, the lines ŷ = w·x + b, and the first line's errors as vertical segments."""
    lo, hi = float(points.x.min()), float(points.x.max())
    pad = 0.15 * (hi - lo or 1.0)
    xs = np.array([min(lo - pad, 0.0), hi + pad])
    traces = []
    if residuals and lines:
        w, b, _ = lines[0]
        seg_x = np.repeat(points.x, 3).astype(float)
        seg_y = np.column_stack([points.y, w * points.x + b, np.full(points.n, np.nan)]).ravel()
        seg_x[2::3] = np.nan
        traces.append(_line(seg_x, seg_y, labels["error"], {"color": color(3), "dash": "dot", "width": 1.5},
                            hoverinfo="skip"))  # fmt: skip
    traces += [_line(xs, w * xs + b, name, {"color": color(i + 1), "width": 3}) for i, (w, b, name) in enumerate(lines)]
    traces.append({"type": "scatter", "x": points.x, "y": points.y, "mode": "markers", "name": labels["data"],
                   "marker": {"size": 9, "color": color(0), "line": {"color": "white", "width": 1}}})  # fmt: skip
    return figure(traces, labels["fit_title"], x="x", y="y", height=400)


def _contour_traces(us, vs, z, labels, *, x: str, y: str, star=None, exact=None, path=None, k: int | None = None):
    """The contour's traces and annotations (see `contour`)."""
    traces = [{"type": "contour", "x": us, "y": vs, "z": z, "colorscale": COLORSCALE, "ncontours": 30,
               "name": labels["loss"], "colorbar": {"title": {"text": labels["loss"]}, "thickness": 12},
               "hovertemplate": f"{x}=%{{x:.3f}}<br>{y}=%{{y:.3f}}<br>{labels['loss']}=%{{z:.4g}}<extra></extra>"}]  # fmt: skip
    notes = []
    if path is not None and len(path):
        idx = thin(len(path), k)
        ok = _finite(path[idx, 0], path[idx, 1])
        traces.append(_line(path[idx, 0][ok], path[idx, 1][ok], labels["path"], {"color": "white", "width": 2},
                            "lines+markers", marker={"size": 4, "color": "white"}))  # fmt: skip
        if k is not None:
            traces.append(_dot(path[k, 0], path[k, 1], labels["now"], NOW))
            if k + 1 < len(path):
                notes.append({"x": path[k + 1, 0], "y": path[k + 1, 1], "ax": path[k, 0], "ay": path[k, 1],
                              "xref": "x", "yref": "y", "axref": "x", "ayref": "y", "showarrow": True, "arrowhead": 3,
                              "arrowsize": 1.3, "arrowwidth": 2, "arrowcolor": color(3)})  # fmt: skip
    if exact is not None:
        traces.append(_dot(exact[0], exact[1], labels["exact"],
                           {"symbol": "x", "size": 12, "color": "white", "line": {"color": "black", "width": 1}}))  # fmt: skip
    if star is not None:
        traces.append(_dot(star[0], star[1], labels["best"], STAR))
    return traces, notes


def contour(
    us, vs, z, labels, *, x: str, y: str, star=None, exact=None, path=None, k: int | None = None, height: int = 460,
    more: Sequence[dict] = (),
) -> go.Figure:  # fmt: skip
    """Filled contour of z (rows: vs, columns: us) with the best point, the exact minimum and a path.

    `path` is (S+1, 2); `k` marks θ_k and draws the step to θ_{k+1}; `more` are further traces.
    """
    traces, notes = _contour_traces(us, vs, z, labels, x=x, y=y, star=star, exact=exact, path=path, k=k)
    return figure([*traces, *more], x=x, y=y, height=height, annotations=notes,
                  xaxis={"range": [float(us[0]), float(us[-1])], **NO_GRID},
                  yaxis={"range": [float(vs[0]), float(vs[-1])], **NO_GRID})  # fmt: skip


def surface_3d(us, vs, z, labels, *, x: str, y: str, star=None) -> go.Figure:
    """The loss surface in 3-D with the best point on it."""
    traces = [{"type": "surface", "x": us, "y": vs, "z": z, "colorscale": COLORSCALE, "showscale": False,
               "opacity": 0.9, "name": labels["loss"], "hoverinfo": "x+y+z"}]  # fmt: skip
    if star is not None:
        traces.append({"type": "scatter3d", "x": [star[0]], "y": [star[1]], "z": [star[2]], "mode": "markers",
                       "name": labels["best"], "marker": {"size": 7, "color": "white", "symbol": "diamond",
                                                          "line": {"color": "black", "width": 1}}})  # fmt: skip
    scene = {"xaxis": {"title": {"text": x}}, "yaxis": {"title": {"text": y}},
             "zaxis": {"title": {"text": labels["loss"]}}, "camera": {"eye": {"x": 1.6, "y": -1.6, "z": 1.1}},
             "aspectmode": "manual", "aspectratio": {"x": 1, "y": 1, "z": 0.6}}  # fmt: skip
    return figure(traces, height=520, scene=scene, margin={"l": 0, "r": 0, "t": 30, "b": 0})


# ----------------------------------------------------------------------------- gradient descent


def descent_curve(ws, losses, path_w, path_loss, k: int, tangent: tuple[float, float, float], labels) -> go.Figure:
    """The loss curve, the visited points, θ_k with its tangent line and the step to θ_{k+1}.

    `path_w`/`path_loss` are the points to draw on the curve (an empty array when they do not
    lie on it, as for ŷ = w·x + b, whose curve is the slice at b = b_k).
    """
    traces = [_line(ws, losses, labels["loss_curve"], {"color": color(0), "width": 3})]
    if len(path_w):
        idx = thin(len(path_w), k)
        pw, pl = path_w[idx], path_loss[idx]
        ok = _finite(pw, pl) & (pw >= ws[0]) & (pw <= ws[-1])
        traces.append(_line(pw[ok], pl[ok], labels["path"], {"color": color(1), "width": 1}, "lines+markers",
                            marker={"size": 6, "color": color(1)}))  # fmt: skip
    w, value, slope = tangent
    half = 0.18 * (ws[-1] - ws[0])
    tx = np.array([w - half, w + half])
    traces.append(
        _line(tx, value + slope * (tx - w), labels["tangent"], {"color": color(3), "width": 2, "dash": "dash"})
    )
    traces.append(_dot(w, value, labels["now"], NOW))
    top = float(np.nanmax(losses))
    return figure(traces, labels["descent_title"], x="w", y=labels["mse"], height=420,
                  xaxis={"range": [float(ws[0]), float(ws[-1])]}, yaxis={"range": [-0.04 * top, 1.05 * top]})  # fmt: skip


def loss_steps(
    series: Sequence[tuple[str, np.ndarray, np.ndarray]], labels, *, x: str, mark=None, log: bool = True,
    height: int = 380, first_color: int = 0,
) -> go.Figure:  # fmt: skip
    """Loss against the step (or epoch), one line per series, optionally a dot at (step, loss)."""
    traces = []
    for i, (name, xs, ys) in enumerate(series):
        idx = thin(len(xs))
        traces.append(_line(xs[idx], ys[idx], name, {"color": color(first_color + i), "width": 2}))
    if mark is not None:
        traces.append(_dot(mark[0], mark[1], labels["now"], NOW))
    yaxis = {"type": "log", "exponentformat": "power"} if log else {}
    return figure(traces, labels["loss_title"], x=x, y=labels["loss"], height=height, yaxis=yaxis)


def paths_contour(us, vs, z, paths: Sequence[tuple[str, np.ndarray]], labels, *, exact) -> go.Figure:
    """Several descents' (w, b) paths on one contour (batch vs stochastic vs mini-batch)."""
    more = []
    for i, (name, path) in enumerate(paths):
        idx = thin(len(path))
        more.append(_line(path[idx, 0], path[idx, 1], name, {"color": color(i + 1), "width": 2}, "lines+markers",
                          marker={"size": 3}))  # fmt: skip
    return contour(us, vs, z, labels, x="w", y="b", exact=exact, height=500, more=more)


# ----------------------------------------------------------------------------- logistic regression


def _classes(points: Points, xs, ys, labels, size: int) -> list[dict]:
    return [{"type": "scatter", "x": xs[points.y == c], "y": ys[points.y == c], "mode": "markers",
             "name": labels[f"class{c}"], "marker": {"size": size, "color": color(c * 3),
                                                    "line": {"color": "white", "width": 1}}} for c in (0, 1)]  # fmt: skip


def logistic_1d(points: Points, xs, ps, boundary: float | None, labels) -> go.Figure:
    """The points at y = 0 / 1, the sigmoid p(x) and the boundary p = ½."""
    traces = [*_classes(points, points.x, points.y, labels, 11),
              _line(xs, ps, "σ(w·x + b)", {"color": color(1), "width": 3})]  # fmt: skip
    shapes = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": 0.5, "y1": 0.5,
               "line": {"color": "grey", "dash": "dot", "width": 1}}]  # fmt: skip
    notes = []
    if boundary is not None and xs[0] <= boundary <= xs[-1]:
        shapes.append({"type": "line", "yref": "paper", "x0": boundary, "x1": boundary, "y0": 0, "y1": 1,
                       "line": {"color": color(2), "dash": "dash", "width": 2}})  # fmt: skip
        notes.append({"x": boundary, "y": 1.08, "text": labels["boundary_at"], "showarrow": False,
                      "font": {"color": color(2)}})  # fmt: skip
    return figure(traces, labels["logistic_title"], x=labels["x_hours"], y="p = σ(w·x + b)", height=420,
                  shapes=shapes, annotations=notes, xaxis={"range": [float(xs[0]), float(xs[-1])]},
                  yaxis={"range": [-0.08, 1.15]})  # fmt: skip


def logistic_2d(points: Points, grid, line, bounds, labels) -> go.Figure:
    """The probability map p(x₁, x₂), the boundary line p = ½ and the points of both classes."""
    x1s, x2s, prob = grid
    traces = [{"type": "heatmap", "x": x1s, "y": x2s, "z": prob, "zmin": 0, "zmax": 1, "colorscale": "RdBu_r",
               "opacity": 0.75, "colorbar": {"title": {"text": "p"}, "thickness": 12}, "name": "p",
               "hovertemplate": "x₁=%{x:.2f}<br>x₂=%{y:.2f}<br>p=%{z:.3f}<extra></extra>"}]  # fmt: skip
    if line is not None:
        traces.append(_line(line[0], line[1], labels["boundary"], {"color": "black", "width": 3, "dash": "dash"}))
    traces += _classes(points, points.x[:, 0], points.x[:, 1], labels, 8)
    return figure(traces, labels["logistic_title"], x="x₁", y="x₂", height=480,
                  xaxis={"range": list(bounds[0]), **NO_GRID},
                  yaxis={"range": list(bounds[1]), **NO_GRID, "scaleanchor": "x"})  # fmt: skip


# ----------------------------------------------------------------------------- a section's figures at once


def descent_figures(run, points: Points, view, k: int, surface, labels, *, x: str, names: tuple[str, str]) -> dict:
    """The gradient-descent section's figures at step k: ``curve``, ``fit``, ``loss`` and (for w, b) ``contour``.

    `view` is `core.linear.regression.step_view`'s; `names` label the lines of θ_k and θ_{k+1}.
    """
    on_curve = run.thetas.shape[1] == 1
    path_w = run.thetas[:, 0] if on_curve else np.zeros(0)
    lines = [(w, b, name) for (w, b), name in zip(view.lines, names, strict=True)]
    figures = {
        "curve": descent_curve(view.ws, view.losses, path_w, run.losses, k, view.tangent, labels),
        "fit": fit(points, lines, labels),
        "loss": loss_steps([(labels["loss"], np.arange(len(run.losses)), run.losses)], labels, x=x,
                           mark=(k, run.losses[k]), log=bool(np.all(run.losses > 0)),
                           height=320 if surface is None else 380),
    }  # fmt: skip
    if surface is not None:
        figures["contour"] = contour(surface.ws, surface.bs, surface.losses, labels, x="w", y="b",
                                     exact=surface.exact, path=run.thetas, k=k, height=420)  # fmt: skip
    return figures


def race_figures(runs: dict, names: dict[str, str], surface, labels, *, x: str) -> tuple[go.Figure, go.Figure]:
    """The batch-vs-stochastic section's (paths on the contour, loss per epoch)."""
    series = [(names[m], np.arange(len(r.losses)) / r.updates_per_epoch, r.losses) for m, r in runs.items()]
    paths = [(names[m], r.thetas) for m, r in runs.items()]
    return (paths_contour(surface.ws, surface.bs, surface.losses, paths, labels, exact=surface.exact),
            loss_steps(series, labels, x=x, height=340, first_color=1))  # fmt: skip


def race_table(runs: dict, names: dict[str, str], optimum: np.ndarray, columns: dict[str, str]) -> pd.DataFrame:
    """One row a descent mode: updates, updates per epoch, the final (w, b), loss and distance to θ*."""
    return pd.DataFrame({
        columns["mode"]: [names[m] for m in runs],
        columns["updates"]: [r.steps for r in runs.values()],
        columns["per_epoch"]: [r.updates_per_epoch for r in runs.values()],
        "w": [f"{r.thetas[-1, 0]:.4f}" for r in runs.values()],
        "b": [f"{r.thetas[-1, 1]:.4f}" for r in runs.values()],
        columns["loss"]: [f"{r.losses[-1]:.5g}" for r in runs.values()],
        columns["distance"]: [f"{np.linalg.norm(r.thetas[-1] - optimum):.3g}" for r in runs.values()],
    })  # fmt: skip


def logistic_figures(points: Points, run, k: int, boundary: float | None, labels, *, x: str) -> dict:
    """The logistic section's figures at step k: ``data`` (1-D curve or 2-D map), ``surface`` and ``loss``."""
    theta = run.thetas[k]
    bounds = lg.data_bounds(points, pad=1.5 if points.dim == 1 else 0.5)
    if points.dim == 1:
        xs = np.linspace(*bounds[0], 200)
        data = logistic_1d(points, xs, lg.probability_curve(theta, xs), boundary, labels)
    else:
        data = logistic_2d(points, lg.probability_grid(theta, bounds), lg.boundary_2d(theta, bounds), bounds, labels)
    surface = lg.loss_slice(points, run, (0, 1), theta)
    return {
        "data": data,
        "surface": contour(surface.us, surface.vs, surface.losses, labels, x=run.names[0], y=run.names[1],
                           path=run.thetas[:, :2], k=k, height=420),
        "loss": loss_steps([(labels["loss"], np.arange(len(run.losses)), run.losses)], labels, x=x,
                           mark=(k, run.losses[k]), log=bool(np.all(run.losses > 0))),
    }  # fmt: skip


def residual_table(res: dict[str, np.ndarray]):
    """x, y, ŷ and (ŷ − y)² per point (shown to 4 decimals by `ui.charts.table`)."""
    return pd.DataFrame({"x": res["x"], "y": res["y"], "ŷ = w·x": res["y_hat"], "(ŷ − y)²": res["sq_err"]})
