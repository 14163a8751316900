"""AppTest of the optimizer race page: both languages, bad input gives a message, divergence is named."""

import pytest

from tests.apptest import LANGS, assert_clean, open_page

PAGE = "optimizers"


def errors(at):
    return " ".join(e.value for e in at.error)


@pytest.mark.parametrize("lang", LANGS)
def test_default_race_runs_clean(lang):
    at = open_page(PAGE, lang)
    assert_clean(at)
    assert not at.error
    summary, inspector = at.dataframe[0].value, at.dataframe[1].value
    assert len(summary) == 4 and len(inspector) == 4  # the course's four optimizers
    title = at.title[0].value
    assert ("优化器" in title) if lang == "zh" else ("Optimizer" in title)


@pytest.mark.parametrize(
    "lang,state,text",
    [
        ("zh", {"p.optimizers.bowl.adam.lr": 0.0}, "学习率必须大于 0"),
        ("en", {"p.optimizers.bowl.adam.lr": -0.1}, "greater than 0"),
        ("zh", {"p.optimizers.steps": 100000}, "5000"),
        ("en", {"p.optimizers.steps": 100000}, "from 1 to 5000"),
        ("zh", {"p.optimizers.bowl.start_x": 50.0}, "不在绘图区域"),
        ("en", {"p.optimizers.bowl.start_x": 50.0}, "outside the plot area"),
        ("zh", {"p.optimizers.surface": "custom", "p.optimizers.expr": "x.__class__"}, "不允许"),
        ("en", {"p.optimizers.surface": "custom", "p.optimizers.expr": "sin(x"}, "Cannot read the formula"),
        ("en", {"p.optimizers.surface": "custom", "p.optimizers.expr": "__import__('os')"}, "Unknown function"),
        ("zh", {"p.optimizers.surface": "custom", "p.optimizers.expr": "log(-1 - x*x)"}, "没有有限值"),
        ("en", {"p.optimizers.surface": "custom", "p.optimizers.half": 0.0}, "Invalid range"),
    ],
)
def test_bad_input_shows_a_clear_message(lang, state, text):
    at = open_page(PAGE, lang, **state)
    assert_clean(at)
    assert text in errors(at), errors(at)


@pytest.mark.parametrize("lang", LANGS)
def test_divergence_is_reported_not_raised(lang):
    at = open_page(PAGE, lang, **{"p.optimizers.bowl.sgd.lr": 1.5})
    assert_clean(at)
    warnings = " ".join(w.value for w in at.warning)
    assert ("发散" in warnings) if lang == "zh" else ("diverged at step" in warnings)


def test_custom_formula_and_other_surfaces_and_inspector():
    # zh: AppTest evaluates format_func outside the script, where the language falls back to zh
    at = open_page(PAGE, "zh", **{"p.optimizers.surface": "custom", "p.optimizers.expr": "x^2 + 3*sin(y)^2"})
    assert_clean(at)
    assert not at.error
    at.selectbox(key="p.optimizers.surface").set_value("rosenbrock").run()
    at.multiselect(key="p.optimizers.many").set_value(["sgd", "course_adam", "adamw"]).run()
    at.slider(key="p.optimizers.inspect_step").set_value(7).run()
    assert_clean(at)
    assert not at.error
    inspector = at.dataframe[1].value
    assert len(inspector) == 3
    assert inspector.iloc[0, 3] == "—"  # SGD keeps no velocity
    assert "第 k 步" in [s.label for s in at.slider]


def test_formula_undefined_on_part_of_the_plane_still_draws():
    at = open_page(PAGE, "en", **{"p.optimizers.surface": "custom", "p.optimizers.expr": "sqrt(x) + y^2 + 1/x"})
    assert_clean(at)
    assert not at.error


@pytest.mark.parametrize(
    "lang,expr,text",
    [
        ("en", "exp(1000*x)", "overflows on 38% of the plot range"),
        ("zh", "x**1000", "溢出"),
        ("en", "1e308*x*x", "overflows"),
        ("zh", "exp(200*x)", "3.8 × 10²⁶⁰"),
        ("en", "exp(200*x)", "at most 10¹⁰⁰ in size"),
    ],
)
def test_overflowing_formula_gives_a_message_not_a_traceback(lang, expr, text):
    at = open_page(PAGE, lang, **{"p.optimizers.surface": "custom", "p.optimizers.expr": expr})
    assert_clean(at)
    assert text in errors(at), errors(at)


def test_formula_undefined_at_the_start_still_gives_results():
    # f = NaN at the default start (1.8, 1.8): the race stops at step 1, the summary shows "—"
    at = open_page(PAGE, "en", **{"p.optimizers.surface": "custom", "p.optimizers.expr": "sqrt(-x) + y*y"})
    assert_clean(at)
    summary = at.dataframe[0].value
    assert (summary["Final loss f"] == "—").all()
    assert len(at.dataframe[1].value) == 4  # the step inspector is still there


def test_contour_background_survives_overflowing_values():
    # core rejects such formulas on its check grid; the picture must still never raise on ±∞ or ±1e308
    import numpy as np

    from core.surfaces import Surface
    from ui.surface_charts import LEVELS, _bands, contour

    z = np.array([[0.0, 1e308, np.inf], [-1e308, np.nan, -np.inf]])
    bands = _bands(z)
    assert bands.min() >= 0 and bands.max() <= LEVELS - 1
    assert bands[0, 2] == bands[1, 1] == LEVELS - 1 and bands[1, 2] == bands[1, 0] == 0
    assert (_bands(np.full((2, 2), np.nan)) == LEVELS - 1).all()
    wild = Surface("custom", fn=lambda x, y: np.exp(1000 * x), bounds=((-3.0, 3.0), (-3.0, 3.0)), start=(0.0, 0.0))
    labels = dict.fromkeys(("minimum", "saddle", "start", "x", "y", "play", "pause", "step", "pick_hover"), "")
    assert contour(wild, [], [], labels).layout.images[0].source.startswith("data:image/png")
