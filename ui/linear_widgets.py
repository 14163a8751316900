"""Widgets of the linear-model page: the data set picker, the learning rate, the step slider and its ▶ player."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.linear import regression as rg
from ui.i18n import t, translator
from ui.sidebar import seed
from ui.state import init, key
from ui.widgets import choose, param_input, param_inputs, player

NS = "linear"
PLAYING = "linear.logistic.playing"  # a plain session flag, not a widget value
PLAY_BUTTON = "linear-logistic-play"
PLAY_FRAMES = 30  # a run plays in about this many frames


def data_picker(registry, *scope: str) -> tuple:
    """The data set select and its parameters; returns the cache key of its points."""
    name = choose(registry, registry.family, *scope, label_key=f"{NS}.page.data")
    values = param_inputs(registry.get(name), registry.family, columns=2)
    return registry.family, name, seed(), tuple(sorted(values.items()))


def lr_input(slider, scope: str):
    """The learning rate: a slider, or (toggled) a typed number that may be 0 or 1e9."""
    if param_input(rg.TYPE_LR, key(NS, scope, "type_lr"), NS, help=t(f"{NS}.page.type_lr_help")):
        return param_input(rg.LR_TYPED, key(NS, scope, "lr_typed"), NS)
    return param_input(slider, key(NS, scope, "lr"), NS)


def step_slider(scope: str, last: int, label: str) -> int:
    """A slider over steps 0..last (kept inside the range when a run gets shorter)."""
    k_key = key(NS, scope, "step")
    init(k_key, 0)
    if st.session_state[k_key] > last:
        st.session_state[k_key] = last
    if last < 1:
        return 0
    return st.slider(label, 0, last, key=k_key, help=t(f"{NS}.page.step_help"))


def play_slider(scope: str, last: int, label: str) -> int:
    """▶/⏸ and the step slider (`ui.widgets.player`): a run plays in about `PLAY_FRAMES` frames, from its end."""
    return player(key(NS, scope, "step"), last, label=label, start=last, stride=max(1, -(-last // PLAY_FRAMES)),
                  texts=(t(f"{NS}.logistic.play"), t(f"{NS}.logistic.pause")), playing_key=PLAYING,
                  button_key=PLAY_BUTTON, help=t(f"{NS}.page.step_help"))  # fmt: skip


def formula(latex: str, text_key: str, **params) -> None:
    st.latex(latex)
    st.markdown(t(text_key, **params))


def explain_data(registry, data: tuple) -> None:
    """The chosen data set's formula and explanation, under its widgets."""
    entry = registry.get(data[1])
    st.latex(entry.formula)
    st.caption(t(f"{registry.family}.{entry.name}.desc"))


def num(value: float, digits: int) -> str:
    """`value` rounded, without a "−0.000"."""
    text = f"{value:.{digits}f}"
    return f"{0:.{digits}f}" if float(text) == 0 else text


def verdict_box(v, lr: float, diverged_at) -> None:
    params = {"lr": rg.fmt_lr(lr), "critical": f"{v.critical_lr:.4f}", "overshoot": f"{v.overshoot_lr:.4f}",
              "factor": f"{v.factor:.4g}", "k": v.converged_at, "distance": f"{v.distance:.3g}",
              "at": diverged_at, "limit": rg.fmt_lr(rg.DIVERGE_LIMIT)}  # fmt: skip
    if v.kind == "converged":
        st.success(t(f"{NS}.gd.converged", **params), icon="✅")
    elif v.kind == "oscillating":
        st.info(t(f"{NS}.gd.oscillating", **params), icon="↔️")
    elif v.kind == "slow":
        st.warning(t(f"{NS}.gd.slow", **params), icon="🐢")
    elif diverged_at is not None:
        st.error(t(f"{NS}.gd.diverged_stopped", **params), icon="💥")
    else:
        st.error(t(f"{NS}.gd.diverged", **params), icon="💥")


def update_code(run, k: int) -> None:
    """The update θ_k → θ_{k+1}, one parameter a line, with the numbers."""
    st.markdown(t(f"{NS}.gd.update_title", k=k, k1=k + 1))
    st.code("\n".join(rg.update_lines(run, k)), language=None)


def ranges(specs: tuple, scope: str) -> tuple:
    """(from, to, step) of a search grid, side by side."""
    return tuple(param_input(p, key(NS, scope, p.name), NS, where=c) for p, c in zip(specs, st.columns(3), strict=True))


def formula_box(title: str, *formulas: tuple) -> None:
    """A bordered box under a section: its title, then each (LaTeX, text key, params) as a formula and its text."""
    with st.container(border=True):
        st.markdown(f"#### {title}")
        for latex, text_key, *params in formulas:
            if text_key is None:
                st.latex(latex)
            else:
                formula(latex, text_key, **(params[0] if params else {}))


def start_inputs(scope: str, specs: tuple) -> tuple[float, float]:
    """The start (w₀, b₀) side by side; b₀ = 0 when `specs` holds w₀ alone."""
    if len(specs) == 1:
        return param_input(specs[0], key(NS, scope, specs[0].name), NS), 0.0
    c1, c2 = st.columns(2)
    return tuple(param_input(p, key(NS, scope, p.name), NS, where=c) for p, c in zip(specs, (c1, c2), strict=True))


def try_w_slider(curve) -> float:
    """One w of the search grid to look at (its key carries the grid: a slider keeps its own range per grid)."""
    w0, w1 = float(curve.ws[0]), float(curve.ws[-1])
    step = float(curve.ws[1] - curve.ws[0]) if len(curve.ws) > 1 else 1.0
    pick_key = key(NS, "search", "try_w", w0, w1, step)
    init(pick_key, float(curve.ws[int(np.argmin(np.abs(curve.ws - rg.TRY_W.default)))]))
    return st.slider(t(f"{NS}.params.try_w"), w0, max(w1, w0 + step), step=step, key=pick_key, format="%.3f")


def logistic_metrics(run, k: int, boundary: float | None, dim: int) -> None:
    """Loss, accuracy and the boundary (1-D) or the weights (2-D) at step k."""
    m1, m2, m3 = st.columns(3)
    m1.metric(t(f"{NS}.logistic.loss"), f"{run.losses[k]:.4f}")
    m2.metric(t(f"{NS}.logistic.accuracy"), f"{run.accuracies[k]:.0%}")
    if dim == 1:
        m3.metric(t(f"{NS}.logistic.boundary"), "—" if boundary is None else f"x = {num(boundary, 3)}")
    else:
        m3.metric(t(f"{NS}.logistic.weights"), ", ".join(f"{v:.2f}" for v in run.thetas[k]))


def section_picker(sections: tuple[str, ...]) -> str:
    """The page's section (a segmented control; one section is drawn at a time)."""
    section_key = key(NS, "section")
    init(section_key, sections[0])
    tr = translator()
    return st.segmented_control(t(f"{NS}.page.section"), sections, required=True, key=section_key,
                                format_func=lambda s: tr(f"{NS}.page.sections.{s}", s), label_visibility="collapsed")  # fmt: skip
