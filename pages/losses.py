"""Loss functions: loss and gradient vs prediction, comparison within a task, cross-entropy up close."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.losses import (
    BINARY_LABEL,
    CE_CLASSES,
    CE_LOGITS,
    COMPARE_RANGES,
    LOSSES,
    TASK,
    compare_curves,
    cross_entropy_view,
    for_task,
    loss_curve,
    true_class_param,
)
from core.ranges import range_params
from core.registry import Registry
from ui.charts import color, figure, show, table
from ui.feedback import user_errors
from ui.i18n import t
from ui.state import key
from ui.widgets import choose, choose_many, entry_title, explain, param_input, param_inputs

FAMILY = "losses"


def _x_range(default: tuple[float, float], *scope: str) -> tuple[float, float]:
    c1, c2 = st.columns(2)
    x_min, x_max = range_params(*default)
    low = param_input(x_min, key(FAMILY, *scope, "x_min"), FAMILY, where=c1)
    high = param_input(x_max, key(FAMILY, *scope, "x_max"), FAMILY, where=c2)
    return low, high


def _pair(curves: dict, x_title: str, var: str, chart_key: str) -> None:
    """Loss and gradient side by side (a gradient can dwarf the loss, so two charts); `var` is x's symbol."""
    left, right = st.columns(2)
    if len(curves) == 1:
        title = t(f"{FAMILY}.page.chart_loss", name=entry_title(FAMILY, next(iter(curves))))
    else:
        title = t(f"{FAMILY}.page.chart_losses")
    loss_fig = figure(title, x=x_title, y=t(f"{FAMILY}.page.loss_axis"))
    grad_fig = figure(t(f"{FAMILY}.page.chart_grad", var=var), x=x_title, y=t(f"{FAMILY}.page.grad_axis", var=var))
    for fig in (loss_fig, grad_fig):  # several long names: the legend goes under the plot
        fig.update_layout(legend={"y": -0.2, "yanchor": "top"}, margin={"t": 50, "b": 40}, height=480)
    for i, (name, curve) in enumerate(curves.items()):
        label = entry_title(FAMILY, name)
        loss_fig.add_trace(
            go.Scatter(x=curve.x.numpy(), y=curve.loss.numpy(), name=label, line={"color": color(i), "width": 3})
        )
        grad_fig.add_trace(
            go.Scatter(x=curve.x.numpy(), y=curve.grad.numpy(), name=label, line={"color": color(i), "dash": "dash"})
        )
    with left:
        show(loss_fig, key=f"{chart_key}-loss")
    with right:
        show(grad_fig, key=f"{chart_key}-grad")


@st.fragment
def explore() -> None:
    left, right = st.columns([1, 2.4])
    with left:
        name = choose(LOSSES, FAMILY, "main", label_key=f"{FAMILY}.page.choose")
        loss = LOSSES.get(name)
        raw = param_inputs(loss, FAMILY, "main")
        target = None
        if loss.target is not None:
            target = param_input(loss.target, key(FAMILY, "main", name, "target"), FAMILY)
        low, high = _x_range(loss.x_range, "main", name)
    with right, user_errors():
        curve = loss_curve(name, raw, target, low, high)
        _pair({name: curve}, t(f"{FAMILY}.axes.{loss.x_label}"), t(f"{FAMILY}.axes_symbol.{loss.x_label}"), "loss-main")
    st.markdown(t(f"{FAMILY}.page.task", task=t(f"{FAMILY}.tasks.{loss.task}.title")))
    explain(FAMILY, loss)
    st.markdown(f"**{t(f'{FAMILY}.page.gradient')}**")
    st.latex(loss.dformula)
    with st.expander(t(f"{FAMILY}.page.when"), expanded=False):
        st.markdown(t(f"{FAMILY}.tasks.{loss.task}.when"))


@st.fragment
def compare() -> None:
    c1, c2 = st.columns([1, 2])
    task = param_input(TASK, key(FAMILY, "compare", "task"), FAMILY, where=c1)
    members = Registry(FAMILY, [LOSSES.get(n) for n in for_task(task)])
    with c2:  # a container in the column lets the chips wrap (directly in a column they scroll, cut off)
        names = choose_many(
            members, FAMILY, "compare", task, label_key=f"{FAMILY}.page.compare_pick", default=members.names(),
            where=st.container(),
        )  # fmt: skip
    label = 0
    if task == "regression":
        label = param_input(LOSSES.get("mse").target, key(FAMILY, "compare", "target"), FAMILY)
    elif task == "binary":
        label = param_input(BINARY_LABEL, key(FAMILY, "compare", "label"), FAMILY)
    low, high = _x_range(COMPARE_RANGES[task], "compare", task)
    with user_errors():
        curves = compare_curves(names, label, low, high)
        axis = t(f"{FAMILY}.page.compare_axis.{task}", label=label)
        _pair(curves, axis, t(f"{FAMILY}.compare_symbol.{task}"), "loss-compare")
        st.caption(t(f"{FAMILY}.page.compare_caption.{task}"))
    st.markdown(t(f"{FAMILY}.tasks.{task}.when"))


@st.fragment
def cross_entropy_panel() -> None:
    st.markdown(t(f"{FAMILY}.page.ce_intro"))
    left, right = st.columns([1, 2])
    with left:
        classes = param_input(CE_CLASSES, key(FAMILY, "ce", "classes"), FAMILY)
        true_class = param_input(true_class_param(classes), key(FAMILY, "ce", "true_class", classes), FAMILY)
        smoothing = LOSSES.get("cross_entropy").param("label_smoothing")
        eps = param_input(smoothing, key(FAMILY, "ce", "label_smoothing"), FAMILY)
        logits = [param_input(p, key(FAMILY, "ce", p.name), FAMILY) for p in CE_LOGITS[:classes]]
    with right, user_errors():
        view = cross_entropy_view(logits, int(true_class) - 1, eps)
        labels = [str(k + 1) for k in range(len(logits))]
        fig = figure(t(f"{FAMILY}.page.ce_probs"), x=t(f"{FAMILY}.page.col_class"), height=380)
        fig.add_trace(go.Bar(x=labels, y=view.probs.numpy(), name=t(f"{FAMILY}.page.col_prob"), marker_color=color(0)))
        fig.add_trace(
            go.Bar(x=labels, y=view.target.numpy(), name=t(f"{FAMILY}.page.ce_target"), marker_color=color(9))
        )
        fig.update_layout(barmode="group", hovermode="closest", yaxis_range=[0, 1])
        show(fig, key="loss-ce")
        st.metric(t(f"{FAMILY}.page.ce_loss"), f"{view.loss:.4f}")
        frame = pd.DataFrame(
            {
                t(f"{FAMILY}.page.col_class"): labels,
                t(f"{FAMILY}.page.col_logit"): logits,
                t(f"{FAMILY}.page.col_prob"): view.probs.numpy(),
                t(f"{FAMILY}.page.col_target"): view.target.numpy(),
                t(f"{FAMILY}.page.col_grad_autograd"): view.grad_autograd.numpy(),
                t(f"{FAMILY}.page.col_grad_formula"): view.grad_formula.numpy(),
            }
        )
        table(frame, decimals=4)
        st.caption(t(f"{FAMILY}.page.ce_check", err=view.disagreement))


def main() -> None:
    st.title(t(f"{FAMILY}.page.title"))
    st.markdown(t(f"{FAMILY}.page.intro"))
    tab_explore, tab_compare, tab_ce = st.tabs([t(f"{FAMILY}.page.tab_{n}") for n in ("explore", "compare", "ce")])
    with tab_explore:
        explore()
    with tab_compare:
        compare()
    with tab_ce:
        cross_entropy_panel()


main()
