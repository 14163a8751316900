"""Learning-rate schedules: a registry over ``torch.optim.lr_scheduler`` with step-based specs.

Every entry builds a real torch scheduler for an optimizer and a run of ``total_steps``
optimizer steps: ``SCHEDULERS.get("cosine").build(opt, total_steps=1000, min_factor=0.01)``.
Lengths are given as fractions of the run (``step_frac=0.3`` → every 30 % of the steps) and
floors as factors of the optimizer's learning rate η₀ (``min_factor=0.01`` → η_min = 0.01·η₀),
so one setting fits any run length and any learning rate. Call ``scheduler.step()`` once
per optimizer step (``scheduler.step(loss)`` for ``plateau``, see ``needs_metric``).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch.optim import lr_scheduler as S

from core.errors import UserError
from core.registry import Entry, Param, Registry

MAX_STEPS = 5000  # longest run the lab computes (steps of an optimizer on a surface / LR curves)
DEFAULT_SCHEDULES = ("constant", "exponential", "cosine", "warmup_cosine")
DEFAULT_SCHEDULE_OPTIMIZER = "sgd"  # the course decays plain SGD's rate (§5.2)
DEFAULT_SCHEDULE_STEPS = 200


def steps_param(default: int) -> Param:
    """The typed steps box of a race or schedule (check_steps gives its message on the page)."""
    return Param("steps", default, 1, MAX_STEPS, step=50, typed=True)


def steps_of(frac: float, total_steps: int) -> int:
    """A fraction of the run as a whole number of steps (at least 1)."""
    return max(1, round(frac * total_steps))


def check_steps(steps: Any, cap: int = MAX_STEPS) -> int:
    """`steps` as an int in [1, cap], or a UserError."""
    try:
        number = float(steps)
    except (TypeError, ValueError):
        raise UserError("param_not_number", f"steps={steps!r} is not a number", name="steps", value=steps) from None
    if not math.isfinite(number) or number != int(number) or not 1 <= number <= cap:
        raise UserError("schedulers.errors.steps_range", f"steps={steps!r} must be in [1, {cap}]", value=steps, cap=cap)
    return int(number)


def _frac(name: str, default: float, low: float = 0.01) -> Param:
    return Param(name, default, low=low, high=1.0, step=0.01)


def _base_lr(optimizer: torch.optim.Optimizer) -> float:
    group = optimizer.param_groups[0]
    return float(group.get("initial_lr", group["lr"]))


def _constant(opt, total, v):
    return S.LambdaLR(opt, lambda _: 1.0)


def _step(opt, total, v):
    return S.StepLR(opt, step_size=steps_of(v["step_frac"], total), gamma=v["gamma"])


def _multistep(opt, total, v):
    milestones = sorted({steps_of(v["milestone1"], total), steps_of(v["milestone2"], total)})
    return S.MultiStepLR(opt, milestones=milestones, gamma=v["gamma"])


def _exponential(opt, total, v):
    return S.ExponentialLR(opt, gamma=v["gamma"])


def _cosine(opt, total, v):
    return S.CosineAnnealingLR(opt, T_max=total, eta_min=v["min_factor"] * _base_lr(opt))


def _warm_restarts(opt, total, v):
    return S.CosineAnnealingWarmRestarts(
        opt, T_0=steps_of(v["cycle_frac"], total), T_mult=v["t_mult"], eta_min=v["min_factor"] * _base_lr(opt)
    )


def _onecycle(opt, total, v):
    # The optimizer's lr is the peak; momentum is not cycled so any optimizer works.
    return S.OneCycleLR(
        opt,
        max_lr=_base_lr(opt),
        total_steps=total,
        pct_start=v["pct_start"],
        anneal_strategy=v["anneal_strategy"],
        div_factor=v["div_factor"],
        final_div_factor=v["final_div_factor"],
        three_phase=v["three_phase"],
        cycle_momentum=False,
    )


def _cyclic(opt, total, v):
    peak = _base_lr(opt)
    return S.CyclicLR(
        opt,
        base_lr=v["floor_factor"] * peak,
        max_lr=peak,
        step_size_up=steps_of(v["up_frac"], total),
        mode=v["mode"],
        gamma=v["gamma"],
        cycle_momentum=False,
    )


def _linear(opt, total, v):
    return S.LinearLR(
        opt, start_factor=v["start_factor"], end_factor=v["end_factor"], total_iters=steps_of(v["iters_frac"], total)
    )


def _constant_lr(opt, total, v):
    return S.ConstantLR(opt, factor=v["factor"], total_iters=steps_of(v["iters_frac"], total))


def _polynomial(opt, total, v):
    return S.PolynomialLR(opt, total_iters=steps_of(v["iters_frac"], total), power=v["power"])


def _warmup_cosine(opt, total, v):
    warm = min(steps_of(v["warmup_frac"], total), max(total - 1, 1))
    eta_min = v["min_factor"] * _base_lr(opt)
    warmup = S.LinearLR(opt, start_factor=v["start_factor"], end_factor=1.0, total_iters=warm)
    cosine = S.CosineAnnealingLR(opt, T_max=max(total - warm, 1), eta_min=eta_min)
    return S.SequentialLR(opt, schedulers=[warmup, cosine], milestones=[warm])


def _plateau(opt, total, v):
    return S.ReduceLROnPlateau(
        opt,
        mode="min",
        factor=v["factor"],
        patience=v["patience"],
        threshold=v["threshold"],
        cooldown=v["cooldown"],
        min_lr=v["min_factor"] * _base_lr(opt),
    )


@dataclass(frozen=True)
class SchedulerEntry(Entry):
    """One schedule: its builder, specs, formula, and whether ``step`` needs the loss.

    Args:
        make: ``(optimizer, total_steps, values) -> torch scheduler``.
        needs_metric: ``step(metric)`` must be given the monitored loss (ReduceLROnPlateau).
    """

    make: Callable[[torch.optim.Optimizer, int, dict], Any] = _constant
    needs_metric: bool = False

    def build(self, optimizer: torch.optim.Optimizer, total_steps: int, **hparams: Any):
        """A torch scheduler on `optimizer` for a run of `total_steps` steps."""
        total = check_steps(total_steps)
        values = self.resolve(hparams)
        try:
            return self.make(optimizer, total, values)
        except ValueError as error:  # torch's own argument checks (e.g. start_factor range)
            raise UserError("schedulers.errors.invalid", f"{self.name}: {error}", name=self.name) from error


SCHEDULERS: Registry[SchedulerEntry] = Registry(
    "schedulers",
    (
        SchedulerEntry("constant", formula=r"\eta_t = \eta_0", make=_constant),
        SchedulerEntry(
            "step",
            params=(_frac("step_frac", 0.3), Param("gamma", 0.5, low=0.01, high=1.0, step=0.01)),
            formula=r"\eta_t = \eta_0\,\gamma^{\lfloor t/s \rfloor},\qquad s = \lfloor\text{step\_frac}\cdot T\rceil",
            make=_step,
        ),
        SchedulerEntry(
            "multistep",
            params=(
                _frac("milestone1", 0.5),
                _frac("milestone2", 0.8),
                Param("gamma", 0.1, low=0.01, high=1.0, step=0.01),
            ),
            formula=r"\eta_t = \eta_0\,\gamma^{\,|\{i\,:\,m_i \le t\}|}",
            make=_multistep,
        ),
        SchedulerEntry(
            "exponential",
            params=(Param("gamma", 0.99, low=0.5, high=1.0, step=0.001),),
            formula=r"\eta_t = \eta_0\,\gamma^{t}",
            make=_exponential,
        ),
        SchedulerEntry(
            "cosine",
            params=(Param("min_factor", 0.0, low=0.0, high=1.0, step=0.01),),
            formula=r"\eta_t = \eta_{\min} + \tfrac12(\eta_0-\eta_{\min})\big(1+\cos\tfrac{\pi t}{T}\big)",
            make=_cosine,
        ),
        SchedulerEntry(
            "cosine_warm_restarts",
            params=(
                _frac("cycle_frac", 0.25),
                Param("t_mult", 1, low=1, high=4, step=1),
                Param("min_factor", 0.0, low=0.0, high=1.0, step=0.01),
            ),
            formula=(
                r"\eta_t = \eta_{\min} + \tfrac12(\eta_0-\eta_{\min})\big(1+\cos\tfrac{\pi\,T_{cur}}{T_i}\big),"
                r"\qquad T_i = T_0\, T_{mult}^{\,i}"
            ),
            make=_warm_restarts,
        ),
        SchedulerEntry(
            "onecycle",
            params=(
                Param("pct_start", 0.3, low=0.01, high=0.99, step=0.01),
                Param("div_factor", 25.0, low=1.0, high=1e4, log=True),
                Param("final_div_factor", 1e4, low=1.0, high=1e6, log=True),
                Param("anneal_strategy", "cos", choices=("cos", "linear")),
                Param("three_phase", False),
            ),
            formula=(
                r"\frac{\eta_0}{d}\ \xrightarrow{\ p\,T\ \text{steps}\ }\ \eta_0"
                r"\ \xrightarrow{\ (1-p)\,T\ \text{steps}\ }\ \frac{\eta_0}{d\cdot d_f}"
            ),
            make=_onecycle,
        ),
        SchedulerEntry(
            "cyclic",
            params=(
                Param("floor_factor", 0.1, low=0.0, high=1.0, step=0.01),
                _frac("up_frac", 0.1),
                Param("mode", "triangular", choices=("triangular", "triangular2", "exp_range")),
                Param("gamma", 0.99, low=0.5, high=1.0, step=0.001),
            ),
            formula=(
                r"c = \big\lfloor 1 + \tfrac{t}{2s}\big\rfloor,\ x = \big|\tfrac{t}{s} - 2c + 1\big|,\ "
                r"\eta_t = \eta_{lo} + (\eta_0-\eta_{lo})\max(0, 1-x)\cdot\begin{cases}1 & \text{triangular}\\"
                r" 2^{1-c} & \text{triangular2}\\ \gamma^{t} & \text{exp\_range}\end{cases}"
            ),
            make=_cyclic,
        ),
        SchedulerEntry(
            "linear",
            params=(
                Param("start_factor", 1 / 3, low=0.001, high=1.0, step=0.001),
                Param("end_factor", 1.0, low=0.0, high=1.0, step=0.01),
                _frac("iters_frac", 0.2),
            ),
            formula=r"\eta_t = \eta_0\Big(f_s + (f_e - f_s)\,\frac{\min(t, n)}{n}\Big)",
            make=_linear,
        ),
        SchedulerEntry(
            "constant_lr",
            params=(Param("factor", 1 / 3, low=0.0, high=1.0, step=0.01), _frac("iters_frac", 0.2)),
            formula=r"\eta_t = \begin{cases} f\,\eta_0 & t < n\\ \eta_0 & t \ge n\end{cases}",
            make=_constant_lr,
        ),
        SchedulerEntry(
            "polynomial",
            params=(Param("power", 1.0, low=0.1, high=5.0, step=0.1), _frac("iters_frac", 1.0)),
            formula=r"\eta_t = \eta_0\Big(1 - \frac{\min(t, n)}{n}\Big)^{p}",
            make=_polynomial,
        ),
        SchedulerEntry(
            "warmup_cosine",
            params=(
                _frac("warmup_frac", 0.1),
                Param("start_factor", 0.01, low=0.001, high=1.0, step=0.001),
                Param("min_factor", 0.0, low=0.0, high=1.0, step=0.01),
            ),
            formula=(
                r"\eta_t = \begin{cases}\eta_0\big(f_s + (1-f_s)\tfrac{t}{w}\big) & t < w\\"
                r" \eta_{\min} + \tfrac12(\eta_0-\eta_{\min})\big(1+\cos\tfrac{\pi(t-w)}{T-w}\big) & t \ge w\end{cases}"
            ),
            make=_warmup_cosine,
        ),
        SchedulerEntry(
            "plateau",
            params=(
                Param("factor", 0.5, low=0.01, high=0.99, step=0.01),
                Param("patience", 10, low=0, high=500, step=1),
                Param("threshold", 1e-4, low=0.0, high=1.0, log=True),
                Param("cooldown", 0, low=0, high=500, step=1),
                Param("min_factor", 0.0, low=0.0, high=1.0, step=0.01),
            ),
            formula=(
                r"\eta \leftarrow \max(f\,\eta,\ \eta_{\min})\ \text{ if the loss has not dropped below }"
                r"(1-\tau)\,L_{best}\text{ for more than } P \text{ steps}"
            ),
            make=_plateau,
            needs_metric=True,
        ),
    ),
)


class LRTrack:
    """A schedule run on its own: ``lr`` is the rate for the current step, ``step()`` advances it.

    It drives the real torch scheduler (on a one-number dummy optimizer), so what the lab
    shows is exactly what ``torch.optim.lr_scheduler`` does.
    """

    def __init__(self, name: str, hparams: Mapping[str, Any] | None, base_lr: float, total_steps: int):
        if not (isinstance(base_lr, int | float) and math.isfinite(base_lr) and base_lr > 0):
            raise UserError("optimizers.errors.lr_positive", f"lr must be > 0, got {base_lr}", value=base_lr)
        self.entry = SCHEDULERS.get(name)
        self._param = torch.zeros(1, requires_grad=True)
        self._opt = torch.optim.SGD([self._param], lr=float(base_lr))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # SequentialLR's internal step(0) deprecation notice
            self._sched = self.entry.build(self._opt, total_steps, **dict(hparams or {}))

    @property
    def needs_metric(self) -> bool:
        return self.entry.needs_metric

    @property
    def lr(self) -> float:
        return float(self._opt.param_groups[0]["lr"])

    def step(self, metric: float | None = None) -> None:
        self._opt.step()  # no gradients: only tells the scheduler an optimizer step happened
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            if self.needs_metric:
                if metric is None:
                    raise ValueError(f"{self.entry.name} needs the monitored loss at every step")
                self._sched.step(float(metric))
            else:
                self._sched.step()


def lr_curve(
    name: str,
    hparams: Mapping[str, Any] | None,
    base_lr: float,
    steps: int,
    metric: Sequence[float] | None = None,
) -> list[float]:
    """The learning rate used at steps 0 … steps−1 (``metric[k]``: the loss after step k, for plateau)."""
    steps = check_steps(steps)
    track = LRTrack(name, hparams, base_lr, steps)
    if track.needs_metric and (metric is None or len(metric) < steps):
        raise UserError("schedulers.errors.needs_metric", f"{name} needs a loss value for each of the {steps} steps")
    out = []
    for k in range(steps):
        out.append(track.lr)
        track.step(metric[k] if track.needs_metric else None)
    return out
