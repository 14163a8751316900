"""The app loads, every page opens from the navigation, and switching language changes the text."""

from tests.e2e.conftest import goto, screenshot, set_language, wait_for_path, wait_idle
from ui.nav import available


def test_home_loads_in_english_then_chinese(page, app_url):
    goto(page, app_url)
    assert page.get_by_text("Deep Learning Playground").first.is_visible()
    page.locator('[data-testid="stImage"] img').last.scroll_into_view_if_needed()
    page.wait_for_function(  # every card fetched from the static files and decoded
        "n => [...document.querySelectorAll('[data-testid=stImage] img')].filter(i => i.naturalWidth > 0).length === n",
        arg=len(available()),
        timeout=60_000,
    )
    screenshot(page, "home-en")
    set_language(page, "简体中文")
    assert page.get_by_text("深度学习游乐场").first.is_visible()
    screenshot(page, "home-zh")


def test_every_page_opens_from_the_navigation(page, app_url):
    goto(page, app_url)
    nav = page.locator('[data-testid="stSidebarNav"]')
    for spec in available():
        nav.locator(f'a[href$="/{spec.url}"]').click()
        wait_for_path(page, spec.url)
        wait_idle(page, timeout=120_000)
        assert page.locator('[data-testid="stException"]').count() == 0, spec.name
        assert page.locator("h1").count() >= 1, spec.name


def test_deep_link_on_a_fresh_server_gets_the_router(page):
    """The first visitor of /<page> on a new server sees the full app, not the page alone."""
    from tests.e2e.conftest import _free_port, start_server, stop_server

    spec = available()[-1]
    port = _free_port()
    server = start_server(port)
    try:
        goto(page, f"http://127.0.0.1:{port}", spec.url)
        language = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]')
        language.first.wait_for(timeout=120_000)  # the first run of a fresh server can still be drawing the sidebar
        assert language.count() >= 1
        assert page.locator('[data-testid="stSidebarNav"] a[href$="/activations"]').count() == 1
    finally:
        stop_server(server)
