"""Drawings for the backpropagation page: a computational graph as Graphviz DOT, the h-error curve.

`st.graphviz_chart` lays the DOT out in the browser (Graphviz compiled to WebAssembly, shipped
inside Streamlit's own bundle), so drawing a graph needs no Python package and no network.
"""

from __future__ import annotations

import hashlib
import html
import math
from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from core.backprop.gradcheck import ErrorCurve
from core.backprop.graph import Trace
from ui.charts import FONT, color, house_layout

SYMBOLS = {"add": "+", "sub": "−", "mul": "×", "div": "÷", "pow": "^", "neg": "−"}
GRAD = "#D62728"  # gradients in red, as in the course's figures
ACTIVE = "#FDE2C4"
VAR = "#DCE8F5"
OP = "#F4F4F4"
MUTED = "#9A9A9A"
FONT_NAME = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"


def _number(value: float) -> str:
    return f"{value:.4g}".replace("-", "−")


def _cell(text: str, *, color: str | None = None, bold: bool = False, size: int | None = None) -> str:
    body = html.escape(text)
    if bold:
        body = f"<B>{body}</B>"
    attrs = "".join([f' COLOR="{color}"' if color else "", f' POINT-SIZE="{size}"' if size else ""])
    if attrs:
        body = f"<FONT{attrs}>{body}</FONT>"
    return f"<TR><TD>{body}</TD></TR>"


def graph_dot(trace: Trace, step: int, captions: Mapping[int, str], *, show_grads: bool = True) -> str:
    """DOT for the graph at backward step `step` (0: forward values only; k ≥ 1: after step k−1).

    Every node shows its forward value and, once the backward pass has reached it, its
    gradient (red). The node being visited is highlighted, and the edges carrying its
    gradient back to its inputs are drawn red and labelled with what they carry.

    Node names carry a tag of the drawing (``k<hash>_3``, see `_tagged`): Streamlit's renderer
    (d3-graphviz) matches each element to the previous drawing's by its name and, for every
    matched edge, samples both paths pixel by pixel (``getPointAtLength``) to tween one into
    the other, about 300 ms of the browser's time a step on the 2-core machine, with no
    option to turn it off. A name new to every drawing matches nothing: the new SVG replaces
    the old one.

    Args:
        captions: node index → a translated caption (built-in graphs' node names).
    """
    if not 0 <= step <= len(trace.steps):
        raise ValueError(f"step {step} is outside [0, {len(trace.steps)}]")
    nodes = trace.graph.nodes
    out = nodes[trace.graph.output].text
    grads = trace.steps[step - 1].grads if step else (None,) * len(nodes)
    active = trace.steps[step - 1] if step else None
    lines = [
        "digraph G {",
        f'  graph [rankdir=LR, bgcolor="transparent", nodesep=0.25, ranksep=0.45, fontname="{FONT_NAME}"];',
        f'  node [shape=box, style="rounded,filled", fontname="{FONT_NAME}", fontsize=12, margin="0.08,0.04",'
        f' color="#8A8A8A", fillcolor="{OP}"];',
        f'  edge [color="#7A7A7A", arrowsize=0.7, fontname="{FONT_NAME}", fontsize=11];',
    ]
    for i, node in enumerate(nodes):
        if node.op == "const":
            lines.append(
                f'  {N}{i} [label="{html.escape(node.text)}", shape=plaintext, style="", fontcolor="#555555"];'
            )
            continue
        rows = []
        head = node.text if node.op == "var" else f"{SYMBOLS.get(node.op, node.op)}   {node.text}"
        rows.append(_cell(head, bold=True, size=14))
        if i in captions:
            rows.append(_cell(captions[i], color="#555555", size=10))
        rows.append(_cell(f"= {_number(trace.values[i])}"))
        if show_grads and step:
            g = grads[i]
            shown = f"∂{out}/∂{node.text} = {_number(g)}" if g is not None else f"∂{out}/∂{node.text} = ?"
            rows.append(_cell(shown, color=GRAD if g is not None else MUTED))
        fill = ACTIVE if active is not None and active.node == i else (VAR if node.op == "var" else OP)
        pen = ', penwidth=2.2, color="#F58518"' if active is not None and active.node == i else ""
        table = '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">' + "".join(rows) + "</TABLE>"
        tip = f', tooltip="{html.escape(node.source)}"' if node.source else ""
        lines.append(f'  {N}{i} [label=<{table}>, fillcolor="{fill}"{pen}{tip}, id="bp-node-{i}"];')
    sent = {}
    if active is not None and active.contributions:  # the seed step sends nothing
        node = nodes[active.node]
        for j, c in zip(node.inputs, active.contributions, strict=True):
            if not math.isnan(c):
                sent[(j, active.node)] = sent.get((j, active.node), 0.0) + c
    for i, node in enumerate(nodes):
        for j in dict.fromkeys(node.inputs):  # x·x: one edge
            style = ' style="dashed"' if nodes[j].op == "const" else ""
            if (j, i) in sent:
                label = html.escape(f"← {_number(sent[(j, i)])}")
                lines.append(
                    f'  {N}{j} -> {N}{i} [color="{GRAD}", penwidth=2.2, fontcolor="{GRAD}", label=" {label} "{style}];'
                )
            else:
                lines.append(f"  {N}{j} -> {N}{i} [{style.strip()}];" if style else f"  {N}{j} -> {N}{i};")
    lines.append("}")
    return _tagged("\n".join(lines))


N = "\x00"  # stands for a node name's prefix until the drawing is complete (never in an escaped label)


def _tagged(dot: str) -> str:
    """`dot` with every node name prefixed by a tag of its content: k<6 hex digits>_."""
    tag = hashlib.blake2s(dot.encode(), digest_size=3).hexdigest()
    return dot.replace(N, f"k{tag}_")


def error_curve_figure(curve: ErrorCurve, h: float, labels: Mapping[str, str]) -> go.Figure:
    """Error of the central difference against h on log–log axes, one line per precision.

    Built in one go from plain dicts in the house style (`ui.charts.house_layout`; no
    ``add_vline``, whose validation cost more than the rest of the section).

    Args:
        labels: ``x``, ``y`` axis titles, ``chosen`` (the chosen h), ``best`` ("best {h}")
            and each precision's legend text by its name.
    """
    hs = curve.h.numpy()
    traces, shapes, notes = [], [], []
    for k, (precision, errors) in enumerate(curve.errors.items()):
        traces.append({
            "type": "scatter", "x": hs, "y": errors.numpy(), "name": labels[precision], "mode": "lines+markers",
            "marker": {"size": 4}, "line": {"color": color(k), "width": 2.5},
        })  # fmt: skip
        best = curve.best_h(precision)
        shapes.append(_vline(best, color(k), "dot", 1))
        notes.append({
            "x": math.log10(best), "y": 0.97 - 0.07 * k, "yref": "paper", "xanchor": "left", "showarrow": False,
            "text": labels["best"].format(h=f"{best:.0e}"), "font": {"color": color(k), "family": FONT},
        })  # fmt: skip
    shapes.append(_vline(h, "#333333", "solid", 1.5))
    notes.append({
        "x": math.log10(h), "y": 1, "yref": "paper", "text": labels["chosen"], "showarrow": False,
        "yanchor": "bottom", "font": {"family": FONT},
    })  # fmt: skip
    layout = {
        **house_layout(None, 440), "hovermode": "closest",
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.06, "x": 0},  # above the chosen h's label
        "xaxis": {"type": "log", "exponentformat": "power", "title": {"text": labels["x"]}},
        "yaxis": {"type": "log", "exponentformat": "power", "title": {"text": labels["y"]}},
        "shapes": shapes, "annotations": notes,
    }  # fmt: skip
    return go.Figure(data=traces, layout=layout)


def _vline(x: float, color: str, dash: str, width: float) -> dict:
    return {"type": "line", "x0": x, "x1": x, "y0": 0, "y1": 1, "yref": "paper",
            "line": {"color": color, "dash": dash, "width": width}}  # fmt: skip


def matrix_frame(tensor) -> pd.DataFrame:
    """A vector or matrix as a table of 6-decimal strings (plain strings: a Styler costs ~30 ms)."""
    values = tensor.detach().double().numpy()
    rows = values[None, :] if values.ndim == 1 else values
    return pd.DataFrame([[f"{v:.6f}" for v in row] for row in rows])
