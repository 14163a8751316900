"""Backpropagation page in Chromium: the graph renders offline, stepping fills in gradients, typed formulas."""

import pytest

from tests.e2e.conftest import goto, screenshot, visit_every_tab, wait_idle
from tests.e2e.fragments import Wire

TABS = ("graph", "network", "check")
GRAPH = '[data-testid="stGraphVizChart"] svg'


@pytest.fixture(autouse=True)
def _patient(page):
    page.set_default_timeout(120_000)  # a busy CI machine: waits, never assertions on speed


def _graph_text(page) -> str:
    return page.locator(GRAPH).first.text_content()


def _wait_for_text(page, text: str) -> None:
    page.wait_for_function(
        "([sel, text]) => [...document.querySelectorAll(sel)].some(s => s.textContent.includes(text))",
        arg=[GRAPH, text],
        timeout=120_000,
    )


def _step_slider(page):
    return page.locator('[data-testid="stSlider"] input[type="range"][aria-label="Backward step"]')


def test_stepping_the_backward_pass_shows_the_gradients(page, app_url):
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)  # fmt: skip
    wire = Wire(page)
    goto(page, app_url, "backprop")
    page.locator(GRAPH).first.wait_for(timeout=120_000)  # Graphviz (WASM in Streamlit's bundle) drew an SVG
    _wait_for_text(page, "= 715")
    assert "∂L/∂pₐ" not in _graph_text(page)  # step 0: forward values only
    slider = _step_slider(page)
    wire.clear()
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    wait_idle(page)
    wire.fragment_run()  # the graph tab's section alone reran: the other tabs were not re-sent
    _wait_for_text(page, "∂L/∂t = 650")  # the × node sends t the subtotal
    assert "∂L/∂pₐ = ?" in _graph_text(page)
    slider.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    wait_idle(page)
    _wait_for_text(page, "∂L/∂pₐ = 2.2")
    assert "∂L/∂nₒ = 165" in _graph_text(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert outside == []  # nothing fetched from a CDN
    screenshot(page, "backprop-stepped-en")


def test_a_typed_formula_and_a_bad_one(page, app_url):
    goto(page, app_url, "backprop")
    page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="Your formula").click()
    wait_idle(page)
    box = page.locator('[data-testid="stTextInput"] input').first
    box.fill("x*x + y")
    box.press("Enter")
    wait_idle(page)
    _step_slider(page).focus()
    page.keyboard.press("End")
    wait_idle(page)
    _wait_for_text(page, "∂f/∂x = 2")  # x = 1: x used twice, 1 + 1
    box.fill("log(0*x)")
    box.press("Enter")
    wait_idle(page)
    alert = page.locator('[data-testid="stAlert"]').first
    alert.wait_for(timeout=120_000)
    assert "no finite value" in alert.inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "backprop-bad-formula-en")


def test_every_tab_in_both_languages(page, app_url):
    goto(page, app_url, "backprop")
    screenshot(page, "backprop-en")
    visit_every_tab(page, "backprop", TABS)


def test_play_runs_the_backward_pass_to_the_end(page, app_url):
    goto(page, app_url, "backprop")
    page.get_by_role("button", name="▶ Play").click()
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stSlider"] input[type="range"]')]
                 .some(s => s.getAttribute('aria-label') === 'Backward step' && s.value === s.max)""",
        timeout=180_000,
    )
    page.get_by_role("button", name="▶ Play").wait_for(timeout=120_000)  # stopped by itself at the end
    _wait_for_text(page, "∂L/∂pₐ = 2.2")
    assert page.locator('[data-testid="stException"]').count() == 0
