"""AppTest of the Backpropagation page: both languages, the step slider fills in gradients, bad input shows messages."""

import pytest

from tests.apptest import LANGS, assert_clean, open_page

STEP = "p.backprop.graph.shopping.step"
CHOICE = "p.backprop.graphs.graph.choice"
EXPRESSION = "p.backprop.graph.expression"


def _dot(at) -> str:
    return at.get("graphviz_chart")[0].proto.spec


@pytest.mark.parametrize("lang", LANGS)
def test_page_runs_clean(lang):
    at = open_page("backprop", lang)
    assert_clean(at)
    assert not at.error, [e.value for e in at.error]
    assert len(at.get("graphviz_chart")) == 1
    assert len(at.get("plotly_chart")) == 1  # the h-error curve
    assert at.metric[0].value == at.metric[1].value  # the loss by hand equals torch's cross_entropy
    assert "= 715" in _dot(at)  # the shopping example's total
    assert "∂L/∂" not in _dot(at)  # step 0: no gradients yet


@pytest.mark.parametrize("lang", LANGS)
def test_stepping_the_backward_pass_fills_in_the_gradients(lang):
    at = open_page("backprop", lang)
    at.slider(key=STEP).set_value(2).run()
    assert_clean(at)
    dot = _dot(at)
    assert "∂L/∂u₃ = 1.1" in dot and "∂L/∂t = 650" in dot  # × swaps its inputs: 1·1.1 and 1·650
    assert "∂L/∂pₐ = ?" in dot  # not reached yet
    at.slider(key=STEP).set_value(5).run()
    dot = _dot(at)
    assert "∂L/∂pₐ = 2.2" in dot and "∂L/∂nₒ = 165" in dot
    assert len(at.success) == 1  # every gradient is in


@pytest.mark.parametrize("name", ["shopping", "d2l", "linear_loss", "custom"])
def test_every_step_of_every_graph_draws(name):
    at = open_page("backprop", "en", **{CHOICE: name})
    steps = int(at.slider(key=f"p.backprop.graph.{name}.step").max)
    for step in range(steps + 1):
        at.slider(key=f"p.backprop.graph.{name}.step").set_value(step).run()
        assert_clean(at)
        assert not at.error, (name, step)
        assert "digraph" in _dot(at)


def test_a_typed_formula_is_drawn_and_stepped():
    at = open_page("backprop", "en", **{CHOICE: "custom", EXPRESSION: "(x + y) * (y + 1)"})
    assert_clean(at)
    assert not at.error
    at.slider(key="p.backprop.graph.custom.step").set_value(4).run()
    dot = _dot(at)
    assert "∂f/∂y = 6" in dot and "∂f/∂x = 3" in dot  # x = 1, y = 2: ∂f/∂y = (y + 1) + (x + y)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("text", ["x +", "z + 1", "log(0*x)", "exp(1000*x)", "2 + 3", ""])
def test_bad_formulas_show_a_translated_message(lang, text):
    at = open_page("backprop", lang, **{CHOICE: "custom", EXPRESSION: text})
    assert_clean(at)
    assert len(at.error) == 1, [e.value for e in at.error]
    message = at.error[0].value
    assert "Traceback" not in message
    if lang == "zh":
        assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("h", [0.0, 5.0])
def test_h_out_of_range_shows_a_message(lang, h):
    at = open_page("backprop", lang, **{"p.backprop.check.h": h})
    assert_clean(at)
    assert len(at.error) == 1, [e.value for e in at.error]
    assert "h" in at.error[0].value


def test_float32_network_differs_from_autograd_only_by_rounding():
    at = open_page("backprop", "en", **{"p.backprop.net.precision": "float32"})
    assert_clean(at)
    diffs = [float(v) for v in at.dataframe[1].value.iloc[:, 4]]
    assert max(diffs) < 1e-5
    assert max(diffs) > 0  # float32 rounding shows


def test_play_steps_through_the_backward_pass_and_stops_at_the_end():
    at = open_page("backprop", "en")
    at.button(key="backprop-play").click().run()
    assert_clean(at)
    assert at.slider(key=STEP).value == 1  # the first tick at once
    assert at.button(key="backprop-play").label == "⏸ Pause"
    for _ in range(10):  # each run stands in for one timer tick
        at.run()
    assert at.slider(key=STEP).value == 5
    assert at.button(key="backprop-play").label == "▶ Play"  # stopped at the end
    at.button(key="backprop-play").click().run()  # from the end, play starts again
    assert at.slider(key=STEP).value == 1
    at.button(key="backprop-play").click().run()  # pause
    assert at.slider(key=STEP).value == 1
    at.run()
    assert at.slider(key=STEP).value == 1


def test_a_bad_formula_stops_the_player():
    at = open_page("backprop", "en", **{CHOICE: "custom"})
    at.button(key="backprop-play").click().run()
    assert at.session_state["backprop.playing"]
    at.text_input(key=EXPRESSION).set_value("log(0*x)").run()
    assert_clean(at)
    assert len(at.error) == 1
    assert not at.session_state["backprop.playing"]
