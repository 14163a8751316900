"""Latency cases of the digits page: pen up → prediction on the canvas, and switching the model."""

from benchmarks.bench_latency import Case, select

PAGE = "digits"
CANVAS = '[class*="st-key-digits_canvas"] canvas.upper-canvas'  # fabric.js's drawing layer (open shadow root)


def _pen_up(page, i: int) -> None:
    """One short vertical stroke, further right each try, so that every pen up sends a new picture.

    The timer starts before the pen goes down: the figure includes the stroke's few mouse events
    (one down, four moves, one up; the canvas sends nothing before pen up). Strokes add up on the
    canvas, as when a learner keeps drawing.
    """
    canvas = page.locator(CANVAS)
    if i < 0:
        canvas.wait_for(state="visible", timeout=180_000)
    box = canvas.bounding_box()
    x = box["x"] + 100 + 8 * (i + 1)
    page.mouse.move(x, box["y"] + 50)
    page.mouse.down()
    page.mouse.move(x, box["y"] + 230, steps=4)
    page.mouse.up()


CASES = [
    Case("pen up → prediction", _pen_up),
    select(
        "switch model",
        "Model",
        ("LeNet-5 style CNN (004)", "Robust CNN: every hand (strongest)"),
    ),
]
