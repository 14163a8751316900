"""Optimizer race: several optimizers, each with its own settings, on a 2-D loss surface."""

from functools import partial

import streamlit as st

from core.optim import OPTIMIZERS
from core.optim.race import DEFAULT_RACE, DEFAULT_STEPS, Run, inspect, race, suggested_lr
from core.schedulers import steps_param
from core.surfaces import (
    CUSTOM,
    CUSTOM_EXPRESSION,
    CUSTOM_HALF_WIDTH,
    HALF_WIDTH,
    SURFACES,
    Surface,
    expression_surface,
)
from ui import race_tables as tables
from ui import surface_charts as charts
from ui.charts import show, table
from ui.feedback import user_errors
from ui.i18n import lang, t, t_or
from ui.spec_charts import Spec
from ui.state import init, key
from ui.widgets import choose_many, entry_params, entry_title, explain, param_input, start_inputs

NS = "optimizers"
CHART_KEY = "optimizers_contour"  # a selection widget: not a p.* key (app.py must not re-assign it)
TABS_KEY = "optimizers_tab"  # its value is the (translated) label, so it is not kept across a language switch
TABS = ("contour", "3d", "loss", "distance")


@st.cache_resource(max_entries=16, show_spinner=False)
def surface_of(name: str, expr: str, half: float) -> Surface:
    return SURFACES.get(name) if name != CUSTOM else expression_surface(expr, ((-half, half),) * 2)


@st.cache_data(max_entries=32, show_spinner=False)
def run_race(surface_name: str, expr: str, half: float, runs: tuple, start: tuple, steps: int):
    return race(surface_of(surface_name, expr, half), [Run(name, dict(hp)) for name, hp in runs], start, steps)


def chart_labels() -> dict[str, str]:
    names = ("minimum", "saddle", "start", "x", "y", "play", "pause", "step", "pick_hover", "value", "log_value",
             "gap", "distance")  # fmt: skip
    return {n: t(f"{NS}.chart.{n}") for n in names}


def path_names(paths) -> list[str]:
    return [charts.path_label(p, entry_title(NS, p.entry.name), t(f"{NS}.page.diverged_short", k=p.diverged_at))
            for p in paths]  # fmt: skip


@st.cache_resource(max_entries=32, show_spinner=False)
def race_chart(kind: str, language: str, race_key: tuple) -> Spec:
    """One tab's figure of one race in one language, built once (`race_key`: `run_race`'s arguments)."""
    surface, paths = surface_of(*race_key[:3]), run_race(*race_key)
    names, labels = path_names(paths), chart_labels()
    if kind == "contour":
        return charts.contour_spec(surface, paths, names, labels, start=race_key[4], pick=True)
    if kind == "3d":
        return charts.surface_3d(surface, paths, names, labels)
    if kind == "loss":
        return charts.loss_chart(surface, paths, names, labels)
    return charts.distance_chart(paths, names, labels)


def on_pick(kx: str, ky: str) -> None:
    """A click on the contour sets the start point (runs before the rerun draws the inputs)."""
    state = st.session_state.get(CHART_KEY)
    points = state.selection.points if state else []
    if points:
        st.session_state[kx] = round(float(points[0]["x"]), 3)
        st.session_state[ky] = round(float(points[0]["y"]), 3)


def surface_settings() -> tuple[str, str, float, Surface | None]:
    """The surface select box (a named surface or a typed formula): (name, formula, half width, surface)."""
    surface_key = key(NS, "surface")
    init(surface_key, SURFACES.names()[0])
    surface_name = st.selectbox(t(f"{NS}.page.surface"), [*SURFACES.names(), CUSTOM], key=surface_key,
                                format_func=lambda n: t(f"{NS}.page.custom") if n == CUSTOM else t(f"surfaces.{n}.title"))  # fmt: skip
    expr, half, surface = "", CUSTOM_HALF_WIDTH, None
    with user_errors():
        if surface_name == CUSTOM:
            init(key(NS, "expr"), CUSTOM_EXPRESSION)
            expr = st.text_input(t(f"{NS}.page.expr"), key=key(NS, "expr"), help=t(f"{NS}.page.expr_help"))
            half = param_input(HALF_WIDTH, key(NS, "half"), NS, label=t(f"{NS}.page.half"))
        surface = surface_of(surface_name, expr, float(half))
    if surface is not None and surface_name != CUSTOM:
        st.latex(surface.formula)
        st.caption(t(f"surfaces.{surface_name}.desc"))
    return surface_name, expr, float(half), surface


def start_and_steps(surface_name: str, surface: Surface) -> tuple[tuple, int, tuple[str, str]]:
    (sx, sy), keys = start_inputs(NS, surface_name, surface)
    st.caption(t(f"{NS}.page.start_help"))
    steps = param_input(steps_param(DEFAULT_STEPS), key(NS, "steps"), NS, label=t(f"{NS}.page.steps"),
                        help=t(f"{NS}.page.steps_help"))  # fmt: skip
    return (sx, sy), steps, keys


def chart_tabs(race_key: tuple, surface: Surface, pick_keys: tuple[str, str]) -> None:
    """Lazy tabs: only the open one is drawn (the 3-D surface alone takes seconds in a browser without a GPU)."""
    tabs = st.tabs([t(f"{NS}.page.tab_{name}") for name in TABS], key=TABS_KEY, on_change="rerun")
    for name, tab in zip(TABS, tabs, strict=True):
        if not tab.open:
            continue
        with tab:
            if name == "contour":
                st.caption(t(f"{NS}.page.click_hint"))
                show(race_chart(name, lang(), race_key), key=CHART_KEY, on_select=partial(on_pick, *pick_keys),
                     selection_mode="points")  # fmt: skip
            elif name == "distance" and not surface.minima:
                st.info(t(f"{NS}.page.no_minimum"))
            else:
                show(race_chart(name, lang(), race_key), key=f"optimizers_{name}")


def step_inspector(paths: list, steps: int) -> None:
    """What each optimizer saw and did in step k (the race is cached: its slider costs the tables' rerun)."""
    st.subheader(t(f"{NS}.page.inspector"))
    st.caption(t(f"{NS}.page.inspector_help"))
    k_key = key(NS, "inspect_step")
    init(k_key, 1)
    if st.session_state[k_key] > steps:
        st.session_state[k_key] = steps
    k = st.slider(t(f"{NS}.page.inspect_step"), 1, int(steps), key=k_key) if steps > 1 else 1
    with user_errors():
        names = [entry_title(NS, p.entry.name) for p in paths]
        table(tables.inspector(paths, names, inspect(paths, k)))
    st.caption(t(f"{NS}.page.inspector_legend"))


def results(race_key: tuple, surface: Surface, pick_keys: tuple[str, str]) -> bool:
    """The race's charts and tables; False when its settings are invalid (their message shown instead)."""
    paths = None
    with user_errors():
        paths = run_race(*race_key)
    if paths is None:
        return False
    for path in paths:
        if path.diverged_at is not None:
            st.warning(t(f"{NS}.page.diverged", name=entry_title(NS, path.entry.name), k=path.diverged_at), icon="💥")
    chart_tabs(race_key, surface, pick_keys)
    st.subheader(t(f"{NS}.page.summary"))
    names = [entry_title(NS, p.entry.name) for p in paths]
    table(tables.race_summary(paths, names, surface))
    step_inspector(paths, race_key[5])
    return True


def formulas(chosen: list[str]) -> None:
    st.divider()
    st.subheader(t(f"{NS}.page.formulas"))
    for name in chosen:
        with st.container(border=True):
            st.markdown(f"#### {entry_title(NS, name)}")
            explain(NS, OPTIMIZERS.get(name))
            note = t_or(f"{NS}.{name}.note", "")
            if note:
                st.info(note, icon="📘")


@st.fragment
def race_section() -> None:
    # The whole page width: in the narrow settings column the chips of long titles were cut off.
    chosen = choose_many(OPTIMIZERS, NS, label_key=f"{NS}.page.choose", default=DEFAULT_RACE)
    left, right = st.columns([1, 2], gap="large")
    with left:
        surface_name, expr, half, surface = surface_settings()
        if surface is None:
            return
        start, steps, pick_keys = start_and_steps(surface_name, surface)
        suggested = {name: {"lr": suggested_lr(name, surface)} for name in chosen}
        values = entry_params(OPTIMIZERS, NS, chosen, surface_name, columns=2, defaults=suggested)
    with right:
        runs = tuple((name, tuple(sorted(values[name].items()))) for name in chosen)
        drawn = results((surface_name, expr, half, runs, start, steps), surface, pick_keys)
    if drawn:
        formulas(chosen)


def main() -> None:
    st.title(t(f"{NS}.page.title"))
    st.markdown(t(f"{NS}.page.intro"))
    race_section()


main()
