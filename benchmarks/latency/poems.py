"""Latency cases of the poems page: a new batch (the tabs' fragment) and the thinking tab's controls (its own fragment)."""

from benchmarks.bench_latency import click, select, slider, tab

PAGE = "poems"
THINK = tab(1)
CASES = [
    click("new batch (write)", ("New batch",)),
    slider("temperature slider step (thinking)", "Temperature T", opener=THINK),
    slider(
        "position slider step (thinking)", "Position (the highlighted character is the one written there)", opener=THINK
    ),  # fmt: skip
    select("poem select (thinking)", "Which poem", ("Poem 1", "Poem 2"), opener=THINK),
]
