"""AppTest of the digits page: the canvas component's state is injected as the browser would send it."""

import base64
import io
import json

import numpy as np
import pytest
from PIL import Image

from tests.apptest import LANGS, assert_clean, open_page

CANVAS_KEY = "digits_canvas"


def canvas_state(data_url: str) -> dict:
    """What streamlit-drawable-canvas 0.13 keeps in session state after the user draws."""
    return {"drawing": {"raw": {"objects": []}, "data": data_url}, "backgroundFit": None}


def png_url(rgba: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(rgba).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def drawing(*boxes: tuple[int, int, int, int]) -> str:
    rgba = np.zeros((280, 280, 4), np.uint8)
    rgba[..., 3] = 255
    for top, left, bottom, right in boxes:
        rgba[top:bottom, left:right, :3] = 255
    return png_url(rgba)


STROKE = drawing((40, 130, 240, 150))  # a vertical stroke: a 1


def texts(at) -> str:
    return "\n".join(str(x.value) for x in [*at.markdown, *at.info, *at.error, *at.warning, *at.success])


@pytest.mark.parametrize("lang", LANGS)
def test_empty_canvas_prompts_instead_of_predicting(lang):
    at = open_page("digits", lang)
    assert_clean(at)
    assert not at.error
    assert len(at.info) == 1  # the prompt to draw
    assert "**1**" not in texts(at)


@pytest.mark.parametrize("lang", LANGS)
def test_vertical_stroke_is_a_one_and_the_inside_is_shown(lang):
    at = open_page("digits", lang, **{CANVAS_KEY: canvas_state(STROKE)})
    assert_clean(at)
    assert not at.error
    shown = texts(at)
    assert "**1**" in shown
    assert "block1" in shown and "block3" in shown  # feature maps of the BatchNorm CNN, layer by layer
    assert len(at.tabs) == 2


def test_blank_drawing_is_a_prompt_not_an_error():
    at = open_page("digits", "en", **{CANVAS_KEY: canvas_state(drawing())})
    assert_clean(at)
    assert not at.error
    assert any("Draw a digit" in i.value for i in at.info)


@pytest.mark.parametrize("lang", LANGS)
def test_garbage_from_the_canvas_is_an_error_box(lang):
    at = open_page("digits", lang, **{CANVAS_KEY: canvas_state("data:image/png;base64,bm90IGFuIGltYWdl")})
    assert_clean(at)
    assert len(at.error) == 1


def test_mlp_has_no_feature_maps_but_a_saliency_map():
    at = open_page("digits", "en", **{CANVAS_KEY: canvas_state(STROKE), "p.digits.model.choice": "mlp"})
    assert_clean(at)
    assert "no convolutional layers" in texts(at)
    assert "saliency map" in texts(at)


def test_teach_changes_only_the_session_copy():
    at = open_page("digits", "en", **{CANVAS_KEY: canvas_state(STROKE), "p.digits.model.choice": "lenet"})
    at.selectbox(key="p.digits.teach.label").set_value(7)
    at.button(key="digits_teach_button").click()
    at.run()
    assert_clean(at)
    assert len(at.success) == 1 and "p(7)" in at.success[0].value
    assert any("taught copy" in i.value for i in at.info)
    at.button(key="digits_reset_taught").click()
    at.run()
    assert_clean(at)
    assert not any("taught copy" in i.value for i in at.info)


@pytest.mark.parametrize("lang", LANGS)
def test_learning_rate_out_of_range_is_an_error_box(lang):
    at = open_page("digits", lang, **{CANVAS_KEY: canvas_state(STROKE), "p.digits.teach.teach.lr": 5.0})
    at.button(key="digits_teach_button").click()
    at.run()
    assert_clean(at)
    assert len(at.error) == 1
    assert "5" in at.error[0].value


def drawn_state(data_url: str) -> dict:
    """`canvas_state` with one stroke in its Fabric.js JSON (what a page switch restores)."""
    state = canvas_state(data_url)
    state["drawing"]["raw"] = {"objects": [{"type": "Path", "path": [["M", 140, 40], ["L", 140, 240]]}]}
    return state


def canvas_element(at):
    """The drawable canvas as the browser gets it: its element id (a new id is a new canvas) and its data."""
    (element,) = [e for e in at.get("bidi_component") if e.proto.component_name.startswith("streamlit-drawable")]
    return element.proto.id, json.loads(element.proto.json)


def test_clear_makes_a_new_blank_canvas_also_after_a_page_switch():
    """The browser keeps a canvas's strokes while its key lives: Clear must hand it a new canvas."""
    at = open_page("digits", "en", **{CANVAS_KEY: drawn_state(STROKE)})
    assert "**1**" in texts(at)
    before = canvas_element(at)[0]
    at.button(key="digits_clear").click().run()
    assert_clean(at)
    after, data = canvas_element(at)
    assert after != before  # a new component in the browser: the old strokes are gone with the old one
    assert data["initialDrawing"]["objects"] == []
    assert "**1**" not in texts(at) and any("Draw a digit" in i.value for i in at.info)
    at.switch_page("pages/losses.py").run()
    at.switch_page("pages/digits.py").run()
    assert canvas_element(at)[1]["initialDrawing"]["objects"] == []  # nothing old comes back
    assert any("Draw a digit" in i.value for i in at.info)


@pytest.mark.parametrize("lang", LANGS)
def test_canvas_toolbar_tooltips_are_translated(lang):
    at = open_page("digits", lang)
    (helper,) = [e for e in at.get("bidi_component") if "toolbar_labels" in e.proto.id]
    labels = json.loads(helper.proto.json)["labels"]
    assert labels["Undo"] == ("撤销" if lang == "zh" else "Undo")
    assert labels["Reset canvas & history"] == ("清空画布和历史" if lang == "zh" else "Reset canvas & history")
    if lang == "zh":
        assert not any(english == text for english, text in labels.items()), labels


def test_the_proposed_label_follows_a_new_drawing_but_keeps_the_learners_choice():
    at = open_page("digits", "en", **{CANVAS_KEY: canvas_state(STROKE), "p.digits.model.choice": "lenet"})
    label = at.selectbox(key="p.digits.teach.label")
    assert label.value == 1
    label.set_value(7).run()
    assert at.selectbox(key="p.digits.teach.label").value == 7  # the same drawing: the learner's pick stays
    ring = drawing((40, 80, 60, 200), (220, 80, 240, 200), (40, 80, 240, 100), (40, 180, 240, 200))
    at.session_state[CANVAS_KEY] = canvas_state(ring)
    at.run()
    assert "**0**" in texts(at)
    assert at.selectbox(key="p.digits.teach.label").value == 0  # a new drawing: propose what the model reads
    at.button(key="digits_teach_button").click().run()
    assert_clean(at)
    assert "p(0)" in at.success[0].value  # taught toward the digit shown, not the stale 7


@pytest.mark.parametrize("lang", LANGS)
def test_preprocessing_steps_are_shown_with_the_drawings_numbers(lang):
    at = open_page("digits", lang, **{CANVAS_KEY: canvas_state(STROKE)})
    assert_clean(at)
    (steps,) = [
        e for e in at.expander if e.label == ("预处理做了什么" if lang == "zh" else "What the preprocessing did")
    ]
    shown = "\n".join(m.value for m in steps.markdown)
    assert "20×200" in shown  # the stroke's ink box: 20 px wide, 200 px tall
    assert "×0.1" in shown and "2×20" in shown  # scaled by 20/200 to 2×20


@pytest.mark.parametrize("lang", LANGS)
def test_an_unsure_model_names_its_two_most_likely_digits(lang, monkeypatch):
    import core.digits.predict as predict_module

    monkeypatch.setattr(predict_module, "NOT_SURE", 1.01)  # no answer is sure: the warning must appear
    at = open_page("digits", lang, **{CANVAS_KEY: canvas_state(STROKE)})
    assert_clean(at)
    (warning,) = at.warning
    assert "**1**" in warning.value  # the most likely digit, then the runner-up, each with its probability
    assert warning.value.count("**") == 4 and warning.value.count("%") >= 3
    (steps,) = [e for e in at.expander if e.proto.expanded]  # the steps open by themselves
    assert steps.markdown
