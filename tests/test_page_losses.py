"""AppTest of the Losses page: both languages, bad input shows an error box, logit sliders change the loss."""

import pytest

from tests.apptest import LANGS, assert_clean, open_page


@pytest.mark.parametrize("lang", LANGS)
def test_page_runs_clean(lang):
    at = open_page("losses", lang)
    assert_clean(at)
    assert not at.error
    assert len(at.get("plotly_chart")) == 5  # loss + gradient, compare loss + gradient, cross-entropy bars
    assert at.metric[0].value == "0.4170"  # CE of logits (2, 1, 0.1) with true class 1


@pytest.mark.parametrize("lang", LANGS)
def test_bad_inputs_show_messages(lang):
    at = open_page(
        "losses",
        lang,
        **{
            "p.losses.main.choice": "bce",
            "p.losses.main.bce.x_min": -0.5,  # a probability axis cannot start below 0
            "p.losses.compare.regression.many": [],
        },
    )
    assert_clean(at)
    assert len(at.error) == 2, [e.value for e in at.error]
    at = open_page("losses", lang, **{"p.losses.main.mse.x_min": 2.0, "p.losses.main.mse.x_max": 1.0})
    assert_clean(at)
    assert len(at.error) == 1


def test_every_loss_and_task_renders():
    for name in ("mse", "mae", "smooth_l1", "huber", "bce", "bce_logits", "cross_entropy", "nll", "kl_div", "hinge"):
        at = open_page("losses", "en", **{"p.losses.main.choice": name})
        assert_clean(at)
        assert not at.error, (name, [e.value for e in at.error])
    for task in ("binary", "multiclass"):
        at = open_page("losses", "zh", **{"p.losses.compare.task": task})
        assert_clean(at)
        assert not at.error


def test_logit_sliders_change_loss_and_the_gradient_table():
    at = open_page("losses", "en")
    at.slider(key="p.losses.ce.z1").set_value(5.0).run()
    assert float(at.metric[0].value) < 0.417
    at.slider(key="p.losses.ce.classes").set_value(5).run()
    table = at.dataframe[0].value
    assert len(table) == 5
    assert (table.iloc[:, 4] - table.iloc[:, 5]).abs().max() < 1e-12  # autograd == softmax − q
