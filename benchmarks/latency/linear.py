"""Latency cases of the linear-model page: slider steps in its fragments (each reruns only its section)."""

from benchmarks.bench_latency import section, select, slider

PAGE = "linear"
GD = section("Gradient descent")
CASES = [
    slider("try-w slider step (search)", "Try one w", opener=section("Exhaustive search")),
    slider("lr slider step (GD)", "Learning rate η", opener=GD),
    slider("step slider step (GD)", "Step k", opener=GD),
    select("model select w ↔ w,b (GD)", "Model", ("ŷ = w·x (one parameter)", "ŷ = w·x + b (with offset)"), opener=GD),
    slider("lr slider step (batch vs SGD)", "Learning rate η", opener=section("Batch vs stochastic")),
    slider("step slider step (logistic)", "Step k", opener=section("Logistic regression"), first="ArrowLeft"),
]
