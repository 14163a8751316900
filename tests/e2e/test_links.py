"""Links and lessons in Chromium: a changed page reopens the same in a new browser; the course map's lessons."""

import re
import time

from tests.e2e.conftest import goto, screenshot, wait_idle
from tests.e2e.test_activations import _trace_y


def _wait_url(page, *parts: str, timeout_s: float = 60) -> str:
    """The page's URL once it contains every one of `parts` (the app rewrites it after each change)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if all(part in page.url for part in parts):
            return page.url
        page.wait_for_timeout(200)
    raise AssertionError(f"the URL {page.url} never contained {parts}")


def _wait_count(locator, n: int, timeout_s: float = 120) -> None:
    """Wait until `locator` matches `n` elements (a busy machine draws a widget late)."""
    deadline = time.monotonic() + timeout_s
    while locator.count() != n and time.monotonic() < deadline:
        time.sleep(0.2)
    assert locator.count() == n


def test_a_changed_page_opens_the_same_from_its_link(page, app_url, browser):
    goto(page, app_url, "activations?lang=en")
    slider = page.locator('[data-testid="stSlider"] input[type="range"]').first  # ELU's α (a fragment)
    slider.focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    wait_idle(page)
    box = page.locator('[data-testid="stMain"] [data-testid="stNumberInput"] input').first  # x from
    box.fill("-3")
    box.press("Enter")
    wait_idle(page)
    link = _wait_url(page, "activations.main.elu.alpha=", "activations.main.x_min=-3")
    assert "lang=en" in link
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url)
    button = page.locator(".dlp-copy-link")  # in the component's shadow root: Playwright's locators reach it
    button.click()
    deadline = time.monotonic() + 30
    while "copied" not in button.inner_text() and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert "copied" in button.inner_text()
    assert page.evaluate("() => navigator.clipboard.readText()") == link
    alpha, curve = slider.input_value(), _trace_y(page)

    other = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})  # a new visitor
    try:
        fresh = other.new_page()
        fresh.goto(link)
        wait_idle(fresh, timeout=180_000)
        assert fresh.get_by_text("Activation functions").first.is_visible()  # lang=en beats the zh-CN browser
        again = fresh.locator('[data-testid="stSlider"] input[type="range"]').first
        again.wait_for(timeout=120_000)
        assert again.input_value() == alpha
        assert fresh.locator('[data-testid="stMain"] [data-testid="stNumberInput"] input').first.input_value() == "-3"
        assert _trace_y(fresh) == curve  # the same chart
        assert fresh.locator('[data-testid="stException"]').count() == 0
        assert fresh.url == link  # nothing was dropped or added
    finally:
        other.close()


def test_a_lesson_from_the_course_map_and_its_next_lesson(page, app_url):
    goto(page, app_url, "?lang=en")
    page.get_by_role("link", name="SGD zig-zags on the elliptic bowl").click()
    _wait_url(page, "/optimizers?", "lesson=opt_sgd_zigzag")
    wait_idle(page, timeout=180_000)
    lesson = page.locator(".st-key-dlp_lesson")
    assert "SGD zig-zags on the elliptic bowl" in lesson.inner_text()
    chips = page.locator('[data-testid="stMultiSelectTagsContainer"] span[title]')
    _wait_count(chips, 1)  # the lesson races SGD alone
    screenshot(page, "lesson-en")
    lesson.get_by_role("link", name=re.compile("Next lesson")).click()
    _wait_url(page, "lesson=opt_momentum")
    wait_idle(page, timeout=180_000)
    page.wait_for_function(
        "() => document.querySelector('.st-key-dlp_lesson')?.innerText.includes('Momentum damps the zig-zag')",
        timeout=60_000,
    )
    _wait_count(chips, 2)  # SGD and Momentum
    assert page.locator('[data-testid="stException"]').count() == 0
