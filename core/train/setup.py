"""A training run from a plain config dict: model + loss + optimizer + scheduler + batches, on a device.

The config is plain data (JSON-able), so it is saved inside a model checkpoint, shown in
a run's label and turned into a standalone script by `core.train.export`::

    {"model": {...core.models.build_model config...},
     "loss": {"name": "cross_entropy", "params": {}},
     "optimizer": {"name": "adam", "params": {"lr": 0.01, "weight_decay": 0.0}},
     "scheduler": {"name": "constant", "params": {}},
     "batch_mode": "minibatch", "batch_size": 32, "epochs": 50, "seed": 0,
     "regularization": {"l1": 0.0, "l2": 0.0},            # optional: L1/L2 penalty rates (core.train.penalty)
     "early_stop": 0,                                      # optional: patience in epochs on the test loss (0: off)
     "data": {"name": "moons", "params": {...}}}           # what was trained on (recorded)

`prepare` validates everything and raises UserError synchronously (the page shows it); the
run itself is `core.train.worker.job`, its snapshots `core.train.report`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from core.data.task import CLASSIFICATION, TaskData
from core.errors import UserError
from core.models import count_params
from core.registry import Param
from core.train import metrics
from core.train.controls import RunControls
from core.train.loop import tensor_batches
from core.train.penalty import check_rate, penalty
from core.train.runs import Limits

BATCH_MODES = ("full", "minibatch", "single")  # BGD, mini-batch SGD, single-sample SGD (000 §4–5)
BATCH_FORMULAS = {  # the update each batch mode makes (LaTeX; explanations in training.batch.<mode>.desc)
    "full": r"\theta \leftarrow \theta - \eta\,\nabla_\theta \frac{1}{N}\sum_{i=1}^{N} \ell(f_\theta(x_i), y_i)",
    "minibatch": r"\theta \leftarrow \theta - \eta\,\nabla_\theta \frac{1}{B}\sum_{i\in\mathcal B} \ell(f_\theta(x_i), y_i),"
    r"\quad |\mathcal B| = B",
    "single": r"\theta \leftarrow \theta - \eta\,\nabla_\theta\, \ell(f_\theta(x_i), y_i),\quad i \text{ in shuffled order}",
}
DEFAULT_EPOCHS = 60
DEFAULT_BATCH_SIZE = 32
FUSED_DEVICES = ("cpu", "cuda")  # where torch's fused SGD/Adam/AdamW/Adagrad kernels run
MAX_BATCH_SIZE = 4096
EVAL_TRAIN_MAX = 2000  # the train-set metrics use at most this many training samples
MAX_PATIENCE = 1000  # early stopping: epochs without a better test loss, at most
# Specs of the typed boxes beside Start (what a link may set; `prepare` gives the page's messages).
BATCH_SIZE = Param("batch_size", DEFAULT_BATCH_SIZE, 1, MAX_BATCH_SIZE, step=1, typed=True)
PATIENCE = Param("early_stop", 0, 0, MAX_PATIENCE, step=1, typed=True)


def epochs_param(limits: Limits) -> Param:
    """The epochs box's spec under this server's cap."""
    return Param("epochs", DEFAULT_EPOCHS, 1, limits.epochs, step=1, typed=True)


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


def steps_per_epoch(n_train: int, batch_size: int) -> int:
    """Optimizer steps in one pass over `n_train` rows (the last batch may be short)."""
    return math.ceil(n_train / batch_size)


def output_width(loss_task: str, data: TaskData) -> int:
    """The model's last layer: one raw value (binary logit, regression) or one logit per class."""
    return 1 if loss_task in ("binary", "regression") else data.n_classes


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
    initial_state: dict[str, torch.Tensor] = field(default_factory=dict)  # weights before training, on the CPU
    controls: RunControls | None = None  # what the learner may change while it runs (core.train.controls)
    early_stop: int = 0  # patience in epochs on the test loss (0: off)
    steps_adjust: int = 0  # steps the epochs before a batch-size change took, beyond what the new size gives

    @property
    def steps_per_epoch(self) -> int:
        return steps_per_epoch(self.data.n_train, self.batch_size)

    @property
    def total_steps(self) -> int:
        return self.steps_per_epoch * self.epochs + self.steps_adjust

    def resize_batches(self, size: int, epochs_drawn: int | None = None) -> None:
        """A new batch size from the next epoch on (mini-batch runs; full-batch and single-sample keep theirs).

        Args:
            epochs_drawn: epochs already begun at the old size (default: every epoch the total counts).
        """
        if self.config.get("batch_mode", "minibatch") != "minibatch":
            return
        old, new = self.steps_per_epoch, steps_per_epoch(self.data.n_train, min(int(size), self.data.n_train))
        self.steps_adjust += (old - new) * (epochs_drawn if epochs_drawn is not None else 0)
        self.batch_size = min(int(size), self.data.n_train)

    def penalty(self) -> torch.Tensor | None:
        """Ω(θ) at the run's current L1/L2 rates, or None when both are 0 (no term, no cost)."""
        if self.controls is None:
            return None
        l1, l2 = self.controls.values["l1"], self.controls.values["l2"]
        return penalty(self.model, l1, l2) if l1 or l2 else None

    @property
    def metric(self) -> str:
        return "accuracy" if self.data.task == CLASSIFICATION else "r2"

    def batches(self, epoch: int):
        return tensor_batches(self.x_train, self.y_train, self.batch_size, self.generator)

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
    out["n_outputs"] = output_width(loss_task, data)
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
    if data.n_train < 1:
        raise UserError("training.errors.no_points", "the training set is empty: add points")
    batch_size = batch_size_for(
        config.get("batch_mode", "minibatch"), config.get("batch_size", DEFAULT_BATCH_SIZE), data.n_train
    )
    rates = regularization(config)
    early = early_stop(config, data)

    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    config = {**config, "model": model_config(config, data, loss_entry.task)}  # saved with the weights
    model = build_model(config["model"])
    per_epoch = steps_per_epoch(data.n_train, batch_size)
    limits.check(params=count_params(model), epochs=epochs, steps=per_epoch * epochs)
    initial_state = {k: v.detach().clone() for k, v in model.state_dict().items()}  # for the exported script
    torch.manual_seed(seed)  # training-time randomness (dropout) starts from the seed, whatever the init drew
    model = model.to(device)
    # Weight decay is an optimizer param; fused kernels (where torch has them) make small steps cheaper.
    optimizer = opt_entry.build(model.parameters(), fused=device.type in FUSED_DEVICES, **opt_params)
    scheduler = build_scheduler(sched_entry, optimizer, per_epoch * epochs, sched_params)
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
        controls=RunControls(
            {"lr": optimizer.param_groups[0]["lr"], "batch_size": min(batch_size, MAX_BATCH_SIZE), **rates}
        ),
        early_stop=early,
    )


def regularization(config: dict[str, Any]) -> dict[str, float]:
    """The config's L1/L2 rates ({"l1": 0, "l2": 0} when absent); a UserError for one out of range."""
    rates = {"l1": 0.0, "l2": 0.0, **(config.get("regularization") or {})}
    out = {}
    for name in ("l1", "l2"):
        try:
            out[name] = check_rate(name.upper(), rates[name])
        except (TypeError, ValueError):
            raise UserError("training.errors.knob", f"{name} rate {rates[name]!r} outside [0, 10]", name=name,
                            value=rates[name], high=10) from None  # fmt: skip
    return out


def early_stop(config: dict[str, Any], data: TaskData) -> int:
    """Early-stopping patience (epochs without a lower test loss; 0: off); it needs a test set."""
    value = config.get("early_stop", 0) or 0
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value) or \
            not 0 <= value <= MAX_PATIENCE:  # fmt: skip
        raise UserError("training.errors.patience", f"patience {value!r} outside [0, {MAX_PATIENCE}]", value=value,
                        high=MAX_PATIENCE)  # fmt: skip
    if value and data.n_test < 1:
        raise UserError("training.errors.early_no_test", "early stopping watches the test loss: the test set is empty")
    return int(value)


def build_scheduler(entry: Any, optimizer: torch.optim.Optimizer, total_steps: int, values: dict[str, Any]) -> Any:
    """The entry's torch scheduler for a run of `total_steps` optimizer steps.

    Calls the entry's `make` directly: `SchedulerEntry.build` caps runs at the schedulers
    lab's 5000 steps, while a live run's length is bounded by `Limits.steps` instead.
    """
    try:
        return entry.make(optimizer, int(total_steps), dict(values))
    except ValueError as error:  # torch's own argument checks
        raise UserError("schedulers.errors.invalid", f"{entry.name}: {error}", name=entry.name) from error
