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


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    "loss,var", [("mse", "ŷ"), ("bce", "p"), ("bce_logits", "z"), ("cross_entropy", "z<sub>y</sub>"), ("hinge", "s")]
)
def test_gradient_chart_names_the_variable_of_its_x_axis(lang, loss, var):
    # the x axis is the prediction ŷ (or p, z, s): the gradient chart said dL/dx
    import json

    at = open_page("losses", lang, **{"p.losses.main.choice": loss})
    assert_clean(at)
    specs = [json.loads(c.proto.spec)["layout"] for c in at.get("plotly_chart")]
    grads = [s for s in specs if "dL/d" in s.get("yaxis", {}).get("title", {}).get("text", "")]
    assert len(grads) == 2  # the chosen loss's gradient, and the comparison's (regression: ŷ)
    assert grads[0]["yaxis"]["title"]["text"] == f"dL/d{var}" and f"dL/d{var}" in grads[0]["title"]["text"]
    assert grads[1]["yaxis"]["title"]["text"] == "dL/dŷ"
    assert not any("dL/dx" in json.dumps(s, ensure_ascii=False) for s in specs)
