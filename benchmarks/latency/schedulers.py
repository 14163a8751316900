"""Latency cases of the learning-rate schedule page: a schedule's slider, the surface and the optimizer.

Every control sits in the page's one fragment (the schedules section); the page's title and
intro are not redrawn. A schedule's settings are in its expander, opened before the warm-up.
"""

from benchmarks.bench_latency import MAIN, Case, slider
from tests.e2e.conftest import wait_idle

PAGE = "schedulers"


def expander(title: str):
    """Before the warm-up try: open the expander whose summary reads `title`."""

    def open_expander(page) -> None:
        page.locator(f'{MAIN} [data-testid="stExpander"] summary', has_text=title).first.click(timeout=180_000)
        wait_idle(page, timeout=180_000)

    return open_expander


def pick(name: str, label: str, options: tuple[str, str]) -> Case:
    """`bench_latency.select`, but a click that leaves the list closed is repeated.

    Right after the schedules' sliders the select box's first click only takes the focus
    from the slider, and its list stays closed.
    """
    selector = f'{MAIN} [data-testid="stSelectbox"]:visible'

    def action(page, i: int) -> None:
        box = page.locator(selector, has_text=label).first
        option = page.get_by_role("option", name=options[i % 2], exact=True)
        for _ in range(3):
            box.click()
            try:
                option.wait_for(timeout=3_000)
                break
            except Exception:  # the list did not open: click again
                continue
        option.click()

    return Case(name, action)


CASES = [
    slider("γ slider step (exponential decay)", "Decay factor γ", opener=expander("Exponential decay")),
    slider("η_min slider step (cosine)", "Floor η_min / η₀", opener=expander("Cosine annealing")),
    pick(
        "surface select bowl ↔ Rosenbrock", "Loss surface", ("The course's elliptic bowl", "Rosenbrock's banana valley")
    ),
    pick("optimizer select SGD ↔ Adam", "Optimizer", ("SGD (stochastic gradient descent)", "Adam (PyTorch)")),
]
