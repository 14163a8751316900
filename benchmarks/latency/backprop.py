"""Latency cases of the Backpropagation page: slider steps and selections in its three fragments."""

from benchmarks.bench_latency import select, slider, tab

PAGE = "backprop"
CASES = [
    slider("backward step", "Backward step", opener=tab(0)),
    slider("graph input (apple price)", "Apple price p_a", opener=tab(0)),
    select("graph choice", "Graph", ("Shopping (course 002 §4.1)", "e = (a + b)·(b + 1)"), opener=tab(0)),
    slider("network hidden units", "Hidden units H", opener=tab(1)),
    select("network precision", "Precision", ("float64", "float32"), opener=tab(1)),
    slider("gradient check point x", "x", opener=tab(2)),
]
