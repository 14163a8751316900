"""Activations page in Chromium: moving a parameter slider redraws its section only; screenshots of every tab."""

from tests.e2e.conftest import goto, screenshot, visit_every_tab, wait_idle
from tests.e2e.fragments import Wire

TABS = ("explore", "compare", "properties", "softmax", "nonlinear", "depth")


def _trace_y(page) -> list[float]:
    """y of the first trace of the page's first plotly chart (the f(x) curve), decoding plotly's base64 arrays."""
    page.wait_for_function(
        "() => { const g = document.querySelector('.js-plotly-plot'); return g && g.data && g.data.length; }",
        timeout=60_000,
    )
    return page.evaluate(
        """() => {
            const y = document.querySelector('.js-plotly-plot').data[0].y;
            if (!y.bdata) return Array.from(y).map(Number);
            const bin = atob(y.bdata);
            const bytes = new Uint8Array(bin.length);
            for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
            const Typed = {f8: Float64Array, f4: Float32Array}[y.dtype];
            return Array.from(new Typed(bytes.buffer));
        }"""
    )


def test_moving_a_slider_redraws_only_its_section(page, app_url):
    wire = Wire(page)
    goto(page, app_url, "activations")
    before = _trace_y(page)
    assert len(before) > 100
    wire.clear()
    slider = page.locator('[data-testid="stSlider"] input[type="range"]').first
    slider.focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    wait_idle(page)
    page.wait_for_timeout(500)
    wire.fragment_run()  # the other five tabs' charts were not re-sent
    after = _trace_y(page)
    assert len(after) == len(before)
    assert after != before  # ELU's α changed: the negative half of the curve moved
    assert after[-1] == before[-1]  # the positive half (x itself) did not
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "activations-en")


def test_bad_x_range_shows_a_message(page, app_url):
    goto(page, app_url, "activations")
    box = page.locator('[data-testid="stMain"] [data-testid="stNumberInput"] input').first  # x from
    box.fill("9")
    box.press("Enter")
    wait_idle(page)
    message = page.get_by_text("Invalid x range").first
    message.wait_for(timeout=60_000)
    assert message.is_visible()
    assert page.locator('[data-testid="stException"]').count() == 0


def test_every_tab_in_both_languages(page, app_url):
    goto(page, app_url, "activations")
    visit_every_tab(page, "activations", TABS)
