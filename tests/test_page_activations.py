"""AppTest of the Activations page: both languages, bad input shows an error box, sliders redraw the chart."""

import json

import pytest

from tests.apptest import LANGS, assert_clean, open_page

X_RANGE_MESSAGE = {"en": "Invalid x range", "zh": "x 的范围无效"}


def _chart(at, index=0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


@pytest.mark.parametrize("lang", LANGS)
def test_page_runs_clean_with_every_panel(lang):
    at = open_page("activations", lang)
    assert_clean(at)
    assert not at.error
    assert len(at.get("plotly_chart")) == 7  # f/f′, compare ×2, softmax, sine fit, its loss, depth
    assert at.dataframe, "the properties table is missing"
    table = at.dataframe[0].value
    assert len(table) == 24
    assert any("Tanh" in str(v) for v in table.iloc[:, 0])


@pytest.mark.parametrize("lang", LANGS)
def test_bad_x_range_shows_a_message_not_a_traceback(lang):
    at = open_page("activations", lang, **{"p.activations.main.x_min": 3.0, "p.activations.main.x_max": 3.0})
    assert_clean(at)
    assert any(X_RANGE_MESSAGE[lang] in e.value for e in at.error)


@pytest.mark.parametrize("lang", LANGS)
def test_nothing_to_compare_and_bad_logits_and_bad_hardtanh_are_messages(lang):
    at = open_page(
        "activations",
        lang,
        **{
            "p.activations.compare.many": [],
            "p.activations.softmax.logits": "1, two",
            "p.activations.main.choice": "hardtanh",
            "p.activations.main.hardtanh.min_val": 0.0,
            "p.activations.main.hardtanh.max_val": 0.0,
            "p.activations.depth.many": [],
        },
    )
    assert_clean(at)
    assert len(at.error) == 4, [e.value for e in at.error]
    assert any("two" in e.value for e in at.error)


def test_moving_a_slider_changes_the_chart():
    at = open_page("activations", "en")
    before = _chart(at)
    at.slider(key="p.activations.main.elu.alpha").set_value(2.0).run()
    after = _chart(at)
    assert before["data"][0]["y"] != after["data"][0]["y"]
    assert "ELU" in after["layout"]["title"]["text"]


def test_step_and_rrelu_say_where_autograd_is_not_the_truth():
    at = open_page("activations", "en", **{"p.activations.main.choice": "step"})
    assert any("Autograd is not the truth" in w.value for w in at.warning)
    at = open_page("activations", "zh", **{"p.activations.main.choice": "rrelu"})
    assert any("随机" in w.value for w in at.warning)


def test_language_changes_the_text():
    assert open_page("activations", "en").title[0].value == "Activation functions"
    assert open_page("activations", "zh").title[0].value == "激活函数"


@pytest.mark.parametrize("lang", LANGS)
def test_collapsed_line_is_written_like_a_person_writes_it(lang):
    # seed 3: the fitted intercept is −2e−8, which "+ {b:.4f}" printed as "y = 0.2994·x + -0.0000"
    at = open_page("activations", lang, **{"p.seed": 3})
    assert_clean(at)
    line = next(m.value for m in at.markdown if "**y = " in m.value)
    assert "**y = 0.2994·x + 0.0000**" in line, line
    assert "+ -" not in line and "+ −" not in line
