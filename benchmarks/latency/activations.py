"""Latency cases of the activations page: a parameter slider and the function picker (explore), softmax T."""

from benchmarks.bench_latency import select, slider, tab

PAGE = "activations"
CASES = [
    slider("α slider step (ELU)", "α", opener=tab(0)),
    select("pick another activation", "Activation function", ("ELU", "Tanh"), opener=tab(0)),
    slider("softmax temperature step", "Temperature T", opener=tab(3)),
    slider("depth slider step", "Depth N", opener=tab(5)),
]
