"""Backpropagation: computational graphs stepped node by node, a two-layer network by hand, gradient check."""

import pandas as pd
import streamlit as st

from core.backprop import gradcheck, network
from core.backprop.graph import RULES, step_latex
from core.backprop.graphs import DEFAULT_EXPRESSION, GRAPHS, AutogradRow, autograd_check, formula, trace
from ui.charts import show, table
from ui.feedback import user_errors
from ui.graph_charts import SYMBOLS, error_curve_figure, graph_dot, matrix_frame
from ui.i18n import t, t_or
from ui.sidebar import seed
from ui.state import init, key
from ui.widgets import choose, param_input, param_inputs, player

FAMILY = "backprop"
GRAPH_FAMILY = GRAPHS.family
FUNCTION_FAMILY = gradcheck.FUNCTIONS.family
DEFAULT_FUNCTION = "exp"  # f‴ ≠ 0: its error curve falls, then rises
PLAYING = "backprop.playing"  # a plain session flag, not a widget value
PLAY_BUTTON = "backprop-play"
PLAY_S = 1.5  # seconds a step while playing


@st.cache_data(show_spinner=False, max_entries=256)
def _trace(name: str, values: tuple, text: str):
    return trace(name, dict(values), text)


@st.cache_data(show_spinner=False, max_entries=256)
def _autograd(name: str, values: tuple, text: str) -> list[AutogradRow]:
    return autograd_check(name, dict(values), text)


@st.cache_data(show_spinner=False, max_entries=64)
def _network(batch: int, hidden: int, precision: str, seed: int) -> network.NetworkCheck:
    return network.two_layer_check(batch, hidden, precision, seed)


@st.cache_data(show_spinner=False, max_entries=64)
def _curve(name: str, values: tuple, text: str) -> gradcheck.ErrorCurve:
    return gradcheck.error_curve(name, dict(values), text)


@st.cache_data(show_spinner=False, max_entries=256)
def _check(name: str, values: tuple, h: float, text: str) -> gradcheck.Check:
    return gradcheck.check(name, dict(values), h, text)


def _p(name: str, **params) -> str:
    return t(f"{FAMILY}.page.{name}", **params)


def _expression(scope: str, default: str) -> str:
    widget_key = key(FAMILY, scope, "expression")
    init(widget_key, default)
    return st.text_input(_p("expression"), key=widget_key, help=_p("expression_help"))


def _step_slider(name: str, steps: int) -> int:
    """Play/pause and the backward-step slider (`ui.widgets.player`), one step a tick from the forward pass."""
    return player(key(FAMILY, "graph", name, "step"), steps, label=_p("step"), texts=(_p("play"), _p("pause")),
                  playing_key=PLAYING, button_key=PLAY_BUTTON, help=_p("step_help"))  # fmt: skip


def _step_text(tr, step: int) -> None:
    n = len(tr.steps)
    nodes = tr.graph.nodes
    out = nodes[tr.graph.output].text
    if step == 0:
        st.info(_p("step_forward", n=n), icon="➡️")
        return
    if step == 1:
        st.markdown(_p("step_seed", n=n, out=out))
    else:
        node = nodes[tr.steps[step - 1].node]
        op = SYMBOLS.get(node.op, node.op)
        st.markdown(_p("step_node", k=step, n=n, node=node.text, op=op))
        st.latex(RULES[node.op])
        st.markdown(t(f"{FAMILY}.rules.{node.op}"))
    for line in step_latex(tr, step - 1):
        st.latex(line)
    if step == n:
        st.success(_p("step_done"), icon="✅")


def _captions(name: str, tr) -> dict[int, str]:
    """Node index → its translated caption (the built-in graphs' named nodes)."""
    captions = {i: t_or(f"{FAMILY}.nodes.{name}.{n.name}", "") if n.name else "" for i, n in enumerate(tr.graph.nodes)}
    return {i: c for i, c in captions.items() if c}


def graph_panel() -> None:
    left, right = st.columns([1, 2.6])
    with left:
        name = choose(GRAPHS, GRAPH_FAMILY, "graph", label_key=f"{FAMILY}.page.choose_graph")
        entry = GRAPHS.get(name)
        text = _expression("graph", DEFAULT_EXPRESSION) if name == "custom" else DEFAULT_EXPRESSION
        raw = param_inputs(entry, GRAPH_FAMILY, "graph")
    drawn = False
    with right, user_errors():
        tr = _trace(name, tuple(sorted(raw.items())), text)
        drawn = True
        st.latex(formula(name, text))
        step = _step_slider(name, len(tr.steps))
        st.graphviz_chart(graph_dot(tr, step, _captions(name, tr)))
        _step_text(tr, step)
        with st.expander(_p("autograd_title"), expanded=step == len(tr.steps)):
            _autograd_table(name, raw, text)
    st.markdown(t(f"{GRAPH_FAMILY}.{name}.desc"))
    if not drawn and st.session_state.get(PLAYING):  # a bad formula stops the player (and its timer)
        st.session_state[PLAYING] = False
        st.rerun(scope="app")


def _autograd_table(name: str, raw: dict, text: str) -> None:
    rows = [
        {
            _p("col_variable"): row.variable,
            _p("col_value"): f"{row.value:.6g}",
            _p("col_backprop"): f"{row.backprop:.10g}",
            _p("col_autograd"): f"{row.autograd:.10g}",
            _p("col_diff"): f"{row.diff:.1e}",
        }
        for row in _autograd(name, tuple(sorted(raw.items())), text)
    ]
    table(pd.DataFrame(rows))
    st.caption(_p("autograd_caption"))


@st.fragment
def network_panel() -> None:
    st.markdown(_p("net_intro", d=network.INPUTS, c=network.CLASSES))
    c1, c2, c3 = st.columns(3)
    batch = param_input(network.BATCH, key(FAMILY, "net", "batch"), FAMILY, where=c1)
    hidden = param_input(network.HIDDEN, key(FAMILY, "net", "hidden"), FAMILY, where=c2)
    precision = param_input(network.PRECISION, key(FAMILY, "net", "precision"), FAMILY, where=c3)
    with user_errors():
        check = _network(batch, hidden, precision, seed())
        st.latex(network.FORWARD)
        m1, m2 = st.columns(2)
        m1.metric(_p("net_loss_hand"), f"{check.loss_hand:.6f}")
        m2.metric(_p("net_loss_autograd"), f"{check.loss_autograd:.6f}")
        rows = [
            {
                _p("col_layer"): t(f"{FAMILY}.layers.{g.layer}.title"),
                _p("col_gradient"): t(f"{FAMILY}.grads.{g.name}"),
                _p("col_kind"): _p("kind_param") if g.is_param else _p("kind_passed"),
                _p("col_shape"): " × ".join(map(str, g.shape)),
                _p("col_max_diff"): f"{g.max_diff:.2e}",
            }
            for g in check.gradients
        ]
        table(pd.DataFrame(rows))
        st.caption(_p("net_caption", precision=precision))
        for layer in ("softmax_loss", "affine2", "relu", "affine1"):
            st.markdown(f"**{t(f'{FAMILY}.layers.{layer}.title')}**")
            st.latex(network.RULES[layer])
            st.markdown(t(f"{FAMILY}.layers.{layer}.desc"))
        names = [g.name for g in check.gradients]
        inspect_key = key(FAMILY, "net", "inspect")
        init(inspect_key, "W1")
        chosen = st.selectbox(_p("net_inspect"), names, key=inspect_key, format_func=lambda n: t(f"{FAMILY}.grads.{n}"))
        g = check.gradients[names.index(chosen)]
        a, b = st.columns(2)
        a.markdown(f"**{_p('net_by_hand')}**")
        a.dataframe(matrix_frame(g.hand), width="stretch")
        b.markdown(f"**{_p('net_by_autograd')}**")
        b.dataframe(matrix_frame(g.autograd), width="stretch")


@st.fragment
def check_panel() -> None:
    st.markdown(_p("check_intro"))
    st.latex(r"\frac{\partial f}{\partial x} \approx \frac{f(x + h) - f(x - h)}{2h}")
    left, right = st.columns([1, 2.4])
    with left:
        name = choose(
            gradcheck.FUNCTIONS, FUNCTION_FAMILY, "check", label_key=f"{FAMILY}.page.choose_function",
            default=DEFAULT_FUNCTION,
        )  # fmt: skip
        entry = gradcheck.FUNCTIONS.get(name)
        text = _expression("check", gradcheck.DEFAULT_EXPRESSION) if name == "custom" else gradcheck.DEFAULT_EXPRESSION
        raw = param_inputs(entry, FUNCTION_FAMILY, "check", columns=2)
        h = param_input(gradcheck.H, key(FAMILY, "check", "h"), FAMILY, help=_p("h_help"))
    with right, user_errors():
        st.latex(gradcheck.formula(name, text))
        values = tuple(sorted(raw.items()))
        result = _check(name, values, h, text)
        curve = _curve(name, values, text)
        labels = {
            "x": _p("h_axis"),
            "y": _p("error_axis"),
            "chosen": _p("chosen_h", h=f"{result.h:g}"),
            "best": _p("best_h"),
            "float32": _p("curve_float32"),
            "float64": _p("curve_float64"),
        }
        show(error_curve_figure(curve, result.h, labels), key="bp-error-curve")
        err64, err32 = result.errors("float64"), result.errors("float32")
        rows = [
            {
                _p("col_variable"): v,
                _p("col_autograd"): f"{result.autograd[v]:.12g}",
                _p("col_num64"): f"{result.numerical['float64'][v]:.12g}",
                _p("col_err64"): f"{err64[v]:.2e}",
                _p("col_num32"): f"{result.numerical['float32'][v]:.8g}",
                _p("col_err32"): f"{err32[v]:.2e}",
            }
            for v in result.variables
        ]
        table(pd.DataFrame(rows))
    st.markdown(t(f"{FUNCTION_FAMILY}.{name}.desc"))
    st.markdown(_p("check_why"))
    st.latex(gradcheck.error_model(*(_p(f"latex_{w}") for w in ("error", "truncation", "rounding"))))


def main() -> None:
    st.title(_p("title"))
    st.markdown(_p("intro"))
    tab_graph, tab_net, tab_check = st.tabs([_p(f"tab_{n}") for n in ("graph", "network", "check")])
    with tab_graph:  # a fragment with a timer while ▶ plays
        st.fragment(graph_panel, run_every=PLAY_S if st.session_state.get(PLAYING) else None)()
    with tab_net:
        network_panel()
    with tab_check:
        check_panel()


main()
