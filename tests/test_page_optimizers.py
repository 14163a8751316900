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
