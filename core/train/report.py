"""A live run's snapshots: throttled evaluation, thinned curves, the task's picture, progress and ETA.

`Evaluator` decides which epochs are evaluated (so evaluating costs a few per cent of a run);
`Reporter` holds `fit`'s callbacks and publishes a snapshot to the run's `LiveRun` at most
every `PUBLISH_EVERY_S`, with the visuals at most every `VISUAL_EVERY_S`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from core.data.task import CLASSIFICATION
from core.train import controls, metrics
from core.train.gradients import GradientLog
from core.train.live import LiveRun
from core.train.loop import History, StepInfo
from core.train.neurons import neuron_view, viewable
from core.train.setup import Setup

PUBLISH_EVERY_S = 0.2  # snapshot refresh while training (the UI polls the curves at 1 Hz, the neuron view faster)
VISUAL_EVERY_S = 0.5  # decision boundary / fitted curve / confusion refresh
NEURON_EVERY_S = 0.4  # the neuron view's maps (2.5 Hz, within NEURON_BUDGET): more than twice a second on screen
CURVE_POINTS = 600  # per-step curves are thinned to about this many points (a live chart is ~450 px wide)
EVAL_EVERY_S = 0.2  # epochs shorter than this are evaluated (train/test loss and metric) at most 5 times a second...
MIN_EVAL_POINTS = 32  # ...and, whatever their speed, at about this many evenly spaced epochs (a curve, not a few lines)
BOUNDARY_STEPS = 70  # decision-boundary grid resolution
MISCLASSIFIED_SHOWN = 12
# The neuron view takes at most this share of a run's time: it is drawn every NEURON_EVERY_S while it costs
# less, and less often when the machine is so busy that a call costs more (a wall-clock throttle alone let a
# starved worker spend a third of its time drawing neurons).
NEURON_BUDGET = 0.05


class Evaluator:
    """`fit`'s ``evaluate`` callback for one run: `Setup.measure`, throttled."""

    def __init__(self, setup: Setup, clock: Callable[[], float] = time.perf_counter):
        self.setup, self.clock = setup, clock
        self.epochs_seen = 0
        self.last = -math.inf
        self.every_epoch = setup.early_stop > 0  # early stopping reads the test loss of every epoch

    def __call__(self, model: nn.Module) -> dict[str, float]:
        """Loss and metric on (a slice of) the training set and on the test set, for `fit`'s epoch record.

        Throttled, so that evaluating costs a few per cent of training at most: an epoch is
        evaluated when it is the first or the last, when it is one of `MIN_EVAL_POINTS` evenly
        spaced epochs (so even a run of a second draws a curve of ~32 points, not 4 straight
        lines), or when `EVAL_EVERY_S` have passed since the last evaluation (a live curve keeps
        moving during a long run of short epochs). `Setup.measure` is the unthrottled form.
        """
        self.epochs_seen += 1
        now = self.clock()
        if not self.every_epoch and not self.due(self.epochs_seen) and now - self.last < EVAL_EVERY_S:
            return {}
        self.last = now
        return self.setup.measure(model)

    def due(self, epoch: int) -> bool:
        """Whether 1-based `epoch` is the first, the last, or one of the `MIN_EVAL_POINTS` evenly spaced ones."""
        epochs = self.setup.epochs
        if epoch in (1, epochs):
            return True
        return MIN_EVAL_POINTS > 0 and (epoch * MIN_EVAL_POINTS) // epochs > ((epoch - 1) * MIN_EVAL_POINTS) // epochs


def thin(values: list[float], points: int = CURVE_POINTS) -> tuple[list[int], list[float]]:
    """(steps, values) of a per-step curve, every k-th point so at most about `points` remain (1-based steps)."""
    stride = max(1, math.ceil(len(values) / points))
    idx = list(range(0, len(values), stride))
    if values and idx[-1] != len(values) - 1:
        idx.append(len(values) - 1)
    return [i + 1 for i in idx], [values[i] for i in idx]


def neurons_on(setup: Setup) -> bool:
    """Whether the run's snapshots carry the neuron view (an MLP on 2-D points; ``neuron_view`` in the config)."""
    return bool(setup.config.get("neuron_view", True)) and viewable(setup.model, tuple(setup.data.input_shape))


def visuals(setup: Setup) -> dict[str, Any]:
    """The task's picture of the model now: decision boundary (2-D, with the neuron view of an MLP), fitted
    curve (1-D regression), confusion matrix and misclassified examples (classification with more inputs)."""
    model, data = setup.model, setup.data
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            if data.task == CLASSIFICATION and tuple(data.input_shape) == (2,):
                points = torch.cat([setup.x_train, setup.x_test])
                xs, ys = metrics.grid_2d(points, BOUNDARY_STEPS)
                label, confidence = metrics.decision_grid(model, xs, ys)
                out = {"boundary": {"x": xs.cpu().numpy(), "y": ys.cpu().numpy(), "label": label.cpu().numpy(),
                                    "confidence": confidence.cpu().numpy()}}  # fmt: skip
                return out
            if data.task != CLASSIFICATION and tuple(data.input_shape) == (1,):
                xs, ys = metrics.curve_1d(model, torch.cat([setup.x_train, setup.x_test]))
                return {"curve": {"x": xs.cpu().numpy(), "y": ys.cpu().numpy()}}
            if data.task == CLASSIFICATION and setup.x_test.shape[0]:
                predicted = metrics.labels_from_outputs(metrics.predict(model, setup.x_test))
                truth = setup.y_test.reshape(-1).long()
                return {
                    "confusion": metrics.confusion_matrix(predicted, truth, data.n_classes).tolist(),
                    "misclassified": metrics.misclassified(predicted, truth, MISCLASSIFIED_SHOWN),
                }
            return {}
    finally:
        model.train(was_training)


class Reporter:
    """The fit callbacks of a live run: throttled snapshots with progress, speed, ETA and visuals."""

    def __init__(self, setup: Setup, run: LiveRun, history: History, clock: Callable[[], float] = time.perf_counter):
        self.setup, self.run, self.history, self.clock = setup, run, history, clock
        self.start = clock()
        self.paused_s = 0.0
        self.last_publish = -math.inf
        self.last_visual = self.last_neurons = -math.inf
        self.grads = GradientLog(setup.model)  # fit's after_backward
        self.best_test, self.since_best, self.best_epoch, self.early = math.inf, 0, 0, False
        self.neurons = neurons_on(setup)
        self.neuron_s = 0.0  # time spent on the neuron view so far (its budget: NEURON_BUDGET of the run)

    def elapsed(self) -> float:
        return max(self.clock() - self.start - self.paused_s, 1e-9)

    def should_stop(self, stepped: bool = True) -> bool:
        """After each step (and once before the first): park while paused (after publishing where it stopped,
        with fresh visuals), take the learner's changes, keep to the chosen speed; True to end the run."""
        t0 = self.clock()
        stop = self.run.checkpoint(on_park=lambda: self.publish(visual=True), stepped=stepped)
        waited = self.clock() - t0
        if waited > 0.005:
            self.paused_s += waited
        ctl = self.setup.controls
        if ctl is not None:
            h = self.history
            if controls.apply(ctl, self.setup, h.steps, len(h.epochs) + (1 if h.steps else 0)):
                self.publish()
            ctl.throttle()
        return stop or self.early

    def on_step(self, info: StepInfo) -> None:
        now = self.clock()
        if now - self.last_publish >= PUBLISH_EVERY_S:
            self.publish(now)

    def on_epoch(self, epoch: int, record: dict[str, float]) -> None:
        patience, loss = self.setup.early_stop, record.get("test_eval_loss")
        if patience and loss is not None:  # early stopping: `patience` epochs without a lower test loss
            if loss < self.best_test:
                self.best_test, self.since_best, self.best_epoch = loss, 0, int(record["epoch"])
            else:
                self.since_best += 1
                self.early = self.since_best >= patience
        now = self.clock()
        if now - self.last_publish >= PUBLISH_EVERY_S:
            self.publish(now)

    def publish(self, now: float | None = None, final: bool = False, visual: bool = False, **extra: Any) -> None:
        now = self.clock() if now is None else now
        h, setup = self.history, self.setup
        elapsed = self.elapsed()
        rate = h.samples / elapsed
        step_rate = h.steps / elapsed
        remaining = max(setup.total_steps - h.steps, 0)
        steps, losses = thin(h.step_loss)
        _, lrs = thin(h.lr)
        values: dict[str, Any] = {
            "step": h.steps,
            "total_steps": setup.total_steps,
            "epoch": len(h.epochs),
            "epochs_total": setup.epochs,
            "progress": min(h.steps / max(setup.total_steps, 1), 1.0),
            "samples": h.samples,
            "samples_per_s": rate,
            "eta_s": remaining / step_rate if step_rate > 0 and not final else 0.0,
            "elapsed_s": elapsed,
            "curve_steps": np.asarray(steps),  # arrays: a UI's snapshot() copies them with one memcpy
            "step_loss": np.asarray(losses),
            "lr": np.asarray(lrs),
            "epochs": [dict(r) for r in h.epochs],
            "metric": setup.metric,
            **self.driving(),
            **extra,
        }
        if final or visual or now - self.last_visual >= VISUAL_EVERY_S:
            values.update(visuals(setup))
            values["grads"] = self.grads.snapshot()
            self.last_visual = now
        if self.neurons and (final or visual or (now - self.last_neurons >= NEURON_EVERY_S
                                                 and self.neuron_s <= NEURON_BUDGET * self.elapsed())):  # fmt: skip
            values["neurons"] = self.neuron_view()
            self.last_neurons = now
        self.run.publish(**values)
        self.last_publish = now

    def neuron_view(self) -> dict[str, Any]:
        """`core.train.neurons.neuron_view` of the model now (eval mode), timed against its budget."""
        t0, setup, model = time.perf_counter(), self.setup, self.setup.model
        was_training = model.training
        try:
            with torch.no_grad():
                return neuron_view(model.eval(), torch.cat([setup.x_train, setup.x_test]),
                                   setup.x_train[: metrics.EVAL_CHUNK])  # fmt: skip
        finally:
            model.train(was_training)
            self.neuron_s += time.perf_counter() - t0

    def driving(self) -> dict[str, Any]:
        """The knobs as the run uses them, the changes made so far, and early stopping's state."""
        ctl = self.setup.controls
        out: dict[str, Any] = {"early_stop": self.setup.early_stop, "early_stopped": self.early}
        if self.early:
            out["best_epoch"], out["best_test_loss"] = self.best_epoch, self.best_test
        if ctl is not None:
            out |= {"knobs": dict(ctl.values), "changes": [dict(c) for c in ctl.changes], "speed": ctl.speed}
        return out
