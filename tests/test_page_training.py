"""AppTest of the live-training page in both languages: it draws, trains a run to the end, and reports bad input."""

import time

import pytest

import ui.i18n
from tests.apptest import LANGS, assert_clean, open_page

TINY = {"p.training.epochs": 3, "p.datasets.training.moons.n_samples": 100}
WORDS = {"zh": {"start": "开始", "done": "已完成"}, "en": {"start": "Start", "done": "finished"}}


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
