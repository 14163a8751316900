"""The training engine: a callback-driven loop and a stoppable background runner."""

from core.train.live import LiveRun
from core.train.loop import History, StepInfo, fit, tensor_batches

__all__ = ["History", "LiveRun", "StepInfo", "fit", "tensor_batches"]
