"""Latency cases of the weight-initialization page: the initializer, the activation, the depth, one layer's weights.

The lab is the page's one fragment (every control feeds all four tabs); each pass, demo and
figure is cached on its inputs, so a change recomputes only what depends on it.
"""

from benchmarks.bench_latency import MAIN, Case, select, slider

PAGE = "initializers"


def typed(name: str, label: str, values: tuple[str, str]) -> Case:
    """Type the other of `values` into the number box labelled `label`, then Enter."""

    def action(page, i: int) -> None:
        field = page.locator(f'{MAIN} [data-testid="stNumberInput"]', has_text=label).locator("input").first
        field.fill(values[i % 2])
        field.press("Enter")

    return Case(name, action)


CASES = [
    select("initializer select Kaiming ↔ Xavier", "Initializer", ("Kaiming / He normal", "Xavier / Glorot normal")),
    select("activation select ReLU ↔ Tanh", "Activation", ("ReLU", "Tanh")),
    typed("depth typed 20 ↔ 24", "depth (hidden layers)", ("20", "24")),
    slider("layer slider step (weights)", "layer"),
]
