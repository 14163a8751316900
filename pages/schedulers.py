"""Learning-rate schedules: several overlaid, and each applied to an optimizer on a surface."""

import pandas as pd
import streamlit as st

from core.errors import UserError
from core.optim import OPTIMIZERS
from core.optim.race import Run, race, suggested_lr
from core.schedulers import DEFAULT_SCHEDULE_OPTIMIZER, DEFAULT_SCHEDULE_STEPS, DEFAULT_SCHEDULES, SCHEDULERS
from core.surfaces import SURFACES
from ui import surface_charts as charts
from ui.charts import show
from ui.feedback import user_errors
from ui.i18n import t
from ui.state import init, key
from ui.widgets import choose, choose_many, entry_params, entry_title, explain, param_inputs

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


st.title(t(f"{NS}.page.title"))
st.markdown(t(f"{NS}.page.intro"))

# The whole page width: in the narrow settings column the chips of long titles were cut off
# ("ential decay (Expone…"); here they sit on one or two rows in full.
chosen = choose_many(SCHEDULERS, NS, label_key=f"{NS}.page.choose", default=DEFAULT_SCHEDULES)
left, right = st.columns([1, 2], gap="large")
with left:
    sched_values = entry_params(SCHEDULERS, NS, chosen, columns=2)

    st.subheader(t(f"{NS}.page.applied"))
    surface_name = choose(SURFACES, "surfaces", NS, label_key=f"{NS}.page.surface")
    surface = SURFACES.get(surface_name)
    optimizer = choose(OPTIMIZERS, "optimizers", NS, label_key=f"{NS}.page.optimizer",
                       default=DEFAULT_SCHEDULE_OPTIMIZER)  # fmt: skip
    opt_entry = OPTIMIZERS.get(optimizer)
    init(key("optimizers", NS, surface_name, optimizer, "lr"), suggested_lr(optimizer, surface))
    with st.expander(t(f"{NS}.page.optimizer_settings", name=entry_title("optimizers", optimizer))):
        opt_values = param_inputs(opt_entry, "optimizers", NS, surface_name, columns=2)
    kx, ky = key(NS, surface_name, "start_x"), key(NS, surface_name, "start_y")
    init(kx, float(surface.start[0]))
    init(ky, float(surface.start[1]))
    c1, c2 = st.columns(2)
    sx = c1.number_input(t("optimizers.page.start_x"), key=kx, format="%g", step=0.1)
    sy = c2.number_input(t("optimizers.page.start_y"), key=ky, format="%g", step=0.1)
    init(key(NS, "steps"), DEFAULT_SCHEDULE_STEPS)
    steps = st.number_input(t("optimizers.page.steps"), key=key(NS, "steps"), step=50,
                            help=t("optimizers.page.steps_help"))  # fmt: skip

with right:
    paths = None
    with user_errors():
        if not chosen:
            raise UserError("nothing_selected", "no schedule selected")
        schedules = tuple((name, tuple(sorted(sched_values[name].items()))) for name in chosen)
        paths = run_schedules(surface_name, optimizer, tuple(sorted(opt_values.items())), schedules, (sx, sy), steps)
    if paths is None:
        st.stop()
    labels = chart_labels()
    names = [entry_title(NS, p.run.schedule) for p in paths]
    for path, name in zip(paths, names, strict=True):
        if path.diverged_at is not None:
            st.warning(t("optimizers.page.diverged", name=name, k=path.diverged_at), icon="💥")

    st.subheader(t(f"{NS}.page.overlay"))
    init(key(NS, "log"), False)
    log = st.toggle(t(f"{NS}.page.log"), key=key(NS, "log"))
    show(charts.lr_chart(paths, names, labels, log=log), key="schedulers_lr")

    st.subheader(t(f"{NS}.page.two_panel"))
    st.caption(t(f"{NS}.page.two_panel_help", optimizer=entry_title("optimizers", optimizer),
                 surface=t(f"surfaces.{surface_name}.title")))  # fmt: skip
    show(charts.two_panel(surface, paths, names, labels), key="schedulers_two_panel")

    st.subheader(t(f"{NS}.page.loss"))
    show(charts.loss_chart(surface, paths, names, labels), key="schedulers_loss")

    table = pd.DataFrame(
        {
            t(f"{NS}.col.schedule"): names,
            t(f"{NS}.col.lr_start"): [f"{p.lrs[0]:.4g}" for p in paths],
            t(f"{NS}.col.lr_end"): [f"{p.lrs[~pd.isna(p.lrs)][-1]:.4g}" for p in paths],
            t(f"{NS}.col.loss"): [f"{p.losses[~pd.isna(p.losses)][-1]:.6g}" for p in paths],
            t(f"{NS}.col.distance"): [
                f"{p.distance[~pd.isna(p.distance)][-1]:.4g}" if surface.minima else "—" for p in paths
            ],
            t(f"{NS}.col.status"): [
                t("optimizers.page.diverged_short", k=p.diverged_at) if p.diverged_at else t("optimizers.page.finished")
                for p in paths
            ],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")

st.divider()
st.subheader(t("optimizers.page.formulas"))
for name in chosen:
    with st.container(border=True):
        st.markdown(f"#### {entry_title(NS, name)}")
        explain(NS, SCHEDULERS.get(name))
with st.container(border=True):
    st.markdown(f"#### {entry_title('optimizers', optimizer)}")
    explain("optimizers", opt_entry)
