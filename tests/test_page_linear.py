"""AppTest of the linear-model page: every section in both languages, the update line, bad input → a message."""

import pytest

from tests.apptest import LANGS, assert_clean, open_page

PAGE = "linear"
SECTIONS = ("search", "gd", "sgd", "logistic")
COURSE_LINE = "w ← 1.000 − 0.01 × (−9.333) = 1.093"


def errors(at) -> str:
    return " ".join(e.value for e in at.error)


def section(lang: str, name: str, **state):
    return open_page(PAGE, lang, **{"p.linear.section": name, **state})


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name,charts", [("search", 2), ("gd", 3), ("sgd", 2), ("logistic", 3)])
def test_every_section_runs_clean(lang, name, charts):
    at = section(lang, name)
    assert_clean(at)
    assert not at.error, errors(at)
    assert len(at.get("plotly_chart")) == charts
    assert at.latex, "every section shows its formulas"
    title = at.title[0].value
    assert ("线性模型" in title) if lang == "zh" else ("Linear model" in title)


@pytest.mark.parametrize("lang", LANGS)
def test_gradient_descent_writes_the_course_update_and_scrubs(lang):
    at = section(lang, "gd")
    assert at.code[0].value == COURSE_LINE
    assert at.success, "lr = 0.01 on the course data converges"
    at.slider(key="p.linear.gd.step").set_value(1).run()
    assert_clean(at)
    assert at.code[0].value == "w ← 1.093 − 0.01 × (−8.462) = 1.178"


@pytest.mark.parametrize(
    "lr,box,text",
    [
        (0.001, "warning", ("太慢", "Too slow")),
        (0.15, "info", ("来回震荡", "zig-zagging")),
        (0.25, "error", ("发散", "Diverges")),
    ],
)
@pytest.mark.parametrize("lang", LANGS)
def test_the_learning_rate_slider_shows_each_regime(lang, lr, box, text):
    at = section(lang, "gd", **{"p.linear.gd.lr": lr})
    assert_clean(at)
    shown = " ".join(m.value for m in getattr(at, box))
    assert text[0 if lang == "zh" else 1] in shown, shown
    assert "0.2143" in shown or box != "error"  # the critical rate 2/λ_max is named


@pytest.mark.parametrize("lang", LANGS)
def test_huge_learning_rate_is_a_divergence_message_not_nan(lang):
    at = section(lang, "gd", **{"p.linear.gd.type_lr": True, "p.linear.gd.lr_typed": 1e9})
    assert_clean(at)
    text = errors(at)
    assert ("发散——在第 0 步停止" in text) if lang == "zh" else ("Diverges — stopped at step 0" in text), text
    assert at.code[0].value == "w ← 1.000 − 1e9 × (−9.333) = 9.333e+09"
    assert len(at.get("plotly_chart")) == 3


@pytest.mark.parametrize(
    "lang,name,state,text",
    [
        ("zh", "gd", {"p.linear.gd.type_lr": True, "p.linear.gd.lr_typed": 0.0}, "学习率必须大于 0"),
        ("en", "gd", {"p.linear.gd.type_lr": True, "p.linear.gd.lr_typed": 0.0}, "must be greater than 0"),
        ("en", "gd", {"p.linear.gd.type_lr": True, "p.linear.gd.lr_typed": -0.5}, "must be greater than 0"),
        ("zh", "gd", {"p.linear.gd.epochs": 0}, "1 到 5000 之间的整数"),
        ("en", "gd", {"p.linear.gd.epochs": 100000}, "from 1 to 5000"),
        ("zh", "gd", {"p.linear.data.choice": "noisy", "p.linear.data.noisy.noise": 10.0}, "噪声水平 σ 必须在 0 到 3"),
        ("en", "search", {"p.linear.data.choice": "noisy", "p.linear.data.noisy.noise": -1.0}, "noise level σ must"),
        ("zh", "search", {"p.linear.search.w_step": 0.0}, "步长必须大于 0"),
        ("en", "search", {"p.linear.search.w_min": 5.0}, "Invalid w range"),
        ("en", "search", {"p.linear.search.w_step": 1e-6}, "Too many values"),
        ("en", "sgd", {"p.linear.modes.many": []}, "Select at least one"),
        ("zh", "logistic", {"p.linear.logistic.type_lr": True, "p.linear.logistic.lr_typed": 0.0}, "学习率必须大于 0"),
        (
            "en",
            "logistic",
            {"p.linear.logistic_data.choice": "blobs", "p.linear.logistic_data.blobs.spread": 9.0},
            "spread s must be between 0 and 3",
        ),
        ("en", "logistic", {"p.linear.logistic.epochs": 0}, "from 1 to 5000"),
    ],
)
def test_bad_input_shows_a_clear_message(lang, name, state, text):
    at = section(lang, name, **state)
    assert_clean(at)
    assert text in errors(at), errors(at)


def test_the_two_parameter_model_draws_its_surface():
    at = section("en", "search", **{"p.linear.data.choice": "noisy", "p.linear.models.search.choice": "wb"})
    assert_clean(at)
    assert not at.error
    assert len(at.get("plotly_chart")) == 2  # the open tab's contour + the fitted line (3-D is lazy)
    at = section("zh", "gd", **{"p.linear.data.choice": "noisy", "p.linear.models.gd.choice": "wb"})
    assert_clean(at)
    assert len(at.get("plotly_chart")) == 4  # slice with tangent, contour with path, fitted line, loss
    assert at.code[0].value.count("←") == 2  # an update line for w and one for b


def test_logistic_regression_in_two_dimensions_and_its_step_slider():
    at = section("en", "logistic", **{"p.linear.logistic_data.choice": "blobs"})
    assert_clean(at)
    assert not at.error
    end = at.metric[0].value
    at.slider(key="p.linear.logistic.step").set_value(0).run()
    assert_clean(at)
    assert at.metric[0].value != end  # the cross-entropy at step 0 is not the trained one
    assert at.code[0].value.startswith("w₁ ← 0.500")


def test_huge_learning_rate_in_logistic_regression_is_reported():
    at = section("zh", "logistic", **{"p.linear.logistic.type_lr": True, "p.linear.logistic.lr_typed": 1e9})
    assert_clean(at)
    assert "在第 0 步停止" in errors(at)


@pytest.mark.parametrize("lang", LANGS)
def test_play_restarts_from_step_0_and_pause_stops(lang):
    at = section(lang, "logistic")
    assert at.slider(key="p.linear.logistic.step").value == 300  # opens on the trained model
    at.button(key="linear-logistic-play").click().run()
    assert_clean(at)
    assert at.session_state["linear.logistic.playing"] is True
    assert at.slider(key="p.linear.logistic.step").value == 10  # back to 0, then the first frame: 1/30 of 300
    assert at.button(key="linear-logistic-play").label.startswith("⏸")
    at.button(key="linear-logistic-play").click().run()
    assert_clean(at)
    assert at.session_state["linear.logistic.playing"] is False
