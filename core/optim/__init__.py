"""Optimizers: the registry of torch and hand-written optimizers, and races on 2-D surfaces."""

from core.optim.registry import OPTIMIZERS, OptimizerEntry

__all__ = ["OPTIMIZERS", "OptimizerEntry"]
