"""e2e: the scheduler page draws every chosen schedule, overlaid and applied on a surface; Play animates."""

from tests.e2e.conftest import open_from_nav, screenshot, set_language, wait_idle

TRACES_JS = """(key) => {
  const plot = document.querySelector(`.st-key-${key} .js-plotly-plot`);
  if (!plot || !plot.data) return null;
  return plot.data.map(t => t.name || '');
}"""


def test_schedules_overlaid_and_applied(page, app_url):
    page.goto(app_url)
    wait_idle(page)
    open_from_nav(page, "schedulers")
    page.wait_for_function(f"() => ({TRACES_JS})('schedulers_two_panel') !== null", timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    overlay = page.evaluate(TRACES_JS, "schedulers_lr")
    assert len(overlay) == 4 and any("Cosine" in n for n in overlay)
    two_panel = page.evaluate(TRACES_JS, "schedulers_two_panel")
    assert sum("Exponential" in n for n in two_panel) == 2  # its path (left) and its LR curve (right)

    page.get_by_role("button", name="Remove Constant (no schedule)").click()
    wait_idle(page, timeout=120_000)
    page.wait_for_function(f"() => (({TRACES_JS})('schedulers_lr') || []).length === 3", timeout=60_000)

    page.locator(".st-key-schedulers_two_panel").get_by_text("Play").click()  # the animation runs in the browser
    page.wait_for_timeout(1500)
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "schedulers-en")
    set_language(page, "简体中文")
    page.wait_for_selector("text=学习率调度", timeout=60_000)
    wait_idle(page, timeout=120_000)
    page.wait_for_timeout(1500)
    screenshot(page, "schedulers-zh")
