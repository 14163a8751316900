"""Every optimizer's update rule on one coordinate, for fast races on 2-D surfaces.

``torch.optim`` costs 40–100 µs a step on a 2-number tensor (argument handling, state
dicts, dispatch), and numpy ≈ 1 µs an operation on tiny arrays; a race of 8 optimizers ×
2,000 steps would take about a second either way. All these optimizers act coordinate by
coordinate, so a kernel here is one coordinate's state in plain Python floats, repeating
torch's single-tensor code line by line. tests/test_optim.py checks every kernel against
``torch.optim`` (or the course's `torch.optim.Optimizer`) step by step.

``step(p, g, lr) -> (p_new, velocity, scale)``: the new coordinate, the optimizer's
momentum / first-moment buffer after the step (None if it keeps none), and the step size
of this coordinate — the factor that multiplies the gradient (or the first moment), e.g.
η/(√v̂+ε) for Adam.
"""

from __future__ import annotations

import math
from typing import Any

Step = tuple[float, float | None, float]


class Kernel:
    """Base: holds the resolved hyper-parameters and the step count."""

    def __init__(self, hp: dict[str, Any]):
        self.hp = hp
        self.t = 0

    def step(self, p: float, g: float, lr: float) -> Step:
        raise NotImplementedError


class SGD(Kernel):
    """torch.optim.SGD: momentum, dampening, nesterov, L2 weight decay."""

    def __init__(self, hp):
        super().__init__(hp)
        self.buf: float | None = None
        self.mu = hp.get("momentum", 0.0)
        self.damp = hp.get("dampening", 0.0)
        self.wd = hp.get("weight_decay", 0.0)
        self.nesterov = hp.get("nesterov", False)

    def step(self, p, g, lr):
        d = g + self.wd * p if self.wd else g
        if self.mu:
            # torch: the first buffer is the gradient itself, without dampening
            self.buf = d if self.buf is None else self.mu * self.buf + (1 - self.damp) * d
            d = d + self.mu * self.buf if self.nesterov else self.buf
        return p - lr * d, self.buf, lr


class Nesterov(SGD):
    def __init__(self, hp):
        super().__init__({**hp, "nesterov": True})


class Adagrad(Kernel):
    def __init__(self, hp):
        super().__init__(hp)
        self.sum = hp["initial_accumulator_value"]

    def step(self, p, g, lr):
        hp = self.hp
        self.t += 1
        d = g + hp["weight_decay"] * p if hp["weight_decay"] else g
        clr = lr / (1 + (self.t - 1) * hp["lr_decay"])
        self.sum += d * d
        scale = clr / (math.sqrt(self.sum) + hp["eps"])
        return p - scale * d, None, scale


class RMSprop(Kernel):
    def __init__(self, hp):
        super().__init__(hp)
        self.sq = self.avg = self.buf = 0.0

    def step(self, p, g, lr):
        hp = self.hp
        alpha = hp["alpha"]
        d = g + hp["weight_decay"] * p if hp["weight_decay"] else g
        self.sq = alpha * self.sq + (1 - alpha) * d * d
        if hp["centered"]:
            self.avg += (1 - alpha) * (d - self.avg)  # torch: grad_avg.lerp_(grad, 1 - alpha)
            denom = math.sqrt(max(self.sq - self.avg * self.avg, 0.0)) + hp["eps"]
        else:
            denom = math.sqrt(self.sq) + hp["eps"]
        if hp["momentum"] > 0:
            self.buf = hp["momentum"] * self.buf + d / denom
            return p - lr * self.buf, self.buf, lr / denom
        return p - lr * d / denom, None, lr / denom


class Adam(Kernel):
    """torch.optim.Adam (L2 weight decay); AdamW below decouples it."""

    decoupled = False

    def __init__(self, hp):
        super().__init__(hp)
        self.m = self.v = self.vmax = 0.0

    def step(self, p, g, lr):
        hp = self.hp
        b1, b2, wd = hp["beta1"], hp["beta2"], hp["weight_decay"]
        self.t += 1
        if wd and self.decoupled:
            p *= 1 - lr * wd
            d = g
        else:
            d = g + wd * p if wd else g
        self.m += (1 - b1) * (d - self.m)  # torch: exp_avg.lerp_(grad, 1 - beta1)
        self.v = b2 * self.v + (1 - b2) * d * d
        bc1, bc2 = 1 - b1**self.t, 1 - b2**self.t
        if hp["amsgrad"]:
            self.vmax = max(self.vmax, self.v)
            denom = math.sqrt(self.vmax) / math.sqrt(bc2) + hp["eps"]
        else:
            denom = math.sqrt(self.v) / math.sqrt(bc2) + hp["eps"]
        scale = (lr / bc1) / denom
        return p - scale * self.m, self.m, scale


class AdamW(Adam):
    decoupled = True


class NAdam(Kernel):
    """torch.optim.NAdam. torch keeps the product of the μ_t in a float32 tensor (its scalar
    dtype), so its path differs from this float64 one by ~1e-7 relative (tested)."""

    def __init__(self, hp):
        super().__init__(hp)
        self.m = self.v = 0.0
        self.mu_product = 1.0

    def step(self, p, g, lr):
        hp = self.hp
        b1, b2, psi = hp["beta1"], hp["beta2"], hp["momentum_decay"]
        self.t += 1
        t = self.t
        d = g + hp["weight_decay"] * p if hp["weight_decay"] else g
        mu = b1 * (1.0 - 0.5 * (0.96 ** (t * psi)))
        mu_next = b1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * psi)))
        self.mu_product *= mu
        self.m += (1 - b1) * (d - self.m)
        self.v = b2 * self.v + (1 - b2) * d * d
        denom = math.sqrt(self.v / (1 - b2**t)) + hp["eps"]
        p = p - (lr * (1.0 - mu) / (1.0 - self.mu_product)) * d / denom
        p = p - (lr * mu_next / (1.0 - self.mu_product * mu_next)) * self.m / denom
        return p, self.m, lr / denom


class RAdam(Kernel):
    def __init__(self, hp):
        super().__init__(hp)
        self.m = self.v = 0.0

    def step(self, p, g, lr):
        hp = self.hp
        b1, b2 = hp["beta1"], hp["beta2"]
        self.t += 1
        t = self.t
        d = g + hp["weight_decay"] * p if hp["weight_decay"] else g
        self.m += (1 - b1) * (d - self.m)
        self.v = b2 * self.v + (1 - b2) * d * d
        bc1, bc2 = 1 - b1**t, 1 - b2**t
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * t * (b2**t) / bc2
        if rho_t > 5.0:  # enough samples: rectified adaptive step
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            scale = lr * rect * math.sqrt(bc2) / (math.sqrt(self.v) + hp["eps"]) / bc1
        else:  # too few: momentum SGD on the bias-corrected first moment
            scale = lr / bc1
        return p - scale * self.m, self.m, scale


class Adamax(Kernel):
    def __init__(self, hp):
        super().__init__(hp)
        self.m = self.u = 0.0

    def step(self, p, g, lr):
        hp = self.hp
        b1 = hp["beta1"]
        self.t += 1
        d = g + hp["weight_decay"] * p if hp["weight_decay"] else g
        self.m += (1 - b1) * (d - self.m)
        self.u = max(self.u * hp["beta2"], abs(d) + hp["eps"])
        scale = (lr / (1 - b1**self.t)) / self.u
        return p - scale * self.m, self.m, scale


class Adadelta(Kernel):
    def __init__(self, hp):
        super().__init__(hp)
        self.v = self.u = 0.0

    def step(self, p, g, lr):
        hp = self.hp
        rho, eps = hp["rho"], hp["eps"]
        d = g + hp["weight_decay"] * p if hp["weight_decay"] else g
        self.v = rho * self.v + (1 - rho) * d * d
        ratio = math.sqrt(self.u + eps) / math.sqrt(self.v + eps)
        delta = ratio * d
        self.u = rho * self.u + (1 - rho) * delta * delta
        return p - lr * delta, None, lr * ratio


class CourseMomentum(Kernel):
    def __init__(self, hp):
        super().__init__(hp)
        self.v = 0.0

    def step(self, p, g, lr):
        self.v = self.hp["momentum"] * self.v - lr * g
        return p + self.v, self.v, lr


class CourseAdaGrad(Kernel):
    def __init__(self, hp):
        super().__init__(hp)
        self.h = 0.0

    def step(self, p, g, lr):
        self.h += g * g
        scale = lr / (math.sqrt(self.h) + self.hp["eps"])
        return p - scale * g, None, scale


class CourseRMSProp(Kernel):
    def __init__(self, hp):
        super().__init__(hp)
        self.h = 0.0

    def step(self, p, g, lr):
        rho = self.hp["rho"]
        self.h = rho * self.h + (1 - rho) * g * g
        scale = lr / (math.sqrt(self.h) + self.hp["eps"])
        return p - scale * g, None, scale


class CourseAdam(Kernel):
    def __init__(self, hp):
        super().__init__(hp)
        self.m = self.v = 0.0

    def step(self, p, g, lr):
        b1, b2 = self.hp["beta1"], self.hp["beta2"]
        self.t += 1
        self.m += (1 - b1) * (g - self.m)
        self.v += (1 - b2) * (g * g - self.v)
        lr_t = lr * math.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        scale = lr_t / (math.sqrt(self.v) + self.hp["eps"])
        return p - scale * self.m, self.m, scale
