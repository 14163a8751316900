"""Activation functions: f and f′, comparison, computed properties, softmax, why non-linearity, depth."""

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core import activation_properties as props
from core import depth, nonlinearity
from core.activations import (
    ACTIVATIONS,
    DEFAULT_LOGITS,
    REFERENCE_TEMPERATURE,
    TEMPERATURE,
    activation_curve,
    compare_curves,
    parse_logits,
    softmax_temperature,
)
from core.ranges import X_MAX, X_MIN
from ui.charts import color, figure, log_y, show
from ui.feedback import user_errors
from ui.i18n import t
from ui.sidebar import seed
from ui.state import init, key
from ui.widgets import choose, choose_many, entry_title, explain, param_input, param_inputs

FAMILY = "activations"
COMPARE_DEFAULT = ("sigmoid", "tanh", "relu")
MAIN_DEFAULT = "elu"  # has a parameter to play with and shows saturation on one side


@st.cache_data(show_spinner=False)
def _properties(name: str, params: tuple) -> props.Properties:
    return props.properties(ACTIVATIONS.get(name), dict(params))


@st.cache_data(show_spinner=False)
def _table() -> list[props.Properties]:
    return props.table()


@st.cache_resource(show_spinner=False)
def _costs() -> dict[str, float]:
    return props.relative_costs()


@st.cache_data(show_spinner=False, max_entries=64)
def _fit(layers: int, activation: str | None, width: int, steps: int, lr: float, seed: int) -> nonlinearity.Fit:
    return nonlinearity.fit_sine(layers, activation, width=width, steps=steps, lr=lr, seed=seed)


def _x_range(*scope: str) -> tuple[float, float]:
    c1, c2 = st.columns(2)
    low = param_input(X_MIN, key(FAMILY, *scope, "x_min"), FAMILY, where=c1)
    high = param_input(X_MAX, key(FAMILY, *scope, "x_max"), FAMILY, where=c2)
    return low, high


def _yes(value: bool) -> str:
    return t(f"{FAMILY}.page.yes") if value else t(f"{FAMILY}.page.no")


def _interval(low: float, high: float) -> str:
    def fmt(v: float) -> str:
        return "−∞" if v == -math.inf else "+∞" if v == math.inf else f"{v:.4g}"

    return f"[{fmt(low)}, {fmt(high)}]"


def _line(w: float, b: float) -> str:
    """y = w·x ± |b| as a person writes it: "0.2994·x − 0.0012", never "+ -0.0012" (nor "− 0.0000")."""
    w_text, b_text = f"{w:.4f}", f"{b:.4f}"
    sign = "−" if b_text.startswith("-") and float(b_text) != 0 else "+"
    return f"y = {w_text.replace('-', '−')}·x {sign} {b_text.lstrip('-')}"


def _max_grad(value: float) -> str:
    return "∞" if value == math.inf else f"{value:.4g}"


@st.fragment
def explore() -> None:
    left, right = st.columns([1, 2.2])
    with left:
        name = choose(ACTIVATIONS, FAMILY, "main", label_key=f"{FAMILY}.page.choose", default=MAIN_DEFAULT)
        entry = ACTIVATIONS.get(name)
        raw = param_inputs(entry, FAMILY, "main")
        low, high = _x_range("main")
    with right, user_errors():
        values = entry.values(raw)
        x, y, dy = activation_curve(name, values, low, high)
        title = entry_title(FAMILY, name)
        fig = figure(t(f"{FAMILY}.page.chart_title", name=title), x=t(f"{FAMILY}.page.x_axis"))
        fig.add_trace(
            go.Scatter(x=x.numpy(), y=y.numpy(), name=t(f"{FAMILY}.page.f"), line={"color": color(0), "width": 3})
        )
        fig.add_trace(
            go.Scatter(x=x.numpy(), y=dy.numpy(), name=t(f"{FAMILY}.page.df"), line={"color": color(1), "dash": "dash"})
        )
        show(fig, key="act-main-chart")
        if not entry.autograd_exact:
            st.warning(t(f"{FAMILY}.notes.{entry.note}"), icon="ℹ️")
        row = _properties(name, tuple(sorted((k, v) for k, v in values.items() if k != "training")))
        facts = [
            (t(f"{FAMILY}.page.col_range"), _interval(row.low, row.high)),
            (t(f"{FAMILY}.page.col_zero_centred"), _yes(row.zero_centred)),
            (t(f"{FAMILY}.page.col_monotonic"), _yes(row.monotonic)),
            (t(f"{FAMILY}.page.col_saturating"), t(f"{FAMILY}.page.saturating.{row.saturating}")),
            (t(f"{FAMILY}.page.col_max_grad"), _max_grad(row.max_grad)),
        ]
        st.markdown(" · ".join(f"**{label}** {value}" for label, value in facts))
        st.caption(t(f"{FAMILY}.page.measured"))
    explain(FAMILY, entry)
    st.markdown(f"**{t(f'{FAMILY}.page.derivative')}**")
    st.latex(entry.dformula)


@st.fragment
def compare() -> None:
    names = choose_many(
        ACTIVATIONS, FAMILY, "compare", label_key=f"{FAMILY}.page.compare_pick", default=COMPARE_DEFAULT
    )
    deriv_key = key(FAMILY, "compare", "derivatives")
    init(deriv_key, True)
    derivatives = st.toggle(t(f"{FAMILY}.page.show_derivatives"), key=deriv_key)
    low, high = _x_range("compare")
    with user_errors():
        curves = compare_curves(names, low, high)
        panels = [("f", 1)] + ([("df", 2)] if derivatives else [])
        cols = st.columns(len(panels))
        for (what, index), col in zip(panels, cols, strict=True):
            fig = figure(t(f"{FAMILY}.page.compare_{what}"), x=t(f"{FAMILY}.page.x_axis"))
            for i, (n, curve) in enumerate(curves.items()):
                fig.add_trace(
                    go.Scatter(
                        x=curve[0].numpy(),
                        y=curve[index].numpy(),
                        name=entry_title(FAMILY, n),
                        line={"color": color(i)},
                    )
                )
            with col:
                show(fig, key=f"act-compare-{what}")
        st.caption(t(f"{FAMILY}.page.compare_caption"))


def properties_table() -> None:
    costs = _costs()
    rows = [
        {
            t(f"{FAMILY}.page.col_name"): entry_title(FAMILY, row.name),
            t(f"{FAMILY}.page.col_range"): _interval(row.low, row.high),
            t(f"{FAMILY}.page.col_zero_centred"): _yes(row.zero_centred),
            t(f"{FAMILY}.page.col_mean"): round(row.mean, 3),
            t(f"{FAMILY}.page.col_monotonic"): _yes(row.monotonic),
            t(f"{FAMILY}.page.col_saturating"): t(f"{FAMILY}.page.saturating.{row.saturating}"),
            t(f"{FAMILY}.page.col_max_grad"): _max_grad(row.max_grad),
            t(f"{FAMILY}.page.col_cost"): round(costs[row.name], 2),
        }
        for row in _table()
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=35 * (len(rows) + 1) + 3)
    st.caption(t(f"{FAMILY}.page.properties_caption", size=f"{props.COST_SIZE:,}"))


@st.fragment
def softmax_panel() -> None:
    st.markdown(t(f"{FAMILY}.page.softmax_intro"))
    logits_key = key(FAMILY, "softmax", "logits")
    init(logits_key, DEFAULT_LOGITS)
    c1, c2 = st.columns([2, 1])
    text = c1.text_input(t(f"{FAMILY}.page.logits"), key=logits_key)
    temperature = param_input(TEMPERATURE, key(FAMILY, "softmax", "temperature"), FAMILY, where=c2)
    with user_errors():
        logits = parse_logits(text)
        probs = softmax_temperature(logits, temperature)
        plain = softmax_temperature(logits, REFERENCE_TEMPERATURE)
        labels = [f"{i + 1}: z={z:g}" for i, z in enumerate(logits)]
        fig = figure(x=t(f"{FAMILY}.page.class"), y=t(f"{FAMILY}.page.probability"), height=380)
        fig.add_trace(go.Bar(x=labels, y=plain.numpy(), name=t(f"{FAMILY}.page.at_one"), marker_color=color(9)))
        fig.add_trace(
            go.Bar(
                x=labels,
                y=probs.numpy(),
                name=t(f"{FAMILY}.page.at_temperature", t=f"{temperature:g}"),
                marker_color=color(0),
            )
        )
        fig.update_layout(barmode="group", hovermode="closest")
        fig.update_yaxes(range=[0, 1])
        show(fig, key="act-softmax")
        st.caption(t(f"{FAMILY}.page.softmax_sum", top=f"{float(probs.max()):.4f}", total=f"{float(probs.sum()):.6f}"))


@st.fragment
def nonlinear_panel(seed: int) -> None:
    st.markdown(t(f"{FAMILY}.page.nonlinear_intro", points=nonlinearity.POINTS))
    c1, c2, c3, c4 = st.columns(4)
    layers = param_input(nonlinearity.LAYERS, key(FAMILY, "nonlin", "layers"), FAMILY, where=c1)
    with c2:
        name = choose(
            ACTIVATIONS,
            FAMILY,
            "nonlin",
            label_key=f"{FAMILY}.page.nonlinear_activation",
            default=nonlinearity.DEFAULT_ACTIVATION,
        )
    width = param_input(nonlinearity.WIDTH, key(FAMILY, "nonlin", "width"), FAMILY, where=c3)
    steps = param_input(nonlinearity.STEPS, key(FAMILY, "nonlin", "steps"), FAMILY, where=c4)
    with user_errors():
        lr = nonlinearity.LR.default
        plain = _fit(layers, None, width, steps, lr, seed)
        curved = _fit(layers, name, width, steps, lr, seed)
        title = entry_title(FAMILY, name)
        left, right = st.columns([3, 2])
        fig = figure(x="x", y="y")
        fig.add_trace(
            go.Scatter(x=plain.x.numpy(), y=plain.target.numpy(), name=t(f"{FAMILY}.page.nonlinear_target"), mode="markers",
                       marker={"color": color(9), "size": 5})
        )  # fmt: skip
        fig.add_trace(
            go.Scatter(x=plain.x.numpy(), y=plain.prediction.numpy(), name=t(f"{FAMILY}.page.nonlinear_without", layers=layers),
                       line={"color": color(3), "width": 3})
        )  # fmt: skip
        fig.add_trace(
            go.Scatter(x=curved.x.numpy(), y=curved.prediction.numpy(), name=t(f"{FAMILY}.page.nonlinear_with", layers=layers, name=title),
                       line={"color": color(0), "width": 3})
        )  # fmt: skip
        with left:
            show(fig, key="act-nonlinear")
        loss_fig = figure(t(f"{FAMILY}.page.nonlinear_loss"), x=t(f"{FAMILY}.page.step"))
        loss_fig.add_trace(go.Scatter(y=plain.losses, name=t(f"{FAMILY}.page.nonlinear_without", layers=layers),
                                      line={"color": color(3)}))  # fmt: skip
        loss_fig.add_trace(go.Scatter(y=curved.losses, name=title, line={"color": color(0)}))
        log_y(loss_fig)
        with right:
            show(loss_fig, key="act-nonlinear-loss")
        w, b = plain.line
        st.markdown(
            t(
                f"{FAMILY}.page.nonlinear_line",
                line=_line(w, b),
                plain=plain.losses[-1],
                curved=curved.losses[-1],
                name=title,
            )  # fmt: skip
        )


@st.fragment
def depth_panel() -> None:
    st.markdown(t(f"{FAMILY}.page.depth_intro"))
    names = choose_many(
        ACTIVATIONS, FAMILY, "depth", label_key=f"{FAMILY}.page.depth_pick", default=depth.DEFAULT_NAMES
    )
    c1, c2, c3 = st.columns(3)
    n = param_input(depth.DEPTH, key(FAMILY, "depth", "depth"), FAMILY, where=c1)
    x0 = param_input(depth.X0, key(FAMILY, "depth", "x0"), FAMILY, where=c2)
    weight = param_input(depth.WEIGHT, key(FAMILY, "depth", "weight"), FAMILY, where=c3)
    with user_errors():
        result = depth.products(names, n, x0, weight)
        ks = list(range(1, n + 1))
        fig = figure(x=t(f"{FAMILY}.page.depth_axis"), y=t(f"{FAMILY}.page.depth_value"), height=460)
        for i, (name, values) in enumerate(result.items()):
            fig.add_trace(go.Scatter(x=ks, y=values.numpy(), name=entry_title(FAMILY, name), line={"color": color(i)}))
        fig.add_trace(
            go.Scatter(x=ks, y=depth.sigmoid_bound(n, weight).numpy(), name=t(f"{FAMILY}.page.depth_bound"),
                       line={"color": color(9), "dash": "dot"})
        )  # fmt: skip
        log_y(fig)
        show(fig, key="act-depth")
        dead = [entry_title(FAMILY, name) for name, values in result.items() if float(values.min()) == 0.0]
        if dead:
            st.info(t(f"{FAMILY}.page.depth_zero", names=", ".join(dead)))


def main() -> None:
    st.title(t(f"{FAMILY}.page.title"))
    st.markdown(t(f"{FAMILY}.page.intro"))
    tabs = st.tabs([t(f"{FAMILY}.page.tab_{name}") for name in
                    ("explore", "compare", "properties", "softmax", "nonlinear", "depth")])  # fmt: skip
    with tabs[0]:
        explore()
    with tabs[1]:
        compare()
    with tabs[2]:
        properties_table()
    with tabs[3]:
        softmax_panel()
    with tabs[4]:
        nonlinear_panel(seed())
    with tabs[5]:
        depth_panel()


main()
