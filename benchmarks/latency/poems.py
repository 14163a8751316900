"""Latency cases of the poems page: a new batch and the rhyme group (the tabs' fragment), the game's
pick/next (its own fragment) and the thinking tab's controls (its own fragment)."""

from benchmarks.bench_latency import click, select, slider, tab

PAGE = "poems"
GAME, THINK = tab(2), tab(3)
CASES = [
    click("new batch (write, 格律 on)", ("New batch",)),
    select("rhyme group select (write)", "平水韵 rhyme group", ("上平一东 (69)", "chosen by the poem")),
    click("real or generated? pick / next round", ("A is the real one", "Next round"), opener=GAME),
    slider("temperature slider step (thinking)", "Temperature T", opener=THINK),
    slider(
        "position slider step (thinking)", "Position (the highlighted character is the one written there)", opener=THINK
    ),  # fmt: skip
    select("poem select (thinking)", "Which poem", ("Poem 1", "Poem 2"), opener=THINK),
]
