"""Plotly figures for optimizer paths on 2-D surfaces (used by the optimizer and scheduler pages).

Only drawing: every number comes from core (`core.surfaces`, `core.optim.race`). Figures are
plain dicts finished by `ui.spec_charts.spec` (a `go.Figure` built trace by trace with 60
animation frames took about a second); `contour` also comes as a `go.Figure` for callers that
want one. The contour picture and the 3-D grid are computed once per surface.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from PIL import Image
from plotly.colors import sample_colorscale

from core.optim.race import Path, gap, sample_steps
from core.surfaces import Surface
from ui.charts import MODEBAR_MARGIN, color, line_mode
from ui.spec_charts import Spec, layout, log_axis, spec

GRID = 120  # 3-D surface resolution
IMAGE_GRID = 300  # pixels per axis of the contour picture
LEVELS = 30  # colour bands of the contour picture
EDGE_SHADE = 0.7  # darkening of the band edges (the contour lines)
PICK_GRID = 41  # clickable points per axis for choosing a start
MAX_POINTS = 400  # path points drawn per optimizer
MAX_FRAMES = 30  # animation frames
COLORSCALE = "Viridis"
LIFT_3D = 0.02  # paths drawn this fraction of the height range above the 3-D surface
# make_subplots(rows=1, cols=2, column_widths=[0.55, 0.45], horizontal_spacing=0.08): its axes' domains
TWO_PANEL_DOMAINS = ([0.0, 0.506], [0.586, 1.0])


def surface_key(surface: Surface) -> tuple:
    """What a surface's pictures depend on (a custom surface is its formula and box)."""
    return surface.name, surface.expression, surface.bounds


_per_surface = st.cache_resource(max_entries=16, show_spinner=False, hash_funcs={Surface: surface_key})


def _play_controls(frames: list[dict], labels: dict, *, top: float) -> dict:
    """Play/Pause buttons (Play always replays from step 0) and a step slider under the plot (layout keys)."""
    names = [f["name"] for f in frames]
    still = {"frame": {"duration": 0, "redraw": True}, "mode": "immediate"}
    return {
        "updatemenus": [{
            "type": "buttons", "direction": "left", "x": 0.0, "y": top - 0.02, "xanchor": "left", "yanchor": "top",
            "showactive": False,
            "buttons": [
                {"label": labels["play"], "method": "animate",
                 "args": [names, {"frame": {"duration": 80, "redraw": True}, "transition": {"duration": 0},
                                  "mode": "immediate"}]},
                {"label": labels["pause"], "method": "animate", "args": [[None], still]},
            ],
        }],
        "sliders": [{
            "active": len(frames) - 1, "x": 0.16, "y": top, "len": 0.84, "yanchor": "top",
            "currentvalue": {"prefix": labels["step"] + " "},
            "steps": [{"label": n, "method": "animate", "args": [[n], still]} for n in names],
        }],
    }  # fmt: skip


@_per_surface
def _grid(surface: Surface, n: int = GRID):
    xs, ys, Z = surface.grid(n)
    finite = Z[np.isfinite(Z)]
    floor = surface.f_min if surface.f_min is not None else float(finite.min()) if finite.size else 0.0
    return xs, ys, surface.display(Z, floor), floor


def _bands(z: np.ndarray) -> np.ndarray:
    """Colour band 0..LEVELS−1 of every value of `z` (n, n), on the scale of its finite values.

    +∞ and NaN (undefined, e.g. at a pole or the log of a negative number) take the top band,
    −∞ the bottom one. Halves are subtracted because hi − lo overflows for values near ±1e308.
    """
    finite = np.isfinite(z)
    if not finite.any():
        return np.full(z.shape, LEVELS - 1)
    lo, hi = float(z[finite].min()), float(z[finite].max())
    z = np.where(np.isneginf(z), lo, np.where(finite, z, hi))
    with np.errstate(all="ignore"):
        frac = (z / 2 - lo / 2) / ((hi / 2 - lo / 2) or 1.0)
    return np.clip(np.floor(np.nan_to_num(frac, nan=1.0) * (LEVELS - 1e-9)), 0, LEVELS - 1).astype(int)


@_per_surface
def _background(surface: Surface) -> dict:
    """The filled contour as a picture behind the axes (a layout image; never mutated).

    A contour *trace* would vanish as soon as a plotly animation starts (plotly.js #4491);
    a layout image is left alone by the frames. Bands of equal colour with darker edges
    between them look like filled contour lines.
    """
    _, _, Zd, _ = _grid(surface, IMAGE_GRID)
    band = _bands(Zd)  # (n, n) in 0..LEVELS-1
    palette = np.array([[int(c) for c in rgb[4:-1].split(",")]
                        for rgb in sample_colorscale(COLORSCALE, np.linspace(0, 1, LEVELS))], dtype=float)  # fmt: skip
    img = palette[band]  # (n, n, 3)
    edge = np.zeros(band.shape, dtype=bool)
    edge[:, 1:] |= band[:, 1:] != band[:, :-1]
    edge[1:, :] |= band[1:, :] != band[:-1, :]
    img[edge] *= EDGE_SHADE
    picture = Image.fromarray(img[::-1].astype(np.uint8))  # row 0 of an image is the top (largest y)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    (x0, x1), (y0, y1) = surface.bounds
    return {
        "source": "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode(),
        "xref": "x", "yref": "y", "x": x0, "y": y1, "sizex": x1 - x0, "sizey": y1 - y0,
        "sizing": "stretch", "layer": "below", "opacity": 0.95,
    }  # fmt: skip


def _markers(surface: Surface, labels: dict[str, str], **axes: str) -> list[dict]:
    traces = []
    for points, name, symbol, size in ((surface.minima, "minimum", "star", 14), (surface.saddles, "saddle", "x", 12)):
        if points:
            px, py = zip(*points, strict=True)
            traces.append({"type": "scatter", "x": list(px), "y": list(py), "mode": "markers", "name": labels[name],
                           "hoverinfo": "name+x+y", **axes,
                           "marker": {"symbol": symbol, "size": size, "color": "white",
                                      "line": {"color": "black", "width": 1}}})  # fmt: skip
    return traces


def _pick_trace(surface: Surface, hover: str) -> dict:
    """Invisible, clickable points covering the plot box (a contour itself is not selectable)."""
    (x0, x1), (y0, y1) = surface.bounds
    gx, gy = np.meshgrid(np.linspace(x0, x1, PICK_GRID), np.linspace(y0, y1, PICK_GRID))
    return {
        "type": "scatter", "x": gx.ravel(), "y": gy.ravel(), "mode": "markers", "name": "pick", "showlegend": False,
        "marker": {"size": 9, "opacity": 0, "color": "white"}, "hovertemplate": hover + "<extra></extra>",
        "selected": {"marker": {"opacity": 0}}, "unselected": {"marker": {"opacity": 0}},
    }  # fmt: skip


def path_label(path: Path, label: str, diverged_text: str) -> str:
    return f"{label} — {diverged_text}" if path.diverged_at is not None else label


def _box_axes(surface: Surface, **more) -> tuple[dict, dict]:
    """The x and y axes of the plot box (no grid: the picture is the grid); `more` goes on both."""
    (x0, x1), (y0, y1) = surface.bounds
    return ({"range": [x0, x1], "showgrid": False, "zeroline": False, **more},
            {"range": [y0, y1], "showgrid": False, "zeroline": False, **more})  # fmt: skip


def _head(pts: np.ndarray, path: Path) -> list[float]:
    """A path's last finite point among `pts` (its start when there is none)."""
    ok = np.isfinite(pts).all(axis=1)
    at = pts[ok][-1] if ok.any() else path.positions[0]
    return [float(at[0]), float(at[1])]


def contour_spec(
    surface: Surface,
    paths: Sequence[Path],
    names: Sequence[str],
    labels: dict[str, str],
    *,
    start: tuple[float, float] | None = None,
    pick: bool = False,
    animate: bool = True,
    height: int = 560,
) -> Spec:
    """Contour of `surface` with every path, its minima, and (optionally) play/scrub frames.

    `labels` needs: minimum, saddle, start, x, y, play, pause, step, pick_hover, value.
    """
    data = [_pick_trace(surface, labels["pick_hover"])] if pick else []
    steps = max((p.steps for p in paths), default=0)
    idx = sample_steps(steps, MAX_POINTS)
    first_path = len(data)
    for i, (path, name) in enumerate(zip(paths, names, strict=True)):
        pts = path.positions[np.minimum(idx, path.steps)]
        data.append({"type": "scatter", "x": pts[:, 0], "y": pts[:, 1], "mode": line_mode(len(pts)), "name": name,
                     "meta": "path", "line": {"color": color(i), "width": 2}, "marker": {"size": 4, "color": color(i)},
                     "hovertemplate": f"{name}<br>x=%{{x:.4g}}<br>y=%{{y:.4g}}<extra></extra>"})  # fmt: skip
    first_head = len(data)
    for i, path in enumerate(paths):
        end = path.final
        data.append({"type": "scatter", "x": [float(end[0])], "y": [float(end[1])], "mode": "markers",
                     "showlegend": False, "hoverinfo": "skip",
                     "marker": {"size": 11, "color": color(i), "line": {"color": "white", "width": 2}}})  # fmt: skip
    data += _markers(surface, labels)
    if start is not None:
        data.append({"type": "scatter", "x": [start[0]], "y": [start[1]], "mode": "markers", "name": labels["start"],
                     "marker": {"symbol": "circle", "size": 12, "color": "white",
                                "line": {"color": "black", "width": 2}}})  # fmt: skip
    xaxis, yaxis = _box_axes(surface)
    xaxis["constrain"] = "domain"
    box = layout(x=labels["x"], y=labels["y"], height=height, xaxis=xaxis, yaxis=yaxis, images=[_background(surface)],
                 hovermode="closest", clickmode="event+select", dragmode="zoom")  # fmt: skip
    frames = None
    if animate and paths and steps > 0:

        def head(j: int, path: Path, k: int, pts: np.ndarray):
            hx, hy = _head(pts, path)
            return first_path + j, {"type": "scatter", "x": [hx], "y": [hy]}, first_head + j

        frames = _grow_frames(data, paths, idx, head)
        box.update(_play_controls(frames, labels, top=-0.06))
        box["margin"] = {**box["margin"], "b": 110}
    return spec(data, box, frames)


def contour(
    surface: Surface, paths: Sequence[Path], names: Sequence[str], labels: dict[str, str], **kwargs
) -> go.Figure:
    """`contour_spec` as a `go.Figure` (validated, for callers that inspect or change it)."""
    return go.Figure(contour_spec(surface, paths, names, labels, **kwargs).spec)


def _grow_frames(data: list[dict], paths: Sequence[Path], idx: np.ndarray, marker) -> list[dict]:
    """Frames that grow every path up to step k (a slider to scrub, ▶ to play).

    `marker(j, path, k, pts)` gives path j's moving marker in that frame, as
    ``(path trace index, marker trace, marker trace index)``. Every other trace is named in
    every frame with ``visible: true``: plotly.js hides (contour, heatmap) traces a frame leaves
    out once the animation starts (plotly.js #4491 / #4596).
    """
    frames = []
    for k in idx[sample_steps(len(idx) - 1, MAX_FRAMES)]:
        frame, traces = [], []
        for j, path in enumerate(paths):
            pts = path.positions[np.minimum(idx[idx <= k], path.steps)]
            path_trace, dot, dot_trace = marker(j, path, k, pts)
            grown = pts.astype(np.float32)  # half the bytes of the frames, which repeat every earlier point
            frame += [{"type": "scatter", "x": grown[:, 0], "y": grown[:, 1]}, dot]
            traces += [path_trace, dot_trace]
        static = [i for i in range(len(data)) if i not in traces]
        frame += [{"type": data[i]["type"], "visible": True} for i in static]
        frames.append({"data": frame, "traces": traces + static, "name": str(int(k))})
    return frames


def _eye(surface: Surface, paths: Sequence[Path]) -> dict[str, float]:
    """Look at the surface from the side where the paths start, so the hills do not hide them."""
    (x0, x1), (y0, y1) = surface.bounds
    sx, sy = paths[0].positions[0] if paths else surface.start
    dx, dy = (2 * sx - x0 - x1) / (x1 - x0), (2 * sy - y0 - y1) / (y1 - y0)
    norm = float(np.hypot(dx, dy))
    if norm < 0.2:
        dx, dy, norm = 1.0, -1.0, float(np.sqrt(2))
    return {"x": float(1.9 * dx / norm), "y": float(1.9 * dy / norm), "z": 1.3}


def surface_3d(surface: Surface, paths: Sequence[Path], names: Sequence[str], labels: dict[str, str]) -> Spec:
    """The surface in 3-D with every path lying on it."""
    xs, ys, Zd, floor = _grid(surface)
    data = [{"type": "surface", "x": xs, "y": ys, "z": Zd, "colorscale": COLORSCALE, "showscale": False,
             "opacity": 0.75, "name": labels["value"], "hoverinfo": "skip"}]  # fmt: skip
    idx = sample_steps(max((p.steps for p in paths), default=0), MAX_POINTS)
    shown = Zd[np.isfinite(Zd)]  # a pole's ±∞ must not lift the paths to infinity
    lift = LIFT_3D * float(shown.max() - shown.min()) if shown.size else 0.0  # float the paths just above the surface
    for i, (path, name) in enumerate(zip(paths, names, strict=True)):
        pts = path.positions[np.minimum(idx, path.steps)]
        z = surface.display(path.losses[np.minimum(idx, path.steps)], floor) + lift
        data.append({"type": "scatter3d", "x": pts[:, 0], "y": pts[:, 1], "z": z, "mode": line_mode(len(pts)),
                     "name": name, "line": {"color": color(i), "width": 5},
                     "marker": {"size": 2, "color": color(i)}})  # fmt: skip
    for mx, my in surface.minima:
        z = surface.display(np.asarray(surface.value(np.array([mx]), np.array([my]))), floor) + lift
        data.append({"type": "scatter3d", "x": [mx], "y": [my], "z": np.asarray(z, dtype=float).ravel(),
                     "mode": "markers", "name": labels["minimum"], "showlegend": False,
                     "marker": {"size": 6, "color": "white", "symbol": "diamond",
                                "line": {"color": "black", "width": 1}}})  # fmt: skip
    z_title = labels["log_value"] if surface.log_color else labels["value"]
    scene = {"xaxis": {"title": {"text": labels["x"]}}, "yaxis": {"title": {"text": labels["y"]}},
             "zaxis": {"title": {"text": z_title}}, "camera": {"eye": _eye(surface, paths)},
             "aspectmode": "manual", "aspectratio": {"x": 1, "y": 1, "z": 0.6}}  # fmt: skip
    return spec(data, layout(height=560, scene=scene, margin={"l": 0, "r": MODEBAR_MARGIN, "t": 30, "b": 0}))


def _lines(series: Sequence[tuple[str, np.ndarray]], **trace) -> list[dict]:
    return [{"type": "scatter", "y": y, "mode": "lines", "name": name, "line": {"color": color(i)}, **trace}
            for i, (name, y) in enumerate(series)]  # fmt: skip


def loss_chart(surface: Surface, paths: Sequence[Path], names: Sequence[str], labels: dict[str, str]) -> Spec:
    """f − f* per step on a log axis (plain f where no minimum is known)."""
    log_scale = surface.f_min is not None
    data = _lines([(name, gap(path, surface)[0]) for path, name in zip(paths, names, strict=True)])
    box = layout(x=labels["step"], y=labels["gap"] if log_scale else labels["value"], height=360)
    if log_scale:
        box["yaxis"] = {**box["yaxis"], **log_axis([d["y"] for d in data])}
    return spec(data, box)


def distance_chart(paths: Sequence[Path], names: Sequence[str], labels: dict[str, str]) -> Spec:
    data = _lines([(name, path.distance) for path, name in zip(paths, names, strict=True)])
    box = layout(x=labels["step"], y=labels["distance"], height=360)
    box["yaxis"] = {**box["yaxis"], **log_axis([d["y"] for d in data])}
    return spec(data, box)


def lr_chart(paths: Sequence[Path], names: Sequence[str], labels: dict[str, str], *, log: bool = False) -> Spec:
    """Every run's learning rate against the step, overlaid."""
    data = [{"type": "scatter", "x": np.arange(path.steps), "y": path.lrs, "mode": "lines", "name": name,
             "line": {"color": color(i), "width": 2}} for i, (path, name) in enumerate(zip(paths, names, strict=True))]  # fmt: skip
    box = layout(x=labels["step"], y=labels["lr"], height=380)
    if log:
        box["yaxis"] = {**box["yaxis"], **log_axis([d["y"] for d in data])}
    return spec(data, box)


def two_panel(surface: Surface, paths: Sequence[Path], names: Sequence[str], labels: dict[str, str]) -> Spec:
    """The course's figure: paths on the contour (left) and their learning rates (right), animated."""
    steps = max((p.steps for p in paths), default=0)
    idx = sample_steps(steps, MAX_POINTS)
    data = []
    for i, (path, name) in enumerate(zip(paths, names, strict=True)):
        pts = path.positions[np.minimum(idx, path.steps)]
        last = path.steps - 1
        data += [
            {"type": "scatter", "x": pts[:, 0], "y": pts[:, 1], "mode": line_mode(len(pts)), "name": name,
             "legendgroup": name, "line": {"color": color(i), "width": 2}, "marker": {"size": 3},
             "xaxis": "x", "yaxis": "y"},
            {"type": "scatter", "x": np.arange(path.steps), "y": path.lrs, "mode": "lines", "name": name,
             "legendgroup": name, "showlegend": False, "line": {"color": color(i), "width": 2},
             "xaxis": "x2", "yaxis": "y2"},
            {"type": "scatter", "x": [last], "y": [float(path.lrs[last])], "mode": "markers", "showlegend": False,
             "hoverinfo": "skip", "marker": {"size": 10, "color": color(i), "line": {"color": "white", "width": 2}},
             "xaxis": "x2", "yaxis": "y2"},
        ]  # fmt: skip
    data += _markers(surface, labels, xaxis="x", yaxis="y")
    xaxis, yaxis = _box_axes(surface)
    xaxis["title"], yaxis["title"] = {"text": labels["x"]}, {"text": labels["y"]}
    left, right = TWO_PANEL_DOMAINS
    titles = [{"font": {"size": 16}, "showarrow": False, "text": text, "x": sum(domain) / 2, "xanchor": "center",
               "xref": "paper", "y": 1.0, "yanchor": "bottom", "yref": "paper", "yshift": 4}
              for text, domain in ((labels["paths"], left), (labels["lr"], right))]  # fmt: skip
    box = layout(height=540, margin={"t": 110}, legend={"y": 1.12}, annotations=titles, hovermode="closest",
                 xaxis={**xaxis, "anchor": "y", "domain": left}, yaxis={**yaxis, "anchor": "x", "domain": [0.0, 1.0]},
                 xaxis2={"anchor": "y2", "domain": right, "title": {"text": labels["step"]}},
                 yaxis2={"anchor": "x2", "domain": [0.0, 1.0]}, images=[_background(surface)])  # fmt: skip
    if not paths or steps == 0:
        return spec(data, box)

    def lr_dot(j: int, path: Path, k: int, pts: np.ndarray):
        s = int(min(k, path.steps - 1))
        return 3 * j, {"type": "scatter", "x": [s], "y": [float(path.lrs[s])]}, 3 * j + 2

    frames = _grow_frames(data, paths, idx, lr_dot)
    box.update(_play_controls(frames, labels, top=-0.1))
    box["margin"] = {**box["margin"], "b": 120, "t": 110}
    return spec(data, box, frames)
