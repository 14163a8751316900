"""Losses page in Chromium: a logit slider changes the cross-entropy bars; screenshots of every tab."""

from tests.e2e.conftest import goto, screenshot, visit_every_tab, wait_idle
from tests.e2e.fragments import Wire

TABS = ("explore", "compare", "ce")


def _loss_metric(page) -> str:
    return page.locator('[data-testid="stMetricValue"]').first.inner_text()


def test_logit_slider_changes_the_cross_entropy(page, app_url):
    wire = Wire(page)
    goto(page, app_url, "losses")
    page.get_by_role("tab").nth(2).click()
    wait_idle(page)
    metric = page.locator('[data-testid="stMetricValue"]').first
    metric.wait_for(timeout=60_000)
    before = metric.inner_text()
    wire.clear()
    z1 = page.locator('[data-testid="stSlider"] input[type="range"][aria-label="Logit z₁"]')  # the true class
    z1.focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    wait_idle(page)
    page.wait_for_function(f"() => document.querySelector('[data-testid=\"stMetricValue\"]').innerText !== {before!r}")
    wire.fragment_run()  # only the cross-entropy tab was redrawn
    after = metric.inner_text()
    assert float(after) < float(before)  # a larger true-class logit lowers the loss
    assert page.locator('[data-testid="stException"]').count() == 0


def test_every_tab_in_both_languages(page, app_url):
    goto(page, app_url, "losses")
    screenshot(page, "losses-en")
    visit_every_tab(page, "losses", TABS)
