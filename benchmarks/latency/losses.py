"""Latency cases of the losses page: a logit slider (cross-entropy up close) and switching the loss (explore)."""

from benchmarks.bench_latency import select, slider, tab

PAGE = "losses"
CASES = [
    slider("logit z₁ slider step", "Logit z₁", opener=tab(2)),
    select(
        "switch loss", "Loss function", ("MSE (mean squared error, L2)", "MAE (mean absolute error, L1)"), opener=tab(0)
    ),
]
