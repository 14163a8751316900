"""Links and lessons through the real app (AppTest): every lesson, every page's round trip, bad links."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from core.lessons import LESSONS, next_lesson
from core.links import same
from tests.apptest import LANGS, assert_clean, open_page
from tests.conftest import ROOT
from ui.i18n import table
from ui.links import key_of, name_of


@pytest.fixture(autouse=True)
def router(monkeypatch):
    """Every run goes through app.py's router, as in a server.

    AppTest forgets between runs that app.py calls ``st.navigation`` and runs a switched-to
    page alone (Streamlit's old ``pages/`` folder mode), without the sidebar and the links.
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


def open_link(page: str, params: dict[str, str]) -> AppTest:
    """A new visitor opening ``/<page>?<params>``."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    if page != "home":
        at.switch_page(f"pages/{page}.py")
    at.query_params.update(params)
    at.run()
    return at


def notice(at: AppTest) -> str:
    """The link notice's text ('' when the link was used whole)."""
    heads = {table(lang)["links.ignored"] for lang in LANGS}
    texts = [w.value for w in at.warning if any(w.value.startswith(h) for h in heads)]
    return "\n".join(texts)


def assert_values(at: AppTest, values: dict) -> None:
    for name, value in values.items():
        assert key_of(name) in at.session_state, name
        assert same(at.session_state[key_of(name)], value), (name, at.session_state[key_of(name)], value)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("lesson_id", list(LESSONS))
def test_every_lesson_opens_clean_with_its_values_and_narrative(lesson_id, lang):
    lesson = LESSONS[lesson_id]
    at = open_link(lesson.page, {"lesson": lesson_id, "lang": lang})
    assert_clean(at)
    assert notice(at) == ""
    assert_values(at, lesson.values)
    assert table(lang)[f"lessons.{lesson_id}.title"] in [h.value for h in at.subheader]
    head = next(m.value for m in at.markdown if m.value.startswith("**📘"))
    assert head.endswith("**") and not head.endswith(" **") and " ·  · " not in head  # bold, no empty part
    assert at.query_params["lesson"] == lesson_id  # the link stays short: the lesson's own values are not repeated
    assert set(at.query_params) <= {"lesson", "lang"}
    later = next_lesson(lesson_id)
    if later is not None:
        links = [link.proto for link in at.get("page_link") if "lesson=" in link.proto.query_string]
        assert [parse_qs(p.query_string)["lesson"] for p in links] == [[later.id]]


FIRST_LESSON = {}
for _lesson in LESSONS.values():
    FIRST_LESSON.setdefault(_lesson.page, _lesson)


@pytest.mark.parametrize("page", list(FIRST_LESSON))
def test_a_page_link_round_trips(page):
    """Set values → the URL → a fresh session → the same values (and the same link)."""
    values = dict(FIRST_LESSON[page].values)
    at = open_link(page, {"lang": "en"})
    for name, value in values.items():
        at.session_state[key_of(name)] = value
    at.run()
    assert_clean(at)
    params = {k: v for k, v in at.query_params.items()}
    assert params["lang"] == "en" and "lesson" not in params
    again = open_link(page, params)
    assert_clean(again)
    assert notice(again) == ""
    assert_values(again, values)
    assert {k: v for k, v in again.query_params.items()} == params


def test_a_link_with_the_seed_and_language_restores_them():
    at = open_link("optimizers", {"lang": "zh", "seed": "7", "optimizers.steps": "120"})
    assert_clean(at)
    assert at.session_state["p.lang"] == "zh" and at.session_state["p.seed"] == 7
    assert at.session_state["p.optimizers.steps"] == 120
    assert at.query_params["seed"] == "7"


def test_bad_values_keep_the_defaults_and_are_named_in_a_notice():
    at = open_link("optimizers", {
        "lang": "en",
        "optimizers.steps": "abc",  # a malformed number
        "optimizers.many": "sgd,adamm",  # an unknown name
        "optimizers.bowl.sgd.lr": "1e9",  # out of range
        "optimizers.racers": "3",  # a parameter of an older version
        "optimizers.bowl.start_x": "-6",  # a good one among them
    })  # fmt: skip
    assert_clean(at)
    text = notice(at)
    for name in ("optimizers.steps", "optimizers.many", "optimizers.bowl.sgd.lr", "optimizers.racers"):
        assert f"`{name}`" in text
    assert "adamm" in text and "1e9" in text
    assert "start_x" not in text
    assert at.session_state["p.optimizers.steps"] == 300
    assert at.session_state["p.optimizers.many"] == ["sgd", "momentum", "adagrad", "adam"]
    assert at.session_state["p.optimizers.bowl.start_x"] == -6.0
    assert dict(at.query_params) == {"lang": "en", "optimizers.bowl.start_x": "-6.0"}  # the bad ones are gone


def test_a_value_a_widget_refuses_is_dropped_not_a_traceback():
    """A slider without a spec raises on a number past its end: the link's number is dropped and the page reruns."""
    at = open_link("linear", {"lang": "en", "linear.search.try_w.0.0.4.0.0.1": "99", "linear.data.choice": "noisy"})
    assert_clean(at)
    assert "`linear.search.try_w.0.0.4.0.0.1`: " + table("en")["links.not_accepted"].format(value="99") in notice(at)
    assert at.session_state["p.linear.search.try_w.0.0.4.0.0.1"] == 1.0


def test_an_unknown_lesson_is_named_and_the_page_opens():
    at = open_link("activations", {"lesson": "no_such_lesson", "lang": "en"})
    assert_clean(at)
    assert "no_such_lesson" in notice(at)


def test_a_lesson_link_to_the_home_page_opens_the_lessons_page():
    at = open_link("home", {"lesson": "opt_momentum", "lang": "en"})
    assert_clean(at)
    assert_values(at, LESSONS["opt_momentum"].values)
    assert table("en")["lessons.opt_momentum.title"] in [h.value for h in at.subheader]


def test_the_classroom_view_hides_the_sidebar_and_chosen_controls():
    at = open_link("optimizers", {"lang": "en", "hide": "sidebar,optimizers.steps"})
    assert_clean(at)
    css = "\n".join(h.proto.body for h in at.get("html"))
    assert '[data-testid="stSidebar"]' in css and ".st-key-p-optimizers-steps" in css
    assert at.query_params["hide"] == "sidebar,optimizers.steps"


def test_the_home_page_is_a_course_map_with_every_lesson():
    at = open_page("home", "en")
    assert_clean(at)
    linked = {parse_qs(link.proto.query_string).get("lesson", [""])[0] for link in at.get("page_link")}
    assert set(LESSONS) <= linked


def drawn_numbers(at: AppTest) -> dict[str, float]:
    """{setting: default} of every number widget (not a toggle) the page's last whole run drew."""
    drawn = at.session_state["_links_drawn"]
    return {name_of(k): v for k, v in drawn.items()
            if isinstance(v, int | float) and not isinstance(v, bool) and k.startswith("p.")}  # fmt: skip


@pytest.mark.parametrize("page", [p for p in FIRST_LESSON if p != "home"])
@pytest.mark.parametrize("far", ["1e12", "-1e12"])
def test_a_number_out_of_every_range_keeps_its_default_with_a_notice(page, far):
    """Every number box and slider a link can set has bounds: a value past them is named, never used."""
    numbers = drawn_numbers(open_link(page, {"lang": "en"}))
    assert numbers
    at = open_link(page, {"lang": "en", **dict.fromkeys(numbers, far)})
    assert_clean(at)
    text = notice(at)
    missed = [name for name in numbers if f"`{name}`" not in text]
    assert not missed, missed
    for name, default in numbers.items():
        assert same(at.session_state[key_of(name)], default), (name, at.session_state[key_of(name)])
