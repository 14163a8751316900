"""The lesson registry (pure data) and link values' text: encode/decode round trips and refusals."""

import re
import subprocess
import sys

import pytest

from core import lessons
from core.errors import UserError
from core.links import decode, encode, same
from core.registry import Param
from tests.conftest import ROOT
from ui.i18n import LANGUAGES, table
from ui.nav import CHAPTERS, PLANNED

COVERED = sorted({c for p in PLANNED for c in p.chapters if (ROOT / p.path).exists()})


def test_core_modules_do_not_import_streamlit():
    code = "import sys, core.lessons, core.links; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("chapter", COVERED)
def test_every_covered_chapter_has_at_least_two_lessons(chapter):
    assert len(lessons.in_chapter(chapter)) >= 2


def test_lessons_are_listed_in_the_course_order_on_existing_pages():
    order = [CHAPTERS.index(lesson.chapter) for lesson in lessons.LESSONS.values()]
    assert order == sorted(order)
    pages = {p.name: p for p in PLANNED}
    for lesson in lessons.LESSONS.values():
        assert lesson.page in pages, lesson.id
        assert lesson.chapter in pages[lesson.page].chapters, lesson.id


def test_next_lesson_walks_every_lesson_once():
    seen, lesson = [], next(iter(lessons.LESSONS.values()))
    while lesson is not None:
        seen.append(lesson.id)
        lesson = lessons.next_lesson(lesson.id)
    assert seen == list(lessons.LESSONS)


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_lesson_has_a_title_and_a_narrative_of_two_to_five_sentences(lang):
    strings = table(lang)
    for lesson_id in lessons.LESSONS:
        assert strings.get(f"lessons.{lesson_id}.title"), lesson_id
        text = strings[f"lessons.{lesson_id}.text"]
        sentences = [s for s in re.split(r"(?<=[.!?。！？])\s*", text) if s.strip()]
        assert 2 <= len(sentences) <= 5, (lesson_id, len(sentences))
    assert {k.split(".")[1] for k in strings if k.startswith("lessons.")} == set(lessons.LESSONS)


def test_a_lesson_refuses_bad_data():
    with pytest.raises(ValueError, match="lowercase"):
        lessons.Lesson("Bad-Id", "linear", "linear")
    with pytest.raises(ValueError, match="without 'p.'"):
        lessons.Lesson("ok", "linear", "linear", {"p.linear.section": "gd"})
    with pytest.raises(ValueError, match="not a widget value"):
        lessons.Lesson("ok", "linear", "linear", {"linear.section": {"a": 1}})


LR = Param("lr", 0.01, 0.0, 10.0, low_open=True)
VALUES = [
    (True, False, None, None),
    (0.05, 0.01, LR, None),
    (1e-05, 0.01, LR, None),
    (7, 3, Param("layers", 3, 1, 10, 1), None),
    (-7.0, 1.0, None, None),
    (12, 1, None, None),
    ("adam", "sgd", None, ("sgd", "adam")),
    (["relu", "tanh"], ["sigmoid"], None, ("sigmoid", "tanh", "relu")),
    ([], ["sigmoid"], None, ("sigmoid", "tanh", "relu")),
    ("春夏秋冬", "明月", None, None),
    ("float32", "float64", Param("precision", "float64", choices=("float32", "float64")), None),
    (3, 1, None, tuple(range(10))),
]


@pytest.mark.parametrize(("value", "default", "spec", "choices"), VALUES)
def test_encode_then_decode_gives_the_value_back(value, default, spec, choices):
    back = decode(encode(value), default, spec=spec, choices=choices)
    assert same(back, value) and type(back) is type(value)


BAD = [
    ("abc", 0.01, LR, None, "param_not_number"),
    ("1e9", 0.01, LR, None, "param_range"),
    ("0", 0.01, LR, None, "param_range"),
    ("nan", 0.01, LR, None, "param_not_finite"),
    ("2.5", 3, Param("layers", 3, 1, 10, 1), None, "param_not_int"),
    ("abc", 300, None, None, "param_not_number"),
    ("maybe", False, None, None, "param_choice"),
    ("adamm", "sgd", None, ("sgd", "adam"), "param_choice"),
    ("sgd,adamm", ["sgd"], None, ("sgd", "adam"), "param_choice"),
    ("sgd,sgd", ["sgd"], None, ("sgd", "adam"), "link_duplicate"),
]


@pytest.mark.parametrize(("raw", "default", "spec", "choices", "error"), BAD)
def test_a_bad_value_is_refused_with_a_reason(raw, default, spec, choices, error):
    with pytest.raises(UserError) as caught:
        decode(raw, default, name="x", spec=spec, choices=choices)
    assert caught.value.key == error


def test_a_repeated_parameter_counts_its_last_value():
    assert decode(["1", "2"], 0) == 2
