"""Latency cases of the words page: its settings and the neighbour's word (each reruns the explorer fragment)."""

from benchmarks.bench_latency import select, slider

PAGE = "words"
CASES = [
    slider("dimension slider step", "Embedding dimension D"),
    select("mode select precise ↔ full", "Segmentation mode", ("Precise mode", "Full mode")),
]
