"""Loss functions of the course as a registry: functional form, torch module, formula, task.

Each entry says which `task` it serves ("regression", "binary", "multiclass": the training
page matches losses to tasks with it) and what its input must be (`input_kind`):

====================  ===========  ==============================  ========================
loss                  task         input                           target
====================  ===========  ==============================  ========================
mse, mae, smooth_l1,  regression   prediction ŷ                    value y
huber
bce                   binary       probability p = σ(z)            y ∈ [0, 1]
bce_logits            binary       logit z                         y ∈ [0, 1]
hinge                 binary       score s                         y ∈ {−1, +1}
cross_entropy         multiclass   logits z (B, C)                 class index (B,)
nll                   multiclass   log-probabilities (B, C)        class index (B,)
kl_div                multiclass   log-probabilities (B, C)        distribution (B, C)
====================  ===========  ==============================  ========================

`prepare(output, labels)` turns a model's raw output (a logit per sample for binary, C
logits for multi-class) and integer/float labels into what the loss expects, so any loss
of a task can train the same model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core.errors import UserError
from core.ranges import check_range
from core.registry import Entry, Param, Registry

TASKS = ("regression", "binary", "multiclass")
CURVE_CLASSES = 3  # classes in the one-variable views of the multi-class losses
PROB_EPS = 1e-4  # probability axes stop this far from 0 and 1 (log 0 = −∞)


def hinge_loss(score: Tensor, target: Tensor, margin: float = 1.0, reduction: str = "mean") -> Tensor:
    """Binary hinge loss ``max(0, margin − y·s)`` with y ∈ {−1, +1} (the linear SVM's loss)."""
    loss = torch.clamp(margin - target * score, min=0)
    return _reduce(loss, reduction)


class HingeLoss(nn.Module):
    """`hinge_loss` as a module (PyTorch's HingeEmbeddingLoss is a different, distance-based loss)."""

    def __init__(self, margin: float = 1.0, reduction: str = "mean"):
        super().__init__()
        self.margin = margin
        self.reduction = reduction

    def forward(self, score: Tensor, target: Tensor) -> Tensor:
        return hinge_loss(score, target, self.margin, self.reduction)


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _spread(p: Tensor, classes: int = CURVE_CLASSES) -> Tensor:
    """A distribution whose first class has probability p, the rest sharing 1 − p: (N,) → (N, C)."""
    rest = ((1 - p) / (classes - 1)).unsqueeze(-1).expand(*p.shape, classes - 1)
    return torch.cat([p.unsqueeze(-1), rest], dim=-1)


def _logits_first(z: Tensor, classes: int = CURVE_CLASSES) -> Tensor:
    """Logits (z, 0, …, 0): (N,) → (N, C)."""
    return torch.cat([z.unsqueeze(-1), torch.zeros(*z.shape, classes - 1, dtype=z.dtype)], dim=-1)


@dataclass(frozen=True)
class Loss(Entry):
    """One loss function.

    Args:
        task: "regression", "binary" or "multiclass".
        functional: ``functional(input, target, reduction=..., **params) -> Tensor``.
        build: ``build(**params) -> nn.Module`` (mean reduction; KL: "batchmean").
        dformula: LaTeX of the gradient with respect to the input.
        input_kind: "value", "probability", "logit", "score", "logits" or "log_probs".
        target: spec of the target in the one-variable view (None: the true class is class 1).
        x_range: default range of the one-variable view's x axis.
        x_label: i18n key suffix (``losses.axes.<x_label>``) naming that x axis.
        curve_input: ``(x, target) -> (input, target)`` building the loss's input from that axis.
    """

    task: str = "regression"
    functional: Callable[..., Tensor] | None = None
    build: Callable[..., nn.Module] | None = None
    dformula: str = ""
    input_kind: str = "value"
    target: Param | None = None
    x_range: tuple[float, float] = (-3.0, 3.0)
    x_label: str = "prediction"
    curve_input: Callable[[Tensor, Any], tuple[Tensor, Tensor]] | None = None

    @property
    def probability_axis(self) -> bool:
        """The one-variable view's x is a probability (kept inside (0, 1))."""
        return self.input_kind in ("probability", "log_probs")

    def fn(self, input: Tensor, target: Tensor, reduction: str = "mean", **params: Any) -> Tensor:
        """The loss; ``reduction="mean"`` means "batchmean" for KL (PyTorch's mean is per element)."""
        return self.functional(input, target, reduction=reduction, **self.resolve(params))

    def module(self, **params: Any) -> nn.Module:
        """The ``torch.nn`` loss module with these parameters."""
        return self.build(**self.resolve(params))

    def prepare(self, output: Tensor, labels: Tensor) -> tuple[Tensor, Tensor]:
        """(input, target) for this loss from a model's raw output and the labels.

        Regression: output and labels as they are (float). Binary: output is one logit per
        sample (B,), labels are 0/1. Multi-class: output is (B, C) logits, labels (B,) class ids.
        """
        if self.task == "regression":
            return output, labels.to(output.dtype)
        if self.task == "binary":
            y = labels.to(output.dtype)
            if self.input_kind == "probability":
                return torch.sigmoid(output), y
            if self.input_kind == "score":
                return output, 2 * y - 1
            return output, y
        if self.input_kind == "logits":
            return output, labels.long()
        log_probs = torch.log_softmax(output, dim=-1)
        if self.name == "kl_div":
            return log_probs, F.one_hot(labels.long(), output.shape[-1]).to(output.dtype)
        return log_probs, labels.long()


def _regression(name, functional, build, formula, dformula, params=()) -> Loss:
    return Loss(
        name=name,
        params=tuple(params),
        formula=formula,
        task="regression",
        functional=functional,
        build=build,
        dformula=dformula,
        input_kind="value",
        target=Param("target", 0.0, -5.0, 5.0, 0.1),
        x_range=(-4.0, 4.0),
        x_label="prediction",
        curve_input=lambda x, t: (x, torch.full_like(x, float(t))),
    )


def _kl_div(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    return F.kl_div(input, target, reduction="batchmean" if reduction == "mean" else reduction)


LOSSES: Registry[Loss] = Registry(
    "losses",
    [
        _regression(
            "mse",
            lambda x, y, reduction="mean": F.mse_loss(x, y, reduction=reduction),
            nn.MSELoss,
            r"L = \frac{1}{n}\sum_i (\hat y_i - y_i)^2",
            r"\frac{\partial L}{\partial \hat y_i} = \frac{2}{n}(\hat y_i - y_i)",
        ),
        _regression(
            "mae",
            lambda x, y, reduction="mean": F.l1_loss(x, y, reduction=reduction),
            nn.L1Loss,
            r"L = \frac{1}{n}\sum_i |\hat y_i - y_i|",
            r"\frac{\partial L}{\partial \hat y_i} = \frac{1}{n}\,\mathrm{sign}(\hat y_i - y_i)",
        ),
        _regression(
            "smooth_l1",
            lambda x, y, reduction="mean", beta=1.0: F.smooth_l1_loss(x, y, reduction=reduction, beta=beta),
            lambda beta: nn.SmoothL1Loss(beta=beta),
            r"\ell(r) = \begin{cases} \frac{r^2}{2\beta} & |r| < \beta \\ |r| - \frac{\beta}{2} & |r| \ge \beta"
            r" \end{cases},\ r = \hat y - y",
            r"\ell'(r) = \begin{cases} r / \beta & |r| < \beta \\ \mathrm{sign}(r) & |r| \ge \beta \end{cases}",
            params=[Param("beta", 1.0, 0.0, 5.0, 0.05)],
        ),
        _regression(
            "huber",
            lambda x, y, reduction="mean", delta=1.0: F.huber_loss(x, y, reduction=reduction, delta=delta),
            lambda delta: nn.HuberLoss(delta=delta),
            r"\ell(r) = \begin{cases} \frac{r^2}{2} & |r| < \delta \\ \delta\,(|r| - \frac{\delta}{2}) & |r| \ge \delta"
            r" \end{cases},\ r = \hat y - y",
            r"\ell'(r) = \begin{cases} r & |r| < \delta \\ \delta\,\mathrm{sign}(r) & |r| \ge \delta \end{cases}",
            params=[Param("delta", 1.0, 0.05, 5.0, 0.05)],
        ),
        Loss(
            name="bce",
            formula=r"L = -\bigl[y \ln p + (1 - y)\ln(1 - p)\bigr]",
            task="binary",
            functional=lambda p, y, reduction="mean": F.binary_cross_entropy(p, y, reduction=reduction),
            build=nn.BCELoss,
            dformula=r"\frac{\partial L}{\partial p} = \frac{p - y}{p\,(1 - p)}",
            input_kind="probability",
            target=Param("target", 1.0, 0.0, 1.0, 0.05),
            x_range=(0.0, 1.0),
            x_label="probability",
            curve_input=lambda x, t: (x, torch.full_like(x, float(t))),
        ),
        Loss(
            name="bce_logits",
            params=(Param("pos_weight", 1.0, 0.1, 10.0, 0.1),),
            formula=r"L = -\bigl[w_{+}\,y \ln \sigma(z) + (1 - y)\ln(1 - \sigma(z))\bigr]",
            task="binary",
            functional=lambda z, y, reduction="mean", pos_weight=1.0: F.binary_cross_entropy_with_logits(
                z, y, reduction=reduction, pos_weight=torch.tensor(pos_weight, dtype=z.dtype)
            ),
            build=lambda pos_weight: nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pos_weight)),
            dformula=r"\frac{\partial L}{\partial z} = \sigma(z) - y \quad (w_{+} = 1)",
            input_kind="logit",
            target=Param("target", 1.0, 0.0, 1.0, 0.05),
            x_range=(-6.0, 6.0),
            x_label="logit",
            curve_input=lambda x, t: (x, torch.full_like(x, float(t))),
        ),
        Loss(
            name="cross_entropy",
            params=(Param("label_smoothing", 0.0, 0.0, 1.0, 0.01),),
            formula=r"L = -\sum_k q_k \ln \mathrm{softmax}(z)_k,\quad q = (1 - \varepsilon)\,\mathrm{onehot}(y)"
            r" + \frac{\varepsilon}{K}",
            task="multiclass",
            functional=lambda z, y, reduction="mean", label_smoothing=0.0: F.cross_entropy(
                z, y, reduction=reduction, label_smoothing=label_smoothing
            ),
            build=lambda label_smoothing: nn.CrossEntropyLoss(label_smoothing=label_smoothing),
            dformula=r"\frac{\partial L}{\partial z_k} = \mathrm{softmax}(z)_k - q_k",
            input_kind="logits",
            x_range=(-6.0, 6.0),
            x_label="true_logit",
            curve_input=lambda x, t: (_logits_first(x), torch.zeros(x.shape, dtype=torch.long)),
        ),
        Loss(
            name="nll",
            formula=r"L = -\,\ell_{y},\quad \ell = \text{log-probabilities (e.g. log\_softmax)}",
            task="multiclass",
            functional=lambda lp, y, reduction="mean": F.nll_loss(lp, y, reduction=reduction),
            build=nn.NLLLoss,
            dformula=r"\frac{\partial L}{\partial \ell_k} = -\,[k = y]",
            input_kind="log_probs",
            x_range=(0.0, 1.0),
            x_label="true_probability",
            curve_input=lambda x, t: (torch.log(_spread(x)), torch.zeros(x.shape, dtype=torch.long)),
        ),
        Loss(
            name="kl_div",
            formula=r"D_{\mathrm{KL}}(P\,\|\,Q) = \sum_k p_k \ln \frac{p_k}{q_k}",
            task="multiclass",
            functional=_kl_div,
            build=lambda: nn.KLDivLoss(reduction="batchmean"),
            dformula=r"\frac{\partial D}{\partial \ln q_k} = -\,p_k",
            input_kind="log_probs",
            target=Param("target", 0.7, 0.0, 1.0, 0.05),
            x_range=(0.0, 1.0),
            x_label="predicted_probability",
            curve_input=lambda x, t: (torch.log(_spread(x)), _spread(torch.full_like(x, float(t)))),
        ),
        Loss(
            name="hinge",
            params=(Param("margin", 1.0, 0.0, 5.0, 0.1),),
            formula=r"L = \max\bigl(0,\ m - y\,s\bigr),\quad y \in \{-1, +1\}",
            task="binary",
            functional=hinge_loss,
            build=lambda margin: HingeLoss(margin),
            dformula=r"\frac{\partial L}{\partial s} = \begin{cases} -y & y\,s < m \\ 0 & y\,s > m \end{cases}",
            input_kind="score",
            target=Param("target", 1, choices=(-1, 1)),
            x_range=(-3.0, 3.0),
            x_label="score",
            curve_input=lambda x, t: (x, torch.full_like(x, float(t))),
        ),
    ],
)


def for_task(task: str) -> list[str]:
    """Names of the losses that serve `task`."""
    if task not in TASKS:
        raise UserError("unknown_name", f"Unknown task {task!r}", family="task", value=task, choices=", ".join(TASKS))
    return [loss.name for loss in LOSSES if loss.task == task]


@dataclass(frozen=True)
class Curve:
    """A loss as a function of one variable: x, L(x) and dL/dx (autograd), all shape (N,)."""

    x: Tensor
    loss: Tensor
    grad: Tensor


def loss_curve(
    name: str, params: Mapping[str, Any] | None, target: Any, low: float, high: float, points: int = 401
) -> Curve:
    """The per-sample loss of `name` over x ∈ [low, high] and its derivative by autograd.

    x is the loss's own input (see `Loss.x_label`): the prediction, p, a logit, the true
    class's logit (other logits 0), or the true class's probability (others share the rest).
    """
    loss = LOSSES.get(name)
    values = loss.resolve(params)
    low, high = check_range(low, high)
    if loss.target is not None:
        target = loss.target.validate(target)
    if loss.probability_axis and (low < 0 or high > 1):
        raise UserError(
            "losses.errors.probability_range",
            f"{name} takes a probability: x must lie in [0, 1], got [{low}, {high}]",
            low=low,
            high=high,
        )
    if loss.probability_axis:
        low, high = max(low, PROB_EPS), min(high, 1 - PROB_EPS)
    x = torch.linspace(low, high, points, dtype=torch.float64, requires_grad=True)
    input, tgt = loss.curve_input(x, target)
    per_sample = loss.functional(input, tgt, reduction="none", **values)
    if per_sample.dim() > 1:  # KL is elementwise over classes: a sample's loss is the row sum
        per_sample = per_sample.sum(-1)
    (grad,) = torch.autograd.grad(per_sample.sum(), x)
    return Curve(x.detach(), per_sample.detach(), grad.detach())


def compare_curves(names: list[str], label: float, low: float, high: float, points: int = 401) -> dict[str, Curve]:
    """Several losses of ONE task on a common axis: the model's raw output.

    Regression: x is the prediction, `label` the target value. Binary: x is the logit z
    (before the sigmoid), `label` ∈ {0, 1}. Multi-class: x is the true class's logit, the
    other logits 0. Each loss sees ``prepare(output, labels)``, as in training.
    """
    if not names:
        raise UserError("nothing_selected", "select at least one loss to compare")
    losses = [LOSSES.get(n) for n in names]
    tasks = {loss.task for loss in losses}
    if len(tasks) > 1:
        raise UserError(
            "losses.errors.mixed_tasks",
            f"compare losses of one task; got {sorted(tasks)}",
            tasks=", ".join(sorted(tasks)),
        )
    low, high = check_range(low, high)
    task = tasks.pop()
    out = {}
    for loss in losses:
        x = torch.linspace(low, high, points, dtype=torch.float64, requires_grad=True)
        if task == "regression":
            output, labels = x, torch.full_like(x, float(label))
        elif task == "binary":
            if label not in (0, 1):
                raise UserError("losses.errors.binary_label", f"binary label must be 0 or 1, got {label}")
            output, labels = x, torch.full_like(x, float(label))
        else:
            output, labels = _logits_first(x), torch.zeros(x.shape, dtype=torch.long)
        input, target = loss.prepare(output, labels)
        per_sample = loss.functional(input, target, reduction="none", **loss.resolve())
        if per_sample.dim() > 1:
            per_sample = per_sample.sum(-1)
        (grad,) = torch.autograd.grad(per_sample.sum(), x)
        out[loss.name] = Curve(x.detach(), per_sample.detach(), grad.detach())
    return out


TASK = Param("task", "regression", choices=TASKS)
COMPARE_RANGES = {"regression": (-10.0, 10.0), "binary": (-6.0, 6.0), "multiclass": (-6.0, 6.0)}
BINARY_LABEL = Param("label", 1, choices=(0, 1))
LOGIT = Param("logit", 0.0, -10.0, 10.0, 0.1)
CE_CLASSES = Param("classes", 3, 3, 6, 1)
CE_LOGITS = tuple(
    Param(f"z{i + 1}", default, LOGIT.low, LOGIT.high, LOGIT.step)
    for i, default in enumerate((2.0, 1.0, 0.1, -1.0, 0.5, -0.5))
)


def true_class_param(classes: int) -> Param:
    """The true class (1-based, as shown) among `classes` classes."""
    return Param("true_class", 1, choices=tuple(range(1, classes + 1)))


@dataclass(frozen=True)
class CrossEntropyView:
    """Cross-entropy of one sample: probabilities, loss, and the gradient per logit two ways."""

    probs: Tensor  # (K,)
    target: Tensor  # (K,) the (smoothed) target distribution q
    loss: float
    grad_autograd: Tensor  # (K,)
    grad_formula: Tensor  # (K,) softmax(z) − q

    @property
    def disagreement(self) -> float:
        """Largest |autograd − (softmax − q)| (rounding error only)."""
        return float((self.grad_autograd - self.grad_formula).abs().max())


def cross_entropy_view(logits: list[float], true_class: int, label_smoothing: float = 0.0) -> CrossEntropyView:
    """Softmax, cross-entropy and ∂L/∂z for one sample, by autograd and by softmax − q."""
    if len(logits) < 2:
        raise UserError("losses.errors.few_logits", f"need at least 2 logits, got {len(logits)}")
    z_values = [LOGIT.validate(v) for v in logits]
    smoothing = LOSSES.get("cross_entropy").param("label_smoothing").validate(label_smoothing)
    if not 0 <= true_class < len(z_values):
        raise UserError(
            "losses.errors.true_class", f"class {true_class} outside 0..{len(z_values) - 1}", k=len(z_values)
        )
    z = torch.tensor(z_values, dtype=torch.float64, requires_grad=True)  # (K,)
    y = torch.tensor([true_class])
    loss = F.cross_entropy(z.unsqueeze(0), y, label_smoothing=smoothing)
    (grad,) = torch.autograd.grad(loss, z)
    k = len(z_values)
    q = (1 - smoothing) * F.one_hot(y[0], k).to(z.dtype) + smoothing / k
    probs = torch.softmax(z.detach(), dim=-1)
    return CrossEntropyView(probs, q, float(loss.detach()), grad.detach(), probs - q)
