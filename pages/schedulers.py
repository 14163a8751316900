"""Learning-rate schedules: several overlaid, and each applied to an optimizer on a surface."""

import streamlit as st

from core.optim import OPTIMIZERS
from core.optim.race import Run, race, suggested_lr
from core.schedulers import (
    DEFAULT_SCHEDULE_OPTIMIZER,
    DEFAULT_SCHEDULE_STEPS,
    DEFAULT_SCHEDULES,
    SCHEDULERS,
    steps_param,
)
from core.surfaces import SURFACES
from ui import race_tables as tables
from ui import surface_charts as charts
from ui.charts import show, table
from ui.feedback import user_errors
from ui.i18n import lang, t
from ui.spec_charts import Spec
from ui.state import init, key
from ui.widgets import choose, choose_many, entry_params, entry_title, explain, param_input, param_inputs, start_inputs

NS = "schedulers"


@st.cache_data(max_entries=32, show_spinner=False)
def run_schedules(surface_name: str, optimizer: str, hp: tuple, schedules: tuple, start: tuple, steps: int):
    runs = [Run(optimizer, dict(hp), name, dict(shp)) for name, shp in schedules]
    return race(SURFACES.get(surface_name), runs, start, steps)


def chart_labels() -> dict[str, str]:
    labels = {n: t(f"optimizers.chart.{n}") for n in ("minimum", "saddle", "x", "y", "play", "pause", "step",
                                                        "value", "gap", "lr")}  # fmt: skip
    labels["paths"] = t(f"{NS}.page.paths")
    return labels


@st.cache_resource(max_entries=48, show_spinner=False)
def schedule_chart(kind: str, language: str, race_key: tuple, log: bool = False) -> Spec:
    """One figure of one set of schedules in one language, built once (`race_key`: `run_schedules`' arguments)."""
    surface, paths = SURFACES.get(race_key[0]), run_schedules(*race_key)
    names, labels = [entry_title(NS, p.run.schedule) for p in paths], chart_labels()
    if kind == "lr":
        return charts.lr_chart(paths, names, labels, log=log)
    if kind == "two_panel":
        return charts.two_panel(surface, paths, names, labels)
    return charts.loss_chart(surface, paths, names, labels)


def settings(chosen: list[str]) -> tuple[tuple, str]:
    """The schedules' and the optimizer's settings: (`run_schedules`' arguments, the optimizer's name)."""
    sched_values = entry_params(SCHEDULERS, NS, chosen, columns=2)
    st.subheader(t(f"{NS}.page.applied"))
    surface_name = choose(SURFACES, "surfaces", NS, label_key=f"{NS}.page.surface")
    surface = SURFACES.get(surface_name)
    optimizer = choose(OPTIMIZERS, "optimizers", NS, label_key=f"{NS}.page.optimizer",
                       default=DEFAULT_SCHEDULE_OPTIMIZER)  # fmt: skip
    with st.expander(t(f"{NS}.page.optimizer_settings", name=entry_title("optimizers", optimizer))):
        opt_values = param_inputs(OPTIMIZERS.get(optimizer), "optimizers", NS, surface_name, columns=2,
                                  defaults={"lr": suggested_lr(optimizer, surface)})  # fmt: skip
    (sx, sy), _ = start_inputs(NS, surface_name, surface)
    steps = param_input(steps_param(DEFAULT_SCHEDULE_STEPS), key(NS, "steps"), NS, label=t("optimizers.page.steps"),
                        help=t("optimizers.page.steps_help"))  # fmt: skip
    schedules = tuple((name, tuple(sorted(sched_values[name].items()))) for name in chosen)
    return (surface_name, optimizer, tuple(sorted(opt_values.items())), schedules, (sx, sy), steps), optimizer


def results(race_key: tuple) -> bool:
    """The overlay, the two-panel figure, the loss and the table; False when the settings are invalid."""
    paths = None
    with user_errors():
        paths = run_schedules(*race_key)
    if paths is None:
        return False
    surface_name, optimizer = race_key[:2]
    names = [entry_title(NS, p.run.schedule) for p in paths]
    for path, name in zip(paths, names, strict=True):
        if path.diverged_at is not None:
            st.warning(t("optimizers.page.diverged", name=name, k=path.diverged_at), icon="💥")
    st.subheader(t(f"{NS}.page.overlay"))
    init(key(NS, "log"), False)
    log = st.toggle(t(f"{NS}.page.log"), key=key(NS, "log"))
    show(schedule_chart("lr", lang(), race_key, log), key="schedulers_lr")
    st.subheader(t(f"{NS}.page.two_panel"))
    st.caption(t(f"{NS}.page.two_panel_help", optimizer=entry_title("optimizers", optimizer),
                 surface=t(f"surfaces.{surface_name}.title")))  # fmt: skip
    show(schedule_chart("two_panel", lang(), race_key), key="schedulers_two_panel")
    st.subheader(t(f"{NS}.page.loss"))
    show(schedule_chart("loss", lang(), race_key), key="schedulers_loss")
    table(tables.schedule_summary(paths, names, SURFACES.get(surface_name)))
    return True


def formulas(chosen: list[str], optimizer: str) -> None:
    st.divider()
    st.subheader(t("optimizers.page.formulas"))
    for name in chosen:
        with st.container(border=True):
            st.markdown(f"#### {entry_title(NS, name)}")
            explain(NS, SCHEDULERS.get(name))
    with st.container(border=True):
        st.markdown(f"#### {entry_title('optimizers', optimizer)}")
        explain("optimizers", OPTIMIZERS.get(optimizer))


@st.fragment
def schedules_section() -> None:
    # The whole page width: in the narrow settings column the chips of long titles were cut off
    # ("ential decay (Expone…"); here they sit on one or two rows in full.
    chosen = choose_many(SCHEDULERS, NS, label_key=f"{NS}.page.choose", default=DEFAULT_SCHEDULES)
    left, right = st.columns([1, 2], gap="large")
    with left:
        race_key, optimizer = settings(chosen)
    with right:
        drawn = results(race_key)
    if drawn:
        formulas(chosen, optimizer)


def main() -> None:
    st.title(t(f"{NS}.page.title"))
    st.markdown(t(f"{NS}.page.intro"))
    schedules_section()


main()
