"""The optimizer registry: every torch.optim optimizer of the course, plus its hand-written ones.

An entry builds a real ``torch.optim.Optimizer`` from user values:
``OPTIMIZERS.get("adam").build(model.parameters(), lr=1e-3, beta1=0.9)``. Parameter names
are the user-facing ones (``beta1``/``beta2`` rather than torch's ``betas`` tuple); the
entry maps them to torch's keywords. Defaults are PyTorch's (the course's for ``course_*``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import torch

from core.errors import UserError
from core.optim import kernels
from core.optim.course import CourseAdaGrad, CourseAdam, CourseMomentum, CourseRMSProp
from core.registry import Entry, Param, Registry

LR_MAX = 10.0
MOMENTUM_LR_FACTOR = 0.1  # momentum moves ≈ lr/(1−μ) per step: 1/10 of plain SGD's rate at μ = 0.9
RMS_LR_FACTOR = 0.1  # RMSProp's first step is ≈ lr/√(1−α) = 10·lr at α = 0.99
RACE_RULES = ("", "own_default", "rms", "cautious")


def lr(default: float) -> Param:
    """The learning rate: typed (log scale), 0 < lr ≤ LR_MAX (≤ 0 gets its own message in `OptimizerEntry.resolve`)."""
    return Param("lr", default, low=0.0, high=LR_MAX, log=True, low_open=True)


def momentum(default: float = 0.9) -> Param:
    return Param("momentum", default, low=0.0, high=0.999, step=0.001)


def beta1(default: float = 0.9) -> Param:
    return Param("beta1", default, low=0.0, high=0.999, step=0.001)


def beta2(default: float = 0.999) -> Param:
    # typed (log=True): a slider would show 0.999 rounded to "1.00"
    return Param("beta2", default, low=0.0, high=0.9999, log=True)


def eps(default: float) -> Param:
    return Param("eps", default, low=0.0, high=1.0, log=True)


def weight_decay(default: float = 0.0) -> Param:
    return Param("weight_decay", default, low=0.0, high=1.0, step=0.001)


@dataclass(frozen=True)
class OptimizerEntry(Entry):
    """One optimizer: how to build it, its specs, its update rule and what it keeps in memory.

    Args:
        factory: the torch optimizer class.
        fixed: keyword arguments always passed (e.g. ``nesterov=True``).
        has_momentum: keeps a velocity / first moment.
        has_betas: has Adam-style ``beta1``/``beta2``.
        adaptive: scales each coordinate by its own gradient history.
        course: a hand-written version from the course (002 §7.4).
        twin: the torch optimizer a course version should be compared with.
        note: where the course's formula and PyTorch's differ (English; the UI shows
            ``optimizers.<name>.note``).
        kernel: its update rule on one coordinate (`core.optim.kernels`), for the 2-D races.
        race_rule: how `race_lr` picks a learning rate on a surface: "" by the flags above
            (adaptive, momentum, plain), "own_default" (a unitless η: its default), "rms"
            (RMSProp's large first steps), "cautious" (the smaller of SGD's and the adaptive rate).
    """

    factory: Callable[..., torch.optim.Optimizer] = torch.optim.SGD
    fixed: tuple[tuple[str, Any], ...] = ()
    has_momentum: bool = False
    has_betas: bool = False
    adaptive: bool = False
    course: bool = False
    twin: str = ""
    note: str = ""
    kernel: type[kernels.Kernel] | None = None
    race_rule: str = ""

    def __post_init__(self) -> None:
        if self.kernel is None:
            raise TypeError(f"optimizer {self.name!r} needs its coordinate kernel (core.optim.kernels)")
        if self.race_rule not in RACE_RULES:
            raise ValueError(f"optimizer {self.name!r}: race_rule {self.race_rule!r} not in {RACE_RULES}")

    def race_lr(self, surface: Any) -> float:
        """A learning rate that makes this optimizer move visibly (but mostly stably) on `surface`.

        `surface` has the rates it suggests for plain SGD and for adaptive methods
        (``lr_sgd``, ``lr_adaptive``; see `core.surfaces.Surface`).
        """
        if self.race_rule == "own_default":
            return float(self.param("lr").default)
        if self.race_rule == "rms":
            return surface.lr_adaptive * RMS_LR_FACTOR
        if self.race_rule == "cautious":
            return min(surface.lr_sgd, surface.lr_adaptive)
        if self.adaptive:
            return surface.lr_adaptive
        if self.has_momentum:
            return surface.lr_sgd * MOMENTUM_LR_FACTOR
        return surface.lr_sgd

    def resolve(self, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
        lr = (values or {}).get("lr", self.param("lr").default)
        if isinstance(lr, int | float) and lr <= 0:  # a learner's most common slip: its own, plainer message
            raise UserError("optimizers.errors.lr_positive", f"lr must be > 0, got {lr}", value=lr)
        return super().resolve(values)

    @property
    def fusable(self) -> bool:
        """torch has a fused (one-kernel) implementation of this optimizer (SGD, Adam, AdamW, Adagrad)."""
        return not self.course and "fused" in inspect.signature(self.factory).parameters

    def torch_kwargs(self, values: Mapping[str, Any], fused: bool = False) -> dict[str, Any]:
        """User values → the factory's keyword arguments (``beta1, beta2`` → ``betas``).

        `fused` asks for torch's fused implementation where there is one: the same update in one
        kernel per step instead of several per parameter (on a small CPU MLP, Adam's step drops
        from ~330 to ~150 µs); results differ from the default only by float rounding.
        """
        kwargs = dict(values)
        if "beta1" in kwargs and not self.course:
            kwargs["betas"] = (kwargs.pop("beta1"), kwargs.pop("beta2"))
        kwargs.update(self.fixed)
        if fused and self.fusable:
            kwargs["fused"] = True
        return kwargs

    def build(
        self, params: Iterable[torch.Tensor] | Iterable[dict], fused: bool = False, **hparams: Any
    ) -> torch.optim.Optimizer:
        """A torch optimizer over `params` with validated `hparams` (defaults for the rest).

        `fused`: see `torch_kwargs`; the parameters must then be on a CPU or CUDA device.
        """
        return self.factory(params, **self.torch_kwargs(self.resolve(hparams), fused=fused))


_ADAM_CORE = (
    r"m_t &= \beta_1 m_{t-1} + (1-\beta_1)\,g_t, & v_t &= \beta_2 v_{t-1} + (1-\beta_2)\,g_t^2 \\"
    r"\hat m_t &= \frac{m_t}{1-\beta_1^t}, & \hat v_t &= \frac{v_t}{1-\beta_2^t} \\"
)

OPTIMIZERS: Registry[OptimizerEntry] = Registry(
    "optimizers",
    (
        OptimizerEntry(
            "sgd",
            params=(lr(1e-3), weight_decay()),
            formula=r"\theta_t = \theta_{t-1} - \eta\,\big(g_t + \lambda\,\theta_{t-1}\big)",
            factory=torch.optim.SGD,
            kernel=kernels.SGD,
        ),
        OptimizerEntry(
            "momentum",
            params=(lr(1e-3), momentum(), Param("dampening", 0.0, low=0.0, high=0.99, step=0.01), weight_decay()),
            formula=r"b_t = \mu\, b_{t-1} + (1-\tau)\, g_t \quad(b_1 = g_1),\qquad \theta_t = \theta_{t-1} - \eta\, b_t",
            factory=torch.optim.SGD,
            has_momentum=True,
            note="PyTorch: b = μb + g, θ −= η·b. Textbook: v = αv − ηg, θ += v (same path while η is constant).",
            kernel=kernels.SGD,
        ),
        OptimizerEntry(
            "nesterov",
            params=(lr(1e-3), momentum(), weight_decay()),
            formula=r"b_t = \mu\, b_{t-1} + g_t,\qquad \theta_t = \theta_{t-1} - \eta\,\big(g_t + \mu\, b_t\big)",
            factory=torch.optim.SGD,
            fixed=(("nesterov", True),),
            has_momentum=True,
            note="PyTorch's Nesterov evaluates the gradient at θ, not at the look-ahead point θ + αv (Sutskever form).",
            kernel=kernels.Nesterov,
        ),
        OptimizerEntry(
            "adagrad",
            params=(
                lr(1e-2),
                Param("lr_decay", 0.0, low=0.0, high=1.0, step=0.001),
                eps(1e-10),
                Param("initial_accumulator_value", 0.0, low=0.0, high=10.0, step=0.1),
                weight_decay(),
            ),
            formula=(
                r"G_t = G_{t-1} + g_t^2,\qquad "
                r"\theta_t = \theta_{t-1} - \frac{\eta}{1+(t-1)\,\gamma}\,\frac{g_t}{\sqrt{G_t}+\epsilon}"
            ),
            factory=torch.optim.Adagrad,
            adaptive=True,
            kernel=kernels.Adagrad,
        ),
        OptimizerEntry(
            "rmsprop",
            params=(
                lr(1e-2),
                Param("alpha", 0.99, low=0.0, high=0.999, step=0.001),
                eps(1e-8),
                Param("momentum", 0.0, low=0.0, high=0.999, step=0.001),
                Param("centered", False),
                weight_decay(),
            ),
            formula=(
                r"v_t = \alpha\, v_{t-1} + (1-\alpha)\, g_t^2,\qquad "
                r"\theta_t = \theta_{t-1} - \eta\,\frac{g_t}{\sqrt{v_t}+\epsilon}"
            ),
            factory=torch.optim.RMSprop,
            adaptive=True,
            kernel=kernels.RMSprop,
            race_rule="rms",
        ),
        OptimizerEntry(
            "adam",
            params=(lr(1e-3), beta1(), beta2(), eps(1e-8), weight_decay(), Param("amsgrad", False)),
            formula=r"\begin{aligned}"
            + _ADAM_CORE
            + r"\theta_t &= \theta_{t-1} - \eta\,\frac{\hat m_t}{\sqrt{\hat v_t}+\epsilon}"
            r"\end{aligned}",
            factory=torch.optim.Adam,
            has_momentum=True,
            has_betas=True,
            adaptive=True,
            note="PyTorch adds ε after dividing √v by √(1−β₂ᵗ); the course adds ε to √v and folds the correction into η.",
            kernel=kernels.Adam,
        ),
        OptimizerEntry(
            "adamw",
            params=(lr(1e-3), beta1(), beta2(), eps(1e-8), weight_decay(1e-2), Param("amsgrad", False)),
            formula=r"\begin{aligned}" + _ADAM_CORE + r"\theta_t &= \theta_{t-1}(1-\eta\lambda) - \eta\,"
            r"\frac{\hat m_t}{\sqrt{\hat v_t}+\epsilon}\end{aligned}",
            factory=torch.optim.AdamW,
            has_momentum=True,
            has_betas=True,
            adaptive=True,
            kernel=kernels.AdamW,
        ),
        OptimizerEntry(
            "nadam",
            params=(
                lr(2e-3),
                beta1(),
                beta2(),
                eps(1e-8),
                Param("momentum_decay", 4e-3, low=0.0, high=1.0, log=True),
                weight_decay(),
            ),
            formula=(
                r"\begin{aligned}\mu_t &= \beta_1\big(1-\tfrac12\, 0.96^{t\psi}\big),\qquad "
                r"\hat v_t = \frac{v_t}{1-\beta_2^t}\\ \theta_t &= \theta_{t-1} - \frac{\eta}{\sqrt{\hat v_t}+\epsilon}"
                r"\Big(\frac{(1-\mu_t)\,g_t}{1-\prod_{i\le t}\mu_i} + \frac{\mu_{t+1}\, m_t}{1-\prod_{i\le t+1}\mu_i}\Big)"
                r"\end{aligned}"
            ),
            factory=torch.optim.NAdam,
            has_momentum=True,
            has_betas=True,
            adaptive=True,
            kernel=kernels.NAdam,
        ),
        OptimizerEntry(
            "radam",
            params=(lr(1e-3), beta1(), beta2(), eps(1e-8), weight_decay()),
            formula=(
                r"\begin{aligned}\rho_\infty &= \frac{2}{1-\beta_2} - 1,\qquad "
                r"\rho_t = \rho_\infty - \frac{2t\,\beta_2^t}{1-\beta_2^t}\\ "
                r"\theta_t &= \begin{cases}\theta_{t-1} - \eta\, \hat m_t\, r_t\, \frac{\sqrt{1-\beta_2^t}}{\sqrt{v_t}+\epsilon}"
                r" & \rho_t > 5\\ \theta_{t-1} - \eta\, \hat m_t & \text{otherwise}\end{cases}\\ "
                r"r_t &= \sqrt{\frac{(\rho_t-4)(\rho_t-2)\,\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\,\rho_t}}"
                r"\end{aligned}"
            ),
            factory=torch.optim.RAdam,
            has_momentum=True,
            has_betas=True,
            adaptive=True,
            kernel=kernels.RAdam,
            race_rule="cautious",
        ),
        OptimizerEntry(
            "adamax",
            params=(lr(2e-3), beta1(), beta2(), eps(1e-8), weight_decay()),
            formula=(
                r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t,\quad u_t = \max\big(\beta_2 u_{t-1},\ |g_t|+\epsilon\big),"
                r"\quad \theta_t = \theta_{t-1} - \frac{\eta}{1-\beta_1^t}\,\frac{m_t}{u_t}"
            ),
            factory=torch.optim.Adamax,
            has_momentum=True,
            has_betas=True,
            adaptive=True,
            kernel=kernels.Adamax,
        ),
        OptimizerEntry(
            "adadelta",
            params=(
                lr(1.0),
                Param("rho", 0.9, low=0.0, high=0.999, step=0.001),
                eps(1e-6),
                weight_decay(),
            ),
            formula=(
                r"\begin{aligned}v_t &= \rho\, v_{t-1} + (1-\rho)\, g_t^2,\qquad "
                r"\Delta_t = \frac{\sqrt{u_{t-1}+\epsilon}}{\sqrt{v_t+\epsilon}}\, g_t\\ "
                r"u_t &= \rho\, u_{t-1} + (1-\rho)\,\Delta_t^2,\qquad \theta_t = \theta_{t-1} - \eta\,\Delta_t\end{aligned}"
            ),
            factory=torch.optim.Adadelta,
            adaptive=True,
            kernel=kernels.Adadelta,
            race_rule="own_default",
        ),
        OptimizerEntry(
            "course_momentum",
            params=(lr(1e-3), momentum()),  # the course uses 0.01; 1e-3 is its twin's (torch SGD) default
            formula=r"v \leftarrow \alpha\, v - \eta\, g,\qquad \theta \leftarrow \theta + v",
            factory=CourseMomentum,
            has_momentum=True,
            course=True,
            twin="momentum",
            note="Same path as torch SGD(momentum=α) while η is constant (v = −η·b); differs when η changes.",
            kernel=kernels.CourseMomentum,
        ),
        OptimizerEntry(
            "course_adagrad",
            params=(lr(1e-2), eps(1e-7)),
            formula=r"h \leftarrow h + g \odot g,\qquad \theta \leftarrow \theta - \eta\,\frac{g}{\sqrt{h}+\epsilon}",
            factory=CourseAdaGrad,
            adaptive=True,
            course=True,
            twin="adagrad",
            note="Same rule as torch Adagrad; the course's ε is 1e-7, PyTorch's 1e-10.",
            kernel=kernels.CourseAdaGrad,
        ),
        OptimizerEntry(
            "course_rmsprop",
            params=(lr(1e-2), Param("rho", 0.99, low=0.0, high=0.999, step=0.001), eps(1e-7)),
            formula=(
                r"h \leftarrow \rho\, h + (1-\rho)\, g \odot g,\qquad \theta \leftarrow \theta - \eta\,\frac{g}{\sqrt{h}+\epsilon}"
            ),
            factory=CourseRMSProp,
            adaptive=True,
            course=True,
            twin="rmsprop",
            note="Same rule as torch RMSprop (alpha = ρ); the course's ε is 1e-7, PyTorch's 1e-8.",
            kernel=kernels.CourseRMSProp,
            race_rule="rms",
        ),
        OptimizerEntry(
            "course_adam",
            params=(lr(1e-3), beta1(), beta2(), eps(1e-7)),
            formula=(
                r"\begin{aligned}m &\leftarrow m + (1-\beta_1)(g - m),\qquad v \leftarrow v + (1-\beta_2)(g^2 - v)\\ "
                r"\eta_t &= \eta\,\frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t},\qquad "
                r"\theta \leftarrow \theta - \eta_t\,\frac{m}{\sqrt{v}+\epsilon}\end{aligned}"
            ),
            factory=CourseAdam,
            has_momentum=True,
            has_betas=True,
            adaptive=True,
            course=True,
            twin="adam",
            note="Equals torch Adam with a step-dependent ε_t = ε/√(1−β₂ᵗ) (identical when ε = 0).",
            kernel=kernels.CourseAdam,
        ),
    ),
)
