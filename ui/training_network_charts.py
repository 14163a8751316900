"""Figures of the neuron view: the network (one small heatmap per neuron, weights as lines), a neuron's
incoming weights and activation histogram, and the per-layer gradient norms over steps.

Only drawing: every number comes from a snapshot's ``neurons`` and ``grads`` (`core.train.neurons`,
`core.train.gradients`). Built with `ui.live.quick_figure` (no validation): redrawn twice a second.
Each neuron's map is a small PNG placed as a layout image: the browser only pastes ~40 pictures per
redraw (as ~40 heatmap traces, plotly's redraw of a 4 × 8 network kept a busy machine's browser
from answering clicks), and a picture needs no hover.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np
from PIL import Image

from ui import charts
from ui.i18n import t
from ui.live import log_axis, quick_figure

# TensorFlow Playground's colours: orange for negative, blue for positive, near-white around 0.
NEG, MID, POS = "#f59322", "#e8eaeb", "#0877bd"
NODE, COL_GAP, ROW_GAP = 1.0, 3.0, 1.2  # node side, column and row pitch (plot units)
WIDTH_BINS = 4  # line widths drawn (one trace per sign and width: a handful of traces, not one per weight)
MAX_LINE_PX = 5.0
ROW_PX = 44  # figure height per neuron row
FEATURE_TEXT = {"x1": "x₁", "x2": "x₂", "x1_sq": "x₁²", "x2_sq": "x₂²", "x1x2": "x₁x₂", "sin_x1": "sin x₁",
                "sin_x2": "sin x₂"}  # fmt: skip


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[k : k + 2], 16) for k in (1, 3, 5)], dtype=np.float64)


def diverging(maps: np.ndarray) -> np.ndarray:
    """Maps (…, G, G) → RGB (…, G, G, 3) uint8: orange below 0, near-white at 0, blue above, scaled by max|v|."""
    m = float(np.nanmax(np.abs(maps))) if maps.size else 1.0
    v = np.nan_to_num(maps / (m if np.isfinite(m) and m > 0 else 1.0))[..., None]
    neg, mid, pos = _rgb(NEG), _rgb(MID), _rgb(POS)
    return np.clip(np.where(v < 0, mid + (neg - mid) * -v, mid + (pos - mid) * v), 0, 255).astype(np.uint8)


def png(rgb: np.ndarray) -> str:
    """An (G, G, 3) picture whose row 0 is the bottom (a heatmap's layout) as a PNG data URI."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb[::-1])).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def centres(sizes: list[int]) -> list[list[tuple[float, float]]]:
    """Node centres per column (inputs, hidden layers…, output), each column centred vertically."""
    tallest = max(sizes)
    out = []
    for c, n in enumerate(sizes):
        top = (tallest - n) / 2 * ROW_GAP
        out.append([(c * COL_GAP, -(top + r * ROW_GAP)) for r in range(n)])
    return out


def _node(rgb: np.ndarray, cx: float, cy: float) -> dict:
    """A node's picture as a layout image centred at (cx, cy), NODE wide."""
    return {"source": png(rgb), "xref": "x", "yref": "y", "x": cx - NODE / 2, "y": cy + NODE / 2, "sizex": NODE,
            "sizey": NODE, "sizing": "stretch", "layer": "above"}  # fmt: skip


def _edges(weights: list[np.ndarray], nodes: list[list[tuple[float, float]]]) -> list[dict]:
    """Lines from each node's right edge to the next column's left edges, grouped by sign and |w| bin."""
    top = max((float(np.abs(w).max()) for w in weights if w.size), default=1.0) or 1.0
    groups: dict[tuple[bool, int], list] = {}
    for c, w in enumerate(weights):  # w: (n_out, n_in) from column c to column c + 1
        for i in range(w.shape[0]):
            for j in range(w.shape[1]):
                (x0, y0), (x1, y1) = nodes[c][j], nodes[c + 1][min(i, len(nodes[c + 1]) - 1)]
                b = min(int(abs(w[i, j]) / top * WIDTH_BINS), WIDTH_BINS - 1)
                groups.setdefault((w[i, j] >= 0, b), []).extend([(x0 + NODE / 2, y0), (x1 - NODE / 2, y1), None])
    traces = []
    for (positive, b), pts in sorted(groups.items()):
        xs = [p[0] if p else None for p in pts]
        ys = [p[1] if p else None for p in pts]
        traces.append({"type": "scatter", "mode": "lines", "x": xs, "y": ys, "hoverinfo": "skip", "showlegend": False,
                       "line": {"color": POS if positive else NEG, "width": 0.4 + MAX_LINE_PX * (b + 0.5) / WIDTH_BINS},
                       "opacity": 0.55})  # fmt: skip
    return traces


def network_figure(view: dict[str, Any], boundary: dict | None, n_classes: int, selected: tuple[int, int] | None):
    """The network as TensorFlow Playground draws it: input features, hidden neurons, the output's decision map."""
    layers = view["layers"]
    sizes = [len(view["inputs"])] + [lay["maps"].shape[0] for lay in layers] + [1]
    nodes = centres(sizes)
    weights = [w["weight"] for w in view["weights"]]
    if weights and weights[-1].shape[0] > 1:  # several output logits into one output node: their norm, unsigned
        weights[-1] = np.linalg.norm(weights[-1], axis=0, keepdims=True)
    traces = _edges(weights, nodes)
    rgb = diverging(view["input_maps"])
    images = [_node(rgb[k], *nodes[0][k]) for k in range(rgb.shape[0])]
    picks_x, picks_y, custom, hover = [], [], [], []
    for li, lay in enumerate(layers, start=1):
        rgb = diverging(lay["maps"])
        for u in range(rgb.shape[0]):
            cx, cy = nodes[li][u]
            images.append(_node(rgb[u], cx, cy))
            picks_x.append(cx)
            picks_y.append(cy)
            custom.append([li, u + 1])
            hover.append(t("training.network.neuron_label", layer=li, unit=u + 1))
    if boundary is not None:
        palette = np.stack([_rgb(charts.color(k)) for k in range(max(n_classes, 2))])
        rgb = 0.45 * palette[np.asarray(boundary["label"], dtype=np.int64)] + 0.55 * 255  # the map's light tint
        images.append(_node(rgb.astype(np.uint8), *nodes[-1][0]))
    traces.append({"type": "scatter", "mode": "markers", "x": picks_x, "y": picks_y, "customdata": custom,
                   "text": hover, "hovertemplate": "%{text}<extra></extra>", "showlegend": False, "name": "pick",
                   "marker": {"size": 40, "symbol": "square", "opacity": 0}, "selected": {"marker": {"opacity": 0}},
                   "unselected": {"marker": {"opacity": 0}}})  # fmt: skip
    shapes = []
    if selected is not None and 1 <= selected[0] <= len(layers) and 1 <= selected[1] <= sizes[selected[0]]:
        cx, cy = nodes[selected[0]][selected[1] - 1]
        h = NODE / 2 + 0.08
        shapes.append({"type": "rect", "x0": cx - h, "x1": cx + h, "y0": cy - h, "y1": cy + h,
                       "line": {"color": "#222", "width": 2}})  # fmt: skip
    tops = [max(y for _, y in col) + NODE / 2 + 0.35 for col in nodes]
    titles = [t("training.network.inputs")] + [t("training.network.layer", k=k) for k in range(1, len(layers) + 1)]
    titles.append(t("training.network.output"))
    notes = [{"x": nodes[c][0][0], "y": tops[c], "text": s, "showarrow": False, "font": {"size": 12}}
             for c, s in enumerate(titles)]  # fmt: skip
    notes += [{"x": x - NODE / 2 - 0.1, "y": y, "text": FEATURE_TEXT.get(name, name), "xanchor": "right",
               "showarrow": False} for (x, y), name in zip(nodes[0], view["inputs"], strict=True)]  # fmt: skip
    hidden_axis = {"visible": False, "showgrid": False, "zeroline": False}
    height = max(260, ROW_PX * max(sizes) + 60)
    return quick_figure(traces, title=t("training.network.title"), height=height, hovermode="closest",
                        xaxis={**hidden_axis, "range": [-1.4, (len(sizes) - 1) * COL_GAP + 0.7]},
                        yaxis={**hidden_axis, "scaleanchor": "x", "range": [min(y for col in nodes for _, y in col) -
                               NODE, max(tops) + 0.4]}, shapes=shapes, annotations=notes, images=images,
                        showlegend=False, dragmode="zoom", clickmode="event+select", margin={"l": 10, "r": 10, "t": 40, "b": 10})  # fmt: skip


def incoming_figure(view: dict[str, Any], layer: int, unit: int):
    """Neuron `unit` of hidden `layer` (1-based): its incoming weights (and bias) as bars, coloured by sign."""
    w = view["weights"][layer - 1]
    values = list(w["weight"][unit - 1]) + [float(w["bias"][unit - 1])]
    if layer == 1:
        sources = [FEATURE_TEXT.get(n, n) for n in view["inputs"]]
    else:
        sources = [t("training.network.neuron_label", layer=layer - 1, unit=j + 1) for j in range(len(values) - 1)]
    names = sources + [t("training.network.bias")]
    name = t("training.network.neuron_label", layer=layer, unit=unit)
    bar = {"type": "bar", "x": names, "y": np.asarray(values), "marker": {"color": [POS if v >= 0 else NEG for v in values]},
           "hovertemplate": "%{x}: %{y:.3g}<extra></extra>"}  # fmt: skip
    return quick_figure([bar], title=t("training.network.weights", name=name), y=t("training.network.weight"),
                        height=260, xaxis={"type": "category"})  # fmt: skip


def histogram_figure(view: dict[str, Any], layer: int, unit: int):
    """The neuron's activations on the training points, as the snapshot's histogram."""
    lay = view["layers"][layer - 1]
    counts, edges = lay["hist"][unit - 1], lay["edges"][unit - 1]
    centre = (edges[:-1] + edges[1:]) / 2
    bar = {"type": "bar", "x": centre, "y": counts, "width": np.diff(edges), "marker": {"color": charts.color(0)},
           "hovertemplate": "%{x:.3g}: %{y}<extra></extra>"}  # fmt: skip
    name = t("training.network.neuron_label", layer=layer, unit=unit)
    return quick_figure([bar], title=t("training.network.hist", name=name), x=t("training.network.value"),
                        y=t("training.network.count"), height=260, bargap=0)  # fmt: skip


def gradient_figure(grads: dict[str, Any], changes: list[dict] | None = None):
    """‖∂L/∂W‖₂ of each layer over the steps (log axis), one line per layer, input side first."""
    norms, steps = np.asarray(grads["norms"]), np.asarray(grads["steps"])
    n = max(len(grads["layers"]) - 1, 1)
    traces = []
    for k, name in enumerate(grads["layers"]):
        label = t("training.network.layer", k=k + 1) if name != "out" else t("training.network.output")
        traces.append({"type": "scatter", "mode": "lines", "x": steps, "y": norms[:, k], "name": label,
                       "line": {"color": _blend(k / n), "width": 1.5}})  # fmt: skip
    finite = norms[np.isfinite(norms) & (norms > 0)]
    return quick_figure(traces, title=t("training.grads.title"), x=t("training.charts.step"), y=t("training.grads.y"),
                        height=300, yaxis=log_axis(finite.tolist()[:: max(1, finite.size // 500)]),
                        shapes=change_lines(changes))  # fmt: skip


def _blend(f: float) -> str:
    """From the input side (light) to the output (dark) along the house's first colour."""
    a, b = np.array([158, 202, 225]), np.array([8, 48, 107])
    r, g, bl = (a + (b - a) * f).astype(int)
    return f"rgb({r},{g},{bl})"


def change_lines(changes: list[dict] | None) -> list[dict]:
    """Dashed vertical lines at the steps where the learner changed a setting (one per step)."""
    steps = sorted({c["step"] for c in changes or []})
    return [{"type": "line", "xref": "x", "yref": "paper", "x0": s, "x1": s, "y0": 0, "y1": 1,
             "line": {"color": "#888", "width": 1, "dash": "dash"}} for s in steps]  # fmt: skip
