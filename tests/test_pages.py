"""An AppTest for every page that exists, in both languages: it runs without an exception."""

import pytest

from tests.apptest import LANGS, assert_clean, open_page
from tests.conftest import ROOT
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


def test_home_cards_are_static_files_sent_as_addresses():
    """The cards travel as /app/static/ addresses (the browser fetches and caches them), not as picture bytes."""
    at = open_page("home", "en")
    urls = [image.proto.imgs[0].url for image in at.get("image")]
    assert sorted(urls) == sorted(p.card_url for p in available())  # (three columns: drawn column by column)
    for page in available():  # /app/static/<path> serves ./static/<path>
        assert page.card.is_file() and page.card_url == "/app/" + page.card.relative_to(ROOT).as_posix()
