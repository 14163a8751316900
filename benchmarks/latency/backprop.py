"""Latency cases of the Backpropagation page: slider steps and selections in its three fragments."""

from __future__ import annotations

from benchmarks.bench_latency import Case
from tests.e2e.conftest import wait_idle


def _tab(page, n: int) -> None:
    page.get_by_role("tab").nth(n).click(timeout=120_000)
    wait_idle(page, timeout=120_000)


def slider_case(name: str, tab: int, label: str) -> Case:
    """Move the slider `label` on tab `tab` one step right, then back, in turn (try −1 opens the tab).

    Every try must change the value (an unchanged slider starts no run for the timer to see).
    """

    def action(page, i: int) -> None:
        if i < 0:
            _tab(page, tab)
        page.locator(f'[data-testid="stSlider"] input[type="range"][aria-label="{label}"]').first.focus()
        page.keyboard.press("ArrowRight" if i < 0 or i % 2 else "ArrowLeft")  # −1: right, 0: left, 1: right, …

    return Case(name, action)


def select_case(name: str, tab: int, box: int, options: tuple[str, str]) -> Case:
    """Pick the other option of the `box`-th select box on tab `tab` on each try (try −1 picks options[1])."""

    def action(page, i: int) -> None:
        if i < 0:
            _tab(page, tab)
        page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]:visible').nth(box).click()
        page.get_by_role("option", name=options[i % 2], exact=True).click()

    return Case(name, action)


PAGE = "backprop"
CASES = [
    slider_case("backward step", 0, "Backward step"),
    slider_case("graph input (apple price)", 0, "Apple price p_a"),
    select_case("graph choice", 0, 0, ("Shopping (course 002 §4.1)", "e = (a + b)·(b + 1)")),
    slider_case("network hidden units", 1, "Hidden units H"),
    select_case("network precision", 1, 0, ("float64", "float32")),
    slider_case("gradient check point x", 2, "x"),
]
