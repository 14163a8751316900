"""A finished training run as a saved model (`core.artifacts` format), and a saved model scored on a data set."""

from __future__ import annotations

from typing import Any

from torch import nn

from core import artifacts
from core.data.task import CLASSIFICATION, TaskData
from core.train import metrics
from core.train.setup import PreparedLoss, loss_tasks, output_width, targets_for
from core.train.worker import RunResult


def saved(result: RunResult) -> dict[str, Any]:
    """The run's model as a `core.artifacts` checkpoint: full config, final weights, measured metadata."""
    from core.models import build_model

    model = build_model(result.config["model"])
    model.load_state_dict(result.state_dict)
    last = result.history.epochs[-1] if result.history.epochs else {}
    meta = {
        "status": result.status,
        "epochs": len(result.history.epochs),
        "steps": result.history.steps,
        "data": (result.config.get("data") or {}).get("name", "?"),
        **{k: float(v) for k, v in last.items()},
    }
    return artifacts.checkpoint(result.config, model, meta)


def score(model: nn.Module, config: dict[str, Any], data: TaskData) -> dict[str, Any] | None:
    """Test loss and metric of a loaded model on `data`; None when its shapes or task do not fit the data."""
    from core.losses import LOSSES

    loss_entry = LOSSES.get(config["loss"]["name"])
    model_cfg = config.get("model") or {}
    if (
        list(model_cfg.get("input_shape") or []) != list(data.input_shape)
        or model_cfg.get("n_outputs") != output_width(loss_entry.task, data)
        or loss_entry.task not in loss_tasks(data)
    ):
        return None
    y = targets_for(data.y_test, loss_entry.task)
    model.eval()
    outputs = metrics.predict(model, data.x_test)
    loss = float(PreparedLoss(loss_entry, loss_entry.resolve(config["loss"].get("params")))(outputs, y))
    if data.task == CLASSIFICATION:
        return {"loss": loss, "metric": "accuracy", "value": metrics.accuracy(outputs, y)}
    return {"loss": loss, "metric": "r2", "value": metrics.r2_score(outputs, y)}
