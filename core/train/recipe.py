"""A training recipe from a plain config dict: model + loss + optimizer + scheduler + batches, and its live job.

The config is plain data (JSON-able), so it is saved inside a model checkpoint, shown in
a run's label and turned into a standalone script by `core.train.export`::

    {"model": {...core.models.build_model config...},
     "loss": {"name": "cross_entropy", "params": {}},
     "optimizer": {"name": "adam", "params": {"lr": 0.01, "weight_decay": 0.0}},
     "scheduler": {"name": "constant", "params": {}},
     "batch_mode": "minibatch", "batch_size": 32, "epochs": 50, "seed": 0,
     "data": {"name": "moons", "params": {...}}}           # what was trained on (recorded)

`prepare` validates everything and raises UserError synchronously (the page shows it);
`job` is what a `LiveRun` runs in its worker thread.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from core.data.task import CLASSIFICATION, TaskData
from core.errors import UserError
from core.models import count_params
from core.threads import single_thread
from core.train import metrics
from core.train.live import LiveRun
from core.train.loop import History, StepInfo, fit, tensor_batches
from core.train.runs import Limits, RunSlots

BATCH_MODES = ("full", "minibatch", "single")  # BGD, mini-batch SGD, single-sample SGD (000 §4–5)
BATCH_FORMULAS = {  # the update each batch mode makes (LaTeX; explanations in training.batch.<mode>.desc)
    "full": r"\theta \leftarrow \theta - \eta\,\nabla_\theta \frac{1}{N}\sum_{i=1}^{N} \ell(f_\theta(x_i), y_i)",
    "minibatch": r"\theta \leftarrow \theta - \eta\,\nabla_\theta \frac{1}{B}\sum_{i\in\mathcal B} \ell(f_\theta(x_i), y_i),"
    r"\quad |\mathcal B| = B",
    "single": r"\theta \leftarrow \theta - \eta\,\nabla_\theta\, \ell(f_\theta(x_i), y_i),\quad i \text{ in shuffled order}",
}
DEFAULT_EPOCHS = 60
# What the training page starts with: a 2-D toy whose boundary is fun to watch, and Adam at a
# learning rate that solves it in about a minute on a CPU.
PAGE_DEFAULTS = {"dataset": "moons", "model": "mlp", "optimizer": "adam", "scheduler": "constant", "lr": 0.01}
DEFAULT_BATCH_SIZE = 32
FUSED_DEVICES = ("cpu", "cuda")  # where torch's fused SGD/Adam/AdamW/Adagrad kernels run
MAX_BATCH_SIZE = 4096
PUBLISH_EVERY_S = 0.25  # snapshot refresh while training (the UI polls at 2 Hz)
VISUAL_EVERY_S = 0.5  # decision boundary / fitted curve / confusion refresh
CURVE_POINTS = 1500  # per-step curves are thinned to about this many points in a snapshot
EVAL_TRAIN_MAX = 2000  # the train-set metrics use at most this many training samples
EVAL_EVERY_S = 0.2  # epochs shorter than this are evaluated (train/test loss and metric) at most 5 times a second...
MIN_EVAL_POINTS = 32  # ...and, whatever their speed, at about this many evenly spaced epochs (a curve, not a few lines)
BOUNDARY_STEPS = 70  # decision-boundary grid resolution
MISCLASSIFIED_SHOWN = 12
ADVICE_NAN = "lower_lr"  # i18n: training.advice.lower_lr (every kind of divergence gets it)
# A finite loss can still explode (BCE on saturated logits grows without bound instead of turning NaN):
# a final training loss this many times the untrained model's counts as diverged, as does an accuracy
# (or R²) that fell back to chance after the model had been clearly better, or while its loss grew.
EXPLODED_FACTOR = 10.0
CHANCE_MARGIN = 0.05  # "at chance": within this of the majority-class share (accuracy) or of 0 (R²)
LEARNED_MARGIN = 0.10  # "had learned": at least this much above chance at some evaluation
# A small model's ops take microseconds: extra intra-op threads only add synchronisation, and on a
# busy 2-core server they made a 16-unit MLP ~35× slower (measured). So small CPU runs use one thread.
SMALL_MODEL_PARAMS = 200_000


def loss_tasks(data: TaskData) -> tuple[str, ...]:
    """Loss task kinds that fit `data`: regression; binary and multiclass for two classes; else multiclass."""
    if data.task != CLASSIFICATION:
        return ("regression",)
    return ("binary", "multiclass") if data.n_classes == 2 else ("multiclass",)


def matching_losses(data: TaskData) -> list[str]:
    """Names in core.losses.LOSSES whose task fits `data` (the page's loss choices)."""
    from core.losses import LOSSES

    kinds = loss_tasks(data)
    return [e.name for e in LOSSES if e.task in kinds]


def batch_size_for(mode: str, size: int, n_train: int) -> int:
    """Rows per step: all of them (BGD), `size` (mini-batch) or 1 (single-sample SGD)."""
    if mode not in BATCH_MODES:
        raise UserError("training.errors.batch_mode", f"batch mode {mode!r}; choose from {BATCH_MODES}", value=mode)
    if mode == "full":
        return n_train
    if mode == "single":
        return 1
    if not 1 <= int(size) <= MAX_BATCH_SIZE:
        raise UserError(
            "training.errors.batch_size",
            f"batch size {size} outside [1, {MAX_BATCH_SIZE}]",
            value=size,
            high=MAX_BATCH_SIZE,
        )
    return min(int(size), n_train)


@dataclass
class Setup:
    """Everything one run needs, on its device."""

    config: dict[str, Any]
    data: TaskData
    device: torch.device
    model: nn.Module
    loss_fn: PreparedLoss
    loss_task: str
    optimizer: torch.optim.Optimizer
    scheduler: Any
    batch_size: int
    epochs: int
    seed: int
    x_train: torch.Tensor
    y_train: torch.Tensor  # already in the loss's target form
    x_test: torch.Tensor
    y_test: torch.Tensor
    generator: torch.Generator = field(default_factory=torch.Generator)
    _epochs_seen: int = 0
    _last_eval: float = -math.inf
    initial_state: dict[str, torch.Tensor] = field(default_factory=dict)  # weights before training, on the CPU

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(self.data.n_train / self.batch_size)

    @property
    def total_steps(self) -> int:
        return self.steps_per_epoch * self.epochs

    @property
    def metric(self) -> str:
        return "accuracy" if self.data.task == CLASSIFICATION else "r2"

    def batches(self, epoch: int):
        return tensor_batches(self.x_train, self.y_train, self.batch_size, self.generator)

    def evaluate(self, model: nn.Module) -> dict[str, float]:
        """Loss and metric on (a slice of) the training set and on the test set, for `fit`'s epoch record.

        Throttled, so that evaluating costs a few per cent of training at most: an epoch is
        evaluated when it is the first or the last, when it is one of `MIN_EVAL_POINTS` evenly
        spaced epochs (so even a run of a second draws a curve of ~32 points, not 4 straight
        lines), or when `EVAL_EVERY_S` have passed since the last evaluation (a live curve keeps
        moving during a long run of short epochs). `measure` is the unthrottled form.
        """
        self._epochs_seen += 1
        now = time.perf_counter()
        if not self.eval_due(self._epochs_seen) and now - self._last_eval < EVAL_EVERY_S:
            return {}
        self._last_eval = now
        return self.measure(model)

    def eval_due(self, epoch: int) -> bool:
        """Whether 1-based `epoch` is the first, the last, or one of the `MIN_EVAL_POINTS` evenly spaced ones."""
        if epoch in (1, self.epochs):
            return True
        return (
            MIN_EVAL_POINTS > 0
            and (epoch * MIN_EVAL_POINTS) // self.epochs > ((epoch - 1) * MIN_EVAL_POINTS) // self.epochs
        )

    def measure(self, model: nn.Module) -> dict[str, float]:
        """Loss and metric on (a slice of) the training set and on the test set."""
        out: dict[str, float] = {}
        n = min(EVAL_TRAIN_MAX, self.x_train.shape[0])
        for split, x, y in (("train", self.x_train[:n], self.y_train[:n]), ("test", self.x_test, self.y_test)):
            if x.shape[0] == 0:
                continue
            outputs = metrics.predict(model, x)
            out[f"{split}_eval_loss"] = float(self.loss_fn(outputs, y))
            out[f"{split}_{self.metric}"] = (
                metrics.accuracy(outputs, y) if self.metric == "accuracy" else metrics.r2_score(outputs, y)
            )
        return out


class PreparedLoss:
    """A registry loss applied to the model's raw output: ``loss(*entry.prepare(output, labels))``.

    The model always ends in raw scores (C logits, one binary logit, or a value); each
    loss's `prepare` adds the sigmoid / log-softmax / ±1 targets it needs. A plain callable
    (not an nn.Module) so a step pays no module-call overhead for the wrapper.
    """

    def __init__(self, entry: Any, params: dict[str, Any], device: torch.device | None = None):
        self.entry = entry
        self.inner = entry.module(**params)
        if device is not None:
            self.inner = self.inner.to(device)  # buffers such as BCE's pos_weight live with the data
        self.prepare = entry.prepare

    def __call__(self, output: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return self.inner(*self.prepare(output, labels))


def targets_for(y: torch.Tensor, loss_task: str) -> torch.Tensor:
    """Class indices (N,) for multiclass, 0/1 floats (N, 1) for binary, values (N, 1) for regression."""
    if loss_task == "multiclass":
        return y.reshape(-1).long()
    return y.reshape(-1, 1).float()


def model_config(config: dict[str, Any], data: TaskData, loss_task: str) -> dict[str, Any]:
    """The model config with the data's input shape and the loss's output width filled in."""
    out = dict(config.get("model") or {})
    out["input_shape"] = list(data.input_shape)
    out["n_outputs"] = 1 if loss_task in ("binary", "regression") else data.n_classes
    return out


def prepare(config: dict[str, Any], data: TaskData, device: torch.device, limits: Limits | None = None) -> Setup:
    """Validate `config` against the registries and caps, and build the run on `device`.

    Raises:
        UserError: an unknown name, a value out of range, a loss that does not fit the
            task, or a cap exceeded.
    """
    from core.losses import LOSSES
    from core.models import build_model
    from core.optim import OPTIMIZERS
    from core.schedulers import SCHEDULERS

    limits = limits or Limits.from_env()
    epochs = int(config.get("epochs", 1))
    if epochs < 1:
        raise UserError("training.errors.epochs", f"epochs must be ≥ 1, got {epochs}", value=epochs)
    seed = int(config.get("seed", 0))
    loss_entry = LOSSES.get(config["loss"]["name"])
    if loss_entry.task not in loss_tasks(data):
        raise UserError(
            "training.errors.loss_task",
            f"loss {loss_entry.name!r} is for {loss_entry.task} tasks, the data is {data.task}",
            loss=loss_entry.name,
            task=data.task,
        )
    loss_params = loss_entry.resolve(config["loss"].get("params"))
    opt_entry = OPTIMIZERS.get(config["optimizer"]["name"])
    opt_params = opt_entry.resolve(config["optimizer"].get("params"))
    sched_cfg = config.get("scheduler") or {"name": "constant", "params": {}}
    sched_entry = SCHEDULERS.get(sched_cfg["name"])
    sched_params = sched_entry.resolve(sched_cfg.get("params"))
    batch_size = batch_size_for(
        config.get("batch_mode", "minibatch"), config.get("batch_size", DEFAULT_BATCH_SIZE), data.n_train
    )

    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    config = {**config, "model": model_config(config, data, loss_entry.task)}  # saved with the weights
    model = build_model(config["model"])
    limits.check(params=count_params(model), epochs=epochs, steps=math.ceil(data.n_train / batch_size) * epochs)
    initial_state = {k: v.detach().clone() for k, v in model.state_dict().items()}  # for the exported script
    torch.manual_seed(seed)  # training-time randomness (dropout) starts from the seed, whatever the init drew
    model = model.to(device)
    # Weight decay is an optimizer param; fused kernels (where torch has them) make small steps cheaper.
    optimizer = opt_entry.build(model.parameters(), fused=device.type in FUSED_DEVICES, **opt_params)
    steps_per_epoch = math.ceil(data.n_train / batch_size)
    scheduler = build_scheduler(sched_entry, optimizer, steps_per_epoch * epochs, sched_params)
    return Setup(
        config=dict(config),
        data=data,
        device=device,
        model=model,
        loss_fn=PreparedLoss(loss_entry, loss_params, device),
        loss_task=loss_entry.task,
        optimizer=optimizer,
        scheduler=scheduler,
        batch_size=batch_size,
        epochs=epochs,
        seed=seed,
        x_train=data.x_train.to(device),
        y_train=targets_for(data.y_train, loss_entry.task).to(device),
        x_test=data.x_test.to(device),
        y_test=targets_for(data.y_test, loss_entry.task).to(device),
        generator=generator,
        initial_state=initial_state,
    )


def build_scheduler(entry: Any, optimizer: torch.optim.Optimizer, total_steps: int, values: dict[str, Any]) -> Any:
    """The entry's torch scheduler for a run of `total_steps` optimizer steps.

    Calls the entry's `make` directly: `SchedulerEntry.build` caps runs at the schedulers
    lab's 5000 steps, while a live run's length is bounded by `Limits.steps` instead.
    """
    try:
        return entry.make(optimizer, int(total_steps), dict(values))
    except ValueError as error:  # torch's own argument checks
        raise UserError("schedulers.errors.invalid", f"{entry.name}: {error}", name=entry.name) from error


def thin(values: list[float], points: int = CURVE_POINTS) -> tuple[list[int], list[float]]:
    """(steps, values) of a per-step curve, every k-th point so at most about `points` remain (1-based steps)."""
    stride = max(1, math.ceil(len(values) / points))
    idx = list(range(0, len(values), stride))
    if values and idx[-1] != len(values) - 1:
        idx.append(len(values) - 1)
    return [i + 1 for i in idx], [values[i] for i in idx]


def visuals(setup: Setup) -> dict[str, Any]:
    """The task's picture of the model now: decision boundary (2-D), fitted curve (1-D regression),
    confusion matrix and misclassified examples (classification with more inputs)."""
    model, data = setup.model, setup.data
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            if data.task == CLASSIFICATION and tuple(data.input_shape) == (2,):
                xs, ys = metrics.grid_2d(torch.cat([setup.x_train, setup.x_test]), BOUNDARY_STEPS)
                label, confidence = metrics.decision_grid(model, xs, ys)
                return {"boundary": {"x": xs.cpu().numpy(), "y": ys.cpu().numpy(), "label": label.cpu().numpy(),
                                     "confidence": confidence.cpu().numpy()}}  # fmt: skip
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


@dataclass
class RunResult:
    """What a finished (or stopped, or diverged) run leaves: its history and final weights on the CPU."""

    history: History
    state_dict: dict[str, torch.Tensor]
    config: dict[str, Any]
    status: str  # done | stopped | diverged | failed
    error: str = ""  # i18n key suffix under training.errors (e.g. "oom"), empty when none


class Reporter:
    """The fit callbacks of a live run: throttled snapshots with progress, speed, ETA and visuals."""

    def __init__(self, setup: Setup, run: LiveRun, history: History, clock: Callable[[], float] = time.perf_counter):
        self.setup, self.run, self.history, self.clock = setup, run, history, clock
        self.start = clock()
        self.paused_s = 0.0
        self.last_publish = -math.inf
        self.last_visual = -math.inf

    def elapsed(self) -> float:
        return max(self.clock() - self.start - self.paused_s, 1e-9)

    def should_stop(self) -> bool:
        t0 = self.clock()
        stop = self.run.checkpoint(on_park=self.publish)  # blocks while paused, after publishing where it stopped
        waited = self.clock() - t0
        if waited > 0.005:
            self.paused_s += waited
        return stop

    def on_step(self, info: StepInfo) -> None:
        now = self.clock()
        if now - self.last_publish >= PUBLISH_EVERY_S:
            self.publish(now)

    def on_epoch(self, epoch: int, record: dict[str, float]) -> None:
        now = self.clock()
        if now - self.last_publish >= PUBLISH_EVERY_S:
            self.publish(now)

    def publish(self, now: float | None = None, final: bool = False, **extra: Any) -> None:
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
            **extra,
        }
        if final or now - self.last_visual >= VISUAL_EVERY_S:
            values.update(visuals(setup))
            self.last_visual = now
        self.run.publish(**values)
        self.last_publish = now


def train(setup: Setup, run: LiveRun, slots: RunSlots | None = None) -> RunResult:
    """Train `setup` inside a LiveRun's worker: wait for a slot, fit with live snapshots, return the result.

    NaN/inf losses end the run as 'diverged' (with advice), and so does a finite loss that
    exploded or a metric that collapsed to chance (`divergence`, the same advice); a GPU
    out-of-memory error ends it as 'failed' with error 'oom'. None is raised into the UI.
    """
    history = History()
    run.publish(status="queued", queue_position=None, metric=setup.metric, total_steps=setup.total_steps,
                epochs_total=setup.epochs, step=0, progress=0.0)  # fmt: skip
    if slots is not None:
        with slots.hold(run) as got:
            if not got:
                run.publish(status="stopped")
                return _result(setup, history, "stopped")
            return _fit(setup, run, history)
    return _fit(setup, run, history)


def cpu_threads(setup: Setup) -> int | None:
    """Intra-op threads for this run: 1 for a small model on the CPU, else None (leave torch's setting)."""
    if setup.device.type == "cpu" and count_params(setup.model) <= SMALL_MODEL_PARAMS:
        return 1
    return None


def _fit(setup: Setup, run: LiveRun, history: History) -> RunResult:
    run.publish(status="running", queue_position=0)
    # Small CPU runs use one intra-op thread (process-wide in torch; restored when the last such run ends).
    with single_thread() if cpu_threads(setup) == 1 else nullcontext():
        return _fit_with(setup, run, history)


def _fit_with(setup: Setup, run: LiveRun, history: History) -> RunResult:
    reporter = Reporter(setup, run, history)
    try:
        fit(
            setup.model,
            setup.loss_fn,
            setup.optimizer,
            setup.batches,
            epochs=setup.epochs,
            scheduler=setup.scheduler,
            scheduler_per_step=True,
            evaluate=setup.evaluate,
            on_step=reporter.on_step,
            on_epoch=reporter.on_epoch,
            should_stop=reporter.should_stop,
            history=history,
        )
    except torch.OutOfMemoryError:
        if setup.device.type == "cuda":
            torch.cuda.empty_cache()
        reporter.publish(final=False, status="failed", error="oom")
        return _result(setup, history, "failed", "oom")
    last = history.epochs[-1] if history.epochs else None
    if last is not None and "test_eval_loss" not in last and history.diverged_at is None and setup.x_test.shape[0]:
        was_training = setup.model.training
        setup.model.eval()
        with torch.no_grad():
            last.update(setup.measure(setup.model))  # a stopped run's last record gets its metrics too
        setup.model.train(was_training)
    verdict = None if history.diverged_at is not None else divergence(untrained(setup), history.epochs, setup)
    if history.diverged_at is not None or verdict is not None:
        status = "diverged"
    elif history.stopped:
        status = "stopped"
    else:
        status = "done"
    reporter.publish(final=history.diverged_at is None, status=status, diverged_at=history.diverged_at,
                     divergence=verdict, advice=ADVICE_NAN if status == "diverged" else None)  # fmt: skip
    return _result(setup, history, status)


def untrained(setup: Setup) -> dict[str, float]:
    """`measure` of the model as it was before its first step (`initial_state`): the yardstick of `divergence`.

    Rebuilt after the run from the saved initial weights, so the run itself is not touched.
    """
    from core.models import build_model

    if not setup.initial_state:
        return {}
    with torch.random.fork_rng(devices=[]):  # building draws an init we overwrite: leave the global RNG as it was
        model = build_model(setup.config["model"])
    model.load_state_dict(setup.initial_state)
    model = model.to(setup.device).eval()
    with torch.no_grad():
        return setup.measure(model)


def chance_level(setup: Setup) -> float:
    """The metric of a model that ignores its input: the majority class's share (accuracy), or 0 (R²)."""
    if setup.metric != "accuracy":
        return 0.0
    counts = torch.bincount(setup.data.y_train.reshape(-1).long().cpu())
    return float(counts.max()) / max(int(counts.sum()), 1)


def divergence(initial: dict[str, float], epochs: list[dict[str, float]], setup: Setup) -> dict[str, Any] | None:
    """Why a run whose losses stayed finite still diverged, or None when it did not.

    'exploded': the last evaluated training loss is over `EXPLODED_FACTOR` × the untrained
    model's. 'collapsed': the training metric ended at chance level (`chance_level` +
    `CHANCE_MARGIN`) although it had been `LEARNED_MARGIN` above chance, or while the loss
    rose above the untrained one. A model that never learned (too small a rate, too few
    epochs) is not diverged: lowering the rate would not help it.
    """
    done = [r for r in epochs if "train_eval_loss" in r]
    if not done or "train_eval_loss" not in initial:
        return None
    start, end = initial["train_eval_loss"], done[-1]["train_eval_loss"]
    if end > EXPLODED_FACTOR * max(start, 1e-12):
        return {"reason": "exploded", "start": start, "end": end, "factor": EXPLODED_FACTOR}
    key = f"train_{setup.metric}"
    chance, last = chance_level(setup), done[-1].get(key)
    if last is None or last > chance + CHANCE_MARGIN:
        return None
    best = max([r[key] for r in done if key in r] + [initial.get(key, -math.inf)])
    if best >= chance + LEARNED_MARGIN or end > start:
        return {"reason": "collapsed", "metric": setup.metric, "value": last, "best": best, "chance": chance}
    return None


def _result(setup: Setup, history: History, status: str, error: str = "") -> RunResult:
    state = {k: v.detach().cpu().clone() for k, v in setup.model.state_dict().items()}
    return RunResult(history, state, dict(setup.config), status, error)


def job(setup: Setup, slots: RunSlots | None = None) -> Callable[[LiveRun], RunResult]:
    """The function a LiveRun runs: ``LiveRun(job(setup, global_slots())).start()``."""
    return lambda run: train(setup, run, slots)


def saved(result: RunResult) -> dict[str, Any]:
    """The run's model as a `core.artifacts` checkpoint: full config, final weights, measured metadata."""
    from core import artifacts
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
    expected = 1 if loss_entry.task in ("binary", "regression") else data.n_classes
    if (
        list(model_cfg.get("input_shape") or []) != list(data.input_shape)
        or model_cfg.get("n_outputs") != expected
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
