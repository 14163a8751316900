"""e2e: the scheduler page draws every chosen schedule, overlaid and applied on a surface; Play animates."""

import re

from tests.e2e.conftest import open_from_nav, screenshot, set_language, wait_idle
from tests.e2e.fragments import Wire

TRACES_JS = """(key) => {
  const plot = document.querySelector(`.st-key-${key} .js-plotly-plot`);
  if (!plot || !plot.data) return null;
  return plot.data.map(t => t.name || '');
}"""


def test_schedules_overlaid_and_applied(page, app_url):
    wire = Wire(page)
    page.goto(app_url)
    wait_idle(page)
    open_from_nav(page, "schedulers")
    page.wait_for_function(f"() => ({TRACES_JS})('schedulers_two_panel') !== null", timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    overlay = page.evaluate(TRACES_JS, "schedulers_lr")
    assert len(overlay) == 4 and any("Cosine" in n for n in overlay)
    two_panel = page.evaluate(TRACES_JS, "schedulers_two_panel")
    assert sum("Exponential" in n for n in two_panel) == 2  # its path (left) and its LR curve (right)

    wire.clear()
    page.get_by_role("button", name="Remove Constant (no schedule)").click()
    wait_idle(page, timeout=120_000)
    wire.fragment_run()  # the schedules section alone reran: the page's title and intro were not re-sent
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


# Each y tick of a chart: its value (a log axis stores log10) and its label as the browser drew it.
YTICKS_JS = """(key) => {
  const plot = document.querySelector(`.st-key-${key} .js-plotly-plot`);
  if (!plot || !plot._fullLayout) return null;
  const log = plot._fullLayout.yaxis.type === 'log';
  return [...plot.querySelectorAll('.ytick text')].map(e => [log ? 10 ** e.__data__.x : e.__data__.x, e.innerHTML]);
}"""

# Every chip of the page's multiselects: is its text cut off (drawn narrower than it is)?
CUT_CHIPS_JS = """() => [...document.querySelectorAll('[data-testid="stMultiSelectTagsContainer"] span[title]')]
  .filter(s => s.scrollWidth > s.clientWidth + 1).map(s => s.textContent)"""


def label_value(svg: str) -> float:
    """A tick label drawn by plotly (SVG markup) as a number: 20, 0.05, 10⁻⁷, 2×10⁻⁵."""
    sup = re.search(r'<tspan[^>]*dy="-[^"]*"[^>]*>([^<]*)</tspan>', svg)  # plotly's <sup>: raised, smaller
    text = re.sub(r"<[^>]+>", "", svg).replace("\u200b", "").replace("−", "-")
    if sup is None:
        return float(text)
    exponent = sup.group(1).replace("\u200b", "").replace("−", "-")
    base = text[: len(text) - len(exponent)]
    mantissa = float(base[:-3]) if base.endswith("×10") else 1.0
    return mantissa * 10 ** float(exponent)


def assert_ticks_read_right(ticks):
    assert ticks and len(ticks) >= 2, ticks
    for value, text in ticks:
        assert abs(label_value(text) - value) <= 1e-6 * value, (text, value, ticks)  # "2" drawn for 20 fails


def test_long_titles_and_log_ticks_read_in_full(page, app_url):
    page.goto(app_url)
    wait_idle(page)
    open_from_nav(page, "schedulers")
    page.wait_for_function(f"() => ({YTICKS_JS})('schedulers_loss') !== null", timeout=60_000)
    assert page.evaluate(CUT_CHIPS_JS) == []  # "ential decay (Expone…" in the narrow column
    box = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').filter(has_text="Loss surface")
    box.click()
    page.get_by_role("option", name="Rastrigin's function").click()
    wait_idle(page, timeout=120_000)
    page.get_by_text("Log scale", exact=True).click()
    wait_idle(page, timeout=120_000)
    page.wait_for_timeout(1000)
    assert_ticks_read_right(page.evaluate(YTICKS_JS, "schedulers_loss"))
    assert_ticks_read_right(page.evaluate(YTICKS_JS, "schedulers_lr"))
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "schedulers-rastrigin-log-en")
    set_language(page, "简体中文")
    page.wait_for_selector("text=学习率调度", timeout=60_000)
    wait_idle(page, timeout=120_000)
    page.wait_for_timeout(1000)
    assert page.evaluate(CUT_CHIPS_JS) == []
    assert_ticks_read_right(page.evaluate(YTICKS_JS, "schedulers_loss"))
    screenshot(page, "schedulers-rastrigin-log-zh")
