"""Latency cases of the optimizer race page: the surface, a learning rate typed in, the step inspector.

The race section is the page's one fragment (its charts are cached per race and language);
the page's title and intro are not redrawn.
"""

from benchmarks.bench_latency import MAIN, Case, select, slider
from tests.e2e.conftest import wait_idle

PAGE = "optimizers"
SGD = "SGD (stochastic gradient descent)"


def typed(name: str, expander: str, label: str, values: tuple[str, str]) -> Case:
    """Type the other of `values` into the number box labelled `label` inside `expander`, then Enter."""

    def action(page, i: int) -> None:
        box = page.locator(f'{MAIN} [data-testid="stExpander"]', has_text=expander).first
        if i < 0:
            box.locator("summary").click(timeout=180_000)
            wait_idle(page, timeout=180_000)
        field = box.locator('[data-testid="stNumberInput"]', has_text=label).locator("input").first
        field.fill(values[i % 2])
        field.press("Enter")

    return Case(name, action)


CASES = [
    select(
        "surface select bowl ↔ Rosenbrock", "Loss surface", ("The course's elliptic bowl", "Rosenbrock's banana valley")
    ),
    typed("SGD learning rate typed 0.05 ↔ 0.08", SGD, "Learning rate η", ("0.05", "0.08")),
    slider("step inspector slider step", "Step k"),
]
