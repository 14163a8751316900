"""AppTest of the scheduler page: both languages, every schedule at once, bad input gives a message."""

import pytest

from core.schedulers import SCHEDULERS
from tests.apptest import LANGS, assert_clean, open_page

PAGE = "schedulers"


def errors(at):
    return " ".join(e.value for e in at.error)


@pytest.mark.parametrize("lang", LANGS)
def test_default_schedules_run_clean(lang):
    at = open_page(PAGE, lang)
    assert_clean(at)
    assert not at.error
    assert len(at.dataframe[0].value) == 4
    assert len(at.get("plotly_chart")) == 3  # overlay, two-panel, loss


def test_every_schedule_at_once_including_plateau():
    at = open_page(PAGE, "en", **{"p.schedulers.many": SCHEDULERS.names(), "p.surfaces.schedulers.choice": "rosenbrock",
                                  "p.optimizers.schedulers.choice": "adam"})  # fmt: skip
    assert_clean(at)
    assert not at.error
    assert len(at.dataframe[0].value) == len(SCHEDULERS)
    assert len(at.latex) >= len(SCHEDULERS)  # every formula is shown


@pytest.mark.parametrize(
    "lang,state,text",
    [
        ("zh", {"p.schedulers.steps": 9999}, "5000"),
        ("en", {"p.schedulers.steps": 0}, "from 1 to 5000"),
        ("zh", {"p.optimizers.schedulers.bowl.sgd.lr": 0.0}, "学习率必须大于 0"),
        ("en", {"p.optimizers.schedulers.bowl.sgd.lr": -1.0}, "greater than 0"),
        ("en", {"p.schedulers.bowl.start_y": 9.0}, "outside the plot area"),
        ("zh", {"p.schedulers.many": []}, "至少"),
    ],
)
def test_bad_input_shows_a_clear_message(lang, state, text):
    at = open_page(PAGE, lang, **state)
    assert_clean(at)
    assert text in errors(at), errors(at)


def _readable(ticks: list[float]) -> bool:
    """Whole decades, or 1-2-3-5 steps of one, or a round linear grid: never bare in-between digits."""
    import math

    def mantissa(v):
        return round(v / 10 ** math.floor(math.log10(v)), 6)

    steps = {round(b - a, 12) for a, b in zip(ticks, ticks[1:], strict=False)}
    return all(mantissa(v) in (1, 2, 3, 5) for v in ticks) or len(steps) == 1


@pytest.mark.parametrize("lang", LANGS)
def test_log_axes_have_readable_ticks(lang):
    # on Rastrigin f − f* spans 13…40 and plotly labelled the log axis "10, 2, 5, 100"
    import json

    at = open_page(PAGE, lang, **{"p.surfaces.schedulers.choice": "rastrigin", "p.schedulers.log": True})
    assert_clean(at)
    charts = {c.proto.id: json.loads(c.proto.spec)["layout"] for c in at.get("plotly_chart")}
    logs = [layout["yaxis"] for layout in charts.values() if layout.get("yaxis", {}).get("type") == "log"]
    assert len(logs) == 2  # the learning rates (log toggle on) and f − f*
    for axis in logs:
        ticks = axis["tickvals"]
        assert len(ticks) >= 3 and ticks == sorted(ticks) and _readable(ticks), ticks
