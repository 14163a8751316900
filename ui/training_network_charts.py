"""Figures of the neuron view: the network (one small heatmap per neuron, weights as lines), a neuron's
incoming weights and activation histogram, and the per-layer gradient norms over steps.

Only drawing: every number comes from a snapshot's ``neurons`` and ``grads`` (`core.train.neurons`,
`core.train.gradients`). Built with `ui.live.quick_figure` (no validation): redrawn twice a second.
The network (every node's map and the weights' lines) is drawn into one PNG, placed as one layout image
(`board`), under an invisible marker per neuron for hover and clicks: the browser decodes one picture per
redraw (as ~40 heatmap traces, plotly's redraw of a 4 × 8 network kept a busy machine's browser from
answering clicks; as ~40 layout images and 8 line traces it still took ~0.3 s), and a picture needs no hover.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from ui import charts
from ui.i18n import t
from ui.live import log_axis, quick_figure
from ui.spec_charts import pair_axes

# TensorFlow Playground's colours: orange for negative, blue for positive, near-white around 0.
NEG, MID, POS = "#f59322", "#e8eaeb", "#0877bd"
NODE, COL_GAP, ROW_GAP = 1.0, 3.0, 1.2  # node side, column and row pitch (plot units)
WIDTH_BINS = 4  # line widths drawn: |w| in four steps, as Playground's few widths
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


def centres(sizes: list[int]) -> list[list[tuple[float, float]]]:
    """Node centres per column (inputs, hidden layers…, output), each column centred vertically."""
    tallest = max(sizes)
    out = []
    for c, n in enumerate(sizes):
        top = (tallest - n) / 2 * ROW_GAP
        out.append([(c * COL_GAP, -(top + r * ROW_GAP)) for r in range(n)])
    return out


SUPERSAMPLE = 2  # the board is drawn at twice its size and shrunk: smooth lines without an anti-aliasing library
LINE_OPACITY = 0.55  # the weights' lines, as Playground draws them (blended with the white page beforehand)
JPEG_QUALITY = 90  # the board is sent as a JPEG: ~10× quicker to encode than a PNG of it, a third of the bytes


def edges(weights: list[np.ndarray], nodes: list[list[tuple[float, float]]]) -> list[tuple[float, ...]]:
    """One line per weight from a node's right edge to the next column's left edge:
    (x0, y0, x1, y1, w ≥ 0, width in px), wider for larger |w| (WIDTH_BINS widths)."""
    top = max((float(np.abs(w).max()) for w in weights if w.size), default=1.0) or 1.0
    out = []
    for c, w in enumerate(weights):  # w: (n_out, n_in) from column c to column c + 1
        for i in range(w.shape[0]):
            for j in range(w.shape[1]):
                (x0, y0), (x1, y1) = nodes[c][j], nodes[c + 1][min(i, len(nodes[c + 1]) - 1)]
                b = min(int(abs(w[i, j]) / top * WIDTH_BINS), WIDTH_BINS - 1)
                out.append(
                    (x0 + NODE / 2, y0, x1 - NODE / 2, y1, w[i, j] >= 0, 0.4 + MAX_LINE_PX * (b + 0.5) / WIDTH_BINS)
                )
    return out


def board(pictures: list[tuple[np.ndarray, float, float]], lines: list[tuple[float, ...]]) -> dict:
    """The whole network as one picture placed as one layout image: every node's picture (RGB (G, G, 3), row 0 at
    the bottom, centred at (cx, cy)) and the weights' lines between them, on the chart's white.

    A redraw then changes one picture and no trace: with a picture per node and the lines as traces, plotly
    redrew ~40 images and 8 traces twice a second, which took most of a 2-core machine's browser. It is drawn
    in RGB and sent as a JPEG: a transparent PNG of it cost the server ~25 ms a redraw, ~5 ms now."""
    g = min(p.shape[0] for p, _, _ in pictures)  # the neuron maps' grid (the decision map is finer: shrunk to it)
    x0 = min(cx for _, cx, _ in pictures) - NODE / 2
    top = max(cy for _, _, cy in pictures) + NODE / 2
    width = round((max(cx for _, cx, _ in pictures) + NODE / 2 - x0) * g / NODE)
    height = round((top - min(cy for _, _, cy in pictures) + NODE / 2) * g / NODE)
    k = SUPERSAMPLE
    scale = k * g / NODE  # board pixels per plot unit
    layer = Image.new("RGB", (k * width, k * height), (255, 255, 255))
    pen = ImageDraw.Draw(layer)
    for xa, ya, xb, yb, positive, px in lines:
        colour = tuple(int(c) for c in 255 + (_rgb(POS if positive else NEG) - 255) * LINE_OPACITY)
        pen.line([((xa - x0) * scale, (top - ya) * scale), ((xb - x0) * scale, (top - yb) * scale)], fill=colour,
                 width=max(1, round(px * k)))  # fmt: skip
    canvas = np.asarray(layer.resize((width, height), Image.Resampling.BOX)).copy()
    for rgb, cx, cy in pictures:
        if rgb.shape[0] != g:  # a node of another resolution (the decision map): nearest neighbours, g × g
            index = np.arange(g) * rgb.shape[0] // g
            rgb = rgb[index][:, index]
        left, row = round((cx - NODE / 2 - x0) * g / NODE), round((top - cy - NODE / 2) * g / NODE)
        canvas[row : row + g, left : left + g] = rgb[::-1]  # the picture's row 0 is its bottom
    buffer = io.BytesIO()
    Image.fromarray(canvas, "RGB").save(buffer, format="JPEG", quality=JPEG_QUALITY)
    source = "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return {"source": source, "xref": "x", "yref": "y", "x": x0, "y": top, "sizex": width * NODE / g,
            "sizey": height * NODE / g, "sizing": "stretch", "layer": "above"}  # fmt: skip


def network_figure(view: dict[str, Any], boundary: dict | None, n_classes: int, selected: tuple[int, int] | None):
    """The network as TensorFlow Playground draws it: input features, hidden neurons, the output's decision map."""
    layers = view["layers"]
    sizes = [len(view["inputs"])] + [lay["maps"].shape[0] for lay in layers] + [1]
    nodes = centres(sizes)
    weights = [w["weight"] for w in view["weights"]]
    if weights and weights[-1].shape[0] > 1:  # several output logits into one output node: their norm, unsigned
        weights[-1] = np.linalg.norm(weights[-1], axis=0, keepdims=True)
    traces = []
    rgb = diverging(view["input_maps"])
    pictures = [(rgb[k], *nodes[0][k]) for k in range(rgb.shape[0])]
    picks_x, picks_y, custom, hover = [], [], [], []
    for li, lay in enumerate(layers, start=1):
        rgb = diverging(lay["maps"])
        for u in range(rgb.shape[0]):
            cx, cy = nodes[li][u]
            pictures.append((rgb[u], cx, cy))
            picks_x.append(cx)
            picks_y.append(cy)
            custom.append([li, u + 1])
            hover.append(t("training.network.neuron_label", layer=li, unit=u + 1))
    if boundary is not None:
        palette = np.stack([_rgb(charts.color(k)) for k in range(max(n_classes, 2))])
        rgb = 0.45 * palette[np.asarray(boundary["label"], dtype=np.int64)] + 0.55 * 255  # the map's light tint
        pictures.append((rgb.astype(np.uint8), *nodes[-1][0]))
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
                               NODE, max(tops) + 0.4]}, shapes=shapes, annotations=notes, images=[board(pictures, edges(weights, nodes))],
                        showlegend=False, dragmode="zoom", clickmode="event+select", margin={"l": 10, "r": 10, "t": 40, "b": 10})  # fmt: skip


def neuron_figure(view: dict[str, Any], layer: int, unit: int):
    """Neuron `unit` of hidden `layer` (1-based): its incoming weights (and bias) as bars coloured by sign, beside
    its activations on the training points (the snapshot's histogram). One figure of two panels (`pair_axes`):
    each plotly figure costs the browser its own redraw."""
    w = view["weights"][layer - 1]
    values = list(w["weight"][unit - 1]) + [float(w["bias"][unit - 1])]
    if layer == 1:
        sources = [FEATURE_TEXT.get(n, n) for n in view["inputs"]]
    else:
        sources = [t("training.network.neuron_label", layer=layer - 1, unit=j + 1) for j in range(len(values) - 1)]
    names = sources + [t("training.network.bias")]
    bars = {"type": "bar", "x": names, "y": np.asarray(values), "marker": {"color": [POS if v >= 0 else NEG for v in values]},
            "hovertemplate": "%{x}: %{y:.3g}<extra></extra>"}  # fmt: skip
    lay = view["layers"][layer - 1]
    counts, edges = lay["hist"][unit - 1], lay["edges"][unit - 1]
    hist = {"type": "bar", "x": (edges[:-1] + edges[1:]) / 2, "y": counts, "width": np.diff(edges), "xaxis": "x2",
            "yaxis": "y2", "marker": {"color": charts.color(0)}, "hovertemplate": "%{x:.3g}: %{y}<extra></extra>"}  # fmt: skip
    pair = pair_axes((t("training.network.weights"), t("training.network.hist")))
    return quick_figure([bars, hist], title=t("training.network.neuron_label", layer=layer, unit=unit).capitalize(),
                        height=300, showlegend=False, bargap=0, hovermode="closest", annotations=pair["annotations"],
                        xaxis={**pair["xaxis"], "type": "category"},
                        yaxis={**pair["yaxis"], "title": {"text": t("training.network.weight")}},
                        xaxis2={**pair["xaxis2"], "title": {"text": t("training.network.value")}},
                        yaxis2={**pair["yaxis2"], "title": {"text": t("training.network.count")}},
                        margin={"l": 50, "r": 40, "t": 75, "b": 45})  # fmt: skip


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
