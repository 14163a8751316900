"""Activation functions: f and f′, comparison, computed properties, softmax, why non-linearity, depth."""

import pandas as pd
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
from ui import activation_charts as charts
from ui.charts import show, table
from ui.feedback import user_errors
from ui.i18n import lang, t
from ui.sidebar import seed
from ui.spec_charts import Spec, frozen
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


# Each chart is built once per distinct input and language (a slider step back to a value seen before, or
# another visitor's same default, re-sends it): the curves, autograd passes and plotly figures cost the
# server ~60 % of this page's render.
@st.cache_resource(show_spinner=False, max_entries=64)
def _curve_chart(name: str, values: tuple, low: float, high: float, language: str) -> Spec:
    x, y, dy = activation_curve(name, dict(values), low, high)
    return frozen(charts.curve(x, y, dy, entry_title(FAMILY, name)))


@st.cache_resource(show_spinner=False, max_entries=32)
def _compare_charts(names: tuple, low: float, high: float, derivatives: bool, language: str) -> list[Spec]:
    curves = compare_curves(list(names), low, high)
    titles = {n: entry_title(FAMILY, n) for n in curves}
    panels = [("f", 1)] + ([("df", 2)] if derivatives else [])
    return [frozen(charts.compare(curves, index, what, titles)) for what, index in panels]


@st.cache_resource(show_spinner=False, max_entries=64)
def _fit_charts(layers: int, name: str, width: int, steps: int, seed: int, language: str) -> tuple:
    """The two fits' figures and the sentence under them."""
    lr = nonlinearity.LR.default
    plain, curved = _fit(layers, None, width, steps, lr, seed), _fit(layers, name, width, steps, lr, seed)
    title = entry_title(FAMILY, name)
    fit_fig, loss_fig = charts.fits(plain, curved, layers, title)
    w, b = plain.line
    text = t(f"{FAMILY}.page.nonlinear_line", line=charts.line(w, b), plain=plain.losses[-1],
             curved=curved.losses[-1], name=title)  # fmt: skip
    return frozen(fit_fig), frozen(loss_fig), text


@st.cache_resource(show_spinner=False, max_entries=64)
def _depth_chart(names: tuple, n: int, x0: float, weight: float, language: str) -> tuple[Spec, list[str]]:
    """The product of derivatives through depth, and the activations whose product reached exactly 0."""
    result = depth.products(list(names), n, x0, weight)
    titles = {name: entry_title(FAMILY, name) for name in result}
    dead = [titles[name] for name, values in result.items() if float(values.min()) == 0.0]
    return frozen(charts.depth(result, depth.sigmoid_bound(n, weight), titles)), dead


def _x_range(*scope: str) -> tuple[float, float]:
    c1, c2 = st.columns(2)
    low = param_input(X_MIN, key(FAMILY, *scope, "x_min"), FAMILY, where=c1)
    high = param_input(X_MAX, key(FAMILY, *scope, "x_max"), FAMILY, where=c2)
    return low, high


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
        show(_curve_chart(name, tuple(sorted(values.items())), low, high, lang()), key="act-main-chart")
        if not entry.autograd_exact:
            st.warning(t(f"{FAMILY}.notes.{entry.note}"), icon="ℹ️")
        row = _properties(name, tuple(sorted((k, v) for k, v in values.items() if k != "training")))
        facts = [
            (t(f"{FAMILY}.page.col_range"), charts.interval(row.low, row.high)),
            (t(f"{FAMILY}.page.col_zero_centred"), charts.yes(row.zero_centred)),
            (t(f"{FAMILY}.page.col_monotonic"), charts.yes(row.monotonic)),
            (t(f"{FAMILY}.page.col_saturating"), t(f"{FAMILY}.page.saturating.{row.saturating}")),
            (t(f"{FAMILY}.page.col_max_grad"), charts.max_grad(row.max_grad)),
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
        figures = _compare_charts(tuple(names), low, high, derivatives, lang())
        for what, figure, col in zip(("f", "df"), figures, st.columns(len(figures)), strict=False):  # f (and f′)
            with col:
                show(figure, key=f"act-compare-{what}")
        st.caption(t(f"{FAMILY}.page.compare_caption"))


def properties_table() -> None:
    table(_properties_frame(lang()), height=35 * (len(ACTIVATIONS) + 1) + 3)
    st.caption(t(f"{FAMILY}.page.properties_caption", size=f"{props.COST_SIZE:,}"))


@st.cache_data(show_spinner=False, max_entries=4)
def _properties_frame(language: str) -> pd.DataFrame:
    costs = _costs()
    rows = [
        {
            t(f"{FAMILY}.page.col_name"): entry_title(FAMILY, row.name),
            t(f"{FAMILY}.page.col_range"): charts.interval(row.low, row.high),
            t(f"{FAMILY}.page.col_zero_centred"): charts.yes(row.zero_centred),
            t(f"{FAMILY}.page.col_mean"): round(row.mean, 3),
            t(f"{FAMILY}.page.col_monotonic"): charts.yes(row.monotonic),
            t(f"{FAMILY}.page.col_saturating"): t(f"{FAMILY}.page.saturating.{row.saturating}"),
            t(f"{FAMILY}.page.col_max_grad"): charts.max_grad(row.max_grad),
            t(f"{FAMILY}.page.col_cost"): round(costs[row.name], 2),
        }
        for row in _table()
    ]
    return pd.DataFrame(rows)


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
        show(charts.softmax(labels, plain, probs, temperature), key="act-softmax")
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
        fit_fig, loss_fig, text = _fit_charts(layers, name, width, steps, seed, lang())
        left, right = st.columns([3, 2])
        with left:
            show(fit_fig, key="act-nonlinear")
        with right:
            show(loss_fig, key="act-nonlinear-loss")
        st.markdown(text)


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
        figure, dead = _depth_chart(tuple(names), n, x0, weight, lang())
        show(figure, key="act-depth")
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
