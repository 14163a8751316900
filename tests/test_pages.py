"""An AppTest for every page that exists, in both languages: it runs without an exception."""

import pytest

from tests.apptest import LANGS, assert_clean, open_page
from ui.nav import available

PAGES = ["home", *[p.name for p in available()]]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", PAGES)
def test_page_runs_clean(page, lang):
    at = open_page(page, lang)
    assert_clean(at)


def test_language_switch_changes_text():
    zh = open_page("home", "zh")
    en = open_page("home", "en")
    assert zh.title[0].value != en.title[0].value
    assert "深度学习" in zh.title[0].value
    assert "Deep Learning" in en.title[0].value


def test_home_lists_every_existing_page_and_nothing_else():
    at = open_page("home", "en")
    linked = {link.proto.page for link in at.get("page_link")}
    assert linked == {p.url for p in available()}
