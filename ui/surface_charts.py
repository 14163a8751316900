"""Plotly figures for optimizer paths on 2-D surfaces (used by the optimizer and scheduler pages).

Only drawing: every number comes from core (`core.surfaces`, `core.optim.race`).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from PIL import Image
from plotly.colors import sample_colorscale

from core.optim.race import Path, gap, sample_steps
from core.surfaces import Surface
from ui.charts import MODEBAR_MARGIN, color, log_y, style

GRID = 120  # 3-D surface resolution
IMAGE_GRID = 300  # pixels per axis of the contour picture
LEVELS = 30  # colour bands of the contour picture
EDGE_SHADE = 0.7  # darkening of the band edges (the contour lines)
PICK_GRID = 41  # clickable points per axis for choosing a start
MAX_POINTS = 400  # path points drawn per optimizer
MAX_FRAMES = 60  # animation frames
COLORSCALE = "Viridis"
LIFT_3D = 0.02  # paths drawn this fraction of the height range above the 3-D surface


def _play_controls(fig: go.Figure, frames: list, labels: dict, *, top: float, margin: dict) -> None:
    """Play/Pause buttons (Play always replays from step 0) and a step slider under the plot."""
    fig.update_layout(
        updatemenus=[{
            "type": "buttons", "direction": "left", "x": 0.0, "y": top - 0.02, "xanchor": "left", "yanchor": "top",
            "showactive": False,
            "buttons": [
                {"label": labels["play"], "method": "animate",
                 "args": [[f.name for f in frames], {"frame": {"duration": 80, "redraw": True},
                                                     "transition": {"duration": 0}, "mode": "immediate"}]},
                {"label": labels["pause"], "method": "animate",
                 "args": [[None], {"frame": {"duration": 0, "redraw": True}, "mode": "immediate"}]},
            ],
        }],
        sliders=[{
            "active": len(frames) - 1, "x": 0.16, "y": top, "len": 0.84, "yanchor": "top",
            "currentvalue": {"prefix": labels["step"] + " "},
            "steps": [{"label": f.name, "method": "animate",
                       "args": [[f.name], {"frame": {"duration": 0, "redraw": True}, "mode": "immediate"}]}
                      for f in frames],
        }],
        margin=margin,
    )  # fmt: skip


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


def _background(surface: Surface) -> dict:
    """The filled contour as a picture behind the axes.

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


def _markers(surface: Surface, labels: dict[str, str]) -> list[go.Scatter]:
    traces = []
    if surface.minima:
        mx, my = zip(*surface.minima, strict=True)
        traces.append(go.Scatter(x=mx, y=my, mode="markers", name=labels["minimum"], hoverinfo="name+x+y",
                                 marker={"symbol": "star", "size": 14, "color": "white",
                                         "line": {"color": "black", "width": 1}}))  # fmt: skip
    if surface.saddles:
        sx, sy = zip(*surface.saddles, strict=True)
        traces.append(go.Scatter(x=sx, y=sy, mode="markers", name=labels["saddle"], hoverinfo="name+x+y",
                                 marker={"symbol": "x", "size": 12, "color": "white",
                                         "line": {"color": "black", "width": 1}}))  # fmt: skip
    return traces


def _pick_trace(surface: Surface, hover: str) -> go.Scatter:
    """Invisible, clickable points covering the plot box (a contour itself is not selectable)."""
    (x0, x1), (y0, y1) = surface.bounds
    gx, gy = np.meshgrid(np.linspace(x0, x1, PICK_GRID), np.linspace(y0, y1, PICK_GRID))
    return go.Scatter(
        x=gx.ravel(), y=gy.ravel(), mode="markers", name="pick", showlegend=False,
        marker={"size": 9, "opacity": 0, "color": "white"}, hovertemplate=hover + "<extra></extra>",
        selected={"marker": {"opacity": 0}}, unselected={"marker": {"opacity": 0}},
    )  # fmt: skip


def path_label(path: Path, label: str, diverged_text: str) -> str:
    return f"{label} — {diverged_text}" if path.diverged_at is not None else label


def contour(
    surface: Surface,
    paths: Sequence[Path],
    names: Sequence[str],
    labels: dict[str, str],
    *,
    start: tuple[float, float] | None = None,
    pick: bool = False,
    animate: bool = True,
    height: int = 560,
) -> go.Figure:
    """Contour of `surface` with every path, its minima, and (optionally) play/scrub frames.

    `labels` needs: minimum, saddle, start, x, y, play, pause, step, pick_hover, value.
    """
    fig = go.Figure()
    fig.add_layout_image(_background(surface))
    if pick:
        fig.add_trace(_pick_trace(surface, labels["pick_hover"]))
    steps = max((p.steps for p in paths), default=0)
    idx = sample_steps(steps, MAX_POINTS)
    first_path = len(fig.data)
    for i, (path, name) in enumerate(zip(paths, names, strict=True)):
        pts = path.positions[np.minimum(idx, path.steps)]
        fig.add_trace(go.Scatter(x=pts[:, 0], y=pts[:, 1], mode="lines+markers", name=name,
                                 line={"color": color(i), "width": 2}, marker={"size": 4, "color": color(i)},
                                 hovertemplate=f"{name}<br>x=%{{x:.4g}}<br>y=%{{y:.4g}}<extra></extra>"))  # fmt: skip
    first_head = len(fig.data)
    for i, path in enumerate(paths):
        end = path.final
        fig.add_trace(go.Scatter(x=[end[0]], y=[end[1]], mode="markers", showlegend=False, hoverinfo="skip",
                                 marker={"size": 11, "color": color(i), "line": {"color": "white", "width": 2}}))  # fmt: skip
    for trace in _markers(surface, labels):
        fig.add_trace(trace)
    if start is not None:
        fig.add_trace(go.Scatter(x=[start[0]], y=[start[1]], mode="markers", name=labels["start"],
                                 marker={"symbol": "circle", "size": 12, "color": "white",
                                         "line": {"color": "black", "width": 2}}))  # fmt: skip
    (x0, x1), (y0, y1) = surface.bounds
    style(fig, x=labels["x"], y=labels["y"], height=height)
    fig.update_layout(hovermode="closest", clickmode="event+select", dragmode="zoom")
    fig.update_xaxes(range=[x0, x1], constrain="domain", showgrid=False, zeroline=False)
    fig.update_yaxes(range=[y0, y1], showgrid=False, zeroline=False)
    if animate and paths and steps > 0:
        _add_frames(fig, paths, idx, first_path, first_head, labels)
    return fig


def _keep_static(fig: go.Figure, frames: list[go.Frame]) -> list[go.Frame]:
    """Name every trace in every frame: plotly.js hides (contour, heatmap) traces a frame leaves out.

    See plotly.js #4491 / #4596: traces that are not part of a frame disappear once the
    animation starts; an explicit ``visible=True`` update keeps them on screen.
    """
    out = []
    for frame in frames:
        animated = list(frame.traces)
        static = [i for i in range(len(fig.data)) if i not in animated]
        data = list(frame.data) + [type(fig.data[i])(visible=True) for i in static]
        out.append(go.Frame(data=data, traces=animated + static, name=frame.name))
    return out


def _grow_frames(fig: go.Figure, paths: Sequence[Path], idx: np.ndarray, marker, labels, *, top: float, margin: dict):
    """Frames that grow every path up to step k (a slider to scrub, ▶ to play).

    `marker(j, path, k, pts)` gives path j's moving marker in that frame, as
    ``(path trace index, marker trace, marker trace index)``.
    """
    frames = []
    for k in idx[sample_steps(len(idx) - 1, MAX_FRAMES)]:
        data, traces = [], []
        for j, path in enumerate(paths):
            pts = path.positions[np.minimum(idx[idx <= k], path.steps)]
            path_trace, dot, dot_trace = marker(j, path, k, pts)
            data += [go.Scatter(x=pts[:, 0], y=pts[:, 1]), dot]
            traces += [path_trace, dot_trace]
        frames.append(go.Frame(data=data, traces=traces, name=str(int(k))))
    fig.frames = _keep_static(fig, frames)
    _play_controls(fig, frames, labels, top=top, margin=margin)


def _add_frames(fig: go.Figure, paths: Sequence[Path], idx: np.ndarray, first_path: int, first_head: int, labels):
    """Contour frames: each path grows with a dot at its head (its last finite point)."""

    def head(j: int, path: Path, k: int, pts: np.ndarray):
        ok = np.isfinite(pts).all(axis=1)
        at = pts[ok][-1] if ok.any() else path.positions[0]
        return first_path + j, go.Scatter(x=[at[0]], y=[at[1]]), first_head + j

    _grow_frames(fig, paths, idx, head, labels, top=-0.06, margin={"b": 110})


def _eye(surface: Surface, paths: Sequence[Path]) -> dict[str, float]:
    """Look at the surface from the side where the paths start, so the hills do not hide them."""
    (x0, x1), (y0, y1) = surface.bounds
    sx, sy = paths[0].positions[0] if paths else surface.start
    dx, dy = (2 * sx - x0 - x1) / (x1 - x0), (2 * sy - y0 - y1) / (y1 - y0)
    norm = float(np.hypot(dx, dy))
    if norm < 0.2:
        dx, dy, norm = 1.0, -1.0, float(np.sqrt(2))
    return {"x": 1.9 * dx / norm, "y": 1.9 * dy / norm, "z": 1.3}


def surface_3d(surface: Surface, paths: Sequence[Path], names: Sequence[str], labels: dict[str, str]) -> go.Figure:
    """The surface in 3-D with every path lying on it."""
    xs, ys, Zd, floor = _grid(surface)
    fig = go.Figure()
    fig.add_trace(go.Surface(x=xs, y=ys, z=Zd, colorscale=COLORSCALE, showscale=False, opacity=0.75,
                             name=labels["value"], hoverinfo="skip"))  # fmt: skip
    idx = sample_steps(max((p.steps for p in paths), default=0), MAX_POINTS)
    shown = Zd[np.isfinite(Zd)]  # a pole's ±∞ must not lift the paths to infinity
    lift = LIFT_3D * float(shown.max() - shown.min()) if shown.size else 0.0  # float the paths just above the surface
    for i, (path, name) in enumerate(zip(paths, names, strict=True)):
        pts = path.positions[np.minimum(idx, path.steps)]
        z = surface.display(path.losses[np.minimum(idx, path.steps)], floor) + lift
        fig.add_trace(go.Scatter3d(x=pts[:, 0], y=pts[:, 1], z=z, mode="lines+markers", name=name,
                                   line={"color": color(i), "width": 5}, marker={"size": 2, "color": color(i)}))  # fmt: skip
    for mx, my in surface.minima:
        z = surface.display(np.asarray(surface.value(np.array([mx]), np.array([my]))), floor) + lift
        fig.add_trace(go.Scatter3d(x=[mx], y=[my], z=z, mode="markers", name=labels["minimum"], showlegend=False,
                                   marker={"size": 6, "color": "white", "symbol": "diamond",
                                           "line": {"color": "black", "width": 1}}))  # fmt: skip
    style(fig, height=560)
    z_title = labels["log_value"] if surface.log_color else labels["value"]
    fig.update_layout(scene={"xaxis_title": labels["x"], "yaxis_title": labels["y"], "zaxis_title": z_title,
                             "camera": {"eye": _eye(surface, paths)},
                             "aspectmode": "manual", "aspectratio": {"x": 1, "y": 1, "z": 0.6}},
                      margin={"l": 0, "r": MODEBAR_MARGIN, "t": 30, "b": 0})  # fmt: skip
    return fig


def loss_chart(surface: Surface, paths: Sequence[Path], names: Sequence[str], labels: dict[str, str]) -> go.Figure:
    """f − f* per step on a log axis (plain f where no minimum is known)."""
    log_scale = surface.f_min is not None
    y_title = labels["gap"] if log_scale else labels["value"]
    fig = go.Figure()
    style(fig, x=labels["step"], y=y_title, height=360)
    for i, (path, name) in enumerate(zip(paths, names, strict=True)):
        values, _ = gap(path, surface)
        fig.add_trace(go.Scatter(y=values, mode="lines", name=name, line={"color": color(i)}))
    if log_scale:
        log_y(fig)
    return fig


def distance_chart(paths: Sequence[Path], names: Sequence[str], labels: dict[str, str]) -> go.Figure:
    fig = go.Figure()
    style(fig, x=labels["step"], y=labels["distance"], height=360)
    for i, (path, name) in enumerate(zip(paths, names, strict=True)):
        fig.add_trace(go.Scatter(y=path.distance, mode="lines", name=name, line={"color": color(i)}))
    log_y(fig)
    return fig


def lr_chart(paths: Sequence[Path], names: Sequence[str], labels: dict[str, str], *, log: bool = False) -> go.Figure:
    """Every run's learning rate against the step, overlaid."""
    fig = go.Figure()
    style(fig, x=labels["step"], y=labels["lr"], height=380)
    for i, (path, name) in enumerate(zip(paths, names, strict=True)):
        fig.add_trace(go.Scatter(x=np.arange(path.steps), y=path.lrs, mode="lines", name=name,
                                 line={"color": color(i), "width": 2}))  # fmt: skip
    if log:
        log_y(fig)
    return fig


def two_panel(surface: Surface, paths: Sequence[Path], names: Sequence[str], labels: dict[str, str]) -> go.Figure:
    """The course's figure: paths on the contour (left) and their learning rates (right), animated."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, column_widths=[0.55, 0.45], horizontal_spacing=0.08,
                        subplot_titles=(labels["paths"], labels["lr"]))  # fmt: skip
    fig.add_layout_image(_background(surface), row=1, col=1)
    steps = max((p.steps for p in paths), default=0)
    idx = sample_steps(steps, MAX_POINTS)
    first = len(fig.data)
    for i, (path, name) in enumerate(zip(paths, names, strict=True)):
        pts = path.positions[np.minimum(idx, path.steps)]
        fig.add_trace(go.Scatter(x=pts[:, 0], y=pts[:, 1], mode="lines+markers", name=name, legendgroup=name,
                                 line={"color": color(i), "width": 2}, marker={"size": 3}), 1, 1)  # fmt: skip
        fig.add_trace(go.Scatter(x=np.arange(path.steps), y=path.lrs, mode="lines", name=name, legendgroup=name,
                                 showlegend=False, line={"color": color(i), "width": 2}), 1, 2)  # fmt: skip
        last = path.steps - 1
        fig.add_trace(go.Scatter(x=[last], y=[path.lrs[last]], mode="markers", showlegend=False, hoverinfo="skip",
                                 marker={"size": 10, "color": color(i), "line": {"color": "white", "width": 2}}),
                      1, 2)  # fmt: skip
    for trace in _markers(surface, labels):
        fig.add_trace(trace, 1, 1)
    style(fig, height=540)
    fig.update_layout(margin={"t": 110}, legend={"y": 1.12})
    fig.update_annotations(yshift=4)  # subplot titles sit between the legend and the panels
    (x0, x1), (y0, y1) = surface.bounds
    fig.update_xaxes(range=[x0, x1], title_text=labels["x"], showgrid=False, zeroline=False, row=1, col=1)
    fig.update_yaxes(range=[y0, y1], title_text=labels["y"], showgrid=False, zeroline=False, row=1, col=1)
    fig.update_xaxes(title_text=labels["step"], row=1, col=2)
    fig.update_layout(hovermode="closest")
    if not paths or steps == 0:
        return fig

    def lr_dot(j: int, path: Path, k: int, pts: np.ndarray):
        s = int(min(k, path.steps - 1))
        return first + 3 * j, go.Scatter(x=[s], y=[path.lrs[s]]), first + 3 * j + 2

    _grow_frames(fig, paths, idx, lr_dot, labels, top=-0.1, margin={"b": 120, "t": 110})
    return fig
