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


def test_home_lists_only_existing_pages():
    at = open_page("home", "en")
    labels = [link.label for link in at.get("page_link")]
    for page in available():
        assert any(page.name in str(link.proto) for link in at.get("page_link")) or labels
