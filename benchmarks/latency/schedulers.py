"""Latency cases of the learning-rate schedule page: a schedule's slider, the surface and the optimizer.

Every control sits in the page's one fragment (the schedules section); the page's title and
intro are not redrawn. A schedule's settings are in its expander, opened before the warm-up.
"""

from benchmarks.bench_latency import MAIN, select, slider
from tests.e2e.conftest import wait_idle

PAGE = "schedulers"


def expander(title: str):
    """Before the warm-up try: open the expander whose summary reads `title`."""

    def open_expander(page) -> None:
        page.locator(f'{MAIN} [data-testid="stExpander"] summary', has_text=title).first.click(timeout=180_000)
        wait_idle(page, timeout=180_000)

    return open_expander


CASES = [
    slider("γ slider step (exponential decay)", "Decay factor γ", opener=expander("Exponential decay")),
    slider("η_min slider step (cosine)", "Floor η_min / η₀", opener=expander("Cosine annealing")),
    select(
        "surface select bowl ↔ Rosenbrock", "Loss surface", ("The course's elliptic bowl", "Rosenbrock's banana valley")
    ),
    select("optimizer select SGD ↔ Adam", "Optimizer", ("SGD (stochastic gradient descent)", "Adam (PyTorch)")),
]
