"""Linear model and gradient descent: exhaustive search, GD step by step, batch vs stochastic, logistic regression.

Each section is an ``st.fragment``: its widgets rerun only that section. Results are cached
on their inputs; the page only reads widgets, calls `core.linear` and draws.
"""

import numpy as np
import pandas as pd
import streamlit as st

from core.errors import UserError
from core.linear import logistic as lg
from core.linear import regression as rg
from core.linear.data import LOGISTIC_DATA, REGRESSION_DATA
from ui import linear_charts as charts
from ui.charts import show
from ui.feedback import user_errors
from ui.i18n import t, translator
from ui.sidebar import seed
from ui.state import init, key
from ui.widgets import choose, choose_many, entry_title, explain, param_input, param_inputs

NS = "linear"
SECTIONS = ("search", "gd", "sgd", "logistic")
REGISTRIES = {r.family: r for r in (REGRESSION_DATA, LOGISTIC_DATA)}
SEARCH_VIEW_KEY = "linear_search_view"  # lazy tabs (contour / 3-D): not a p.* key, its value is a translated label
PLAYING = "linear.logistic.playing"  # a plain session flag, not a widget value
PLAY_BUTTON = "linear-logistic-play"
PLAY_S = 1.0  # seconds between frames while playing
PLAY_FRAMES = 30  # a run plays in about this many frames


# ----------------------------------------------------------------------------- cached core calls


@st.cache_data(max_entries=64, show_spinner=False)
def points_of(family: str, name: str, data_seed: int, values: tuple):
    return REGISTRIES[family].get(name).load(data_seed, **dict(values))


@st.cache_data(max_entries=64, show_spinner=False)
def search(data: tuple, model: str, w_range: tuple, b_range: tuple):
    points = points_of(*data)
    return rg.search_w(points, *w_range) if model == "w" else rg.search_wb(points, w_range, b_range)


@st.cache_data(max_entries=64, show_spinner=False)
def descend(data: tuple, model: str, lr, epochs, start: tuple):
    points = points_of(*data)
    run = rg.descend(points, model, lr, epochs, start=start)
    verdict = rg.verdict(run, points)
    surface = rg.surface_around(points, run.thetas, verdict.optimum) if model == "wb" else None
    return run, verdict, surface


@st.cache_data(max_entries=32, show_spinner=False)
def race(data: tuple, modes: tuple, batch_size, lr, epochs, start: tuple, shuffle: bool, run_seed: int):
    points = points_of(*data)
    runs = {m: rg.descend(points, "wb", lr, epochs, mode=m, batch_size=batch_size, start=start, seed=run_seed,
                          shuffle=shuffle, max_epochs=rg.SGD_EPOCHS.high) for m in modes}  # fmt: skip
    optimum = rg.least_squares(points, "wb")
    return runs, optimum, rg.surface_around(points, np.vstack([r.thetas for r in runs.values()]), optimum)


@st.cache_data(max_entries=32, show_spinner=False)
def train_logistic(data: tuple, lr, epochs, start: tuple):
    return lg.train(points_of(*data), lr, epochs, start)


# ----------------------------------------------------------------------------- shared widgets


def labels() -> dict[str, str]:
    return {k.rsplit(".", 1)[1]: t(k) for k in CHART_KEYS}


CHART_KEYS = tuple(
    f"{NS}.chart.{n}"
    for n in (
        "curve_title",
        "mse",
        "tried",
        "best",
        "picked",
        "fit_title",
        "error",
        "data",
        "loss",
        "path",
        "now",
        "exact",
        "descent_title",
        "loss_curve",
        "tangent",
        "loss_title",
        "logistic_title",
        "x_hours",
        "class0",
        "class1",
        "boundary",
        "boundary_at",
    )  # fmt: skip
)


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


def _num(value: float, digits: int) -> str:
    """`value` rounded, without a "−0.000"."""
    text = f"{value:.{digits}f}"
    return f"{0:.{digits}f}" if float(text) == 0 else text


def play_slider(scope: str, last: int, label: str) -> int:
    """▶/⏸ and the step slider; while playing the section is a fragment with ``run_every=PLAY_S``.

    Each tick moves the slider on by 1/PLAY_FRAMES of the run before it is drawn; at the end,
    or on pause, a full rerun drops the timer (as on the backpropagation page).
    """
    k_key = key(NS, scope, "step")
    init(k_key, last)
    if st.session_state[k_key] > last:
        st.session_state[k_key] = last
    playing = st.session_state.get(PLAYING, False)
    if playing and not st.session_state.get(PLAY_BUTTON):  # a tick (a pause click moves nothing)
        if st.session_state[k_key] >= last:
            st.session_state[PLAYING] = False
            st.rerun(scope="app")
        st.session_state[k_key] = min(last, st.session_state[k_key] + max(1, -(-last // PLAY_FRAMES)))
    button, slider = st.columns([1, 5], vertical_alignment="bottom")
    if button.button(t(f"{NS}.logistic.pause" if playing else f"{NS}.logistic.play"), key=PLAY_BUTTON, width="stretch"):
        st.session_state[PLAYING] = not playing
        if not playing and st.session_state[k_key] >= last:
            st.session_state[k_key] = 0  # play again from the start
        st.rerun(scope="app")
    if last < 1:
        return 0
    return slider.slider(label, 0, last, key=k_key, help=t(f"{NS}.page.step_help"))


def formula(latex: str, text_key: str, **params) -> None:
    st.latex(latex)
    st.markdown(t(text_key, **params))


def explain_data(registry, data: tuple) -> None:
    """The chosen data set's formula and explanation, under its widgets."""
    entry = registry.get(data[1])
    st.latex(entry.formula)
    st.caption(t(f"{registry.family}.{entry.name}.desc"))


# ----------------------------------------------------------------------------- 穷举法


@st.fragment
def search_section() -> None:
    st.markdown(t(f"{NS}.search.intro"))
    left, right = st.columns([1, 2.3], gap="large")
    with left:
        data = data_picker(REGRESSION_DATA)
        explain_data(REGRESSION_DATA, data)
        model = choose(rg.MODELS, rg.MODELS.family, "search", label_key=f"{NS}.page.model")
        c1, c2, c3 = st.columns(3)
        w_range = tuple(
            param_input(p, key(NS, "search", p.name), NS, where=c)
            for p, c in zip((rg.W_MIN, rg.W_MAX, rg.W_STEP), (c1, c2, c3), strict=True)
        )
        b_range = (None, None, None)
        if model == "wb":
            c1, c2, c3 = st.columns(3)
            b_range = tuple(
                param_input(p, key(NS, "search", p.name), NS, where=c)
                for p, c in zip((rg.B_MIN, rg.B_MAX, rg.B_STEP), (c1, c2, c3), strict=True)
            )
    with right:
        result = None
        with user_errors():
            points = points_of(*data)
            result = search(data, model, w_range, b_range)
        if result is None:
            return
        lab = labels()
        if model == "w":
            _search_curve(points, result, lab)
        else:
            _search_surface(points, result, lab)
    with st.container(border=True):
        st.markdown(f"#### {entry_title(rg.MODELS.family, model)}")
        explain(rg.MODELS.family, rg.MODELS.get(model))
        formula(r"w^\ast=\arg\min_{w\in\{w_0,\,w_0+\Delta,\,\dots\}}L(w)", f"{NS}.search.method")


def _search_curve(points, curve, lab) -> None:
    st.markdown(t(f"{NS}.search.best_w", w=f"{curve.best_w:.3f}", loss=f"{curve.best_loss:.4f}",
                  exact=f"{curve.exact_w:.4f}", n=len(curve.ws)))  # fmt: skip
    w0, w1 = float(curve.ws[0]), float(curve.ws[-1])
    step = float(curve.ws[1] - curve.ws[0]) if len(curve.ws) > 1 else 1.0
    pick_key = key(NS, "search", "try_w", w0, w1, step)
    init(pick_key, float(curve.ws[int(np.argmin(np.abs(curve.ws - rg.TRY_W.default)))]))
    tried_w = st.slider(t(f"{NS}.params.try_w"), w0, max(w1, w0 + step), step=step, key=pick_key, format="%.3f")
    res = rg.residuals(points, tried_w)
    tried_loss = float(res["sq_err"].mean())
    left, right = st.columns(2)
    with left:
        show(charts.search_curve(curve.ws, curve.losses, (curve.best_w, curve.best_loss), (tried_w, tried_loss), lab),
             key="linear-search-curve")  # fmt: skip
    with right:
        lines = [(tried_w, 0.0, f"ŷ = {tried_w:.3f}·x"), (curve.best_w, 0.0, f"ŷ = {curve.best_w:.3f}·x (w*)")]
        show(charts.fit(points, lines, lab), key="linear-search-fit")
    table = pd.DataFrame({"x": res["x"], "y": res["y"], "ŷ = w·x": res["y_hat"], "(ŷ − y)²": res["sq_err"]})
    st.caption(t(f"{NS}.search.table", w=f"{tried_w:.3f}", loss=f"{tried_loss:.4f}"))
    st.dataframe(
        table.style.format(precision=4), hide_index=True, width="stretch", height=min(36 * (points.n + 1), 250)
    )


def _search_surface(points, surface, lab) -> None:
    st.markdown(t(f"{NS}.search.best_wb", w=f"{surface.best_w:.3f}", b=f"{surface.best_b:.3f}",
                  loss=f"{surface.best_loss:.4f}", exact_w=f"{surface.exact[0]:.4f}", exact_b=f"{surface.exact[1]:.4f}",
                  n=surface.losses.size))  # fmt: skip
    tab_contour, tab_3d = st.tabs([t(f"{NS}.search.tab_contour"), t(f"{NS}.search.tab_3d")], key=SEARCH_VIEW_KEY,
                                  on_change="rerun")  # fmt: skip
    if tab_contour.open:
        with tab_contour:
            show(charts.contour(surface.ws, surface.bs, surface.losses, lab, x="w", y="b",
                                star=(surface.best_w, surface.best_b), exact=surface.exact), key="linear-search-contour")  # fmt: skip
    if tab_3d.open:
        with tab_3d:
            show(charts.surface_3d(surface.ws, surface.bs, surface.losses, lab, x="w", y="b",
                                   star=(surface.best_w, surface.best_b, surface.best_loss)), key="linear-search-3d")  # fmt: skip
    lines = [(surface.best_w, surface.best_b, f"ŷ = {surface.best_w:.3f}·x + {surface.best_b:.3f}")]
    show(charts.fit(points, lines, lab), key="linear-search-fit-wb")


# ----------------------------------------------------------------------------- gradient descent


def _verdict_box(v, lr: float, diverged_at) -> None:
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


@st.fragment
def gd_section() -> None:
    st.markdown(t(f"{NS}.gd.intro"))
    left, right = st.columns([1, 2.3], gap="large")
    with left:
        data = data_picker(REGRESSION_DATA)
        explain_data(REGRESSION_DATA, data)
        model = choose(rg.MODELS, rg.MODELS.family, "gd", label_key=f"{NS}.page.model")
        c1, c2 = st.columns(2) if model == "wb" else (st, None)
        w0 = param_input(rg.W0, key(NS, "gd", "w0"), NS, where=c1)
        b0 = param_input(rg.B0, key(NS, "gd", "b0"), NS, where=c2) if model == "wb" else 0.0
        lr = lr_input(rg.LR, "gd")
        epochs = param_input(rg.EPOCHS, key(NS, "gd", "epochs"), NS, help=t(f"{NS}.page.epochs_help"))
    with right:
        result = None
        with user_errors():
            points = points_of(*data)
            result = descend(data, model, lr, epochs, (w0, b0))
        if result is None:
            return
        run, verdict, surface = result
        _verdict_box(verdict, run.lr, run.diverged_at)
        if run.steps == 0:
            st.error(t(f"{NS}.gd.no_step"), icon="💥")
            return
        k = step_slider("gd", run.steps - 1, t(f"{NS}.page.step"))
        st.markdown(t(f"{NS}.gd.update_title", k=k, k1=k + 1))
        st.code("\n".join(rg.update_lines(run, k)), language=None)
        lab = labels()
        tangent = rg.tangent(run, points, k)
        optimum = verdict.optimum
        b_k = float(run.thetas[k, 1]) if model == "wb" else 0.0
        ws, slice_losses = rg.loss_slice(points, b_k, rg.around(run.thetas[: k + 2, 0], float(optimum[0])))
        on_curve = model == "w"
        path_w = run.thetas[:, 0] if on_curve else np.zeros(0)
        w_k, w_next = run.thetas[k], run.thetas[k + 1]
        b_next = float(w_next[1]) if model == "wb" else 0.0
        lines = [
            (float(w_k[0]), b_k, t(f"{NS}.gd.line_k", k=k)),
            (float(w_next[0]), b_next, t(f"{NS}.gd.line_k", k=k + 1)),
        ]
        steps = np.arange(len(run.losses))
        loss_fig = charts.loss_steps([(lab["loss"], steps, run.losses)], lab, x=t(f"{NS}.page.step"),
                                     mark=(k, run.losses[k]), log=bool(np.all(run.losses > 0)))  # fmt: skip
        c1, c2 = st.columns(2)
        with c1:
            show(charts.descent_curve(ws, slice_losses, path_w, run.losses, k, tangent, lab), key="linear-gd-curve")
            if not on_curve:
                st.caption(t(f"{NS}.gd.slice_caption", b=f"{b_k:.3f}"))
        with c2:
            if surface is None:
                show(charts.fit(points, lines, lab), key="linear-gd-fit")
            else:
                show(charts.contour(surface.ws, surface.bs, surface.losses, lab, x="w", y="b", exact=surface.exact,
                                    path=run.thetas, k=k, height=420), key="linear-gd-contour")  # fmt: skip
        if surface is None:
            show(loss_fig.update_layout(height=320), key="linear-gd-loss")
        else:
            c1, c2 = st.columns(2)
            with c1:
                show(charts.fit(points, lines, lab), key="linear-gd-fit")
            with c2:
                show(loss_fig, key="linear-gd-loss")
    with st.container(border=True):
        st.markdown(f"#### {t(f'{NS}.gd.formulas')}")
        entry = rg.MODELS.get(model)
        st.latex(entry.grad_formula)
        formula(r"w\leftarrow w-\eta\,\frac{\partial L}{\partial w}" + (r",\qquad b\leftarrow b-\eta\,\frac{\partial L}{\partial b}" if model == "wb" else ""),
                f"{NS}.gd.rule")  # fmt: skip
        formula(r"\eta<\frac{2}{\lambda_{\max}(H)},\qquad H=\nabla^2L=" + (r"2\,\overline{x^2}" if model == "w" else
                r"2\begin{pmatrix}\overline{x^2}&\bar x\\ \bar x&1\end{pmatrix}"),
                f"{NS}.gd.regimes", critical=f"{verdict.critical_lr:.4f}", overshoot=f"{verdict.overshoot_lr:.4f}")  # fmt: skip


# ----------------------------------------------------------------------------- batch vs stochastic


@st.fragment
def sgd_section() -> None:
    st.markdown(t(f"{NS}.sgd.intro"))
    init(key(REGRESSION_DATA.family, "sgd", "choice"), "noisy")
    left, right = st.columns([1, 2.3], gap="large")
    with left:
        data = data_picker(REGRESSION_DATA, "sgd")
        explain_data(REGRESSION_DATA, data)
        modes = choose_many(rg.MODES, rg.MODES.family, label_key=f"{NS}.page.modes", default=rg.MODES.names())
        batch_size = param_inputs(rg.MODES.get("minibatch"), rg.MODES.family)["batch_size"]
        lr = param_input(rg.SGD_LR, key(NS, "sgd", "lr"), NS)
        epochs = param_input(rg.SGD_EPOCHS, key(NS, "sgd", "epochs"), NS)
        shuffle = param_input(rg.SHUFFLE, key(NS, "sgd", "shuffle"), NS, help=t(f"{NS}.page.shuffle_help"))
        c1, c2 = st.columns(2)
        w0 = param_input(rg.W0, key(NS, "sgd", "w0"), NS, where=c1)
        b0 = param_input(rg.B0, key(NS, "sgd", "b0"), NS, where=c2)
    with right:
        result = None
        with user_errors():
            if not modes:
                raise UserError("nothing_selected", "no descent mode selected")
            result = race(data, tuple(modes), batch_size, lr, epochs, (w0, b0), shuffle, seed())
        if result is None:
            return
        runs, optimum, surface = result
        lab = labels()
        names = {m: entry_title(rg.MODES.family, m) for m in runs}
        for m, run in runs.items():
            if run.diverged_at is not None:
                st.error(
                    t(f"{NS}.sgd.diverged", name=names[m], k=run.diverged_at, limit=rg.fmt_lr(rg.DIVERGE_LIMIT)),
                    icon="💥",
                )
        series = [(names[m], np.arange(len(r.losses)) / r.updates_per_epoch, r.losses) for m, r in runs.items()]
        paths = [(names[m], r.thetas) for m, r in runs.items()]
        show(charts.paths_contour(surface.ws, surface.bs, surface.losses, paths, lab, exact=surface.exact),
             key="linear-sgd-contour")  # fmt: skip
        show(charts.loss_steps(series, lab, x=t(f"{NS}.page.epoch"), height=340, first_color=1), key="linear-sgd-loss")
        table = pd.DataFrame(
            {
                t(f"{NS}.col.mode"): [names[m] for m in runs],
                t(f"{NS}.col.updates"): [r.steps for r in runs.values()],
                t(f"{NS}.col.per_epoch"): [r.updates_per_epoch for r in runs.values()],
                "w": [f"{r.thetas[-1, 0]:.4f}" for r in runs.values()],
                "b": [f"{r.thetas[-1, 1]:.4f}" for r in runs.values()],
                t(f"{NS}.col.loss"): [f"{r.losses[-1]:.5g}" for r in runs.values()],
                t(f"{NS}.col.distance"): [f"{np.linalg.norm(r.thetas[-1] - optimum):.3g}" for r in runs.values()],
            }
        )
        st.dataframe(table, hide_index=True, width="stretch")
        st.caption(t(f"{NS}.sgd.optimum", w=f"{optimum[0]:.4f}", b=f"{optimum[1]:.4f}"))
    for m in modes:
        with st.container(border=True):
            st.markdown(f"#### {entry_title(rg.MODES.family, m)}")
            explain(rg.MODES.family, rg.MODES.get(m))


# ----------------------------------------------------------------------------- logistic regression


def logistic_section() -> None:
    """A fragment (see the call at the bottom): with a timer while ▶ plays."""
    st.markdown(t(f"{NS}.logistic.intro"))
    left, right = st.columns([1, 2.3], gap="large")
    with left:
        data = data_picker(LOGISTIC_DATA)
        explain_data(LOGISTIC_DATA, data)
        lr = lr_input(lg.LOGISTIC_LR, "logistic")
        epochs = param_input(lg.LOGISTIC_EPOCHS, key(NS, "logistic", "epochs"), NS, help=t(f"{NS}.page.epochs_help"))
        c1, c2 = st.columns(2)
        w0 = param_input(lg.START_W, key(NS, "logistic", "start_w"), NS, where=c1)
        b0 = param_input(lg.START_B, key(NS, "logistic", "start_b"), NS, where=c2)
    with right:
        run = None
        with user_errors():
            points = points_of(*data)
            run = train_logistic(data, lr, epochs, (w0, b0))
        if run is None:
            if st.session_state.get(PLAYING):  # bad input stops the player (and its timer)
                st.session_state[PLAYING] = False
                st.rerun(scope="app")
            return
        if run.diverged_at is not None:
            st.error(t(f"{NS}.logistic.diverged", k=run.diverged_at, lr=rg.fmt_lr(run.lr), limit=rg.fmt_lr(rg.DIVERGE_LIMIT)), icon="💥")  # fmt: skip
        k = play_slider("logistic", run.steps, t(f"{NS}.page.step"))
        theta = run.thetas[k]
        m1, m2, m3 = st.columns(3)
        m1.metric(t(f"{NS}.logistic.loss"), f"{run.losses[k]:.4f}")
        m2.metric(t(f"{NS}.logistic.accuracy"), f"{run.accuracies[k]:.0%}")
        boundary = lg.boundary_1d(theta) if points.dim == 1 else None
        if points.dim == 1:
            m3.metric(t(f"{NS}.logistic.boundary"), "—" if boundary is None else f"x = {_num(boundary, 3)}")
        else:
            m3.metric(t(f"{NS}.logistic.weights"), ", ".join(f"{v:.2f}" for v in theta))
        if run.steps:  # the update out of step k (into the last step when k is the end)
            u = min(k, run.steps - 1)
            st.markdown(t(f"{NS}.gd.update_title", k=u, k1=u + 1))
            st.code("\n".join(rg.update_lines(run, u)), language=None)
        lab = labels()
        lab["boundary_at"] = t(f"{NS}.chart.boundary_at", x=_num(boundary, 2)) if boundary is not None else ""
        bounds = lg.data_bounds(points, pad=1.5 if points.dim == 1 else 0.5)
        c1, c2 = st.columns(2)
        with c1:
            if points.dim == 1:
                xs = np.linspace(*bounds[0], 200)
                show(
                    charts.logistic_1d(points, xs, lg.probability_curve(theta, xs), boundary, lab),
                    key="linear-logit-1d",
                )
            else:
                grid = lg.probability_grid(theta, bounds)
                show(
                    charts.logistic_2d(points, grid, lg.boundary_2d(theta, bounds), bounds, lab), key="linear-logit-2d"
                )
        with c2:
            surface = lg.loss_slice(points, run, (0, 1), theta)
            x_name, y_name = run.names[0], run.names[1]
            show(charts.contour(surface.us, surface.vs, surface.losses, lab, x=x_name, y=y_name,
                                path=run.thetas[:, :2], k=k, height=420), key="linear-logit-surface")  # fmt: skip
            st.caption(
                t(f"{NS}.logistic.surface_1d" if points.dim == 1 else f"{NS}.logistic.surface_2d", b=f"{theta[-1]:.3f}")
            )
        show(charts.loss_steps([(lab["loss"], np.arange(len(run.losses)), run.losses)], lab, x=t(f"{NS}.page.step"),
                               mark=(k, run.losses[k]), log=bool(np.all(run.losses > 0))), key="linear-logit-loss")  # fmt: skip
    with st.container(border=True):
        st.markdown(f"#### {t(f'{NS}.logistic.formulas')}")
        formula(lg.SIGMOID, f"{NS}.logistic.sigmoid")
        formula(lg.CROSS_ENTROPY, f"{NS}.logistic.cross_entropy")
        formula(lg.GRADIENT, f"{NS}.logistic.gradient")
        formula(lg.BOUNDARY, f"{NS}.logistic.boundary_text")


st.title(t(f"{NS}.page.title"))
st.markdown(t(f"{NS}.page.intro"))
SECTION_KEY = key(NS, "section")
init(SECTION_KEY, SECTIONS[0])
_tr = translator()
section = st.segmented_control(
    t(f"{NS}.page.section"),
    SECTIONS,
    required=True,
    key=SECTION_KEY,
    format_func=lambda s: _tr(f"{NS}.page.sections.{s}", s),
    label_visibility="collapsed",
)
if section == "logistic":
    st.fragment(logistic_section, run_every=PLAY_S if st.session_state.get(PLAYING) else None)()
else:
    {"search": search_section, "gd": gd_section, "sgd": sgd_section}[section]()
