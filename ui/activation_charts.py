"""Plotly figures and formatted facts for the activations page (f and f′, comparisons, softmax, fits, depth)."""

from __future__ import annotations

import math
from collections.abc import Mapping

import plotly.graph_objects as go
import torch

from ui.charts import color, figure, log_y
from ui.i18n import t

FAMILY = "activations"


def _p(text_key: str, **params) -> str:
    return t(f"{FAMILY}.page.{text_key}", **params)


def curve(x: torch.Tensor, y: torch.Tensor, dy: torch.Tensor, title: str) -> go.Figure:
    """f and f′ of one activation."""
    fig = figure(_p("chart_title", name=title), x=_p("x_axis"))
    fig.add_trace(go.Scatter(x=x.numpy(), y=y.numpy(), name=_p("f"), line={"color": color(0), "width": 3}))
    fig.add_trace(go.Scatter(x=x.numpy(), y=dy.numpy(), name=_p("df"), line={"color": color(1), "dash": "dash"}))
    return fig


def compare(curves: Mapping[str, tuple], index: int, what: str, titles: Mapping[str, str]) -> go.Figure:
    """Several activations' f (`index` 1) or f′ (`index` 2) on one axis."""
    fig = figure(_p(f"compare_{what}"), x=_p("x_axis"))
    for i, (name, c) in enumerate(curves.items()):
        fig.add_trace(go.Scatter(x=c[0].numpy(), y=c[index].numpy(), name=titles[name], line={"color": color(i)}))
    return fig


def softmax(labels: list[str], plain: torch.Tensor, probs: torch.Tensor, temperature: float) -> go.Figure:
    """Softmax at T = 1 beside softmax at the learner's T."""
    fig = figure(x=_p("class"), y=_p("probability"), height=380)
    fig.add_trace(go.Bar(x=labels, y=plain.numpy(), name=_p("at_one"), marker_color=color(9)))
    fig.add_trace(go.Bar(x=labels, y=probs.numpy(), name=_p("at_temperature", t=f"{temperature:g}"),
                         marker_color=color(0)))  # fmt: skip
    fig.update_layout(barmode="group", hovermode="closest", yaxis_range=[0, 1])
    return fig


def fits(plain, curved, layers: int, title: str) -> tuple[go.Figure, go.Figure]:
    """The sine target with the linear stack's and the activated stack's fit, and their loss curves."""
    without = _p("nonlinear_without", layers=layers)
    fig = figure(x="x", y="y")
    fig.add_trace(go.Scatter(x=plain.x.numpy(), y=plain.target.numpy(), name=_p("nonlinear_target"), mode="markers",
                             marker={"color": color(9), "size": 5}))  # fmt: skip
    fig.add_trace(go.Scatter(x=plain.x.numpy(), y=plain.prediction.numpy(), name=without,
                             line={"color": color(3), "width": 3}))  # fmt: skip
    fig.add_trace(go.Scatter(x=curved.x.numpy(), y=curved.prediction.numpy(),
                             name=_p("nonlinear_with", layers=layers, name=title), line={"color": color(0), "width": 3}))  # fmt: skip
    loss_fig = figure(_p("nonlinear_loss"), x=_p("step"))
    loss_fig.add_trace(go.Scatter(y=plain.losses, name=without, line={"color": color(3)}))
    loss_fig.add_trace(go.Scatter(y=curved.losses, name=title, line={"color": color(0)}))
    log_y(loss_fig)
    return fig, loss_fig


def depth(result: Mapping[str, torch.Tensor], bound: torch.Tensor, titles: Mapping[str, str]) -> go.Figure:
    """|∏ f′| after k layers for each activation, with the sigmoid's 0.25ᵏ bound, on a log axis."""
    ks = list(range(1, len(bound) + 1))
    fig = figure(x=_p("depth_axis"), y=_p("depth_value"), height=460)
    for i, (name, values) in enumerate(result.items()):
        fig.add_trace(go.Scatter(x=ks, y=values.numpy(), name=titles[name], line={"color": color(i)}))
    fig.add_trace(go.Scatter(x=ks, y=bound.numpy(), name=_p("depth_bound"), line={"color": color(9), "dash": "dot"}))
    return log_y(fig)


def yes(value: bool) -> str:
    return _p("yes") if value else _p("no")


def interval(low: float, high: float) -> str:
    def fmt(v: float) -> str:
        return "−∞" if v == -math.inf else "+∞" if v == math.inf else f"{v:.4g}"

    return f"[{fmt(low)}, {fmt(high)}]"


def line(w: float, b: float) -> str:
    """y = w·x ± |b| as a person writes it: "0.2994·x − 0.0012", never "+ -0.0012" (nor "− 0.0000")."""
    w_text, b_text = f"{w:.4f}", f"{b:.4f}"
    sign = "−" if b_text.startswith("-") and float(b_text) != 0 else "+"
    return f"y = {w_text.replace('-', '−')}·x {sign} {b_text.lstrip('-')}"


def max_grad(value: float) -> str:
    return "∞" if value == math.inf else f"{value:.4g}"
