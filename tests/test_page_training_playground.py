"""AppTest of the training page's 2-D playground, both languages: neuron view, Step, Reset, knobs, clicked points."""

import base64
import io
import json
import re
import time

import numpy as np
import pytest
from PIL import Image

import ui.i18n
from tests.apptest import LANGS, assert_clean, open_page
from tests.test_page_training import WORDS, button, finish, run_labels

SPIRALS = {"p.datasets.training.choice": "spirals", "p.datasets.training.spirals.arms": 3,
           "p.datasets.training.spirals.n_samples": 120, "p.training.epochs": 3,
           "p.models.training.model.mlp.layers": 4, "p.models.training.model.mlp.width": 8}  # fmt: skip
LONG = {"p.training.epochs": 500, "p.training.batch_size": 1}  # minutes of steps: still going when driven
STEP = {"en": "Step", "zh": "单步"}
RESET = {"en": "Reset", "zh": "重置"}
RESUME = {"en": "Resume", "zh": "继续"}
PAUSED = {"en": "paused", "zh": "已暂停"}
STOP = {"en": "Stop", "zh": "停止"}
TINY_MOONS = {"p.training.epochs": 3, "p.datasets.training.moons.n_samples": 100}


@pytest.fixture
def language(monkeypatch, request):
    monkeypatch.setattr(ui.i18n, "DEFAULT", request.param)
    return request.param


def step_of(at) -> int:
    (bar,) = at.get("progress")
    return int(re.search(r"(?:step|第) (\d+)/", str(bar.proto)).group(1))


def wait_status(at, run_id: str, word: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not any(run_id in m.value and word in m.value for m in at.markdown):
        assert time.monotonic() < deadline, [m.value for m in at.markdown][-4:]
        time.sleep(0.3)
        at.run()


@pytest.mark.parametrize("language", LANGS, indirect=True)
def test_a_three_class_spiral_run_draws_the_network_its_neurons_and_gradients(language):
    features = ["x1", "x2", "sin_x1", "sin_x2"]
    at = open_page("training", language, **SPIRALS, **{"p.training.features": features, "p.training.l2": 0.001})
    assert_clean(at)
    table = at.dataframe[0].value.to_string()  # the layer table shows the input width the features give
    assert "FeatureMap" in table and "(4,)" in table
    before = run_labels(at)
    button(at, WORDS[language]["start"]).click()
    at.run()
    (new,) = run_labels(at) - before
    finish(at, new, language)
    assert_clean(at)
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    titles = [s["layout"].get("title", {}).get("text", "") for s in specs]
    strings = ui.i18n.table(language)
    assert strings["training.network.title"] in titles and strings["training.grads.title"] in titles
    network = specs[titles.index(strings["training.network.title"])]
    assert painted_neurons(network) == 4 * 8  # every hidden neuron's map is on the network's picture
    assert at.selectbox(key="p.training.neuron").value == "1:1"
    at.selectbox(key="p.training.neuron").set_value("3:5").run()
    assert_clean(at)
    specs = [json.loads(c.proto.spec)["layout"] for c in at.get("plotly_chart")]
    label = strings["training.network.neuron_label"].format(layer=3, unit=5).capitalize()
    (neuron,) = [s for s in specs if s.get("title", {}).get("text") == label]  # its weights beside its histogram
    notes = [a["text"] for a in neuron["annotations"]]
    assert notes == [strings["training.network.weights"], strings["training.network.hist"]]


def painted_neurons(network: dict) -> int:
    """Hidden neurons (the chart's click targets) whose centre on the network's one picture is painted, not the
    white around the nodes."""
    (board,) = network["layout"]["images"]
    assert board["source"].startswith("data:image/jpeg;base64,")
    picture = np.asarray(Image.open(io.BytesIO(base64.b64decode(board["source"].split(",", 1)[1]))).convert("RGB"))
    height, width, _ = picture.shape
    picks = next(trace for trace in network["data"] if trace.get("name") == "pick")
    painted = 0
    for x, y in zip(picks["x"], picks["y"], strict=True):
        col = int((x - board["x"]) / board["sizex"] * width)
        row = int((board["y"] - y) / board["sizey"] * height)
        painted += int(np.abs(255 - picture[row, col].astype(int)).max() > 15)
    return painted


@pytest.mark.parametrize("language", LANGS, indirect=True)
def test_step_once_reset_and_a_learning_rate_changed_while_paused(language):
    at = open_page("training", language, **LONG)
    before = run_labels(at)
    button(at, STEP[language]).click()  # no run yet: a run starts and takes its first step
    at.run()
    (new,) = run_labels(at) - before
    wait_status(at, new, PAUSED[language])
    assert step_of(at) == 1
    button(at, STEP[language]).click()
    at.run()
    wait_status(at, new, PAUSED[language])
    assert step_of(at) == 2
    lr_key = f"p.training.knob.{new[1:]}.lr"
    at.number_input(key=lr_key).set_value(0.002).run()
    assert_clean(at)
    assert any("0.01 → 0.002" in i.value for i in at.info)  # pending: applied on resume
    button(at, RESUME[language]).click()
    at.run()
    deadline = time.monotonic() + 120
    while not any("0.01 → 0.002" in c.value for c in at.caption):  # the history marks the change
        assert time.monotonic() < deadline
        time.sleep(0.3)
        at.run()
    assert_clean(at)
    button(at, RESET[language]).click()  # the same settings again, from the initial weights, parked at step 0
    at.run()
    (reset,) = run_labels(at) - before - {new}
    wait_status(at, reset, PAUSED[language])
    assert step_of(at) == 0
    assert_clean(at)
    button(at, STOP[language]).click()
    at.run()
    finish(at, reset, language)


@pytest.mark.parametrize("language", LANGS, indirect=True)
def test_clicked_points_on_an_empty_plane_are_what_the_run_trains_on(language):
    from core.data import DATASETS

    params = tuple(sorted(DATASETS.get("moons").resolve({"n_samples": 100}).items()))
    edits = {f"moons:0:{params}": {"added": [[0.1, 0.2, 0, "train"], [0.9, -0.3, 1, "train"], [0.5, 0.5, 1, "test"]],
                                   "removed": []}}  # fmt: skip
    state = {**TINY_MOONS, "_training_point_edits": edits, "p.training.points.base": "empty"}
    at = open_page("training", language, **state)
    assert_clean(at)
    strings = ui.i18n.table(language)
    task = strings["training.tasks.classification"].format(classes=2)
    summary = strings["training.data_summary"].format(task=task, n_train=2, n_test=1, shape=[2])
    assert summary in [c.value for c in at.caption]  # the clicked points are the data set now
    before = run_labels(at)
    button(at, WORDS[language]["start"]).click()
    at.run()
    (new,) = run_labels(at) - before
    finish(at, new, language)
    assert_clean(at)
