"""The course's hand-written optimizers (002 §7.4) as real `torch.optim.Optimizer`s.

They follow the textbook update rules, not PyTorch's, so they can be used anywhere a
torch optimizer can (the live-training page, the surface race) and compared with the
built-in ones. Where the two differ, the docstring says exactly how (tested in
tests/test_optim.py).
"""

from __future__ import annotations

import math

import torch


def _zeros(state: dict, name: str, like: torch.Tensor) -> torch.Tensor:
    """The state buffer `name`, created as zeros on first use."""
    if name not in state:
        state[name] = torch.zeros_like(like)
    return state[name]


class _TextbookOptimizer(torch.optim.Optimizer):
    """The loop every textbook rule shares; a subclass writes `update` for one tensor."""

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    self.update(p, p.grad, self.state[p], group)
        return loss

    def update(self, p: torch.Tensor, g: torch.Tensor, state: dict, group: dict) -> None:
        raise NotImplementedError


class CourseMomentum(_TextbookOptimizer):
    r"""Textbook momentum: :math:`v \leftarrow \alpha v - \eta g,\; \theta \leftarrow \theta + v`.

    PyTorch's SGD keeps :math:`b \leftarrow \mu b + g` and steps :math:`\theta \leftarrow \theta - \eta b`.
    With a constant :math:`\eta` the paths are identical (:math:`v = -\eta b`); when the
    learning rate changes (a scheduler), the textbook velocity keeps the *old* rates baked
    in, while PyTorch rescales the whole buffer by the new rate.

    Args:
        lr: learning rate :math:`\eta` (default 0.001, torch SGD's; the course uses 0.01).
        momentum: :math:`\alpha` (default 0.9).
    """

    def __init__(self, params, lr: float = 0.001, momentum: float = 0.9):
        if lr <= 0:
            raise ValueError(f"lr must be > 0, got {lr}")
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")
        super().__init__(params, {"lr": lr, "momentum": momentum})

    def update(self, p, g, state, group):
        v = _zeros(state, "velocity", p)
        v.mul_(group["momentum"]).add_(g, alpha=-group["lr"])
        p.add_(v)


class CourseAdaGrad(_TextbookOptimizer):
    r"""Textbook AdaGrad: :math:`h \leftarrow h + g^2,\; \theta \leftarrow \theta - \eta\, g / (\sqrt{h} + \epsilon)`.

    Identical to ``torch.optim.Adagrad`` with ``lr_decay=0``, ``initial_accumulator_value=0``
    and the same :math:`\epsilon`; the course uses :math:`\epsilon = 10^{-7}`, PyTorch :math:`10^{-10}`.
    """

    def __init__(self, params, lr: float = 0.01, eps: float = 1e-7):
        if lr <= 0:
            raise ValueError(f"lr must be > 0, got {lr}")
        if eps < 0:
            raise ValueError(f"eps must be >= 0, got {eps}")
        super().__init__(params, {"lr": lr, "eps": eps})

    def update(self, p, g, state, group):
        h = _zeros(state, "sum", p)
        h.addcmul_(g, g)
        p.addcdiv_(g, h.sqrt().add_(group["eps"]), value=-group["lr"])


class CourseRMSProp(_TextbookOptimizer):
    r"""Textbook RMSProp: :math:`h \leftarrow \rho h + (1-\rho) g^2,\; \theta \leftarrow \theta - \eta\, g / (\sqrt{h} + \epsilon)`.

    Identical to ``torch.optim.RMSprop`` (``alpha`` = :math:`\rho`, no momentum, not centered)
    with the same :math:`\epsilon`; the course uses :math:`\epsilon = 10^{-7}`, PyTorch :math:`10^{-8}`.
    """

    def __init__(self, params, lr: float = 0.01, rho: float = 0.99, eps: float = 1e-7):
        if lr <= 0:
            raise ValueError(f"lr must be > 0, got {lr}")
        if not 0 <= rho < 1:
            raise ValueError(f"rho must be in [0, 1), got {rho}")
        super().__init__(params, {"lr": lr, "rho": rho, "eps": eps})

    def update(self, p, g, state, group):
        h = _zeros(state, "square_avg", p)
        h.mul_(group["rho"]).addcmul_(g, g, value=1 - group["rho"])
        p.addcdiv_(g, h.sqrt().add_(group["eps"]), value=-group["lr"])


class CourseAdam(_TextbookOptimizer):
    r"""Textbook Adam (as coded in the course): bias correction folded into the rate.

    .. math::
        m \leftarrow m + (1-\beta_1)(g - m),\quad v \leftarrow v + (1-\beta_2)(g^2 - v),\\
        \eta_t = \eta \sqrt{1-\beta_2^t} / (1-\beta_1^t),\quad \theta \leftarrow \theta - \eta_t\, m / (\sqrt{v} + \epsilon)

    PyTorch divides :math:`\sqrt{v}` by :math:`\sqrt{1-\beta_2^t}` *before* adding
    :math:`\epsilon`, so this rule equals ``torch.optim.Adam`` with a step-dependent
    :math:`\epsilon_t = \epsilon / \sqrt{1-\beta_2^t}` (exactly equal when :math:`\epsilon = 0`).
    """

    def __init__(self, params, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-7):
        if lr <= 0:
            raise ValueError(f"lr must be > 0, got {lr}")
        for name, beta in (("beta1", beta1), ("beta2", beta2)):
            if not 0 <= beta < 1:
                raise ValueError(f"{name} must be in [0, 1), got {beta}")
        super().__init__(params, {"lr": lr, "beta1": beta1, "beta2": beta2, "eps": eps})

    def update(self, p, g, state, group):
        b1, b2 = group["beta1"], group["beta2"]
        if "step" not in state:
            state.update(step=0, exp_avg=torch.zeros_like(p), exp_avg_sq=torch.zeros_like(p))
        state["step"] += 1
        t = state["step"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m.add_(g - m, alpha=1 - b1)
        v.add_(g * g - v, alpha=1 - b2)
        lr_t = group["lr"] * math.sqrt(1 - b2**t) / (1 - b1**t)
        p.addcdiv_(m, v.sqrt().add_(group["eps"]), value=-lr_t)
