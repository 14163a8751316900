"""Latency cases of the convolution page: slider steps and selections, each rerunning only its own fragment."""

from __future__ import annotations

from benchmarks.bench_latency import Case
from tests.e2e.conftest import wait_idle

MAIN = '[data-testid="stMain"]'


def _ready(page, selector: str) -> None:
    """Before the warm-up try: wait until the control is drawn (a fresh server's blank first page looks idle)."""
    page.locator(selector).first.wait_for(timeout=180_000)
    wait_idle(page, timeout=180_000)


def slider_case(name: str, label: str) -> Case:
    """Move the slider `label` one step right, then back, in turn.

    Every try must change the value (an unchanged slider starts no run for the timer to see),
    so try −1 (the warm-up) goes right, 0 left, 1 right, … from the slider's default.
    """

    selector = f'{MAIN} [data-testid="stSlider"] input[type="range"][aria-label="{label}"]'

    def action(page, i: int) -> None:
        if i < 0:
            _ready(page, selector)
        page.locator(selector).first.focus()
        page.keyboard.press("ArrowRight" if i < 0 or i % 2 else "ArrowLeft")

    return Case(name, action)


def select_case(name: str, label: str, options: tuple[str, str]) -> Case:
    """Pick the other option of the select box labelled `label` on each try (try −1 picks options[1])."""

    def action(page, i: int) -> None:
        if i < 0:
            _ready(page, f'{MAIN} [data-testid="stSelectbox"]')
        page.locator(f'{MAIN} [data-testid="stSelectbox"]', has_text=label).first.click()
        page.get_by_role("option", name=options[i % 2], exact=True).click()

    return Case(name, action)


PAGE = "convolution"
CASES = [
    slider_case("stride slider step", "Stride S"),
    slider_case("dilation slider step", "Dilation D"),
    select_case("kernel preset", "Kernel", ("Sobel x (vertical edges)", "Box blur (mean)")),
    slider_case("patch: output value step", "Output value"),
    slider_case("RGB: red weight step", "Red weight w_R"),
    slider_case("pool size step", "Pool size K"),
    slider_case("CNN filter step", "Filter"),
]
