"""Linear model and gradient descent: exhaustive search, GD step by step, batch vs stochastic, logistic regression.

Each section is an ``st.fragment``: its widgets rerun only that section. Results are cached
on their inputs; the page only reads widgets, calls `core.linear` and draws.
"""

import streamlit as st

from core.linear import logistic as lg
from core.linear import regression as rg
from core.linear.data import LOGISTIC_DATA, REGRESSION_DATA
from ui import linear_charts as charts
from ui import linear_widgets as lw
from ui.charts import show, table
from ui.feedback import user_errors
from ui.i18n import t
from ui.linear_cache import descend, points_of, race, search, train_logistic
from ui.sidebar import seed
from ui.state import init, key
from ui.widgets import choose, choose_many, entry_title, explain, param_input, param_inputs

NS = "linear"
SECTIONS = ("search", "gd", "sgd", "logistic")
SEARCH_VIEW_KEY = "linear_search_view"  # lazy tabs (contour / 3-D): not a p.* key, its value is a translated label
PLAY_S = 1.0  # seconds between frames while playing


def labels() -> dict[str, str]:
    return {name: t(f"{NS}.chart.{name}") for name in charts.LABELS}


# ----------------------------------------------------------------------------- 穷举法


@st.fragment
def search_section() -> None:
    st.markdown(t(f"{NS}.search.intro"))
    left, right = st.columns([1, 2.3], gap="large")
    with left:
        data = lw.data_picker(REGRESSION_DATA)
        lw.explain_data(REGRESSION_DATA, data)
        model = choose(rg.MODELS, rg.MODELS.family, "search", label_key=f"{NS}.page.model")
        w_range = lw.ranges((rg.W_MIN, rg.W_MAX, rg.W_STEP), "search")
        b_range = lw.ranges((rg.B_MIN, rg.B_MAX, rg.B_STEP), "search") if model == "wb" else (None, None, None)
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
        lw.formula(rg.SEARCH_LATEX, f"{NS}.search.method")


def _search_curve(points, curve, lab) -> None:
    st.markdown(t(f"{NS}.search.best_w", w=f"{curve.best_w:.3f}", loss=f"{curve.best_loss:.4f}",
                  exact=f"{curve.exact_w:.4f}", n=len(curve.ws)))  # fmt: skip
    tried_w = lw.try_w_slider(curve)
    res = rg.residuals(points, tried_w)
    tried_loss = float(res["sq_err"].mean())
    left, right = st.columns(2)
    with left:
        show(charts.search_curve(curve.ws, curve.losses, (curve.best_w, curve.best_loss), (tried_w, tried_loss), lab),
             key="linear-search-curve")  # fmt: skip
    with right:
        lines = [(tried_w, 0.0, f"ŷ = {tried_w:.3f}·x"), (curve.best_w, 0.0, f"ŷ = {curve.best_w:.3f}·x (w*)")]
        show(charts.fit(points, lines, lab), key="linear-search-fit")
    st.caption(t(f"{NS}.search.table", w=f"{tried_w:.3f}", loss=f"{tried_loss:.4f}"))
    table(charts.residual_table(res), decimals=4, height=min(36 * (points.n + 1), 250))


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


@st.fragment
def gd_section() -> None:
    st.markdown(t(f"{NS}.gd.intro"))
    left, right = st.columns([1, 2.3], gap="large")
    with left:
        data = lw.data_picker(REGRESSION_DATA)
        lw.explain_data(REGRESSION_DATA, data)
        model = choose(rg.MODELS, rg.MODELS.family, "gd", label_key=f"{NS}.page.model")
        w0, b0 = lw.start_inputs("gd", (rg.W0, rg.B0) if model == "wb" else (rg.W0,))
        lr = lw.lr_input(rg.LR, "gd")
        epochs = param_input(rg.EPOCHS, key(NS, "gd", "epochs"), NS, help=t(f"{NS}.page.epochs_help"))
    with right:
        result = None
        with user_errors():
            points = points_of(*data)
            result = descend(data, model, lr, epochs, (w0, b0))
        if result is None:
            return
        run, verdict, surface = result
        lw.verdict_box(verdict, run.lr, run.diverged_at)
        if run.steps == 0:
            st.error(t(f"{NS}.gd.no_step"), icon="💥")
            return
        k = lw.step_slider("gd", run.steps - 1, t(f"{NS}.page.step"))
        lw.update_code(run, k)
        names = (t(f"{NS}.gd.line_k", k=k), t(f"{NS}.gd.line_k", k=k + 1))
        figs = charts.descent_figures(run, points, rg.step_view(run, points, k, verdict.optimum), k, surface, labels(),
                                      x=t(f"{NS}.page.step"), names=names)  # fmt: skip
        c1, c2 = st.columns(2)
        with c1:
            show(figs["curve"], key="linear-gd-curve")
            if model == "wb":
                st.caption(t(f"{NS}.gd.slice_caption", b=f"{run.thetas[k, 1]:.3f}"))
        if surface is None:  # ŷ = w·x: the fit beside the curve, the loss under both
            with c2:
                show(figs["fit"], key="linear-gd-fit")
            show(figs["loss"], key="linear-gd-loss")
        else:  # ŷ = w·x + b: the (w, b) contour beside the curve, the fit and the loss under them
            with c2:
                show(figs["contour"], key="linear-gd-contour")
            c1, c2 = st.columns(2)
            with c1:
                show(figs["fit"], key="linear-gd-fit")
            with c2:
                show(figs["loss"], key="linear-gd-loss")
    regimes = {"critical": f"{verdict.critical_lr:.4f}", "overshoot": f"{verdict.overshoot_lr:.4f}"}
    lw.formula_box(t(f"{NS}.gd.formulas"), (rg.MODELS.get(model).grad_formula, None),
                (rg.rule_latex(model), f"{NS}.gd.rule"), (rg.regimes_latex(model), f"{NS}.gd.regimes", regimes))  # fmt: skip


# ----------------------------------------------------------------------------- batch vs stochastic


@st.fragment
def sgd_section() -> None:
    st.markdown(t(f"{NS}.sgd.intro"))
    init(key(REGRESSION_DATA.family, "sgd", "choice"), "noisy")
    left, right = st.columns([1, 2.3], gap="large")
    with left:
        data = lw.data_picker(REGRESSION_DATA, "sgd")
        lw.explain_data(REGRESSION_DATA, data)
        modes = choose_many(rg.MODES, rg.MODES.family, label_key=f"{NS}.page.modes", default=rg.MODES.names())
        batch_size = param_inputs(rg.MODES.get("minibatch"), rg.MODES.family)["batch_size"]
        lr = param_input(rg.SGD_LR, key(NS, "sgd", "lr"), NS)
        epochs = param_input(rg.SGD_EPOCHS, key(NS, "sgd", "epochs"), NS)
        shuffle = param_input(rg.SHUFFLE, key(NS, "sgd", "shuffle"), NS, help=t(f"{NS}.page.shuffle_help"))
        w0, b0 = lw.start_inputs("sgd", (rg.W0, rg.B0))
    with right:
        result = None
        with user_errors():
            result = race(data, rg.check_modes(modes), batch_size, lr, epochs, (w0, b0), shuffle, seed())
        if result is None:
            return
        runs, optimum, surface = result
        lab = labels()
        names = {m: entry_title(rg.MODES.family, m) for m in runs}
        for m in (m for m, run in runs.items() if run.diverged_at is not None):
            st.error(t(f"{NS}.sgd.diverged", name=names[m], k=runs[m].diverged_at, limit=rg.fmt_lr(rg.DIVERGE_LIMIT)), icon="💥")  # fmt: skip
        contour_fig, loss_fig = charts.race_figures(runs, names, surface, lab, x=t(f"{NS}.page.epoch"))
        show(contour_fig, key="linear-sgd-contour")
        show(loss_fig, key="linear-sgd-loss")
        columns = {c: t(f"{NS}.col.{c}") for c in ("mode", "updates", "per_epoch", "loss", "distance")}
        table(charts.race_table(runs, names, optimum, columns))
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
        data = lw.data_picker(LOGISTIC_DATA)
        lw.explain_data(LOGISTIC_DATA, data)
        lr = lw.lr_input(lg.LOGISTIC_LR, "logistic")
        epochs = param_input(lg.LOGISTIC_EPOCHS, key(NS, "logistic", "epochs"), NS, help=t(f"{NS}.page.epochs_help"))
        w0, b0 = lw.start_inputs("logistic", (lg.START_W, lg.START_B))
    with right:
        run = None
        with user_errors():
            points = points_of(*data)
            run = train_logistic(data, lr, epochs, (w0, b0))
        if run is None:
            if st.session_state.get(lw.PLAYING):  # bad input stops the player (and its timer)
                st.session_state[lw.PLAYING] = False
                st.rerun(scope="app")
            return
        if run.diverged_at is not None:
            st.error(t(f"{NS}.logistic.diverged", k=run.diverged_at, lr=rg.fmt_lr(run.lr), limit=rg.fmt_lr(rg.DIVERGE_LIMIT)), icon="💥")  # fmt: skip
        k = lw.play_slider("logistic", run.steps, t(f"{NS}.page.step"))
        theta = run.thetas[k]
        boundary = lg.boundary_1d(theta) if points.dim == 1 else None
        lw.logistic_metrics(run, k, boundary, points.dim)
        if run.steps:  # the update out of step k (into the last step when k is the end)
            lw.update_code(run, min(k, run.steps - 1))
        lab = labels()
        lab["boundary_at"] = t(f"{NS}.chart.boundary_at", x=lw.num(boundary, 2)) if boundary is not None else ""
        figs = charts.logistic_figures(points, run, k, boundary, lab, x=t(f"{NS}.page.step"))
        c1, c2 = st.columns(2)
        with c1:
            show(figs["data"], key="linear-logit-1d" if points.dim == 1 else "linear-logit-2d")
        with c2:
            show(figs["surface"], key="linear-logit-surface")
            st.caption(
                t(f"{NS}.logistic.surface_1d" if points.dim == 1 else f"{NS}.logistic.surface_2d", b=f"{theta[-1]:.3f}")
            )
        show(figs["loss"], key="linear-logit-loss")
    lw.formula_box(t(f"{NS}.logistic.formulas"), (lg.SIGMOID, f"{NS}.logistic.sigmoid"),
                (lg.CROSS_ENTROPY, f"{NS}.logistic.cross_entropy"), (lg.GRADIENT, f"{NS}.logistic.gradient"),
                (lg.BOUNDARY, f"{NS}.logistic.boundary_text"))  # fmt: skip


def main() -> None:
    st.title(t(f"{NS}.page.title"))
    st.markdown(t(f"{NS}.page.intro"))
    section = lw.section_picker(SECTIONS)
    if section == "logistic":  # a fragment with a timer while ▶ plays
        st.fragment(logistic_section, run_every=PLAY_S if st.session_state.get(lw.PLAYING) else None)()
    else:
        {"search": search_section, "gd": gd_section, "sgd": sgd_section}[section]()


main()
