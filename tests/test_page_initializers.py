"""AppTests of the initializers page: both languages, verdicts, compare mode, bad input messages."""

import json

import pytest

from tests.apptest import LANGS, assert_clean, open_page

# Small settings keep each run quick; the page logic is the same at any size.
FAST = {
    "p.initializers.lab.depth": 12,
    "p.initializers.lab.width": 64,
    "p.initializers.lab.batch": 32,
    "p.initializers.sym.steps": 10,
    "p.initializers.train.train_steps": 50,
    "p.initializers.train.train_depth": 3,
}


def texts(at) -> str:
    return " ".join(str(x.value) for x in [*at.markdown, *at.error, *at.success, *at.warning, *at.caption])


@pytest.mark.parametrize("lang", LANGS)
def test_page_runs_clean_with_a_verdict_and_all_charts(lang):
    at = open_page("initializers", lang, timeout=300, **FAST)
    assert_clean(at)
    subheaders = [s.value for s in at.subheader]
    assert ("诊断结论" if lang == "zh" else "Verdict") in subheaders
    assert len(at.get("plotly_chart")) == 9  # per-layer, dead units, 2 heatmaps, weights, compare, symmetry×3
    assert at.success, "ReLU + Kaiming normal (the defaults) should be healthy"
    assert ("健康" if lang == "zh" else "Healthy") in texts(at)
    table = at.dataframe[0].value  # per-layer numbers: one row per layer, mean and std of the activations
    assert len(table) == FAST["p.initializers.lab.depth"]
    assert table.shape[1] == 5  # layer, mean, std, gradient std, dead units (ReLU)


@pytest.mark.parametrize("lang", LANGS)
def test_known_bad_init_gets_its_verdict(lang):
    state = {**FAST, "p.initializers.lab.choice": "normal", "p.initializers.lab.normal.std": 0.01}
    at = open_page("initializers", lang, timeout=300, **state)
    assert_clean(at)
    expected = "从第 2 层起激活值消失" if lang == "zh" else "Vanishing activations from layer 2"
    assert expected in texts(at)


def test_saturated_tanh():
    state = {**FAST, "p.initializers.lab.choice": "normal", "p.initializers.lab.normal.std": 1.0,
             "p.initializers.lab.activation": "tanh"}  # fmt: skip
    at = open_page("initializers", "en", timeout=300, **state)
    assert_clean(at)
    assert "Saturated from layer 1" in texts(at)


@pytest.mark.parametrize(
    ("lang", "state", "message"),
    [
        ("en", {"p.initializers.lab.choice": "normal", "p.initializers.lab.normal.std": 0.0}, "must be greater than 0"),
        ("zh", {"p.initializers.lab.choice": "normal", "p.initializers.lab.normal.std": -1.0}, "必须大于 0"),
        ("en", {"p.initializers.lab.choice": "uniform", "p.initializers.lab.uniform.a": 0.5,
                "p.initializers.lab.uniform.b": -0.5}, "must be smaller than"),
        ("zh", {"p.initializers.lab.choice": "uniform", "p.initializers.lab.uniform.a": 0.5,
                "p.initializers.lab.uniform.b": 0.5}, "必须小于"),
        ("en", {"p.initializers.lab.depth": 500}, "depth must be between 1 and 100; it is 500"),
        ("zh", {"p.initializers.lab.width": 4096}, "宽度必须在 1 到 1024 之间"),  # no English name in 中文
        ("en", {"p.initializers.cmp.many": ["xavier_normal"]}, "Choose between 2 and 4 initializers"),
    ],
)  # fmt: skip
def test_bad_input_shows_a_message_not_a_traceback(lang, state, message):
    at = open_page("initializers", lang, timeout=300, **{**FAST, **state})
    assert_clean(at)
    errors = " ".join(e.value for e in at.error)
    assert message in errors, errors


def test_changing_the_initializer_changes_the_statistics():
    at = open_page("initializers", "en", timeout=300, **FAST)
    before = at.get("plotly_chart")[0].proto.spec
    at.selectbox(key="p.initializers.lab.choice").set_value("xavier_normal").run()
    assert_clean(at)
    assert at.get("plotly_chart")[0].proto.spec != before


@pytest.mark.parametrize("lang", LANGS)
def test_train_button_draws_one_curve_per_initializer(lang):
    at = open_page("initializers", lang, timeout=300, **FAST)
    assert at.info  # nothing trained yet: a hint to press the button
    at.button(key="initializers-train").click().run()
    assert_clean(at)
    charts = at.get("plotly_chart")
    assert len(charts) == 10
    assert charts[-1].proto.spec.count('"name"') >= 4  # normal, Xavier, Kaiming, PyTorch default
    table = at.dataframe[-1].value  # the trainability summary, after the per-layer table
    assert len(table) == 4


@pytest.mark.parametrize("lang", LANGS)
def test_invalid_depth_leaves_only_the_message(lang):
    """Depth 101: the error box, and no section heading or slider waiting for a chart that never comes."""
    at = open_page("initializers", lang, timeout=300, **{**FAST, "p.initializers.lab.depth": 101})
    assert_clean(at)
    errors = " ".join(e.value for e in at.error)
    assert (
        "深度必须在 1 到 100 之间，当前为 101" if lang == "zh" else "depth must be between 1 and 100; it is 101"
    ) in errors
    subheaders = [s.value for s in at.subheader]
    assert ("某一层的权重与理论分布" if lang == "zh" else "Weights of one layer vs. the theory") not in subheaders
    assert ("诊断结论" if lang == "zh" else "Verdict") not in subheaders
    assert not [s for s in at.slider if s.key == "p.initializers.lab.layer"]
    lab_metrics = {"loss", "损失", "gradient std, layer 1 / last layer", "梯度标准差之比：第 1 层 / 最后一层"}
    assert not [m for m in at.metric if m.label in lab_metrics]


@pytest.mark.parametrize("lang", LANGS)
def test_sparse_at_depth_50_explains_the_zero_gradients(lang):
    """Every gradient underflows to exactly 0: a message says so, no `nan` metric, share colour bars in [0, 1]."""
    state = {**FAST, "p.initializers.lab.choice": "sparse", "p.initializers.lab.depth": 50}
    at = open_page("initializers", lang, timeout=300, **state)
    assert_clean(at)
    assert all("nan" not in str(m.value).lower() for m in at.metric), [m.value for m in at.metric]
    boxes = " ".join(str(x.value) for x in [*at.error, *at.warning])
    assert ("所有权重梯度都恰好为 0" if lang == "zh" else "Every weight gradient is exactly 0") in boxes
    assert ("激活值恰好为 0" if lang == "zh" else "activations are exactly 0 in layers") in boxes
    heatmaps = [json.loads(c.proto.spec) for c in at.get("plotly_chart") if '"heatmap"' in c.proto.spec]
    shares = [t for fig in heatmaps for t in fig["data"] if t.get("colorbar", {}).get("title")]
    assert len(shares) == 2  # activations and gradients
    for trace in shares:
        assert trace["zmin"] == 0 and 0 < trace["zmax"] <= 1
