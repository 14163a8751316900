"""Initializers page in Chromium: changing the initializer changes the charts and the verdict; screenshots."""

from tests.e2e.conftest import screenshot, set_language, wait_idle
from tests.e2e.fragments import Wire

TABS = ("flow", "compare", "symmetry", "train")


def goto(page, app_url: str, path: str) -> None:
    """Open the page; its first run also trains the trainability curves, so allow a busy machine."""
    page.goto(f"{app_url}/{path}")
    wait_idle(page, timeout=180_000)


def _trace_y(page, chart: int = 0) -> list[float]:
    """y of the first trace of a plotly chart (activation std per layer), decoding plotly's base64 arrays."""
    page.wait_for_function(
        "(i) => { const g = document.querySelectorAll('.js-plotly-plot')[i]; return g && g.data && g.data.length; }",
        arg=chart,
        timeout=60_000,
    )
    return page.evaluate(
        """(i) => {
            const y = document.querySelectorAll('.js-plotly-plot')[i].data[0].y;
            if (!y.bdata) return Array.from(y).map(Number);
            const bin = atob(y.bdata);
            const bytes = new Uint8Array(bin.length);
            for (let k = 0; k < bin.length; k++) bytes[k] = bin.charCodeAt(k);
            const Typed = {f8: Float64Array, f4: Float32Array}[y.dtype];
            return Array.from(new Typed(bytes.buffer));
        }""",
        chart,
    )


def _pick_initializer(page, title: str) -> None:
    page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first.click(timeout=120_000)
    page.get_by_role("option", name=title, exact=True).click(timeout=120_000)
    wait_idle(page, timeout=120_000)
    page.wait_for_timeout(500)


def test_changing_the_initializer_changes_the_charts_and_verdict(page, app_url):
    wire = Wire(page)
    goto(page, app_url, "initializers")
    assert page.get_by_text("Healthy", exact=True).first.is_visible()  # ReLU + Kaiming normal
    before = _trace_y(page)
    assert len(before) == 20  # one point per layer (default depth)
    wire.clear()
    _pick_initializer(page, "Xavier / Glorot normal")
    wire.fragment_run()  # the lab section alone reran: the page's title and intro were not re-sent
    after = _trace_y(page)
    assert len(after) == 20 and after != before
    assert after[-1] < before[-1] / 10  # Xavier is √2 too small per ReLU layer: the signal fades
    assert page.get_by_text("Vanishing activations from layer").first.is_visible()
    assert page.locator('[data-testid="stException"]').count() == 0


def test_bad_std_shows_a_message(page, app_url):
    goto(page, app_url, "initializers")
    _pick_initializer(page, "Normal N(μ, σ²)")
    box = page.locator('[data-testid="stMain"] [data-testid="stNumberInput"] input').first  # σ
    box.fill("0", timeout=120_000)  # a busy machine: timed out once at load 10 with the 30 s default
    box.press("Enter")
    wait_idle(page, timeout=120_000)
    message = page.get_by_text("must be greater than 0").first
    message.wait_for(timeout=120_000)
    assert message.is_visible()
    assert page.locator('[data-testid="stException"]').count() == 0


def test_every_tab_in_both_languages(page, app_url):
    page.set_viewport_size({"width": 1400, "height": 2600})  # the app scrolls inside; a tall window shows it all
    goto(page, app_url, "initializers")
    for lang in ("en", "zh"):
        if lang == "zh":
            set_language(page, "简体中文")
        tabs = page.locator('[data-testid="stMain"]').get_by_role("tab")
        assert tabs.count() == len(TABS)
        for i, name in enumerate(TABS):
            tabs.nth(i).click()
            wait_idle(page, timeout=120_000)
            page.wait_for_timeout(800)
            if name == "train":
                page.locator('[data-testid="stMain"] [data-testid="stButton"] button').first.click()
                wait_idle(page, timeout=300_000)
                page.locator('[data-testid="stMain"] .js-plotly-plot').last.wait_for(timeout=60_000)
                page.wait_for_timeout(800)
            assert page.locator('[data-testid="stException"]').count() == 0
            screenshot(page, f"initializers-{name}-{lang}")
        tabs.nth(0).click()
        page.wait_for_timeout(800)
        screenshot(page, f"initializers-{lang}")
