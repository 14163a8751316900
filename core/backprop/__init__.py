"""Backpropagation: computational graphs stepped node by node, a two-layer network's
hand-written backward pass, and the numerical gradient check (course 002 §3–4, course 004)."""
