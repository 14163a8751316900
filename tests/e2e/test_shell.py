"""The app loads, every page opens from the navigation, and switching language changes the text."""

from tests.e2e.conftest import goto, screenshot, set_language, wait_idle
from ui.nav import available


def test_home_loads_in_english_then_chinese(page, app_url):
    goto(page, app_url)
    assert page.get_by_text("Deep Learning Playground").first.is_visible()
    screenshot(page, "home-en")
    set_language(page, "简体中文")
    assert page.get_by_text("深度学习游乐场").first.is_visible()
    screenshot(page, "home-zh")


def test_every_page_opens_from_the_navigation(page, app_url):
    goto(page, app_url)
    nav = page.locator('[data-testid="stSidebarNav"]')
    for spec in available():
        nav.locator(f'a[href$="/{spec.url}"]').click()
        page.wait_for_url(f"**/{spec.url}")
        wait_idle(page, timeout=120_000)
        assert page.locator('[data-testid="stException"]').count() == 0, spec.name
        assert page.locator("h1").count() >= 1, spec.name
