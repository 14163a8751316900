"""Latency cases of the linear-model page: slider steps in its fragments (each reruns only its section)."""

from __future__ import annotations

from benchmarks.bench_latency import Case
from tests.e2e.conftest import wait_idle

PAGE = "linear"


def _section(page, text: str) -> None:
    page.locator('[data-testid="stButtonGroup"] button', has_text=text).click(timeout=120_000)
    wait_idle(page, timeout=120_000)


def slider_case(name: str, section: str, label: str, first: str = "ArrowRight") -> Case:
    """Move the slider `label` of `section` one step, `first` way then back, in turn (try −1 opens the section).

    Every try must change the value (an unchanged slider starts no run for the timer to see).
    """
    back = "ArrowLeft" if first == "ArrowRight" else "ArrowRight"

    def action(page, i: int) -> None:
        if i < 0:
            _section(page, section)
        page.locator(f'[data-testid="stSlider"] input[type="range"][aria-label="{label}"]').focus()
        page.keyboard.press(first if i < 0 or i % 2 else back)  # −1: first, 0: back, 1: first, …

    return Case(name, action)


def select_case(name: str, section: str, box: int, options: tuple[str, str]) -> Case:
    """Pick the other option of the `box`-th select box of `section` on each try."""

    def action(page, i: int) -> None:
        if i < 0:
            _section(page, section)
        page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').nth(box).click()
        page.get_by_role("option", name=options[i % 2]).click()  # try −1 picks options[1]: a change

    return Case(name, action)


CASES = [
    slider_case("try-w slider step (search)", "Exhaustive search", "Try one w"),
    slider_case("lr slider step (GD)", "Gradient descent", "Learning rate η"),
    slider_case("step slider step (GD)", "Gradient descent", "Step k"),
    select_case(
        "model select w ↔ w,b (GD)", "Gradient descent", 1, ("ŷ = w·x (one parameter)", "ŷ = w·x + b (with offset)")
    ),
    slider_case("lr slider step (batch vs SGD)", "Batch vs stochastic", "Learning rate η"),
    slider_case("step slider step (logistic)", "Logistic regression", "Step k", first="ArrowLeft"),  # starts at the end
]
