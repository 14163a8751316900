"""AppTest of the live-training page in both languages: it draws, trains a run to the end, and reports bad input."""

import base64
import json
import re
import time

import numpy as np
import pytest

import ui.i18n
from tests.apptest import LANGS, assert_clean, open_page

TINY = {"p.training.epochs": 3, "p.datasets.training.moons.n_samples": 100}
WORDS = {
    "zh": {"start": "开始", "done": "已完成", "diverged": "已发散", "stopped": "已停止"},
    "en": {"start": "Start", "done": "finished", "diverged": "diverged", "stopped": "stopped"},
}


@pytest.fixture
def language(monkeypatch, request):
    """AppTest formats select boxes outside the script run, where the sidebar's language is unknown."""
    monkeypatch.setattr(ui.i18n, "DEFAULT", request.param)
    return request.param


def run_labels(at) -> set[str]:
    """The run numbers the page shows (AppTest sessions share the session cache, so earlier runs may show)."""
    return {w for m in at.markdown for w in m.value.split() if w.startswith("#") and w[1:].isdigit()} | {
        w for d in at.dataframe for w in d.value.to_string().split() if w.startswith("#") and w[1:].isdigit()
    }


def button(at, label):
    return next(b for b in at.button if b.label == label)


@pytest.mark.parametrize("lang", LANGS)
def test_page_draws_every_section(lang):
    at = open_page("training", lang)
    assert_clean(at)
    assert len(at.subheader) >= 5
    assert button(at, WORDS[lang]["start"]).disabled is False
    assert at.info  # "no run yet"


@pytest.mark.parametrize("language", LANGS, indirect=True)
def test_a_run_trains_to_the_end_and_offers_downloads(language):
    at = open_page("training", language, **TINY)
    before = run_labels(at)
    button(at, WORDS[language]["start"]).click()
    at.run()
    assert_clean(at)
    (new,) = run_labels(at) - before  # this test's run
    deadline = time.monotonic() + 90
    while not any(new in m.value and WORDS[language]["done"] in m.value for m in at.markdown):
        assert time.monotonic() < deadline, [m.value for m in at.markdown][-5:]
        time.sleep(0.5)
        at.run()
    assert_clean(at)
    assert len(at.get("download_button")) == 2
    assert at.get("plotly_chart")  # live curves and the decision boundary
    assert at.dataframe  # the comparison table lists the run


@pytest.mark.parametrize("language", LANGS, indirect=True)
def test_a_bad_learning_rate_shows_an_error_box(language):
    at = open_page("training", language, **TINY, **{"p.optimizers.training.optimizer.adam.lr": -1.0})
    button(at, WORDS[language]["start"]).click()
    at.run()
    assert_clean(at)
    assert len(at.error) == 1
    assert "-1" in at.error[0].value


@pytest.mark.parametrize("language", LANGS, indirect=True)
def test_a_run_over_the_step_cap_is_refused_with_a_message(language, monkeypatch):
    monkeypatch.setenv("DLP_MAX_STEPS", "5")
    at = open_page("training", language, **TINY)
    before = run_labels(at)
    button(at, WORDS[language]["start"]).click()
    at.run()
    assert_clean(at)
    assert len(at.error) == 1
    assert "5" in at.error[0].value and "9" in at.error[0].value  # 3 epochs × 3 steps of 32 (75 training samples)
    assert run_labels(at) == before  # no run was started


@pytest.mark.parametrize("language", ["en"], indirect=True)
def test_an_image_run_shows_a_confusion_matrix_and_misclassified_images(language):
    state = {"p.datasets.training.choice": "mnist", "p.datasets.training.mnist.n_train": 200,
             "p.datasets.training.mnist.n_test": 100, "p.models.training.model.choice": "lenet", "p.training.epochs": 1}  # fmt: skip
    at = open_page("training", language, **state)
    assert_clean(at)
    before = run_labels(at)
    button(at, WORDS[language]["start"]).click()
    at.run()
    (new,) = run_labels(at) - before
    deadline = time.monotonic() + 120
    while not any(new in m.value and WORDS[language]["done"] in m.value for m in at.markdown):
        assert time.monotonic() < deadline
        time.sleep(0.5)
        at.run()
    assert_clean(at)
    assert len(at.get("image")) >= 1  # misclassified test images (a 1-epoch LeNet on 200 images errs)
    assert any("Confusion" in str(c.proto) for c in at.get("plotly_chart"))


def finish(at, run_id: str, lang: str, timeout: float = 120) -> None:
    """Rerun the page until run `run_id` shows its end state (a generous deadline: never a speed check)."""
    deadline = time.monotonic() + timeout
    ended = (WORDS[lang]["done"], WORDS[lang]["diverged"], WORDS[lang]["stopped"])
    while not any(run_id in m.value and any(w in m.value for w in ended) for m in [*at.markdown, *at.error]):
        assert time.monotonic() < deadline, [m.value for m in at.markdown][-5:]
        time.sleep(0.5)
        at.run()


def start_run(at, lang: str) -> str:
    before = run_labels(at)
    button(at, WORDS[lang]["start"]).click()
    at.run()
    assert_clean(at)
    (new,) = run_labels(at) - before
    return new


def spec(chart) -> dict:
    return json.loads(chart.proto.spec)


def values(array) -> list[float]:
    """A trace's x/y: a list, or plotly's base64 typed array."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"])).tolist()
    return list(array)


def chart_titled(at, title: str) -> dict:
    return next(s for s in map(spec, at.get("plotly_chart")) if s["layout"].get("title", {}).get("text") == title)


OUT_OF_RANGE = [("p.training.epochs", 0, "0"), ("p.training.epochs", 501, "501"),
                ("p.training.batch_size", 0, "0"), ("p.training.batch_size", 100_000, "100000")]  # fmt: skip


@pytest.mark.parametrize("language", LANGS, indirect=True)
@pytest.mark.parametrize(("field", "value", "shown"), OUT_OF_RANGE)
def test_out_of_range_epochs_or_batch_size_are_refused_beside_start(language, field, value, shown):
    at = open_page("training", language, **{**TINY, field: value})
    assert_clean(at)  # the box keeps what was typed (a bounded box turned red and kept the old value)
    before = run_labels(at)
    button(at, WORDS[language]["start"]).click()
    at.run()
    assert_clean(at)
    assert len(at.error) == 1
    assert shown in at.error[0].value.replace(",", "")
    assert run_labels(at) == before  # nothing was trained with some other value


@pytest.mark.parametrize("language", LANGS, indirect=True)
def test_a_run_whose_loss_explodes_is_diverged_with_advice(language):
    state = {"p.optimizers.training.optimizer.choice": "sgd", "p.optimizers.training.optimizer.sgd.lr": 10.0}
    at = open_page("training", language, **state)  # moons, BCE: the loss saturates at 50 but never turns NaN
    new = start_run(at, language)
    finish(at, new, language)
    assert_clean(at)
    (box,) = [e for e in at.error if new in e.value]
    assert WORDS[language]["diverged"] in box.value and "50" in box.value
    assert any(ui.i18n.table(language)["training.advice.lower_lr"] == i.value for i in at.info)


@pytest.mark.parametrize("language", ["en"], indirect=True)
def test_a_60_epoch_run_draws_curves_with_an_accuracy_axis_from_0_to_1(language):
    at = open_page("training", language)  # the page's defaults: moons, 60 epochs of 10 steps
    new = start_run(at, language)
    finish(at, new, language)
    accuracy = chart_titled(at, "Accuracy")
    assert accuracy["layout"]["yaxis"]["range"] == [0, 1]  # plotly's autorange padded a flat line to −0.5…1.5
    for trace in accuracy["data"]:
        assert len(values(trace["x"])) >= 30  # was about 4 on a fast machine: straight lines
    loss = chart_titled(at, "Loss")
    for trace in loss["data"][1:]:
        assert len(values(trace["x"])) >= 30
    ticks = loss["layout"]["yaxis"].get("ticktext")
    if ticks:  # whole numbers of one series, never the abbreviated minor labels "100, 5, 2, 10"
        vals = loss["layout"]["yaxis"]["tickvals"]
        assert [float(s) for s in ticks] == pytest.approx(vals)


@pytest.mark.parametrize("language", ["en"], indirect=True)
def test_downloads_and_the_overlay_follow_the_latest_run(language):
    at = open_page("training", language, **TINY)
    new = []
    for _ in range(3):
        new.append(start_run(at, language))
        finish(at, new[-1], language)
    ids = [int(n[1:]) for n in new]
    assert at.selectbox(key="p.training.files_run").value == ids[-1]  # was the oldest run (#1)
    assert set(ids) <= set(at.multiselect(key="p.training.compare").value)  # new runs join the overlay


@pytest.mark.parametrize("language", LANGS, indirect=True)
def test_model_settings_show_titles_and_short_labels(language):
    at = open_page("training", language)
    strings = ui.i18n.table(language)
    activation = at.selectbox(key="p.models.training.model.mlp.activation")
    initializer = at.selectbox(key="p.models.training.model.mlp.initializer")
    assert strings["activations.relu.title"] in activation.options and "relu" not in activation.options
    assert strings["initializers.kaiming_normal.title"] in initializer.options
    assert "kaiming_normal" not in initializer.options
    assert activation.help and initializer.help
    batchnorm = at.toggle(key="p.models.training.model.mlp.batchnorm")
    assert len(batchnorm.label) <= 10 and batchnorm.help  # fits half a column; the detail is in the tooltip


@pytest.mark.parametrize("language", ["en"], indirect=True)
def test_pause_says_pausing_until_the_counter_has_stopped_then_paused(language):
    state = {"p.training.epochs": 500, "p.training.batch_size": 1}  # minutes of steps: still going when paused
    at = open_page("training", language, **state)
    new = start_run(at, language)
    button(at, "Pause").click()
    at.run()
    assert_clean(at)
    deadline = time.monotonic() + 60
    while not any(new in m.value and m.value.endswith(": paused**") for m in at.markdown):
        assert any(new in m.value and "pausing" in m.value for m in at.markdown), [m.value for m in at.markdown]
        assert time.monotonic() < deadline
        time.sleep(0.2)
        at.run()
    first = progress_step(at)
    time.sleep(0.5)
    at.run()
    assert progress_step(at) == first > 0  # paused: the counter no longer moves
    button(at, "Resume").click()
    at.run()
    button(at, "Stop").click()
    at.run()
    finish(at, new, language)
    assert any(new in m.value and "stopped" in m.value for m in at.markdown)


def progress_step(at) -> int:
    (bar,) = at.get("progress")
    return int(re.search(r"step (\d+)/", str(bar.proto)).group(1))


def test_log_axis_labels_are_whole_numbers_of_one_series():
    from ui.live import log_axis

    assert log_axis([0.03, 0.9])["ticktext"] == ["0.05", "0.1", "0.2", "0.5"]
    assert log_axis([0.02, 120])["ticktext"] == ["0.1", "1", "10", "100"]
    many = log_axis([1e-9, 1e6])
    assert 2 <= len(many["ticktext"]) <= 7
    assert log_axis([0.31, 0.45]) == {"type": "log"}  # inside one label step: plotly's own ticks
    assert log_axis([]) == {"type": "log"}


@pytest.mark.parametrize("language", ["en"], indirect=True)
def test_every_optimizer_starts_at_the_pages_learning_rate(language):
    at = open_page("training", language, **{"p.optimizers.training.optimizer.choice": "sgd"})
    assert at.number_input(key="p.optimizers.training.optimizer.sgd.lr").value == 0.01  # the spec says 0.001
    at.selectbox(key="p.optimizers.training.optimizer.choice").set_value("rmsprop").run()
    assert at.number_input(key="p.optimizers.training.optimizer.rmsprop.lr").value == 0.01
    assert_clean(at)


@pytest.mark.parametrize("language", ["en"], indirect=True)
def test_a_model_or_loss_the_new_data_cannot_use_falls_back_to_the_first_offered(language):
    state = {"p.datasets.training.choice": "mnist", "p.datasets.training.mnist.n_train": 200,
             "p.datasets.training.mnist.n_test": 100, "p.models.training.model.choice": "lenet",
             "p.losses.training.loss.choice": "nll"}  # fmt: skip
    at = open_page("training", language, **state)
    assert_clean(at)
    at.selectbox(key="p.datasets.training.choice").set_value("diabetes").run()  # regression, two-column table
    assert_clean(at)
    assert at.selectbox(key="p.models.training.model.choice").value == "mlp"  # LeNet needs images
    assert at.selectbox(key="p.losses.training.loss.choice").value == "mse"  # the first regression loss, not NLL
    assert button(at, "Start").disabled is False
