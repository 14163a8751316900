"""Optimizer race: several optimizers, each with its own settings, on a 2-D loss surface."""

import pandas as pd
import streamlit as st

from core.errors import UserError
from core.optim import OPTIMIZERS
from core.optim.race import DEFAULT_RACE, DEFAULT_STEPS, Run, inspect, race, suggested_lr
from core.surfaces import CUSTOM, CUSTOM_EXPRESSION, CUSTOM_HALF_WIDTH, SURFACES, expression_surface
from ui import surface_charts as charts
from ui.charts import show
from ui.feedback import user_errors
from ui.i18n import t, t_or
from ui.state import init, key
from ui.widgets import choose_many, entry_params, entry_title, explain

NS = "optimizers"
CHART_KEY = "optimizers_contour"  # a selection widget: not a p.* key (app.py must not re-assign it)
TABS_KEY = "optimizers_tab"  # its value is the (translated) label, so it is not kept across a language switch


@st.cache_data(max_entries=32, show_spinner=False)
def run_race(surface_name: str, expr: str, half: float, runs: tuple, start: tuple, steps: int):
    surface = SURFACES.get(surface_name) if surface_name != CUSTOM else expression_surface(expr, ((-half, half),) * 2)
    return race(surface, [Run(name, dict(hp)) for name, hp in runs], start, steps)


def last_value(values, spec: str) -> str:
    """The last defined entry of `values`, formatted; "—" when there is none (f undefined at the start)."""
    defined = values[~pd.isna(values)]
    return format(defined[-1], spec) if len(defined) else "—"


def chart_labels() -> dict[str, str]:
    names = ("minimum", "saddle", "start", "x", "y", "play", "pause", "step", "pick_hover", "value", "log_value",
             "gap", "distance")  # fmt: skip
    return {n: t(f"{NS}.chart.{n}") for n in names}


st.title(t(f"{NS}.page.title"))
st.markdown(t(f"{NS}.page.intro"))

# The whole page width: in the narrow settings column the chips of long titles were cut off.
chosen = choose_many(OPTIMIZERS, NS, label_key=f"{NS}.page.choose", default=DEFAULT_RACE)
left, right = st.columns([1, 2], gap="large")
surface = None
with left:
    surface_key = key(NS, "surface")
    init(surface_key, SURFACES.names()[0])
    surface_name = st.selectbox(
        t(f"{NS}.page.surface"),
        [*SURFACES.names(), CUSTOM],
        key=surface_key,
        format_func=lambda n: t(f"{NS}.page.custom") if n == CUSTOM else t(f"surfaces.{n}.title"),
    )
    expr, half = "", CUSTOM_HALF_WIDTH
    with user_errors():
        if surface_name == CUSTOM:
            init(key(NS, "expr"), CUSTOM_EXPRESSION)
            init(key(NS, "half"), CUSTOM_HALF_WIDTH)
            expr = st.text_input(t(f"{NS}.page.expr"), key=key(NS, "expr"), help=t(f"{NS}.page.expr_help"))
            half = st.number_input(t(f"{NS}.page.half"), key=key(NS, "half"), format="%g")
            surface = expression_surface(expr, ((-half, half), (-half, half)))
        else:
            surface = SURFACES.get(surface_name)
    if surface is None:
        st.stop()
    if surface_name != CUSTOM:
        st.latex(surface.formula)
        st.caption(t(f"surfaces.{surface_name}.desc"))

    kx, ky = key(NS, surface_name, "start_x"), key(NS, surface_name, "start_y")
    init(kx, float(surface.start[0]))
    init(ky, float(surface.start[1]))
    c1, c2 = st.columns(2)
    sx = c1.number_input(t(f"{NS}.page.start_x"), key=kx, format="%g", step=0.1)
    sy = c2.number_input(t(f"{NS}.page.start_y"), key=ky, format="%g", step=0.1)
    st.caption(t(f"{NS}.page.start_help"))
    init(key(NS, "steps"), DEFAULT_STEPS)
    steps = st.number_input(t(f"{NS}.page.steps"), key=key(NS, "steps"), step=50, help=t(f"{NS}.page.steps_help"))

    for name in chosen:
        init(key(NS, surface_name, name, "lr"), suggested_lr(name, surface))
    values = entry_params(OPTIMIZERS, NS, chosen, surface_name, columns=2)


def on_pick() -> None:
    """A click on the contour sets the start point (runs before the rerun draws the inputs)."""
    state = st.session_state.get(CHART_KEY)
    points = state.selection.points if state else []
    if points:
        st.session_state[kx] = round(float(points[0]["x"]), 3)
        st.session_state[ky] = round(float(points[0]["y"]), 3)


with right:
    paths = None
    with user_errors():
        if not chosen:
            raise UserError("nothing_selected", "no optimizer selected")
        runs = tuple((name, tuple(sorted(values[name].items()))) for name in chosen)
        paths = run_race(surface_name, expr, float(half), runs, (sx, sy), steps)
    if paths is None:
        st.stop()
    labels = chart_labels()
    names = [
        charts.path_label(p, entry_title(NS, p.entry.name), t(f"{NS}.page.diverged_short", k=p.diverged_at))
        for p in paths
    ]
    for path in paths:
        if path.diverged_at is not None:
            st.warning(t(f"{NS}.page.diverged", name=entry_title(NS, path.entry.name), k=path.diverged_at), icon="💥")

    # Lazy tabs: only the open one is drawn (the 3-D surface alone takes seconds in a browser without a GPU).
    tab_contour, tab_3d, tab_loss, tab_dist = st.tabs(
        [t(f"{NS}.page.tab_contour"), t(f"{NS}.page.tab_3d"), t(f"{NS}.page.tab_loss"), t(f"{NS}.page.tab_distance")],
        key=TABS_KEY,
        on_change="rerun",
    )
    if tab_contour.open:
        with tab_contour:
            st.caption(t(f"{NS}.page.click_hint"))
            fig = charts.contour(surface, paths, names, labels, start=(sx, sy), pick=True)
            st.plotly_chart(fig, width="stretch", key=CHART_KEY, on_select=on_pick, selection_mode="points",
                            config={"displaylogo": False})  # fmt: skip
    if tab_3d.open:
        with tab_3d:
            show(charts.surface_3d(surface, paths, names, labels), key="optimizers_3d")
    if tab_loss.open:
        with tab_loss:
            show(charts.loss_chart(surface, paths, names, labels), key="optimizers_loss")
    if tab_dist.open:
        with tab_dist:
            if surface.minima:
                show(charts.distance_chart(paths, names, labels), key="optimizers_distance")
            else:
                st.info(t(f"{NS}.page.no_minimum"))

    st.subheader(t(f"{NS}.page.summary"))
    summary = pd.DataFrame(
        {
            t(f"{NS}.col.optimizer"): [entry_title(NS, p.entry.name) for p in paths],
            t(f"{NS}.col.final"): [f"({p.final[0]:.4g}, {p.final[1]:.4g})" for p in paths],
            t(f"{NS}.col.loss"): [last_value(p.losses, ".6g") for p in paths],
            t(f"{NS}.col.distance"): [last_value(p.distance, ".4g") if surface.minima else "—" for p in paths],
            t(f"{NS}.col.status"): [
                t(f"{NS}.page.diverged_short", k=p.diverged_at) if p.diverged_at else t(f"{NS}.page.finished")
                for p in paths
            ],
        }
    )
    st.dataframe(summary, hide_index=True, width="stretch")

    st.subheader(t(f"{NS}.page.inspector"))
    st.caption(t(f"{NS}.page.inspector_help"))
    k_key = key(NS, "inspect_step")
    init(k_key, 1)
    if st.session_state[k_key] > steps:
        st.session_state[k_key] = steps
    if steps > 1:
        k = st.slider(t(f"{NS}.page.inspect_step"), 1, int(steps), key=k_key)
    else:
        k = 1
    with user_errors():
        rows = inspect(paths, k)

        def fmt(v) -> str:
            return "—" if v is None else f"({v[0]:.4g}, {v[1]:.4g})"

        table = pd.DataFrame(
            {
                t(f"{NS}.col.optimizer"): [entry_title(NS, p.entry.name) for p in paths],
                t(f"{NS}.col.position"): [fmt(r["position"]) for r in rows],
                t(f"{NS}.col.grad"): [fmt(r["grad"]) for r in rows],
                t(f"{NS}.col.velocity"): [fmt(r["velocity"]) for r in rows],
                t(f"{NS}.col.scale"): [fmt(r["scale"]) for r in rows],
                t(f"{NS}.col.update"): [fmt(r["update"]) for r in rows],
                t(f"{NS}.col.lr"): [f"{r['lr']:.4g}" for r in rows],
                t(f"{NS}.col.loss_k"): [
                    t(f"{NS}.page.diverged_short", k=p.diverged_at) if r["diverged"] else f"{r['loss']:.6g}"
                    for p, r in zip(paths, rows, strict=True)
                ],
            }
        )
        st.dataframe(table, hide_index=True, width="stretch")
    st.caption(t(f"{NS}.page.inspector_legend"))

st.divider()
st.subheader(t(f"{NS}.page.formulas"))
for name in chosen:
    with st.container(border=True):
        st.markdown(f"#### {entry_title(NS, name)}")
        explain(NS, OPTIMIZERS.get(name))
        note = t_or(f"{NS}.{name}.note", "")
        if note:
            st.info(note, icon="📘")
