"""Activation functions of the course as a registry: function, torch module, formulas, derivative.

Every entry is elementwise except softmax (normalised along the last dim). Each carries:

- ``fn(x, **params)``: the function on a tensor (PyTorch's own implementation);
- ``module(**params)``: the matching ``torch.nn`` module (used by the initializers and
  training pages to build networks);
- ``derivative(x, **params)``: the closed-form f′ (the tests check it against autograd);
- ``formula`` / ``dformula``: LaTeX of f and f′;
- ``autograd_exact``: False where autograd's answer is not the mathematical truth, with
  ``note`` naming the i18n key ``activations.notes.<note>`` that explains why.

Parameter values are validated against their `Param` specs (bad input → `UserError`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core.errors import UserError
from core.ranges import check_range
from core.registry import Entry, Param, Registry

# SELU constants (Klambauer et al. 2017, "Self-Normalizing Neural Networks"); PyTorch uses the same.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
GELU_TANH_C = 0.044715  # Hendrycks & Gimpel 2016, the tanh approximation of GELU
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


class Step(nn.Module):
    """Binary step (Heaviside): 1 where x ≥ 0, else 0. Its autograd gradient is 0 everywhere."""

    def forward(self, x: Tensor) -> Tensor:
        return step(x)


def step(x: Tensor) -> Tensor:
    # `x * 0 +` keeps the result in the autograd graph so backward gives the (a.e. correct) 0
    # instead of failing; the true derivative at 0 does not exist (a Dirac delta).
    return x * 0 + (x >= 0).to(x.dtype)


def _softmax_module(**_: Any) -> nn.Module:
    return nn.Softmax(dim=-1)


def _rrelu(x: Tensor, lower: float, upper: float, training: bool = False) -> Tensor:
    return F.rrelu(x, lower, upper, training=training)


def _rrelu_module(lower: float, upper: float, training: bool = False) -> nn.Module:
    module = nn.RReLU(lower, upper)
    return module.train(training)


def _prelu(x: Tensor, init: float) -> Tensor:
    return F.prelu(x, torch.tensor([init], dtype=x.dtype, device=x.device))


def _gelu_grad(x: Tensor) -> Tensor:
    cdf = 0.5 * (1 + torch.erf(x / math.sqrt(2)))
    pdf = torch.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    return cdf + x * pdf


def _gelu_tanh_grad(x: Tensor) -> Tensor:
    u = SQRT_2_OVER_PI * (x + GELU_TANH_C * x**3)
    th = torch.tanh(u)
    return 0.5 * (1 + th) + 0.5 * x * (1 - th * th) * SQRT_2_OVER_PI * (1 + 3 * GELU_TANH_C * x * x)


def _mish_grad(x: Tensor) -> Tensor:
    sp = F.softplus(x)
    th = torch.tanh(sp)
    return th + x * (1 - th * th) * torch.sigmoid(x)


def _softplus_grad(x: Tensor, beta: float, threshold: float) -> Tensor:
    # PyTorch reverts to the identity where beta·x > threshold (numerical stability).
    return torch.where(beta * x > threshold, torch.ones_like(x), torch.sigmoid(beta * x))


def _ones(x: Tensor, **_: Any) -> Tensor:
    return torch.ones_like(x)


def _between(x: Tensor, low: float, high: float) -> Tensor:
    return ((x > low) & (x < high)).to(x.dtype)


@dataclass(frozen=True)
class Activation(Entry):
    """One activation function.

    Args:
        forward: ``forward(x, **params) -> Tensor``, the function itself.
        build: ``build(**params) -> nn.Module``.
        grad: closed-form ``f′(x, **params)`` (for softmax: the diagonal ∂s_i/∂z_i).
        dformula: LaTeX of f′.
        autograd_exact: autograd's derivative is the mathematical one (False: see `note`).
        note: key under ``activations.notes`` explaining where autograd is not the truth.
        elementwise: False for softmax (normalised along the last dim).
    """

    forward: Callable[..., Tensor] | None = None
    build: Callable[..., nn.Module] | None = None
    grad: Callable[..., Tensor] | None = None
    dformula: str = ""
    autograd_exact: bool = True
    note: str = ""
    elementwise: bool = True

    def values(self, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """`params` validated against the specs, with cross-parameter checks."""
        values = self.resolve(params)
        if self.name == "hardtanh" and values["min_val"] >= values["max_val"]:
            raise UserError(
                "activations.errors.hardtanh_range",
                f"hardtanh needs min_val < max_val, got {values['min_val']} ≥ {values['max_val']}",
                low=values["min_val"],
                high=values["max_val"],
            )
        if self.name == "rrelu" and values["lower"] > values["upper"]:
            raise UserError(
                "activations.errors.rrelu_range",
                f"rrelu needs lower ≤ upper, got {values['lower']} > {values['upper']}",
                low=values["lower"],
                high=values["upper"],
            )
        return values

    def fn(self, x: Tensor, **params: Any) -> Tensor:
        """f(x); elementwise, softmax along the last dim."""
        return self.forward(x, **self.values(params))

    def module(self, **params: Any) -> nn.Module:
        """The ``torch.nn`` module computing f with these parameters."""
        return self.build(**self.values(params))

    def derivative(self, x: Tensor, **params: Any) -> Tensor:
        """Closed-form f′(x) (softmax: the diagonal of the Jacobian, s(1 − s))."""
        return self.grad(x, **self.values(params))

    def scalar(self, x: Tensor, **params: Any) -> Tensor:
        """f as a curve of one variable, for plotting.

        Elementwise entries: f itself. Softmax: the first probability of the two logits
        (x, 0), which is exactly the sigmoid: a two-class softmax is a logistic unit.
        """
        if self.elementwise:
            return self.fn(x, **params)
        pair = torch.stack([x, torch.zeros_like(x)], dim=-1)  # (N, 2)
        return self.fn(pair, **params)[..., 0]


def _entry(name: str, forward, build, grad, formula: str, dformula: str, params=(), **flags) -> Activation:
    return Activation(
        name=name,
        params=tuple(params),
        formula=formula,
        forward=forward,
        build=build,
        grad=grad,
        dformula=dformula,
        **flags,
    )


NEGATIVE_SLOPE = Param("negative_slope", 0.01, 0.0, 1.0, 0.01)
ALPHA = Param("alpha", 1.0, 0.05, 3.0, 0.05)

ACTIVATIONS: Registry[Activation] = Registry(
    "activations",
    [
        _entry(
            "step",
            lambda x: step(x),
            lambda: Step(),
            lambda x: torch.zeros_like(x),
            r"f(x) = \begin{cases} 1 & x \ge 0 \\ 0 & x < 0 \end{cases}",
            r"f'(x) = 0 \ (x \ne 0),\quad f'(0)\ \text{undefined}",
            autograd_exact=False,
            note="step",
        ),
        _entry(
            "sigmoid",
            torch.sigmoid,
            nn.Sigmoid,
            lambda x: torch.sigmoid(x) * (1 - torch.sigmoid(x)),
            r"\sigma(x) = \frac{1}{1 + e^{-x}}",
            r"\sigma'(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr)",
        ),
        _entry(
            "tanh",
            torch.tanh,
            nn.Tanh,
            lambda x: 1 - torch.tanh(x) ** 2,
            r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
            r"\tanh'(x) = 1 - \tanh^2(x)",
        ),
        _entry(
            "relu",
            torch.relu,
            nn.ReLU,
            lambda x: (x > 0).to(x.dtype),
            r"\mathrm{ReLU}(x) = \max(0, x)",
            r"f'(x) = \begin{cases} 1 & x > 0 \\ 0 & x < 0 \end{cases}",
        ),
        _entry(
            "softmax",
            lambda x: torch.softmax(x, dim=-1),
            _softmax_module,
            lambda x: torch.sigmoid(x) * (1 - torch.sigmoid(x)),
            r"\mathrm{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}",
            r"\frac{\partial s_i}{\partial z_j} = s_i\,(\delta_{ij} - s_j)",
            elementwise=False,
        ),
        _entry(
            "identity",
            lambda x: x * 1,
            nn.Identity,
            _ones,
            r"f(x) = x",
            r"f'(x) = 1",
        ),
        _entry(
            "leaky_relu",
            lambda x, negative_slope: F.leaky_relu(x, negative_slope),
            lambda negative_slope: nn.LeakyReLU(negative_slope),
            lambda x, negative_slope: torch.where(x > 0, torch.ones_like(x), torch.full_like(x, negative_slope)),
            r"f(x) = \begin{cases} x & x > 0 \\ a\,x & x \le 0 \end{cases}",
            r"f'(x) = \begin{cases} 1 & x > 0 \\ a & x < 0 \end{cases}",
            params=[NEGATIVE_SLOPE],
        ),
        _entry(
            "prelu",
            _prelu,
            lambda init: nn.PReLU(num_parameters=1, init=init),
            lambda x, init: torch.where(x > 0, torch.ones_like(x), torch.full_like(x, init)),
            r"f(x) = \begin{cases} x & x > 0 \\ a\,x & x \le 0 \end{cases},\ a\ \text{learned}",
            r"\frac{\partial f}{\partial x} = \begin{cases} 1 & x > 0 \\ a & x < 0 \end{cases},\quad"
            r"\frac{\partial f}{\partial a} = \min(0, x)",
            params=[Param("init", 0.25, 0.0, 1.0, 0.01)],
        ),
        _entry(
            "rrelu",
            _rrelu,
            _rrelu_module,
            lambda x, lower, upper, training=False: torch.where(
                x >= 0, torch.ones_like(x), torch.full_like(x, (lower + upper) / 2)
            ),
            r"f(x) = \begin{cases} x & x \ge 0 \\ a\,x & x < 0 \end{cases},\ "
            r"a \sim U(l, u)\ \text{(train)},\ a = \tfrac{l+u}{2}\ \text{(eval)}",
            r"f'(x) = \begin{cases} 1 & x > 0 \\ \tfrac{l+u}{2} & x < 0 \end{cases}\ \text{(eval)}",
            params=[
                Param("lower", 1 / 8, 0.0, 1.0, 0.005),
                Param("upper", 1 / 3, 0.0, 1.0, 0.005),
                Param("training", False),
            ],
            autograd_exact=False,
            note="rrelu",
        ),
        _entry(
            "elu",
            lambda x, alpha: F.elu(x, alpha),
            lambda alpha: nn.ELU(alpha),
            lambda x, alpha: torch.where(x > 0, torch.ones_like(x), alpha * torch.exp(x)),
            r"f(x) = \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}",
            r"f'(x) = \begin{cases} 1 & x > 0 \\ \alpha\,e^{x} & x \le 0 \end{cases}",
            params=[ALPHA],
        ),
        _entry(
            "silu",
            F.silu,
            nn.SiLU,
            lambda x: torch.sigmoid(x) * (1 + x * (1 - torch.sigmoid(x))),
            r"\mathrm{SiLU}(x) = x\,\sigma(x)",
            r"f'(x) = \sigma(x)\,\bigl(1 + x\,(1 - \sigma(x))\bigr)",
        ),
        _entry(
            "softplus",
            lambda x, beta, threshold: F.softplus(x, beta, threshold),
            lambda beta, threshold: nn.Softplus(beta, threshold),
            _softplus_grad,
            r"f(x) = \frac{1}{\beta}\ln\bigl(1 + e^{\beta x}\bigr)"
            r"\quad(\text{$x$ itself where } \beta x > \text{threshold})",
            r"f'(x) = \sigma(\beta x)",
            params=[Param("beta", 1.0, 0.1, 10.0, 0.1), Param("threshold", 20.0, 1.0, 50.0, 1.0)],
        ),
        _entry(
            "gelu",
            lambda x: F.gelu(x),
            lambda: nn.GELU(),
            lambda x: _gelu_grad(x),
            r"\mathrm{GELU}(x) = x\,\Phi(x) = \frac{x}{2}\Bigl(1 + \mathrm{erf}\bigl(\tfrac{x}{\sqrt 2}\bigr)\Bigr)",
            r"f'(x) = \Phi(x) + x\,\varphi(x)",
        ),
        _entry(
            "gelu_tanh",
            lambda x: F.gelu(x, approximate="tanh"),
            lambda: nn.GELU(approximate="tanh"),
            lambda x: _gelu_tanh_grad(x),
            r"f(x) = \frac{x}{2}\Bigl(1 + \tanh\bigl(\sqrt{2/\pi}\,(x + 0.044715\,x^3)\bigr)\Bigr)",
            r"f'(x) = \tfrac12(1 + \tanh u) + \tfrac{x}{2}(1 - \tanh^2 u)\sqrt{2/\pi}\,(1 + 0.134145\,x^2)",
        ),
        _entry(
            "selu",
            F.selu,
            nn.SELU,
            lambda x: torch.where(x > 0, torch.full_like(x, SELU_SCALE), SELU_SCALE * SELU_ALPHA * torch.exp(x)),
            r"f(x) = \lambda \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases},"
            r"\ \lambda \approx 1.0507,\ \alpha \approx 1.6733",
            r"f'(x) = \lambda \begin{cases} 1 & x > 0 \\ \alpha\,e^{x} & x \le 0 \end{cases}",
        ),
        _entry(
            "celu",
            lambda x, alpha: F.celu(x, alpha),
            lambda alpha: nn.CELU(alpha),
            lambda x, alpha: torch.where(x > 0, torch.ones_like(x), torch.exp(x / alpha)),
            r"f(x) = \max(0, x) + \min\bigl(0,\ \alpha\,(e^{x/\alpha} - 1)\bigr)",
            r"f'(x) = \begin{cases} 1 & x > 0 \\ e^{x/\alpha} & x \le 0 \end{cases}",
            params=[ALPHA],
        ),
        _entry(
            "mish",
            F.mish,
            nn.Mish,
            _mish_grad,
            r"\mathrm{Mish}(x) = x\,\tanh\bigl(\mathrm{softplus}(x)\bigr)",
            r"f'(x) = \tanh(\mathrm{sp}(x)) + x\,\bigl(1 - \tanh^2(\mathrm{sp}(x))\bigr)\,\sigma(x)",
        ),
        _entry(
            "hardswish",
            F.hardswish,
            nn.Hardswish,
            lambda x: torch.where(
                x <= -3, torch.zeros_like(x), torch.where(x >= 3, torch.ones_like(x), (2 * x + 3) / 6)
            ),
            r"f(x) = x\,\frac{\mathrm{ReLU6}(x + 3)}{6}",
            r"f'(x) = \begin{cases} 0 & x < -3 \\ \frac{2x + 3}{6} & -3 < x < 3 \\ 1 & x > 3 \end{cases}",
        ),
        _entry(
            "hardsigmoid",
            F.hardsigmoid,
            nn.Hardsigmoid,
            lambda x: _between(x, -3.0, 3.0) / 6,
            r"f(x) = \frac{\mathrm{ReLU6}(x + 3)}{6} = \min\bigl(1, \max(0, \tfrac{x}{6} + \tfrac12)\bigr)",
            r"f'(x) = \begin{cases} \tfrac16 & -3 < x < 3 \\ 0 & \text{otherwise} \end{cases}",
        ),
        _entry(
            "hardtanh",
            lambda x, min_val, max_val: F.hardtanh(x, min_val, max_val),
            lambda min_val, max_val: nn.Hardtanh(min_val, max_val),
            lambda x, min_val, max_val: _between(x, min_val, max_val),
            r"f(x) = \min\bigl(\max(x, m_{\min}),\ m_{\max}\bigr)",
            r"f'(x) = \begin{cases} 1 & m_{\min} < x < m_{\max} \\ 0 & \text{otherwise} \end{cases}",
            params=[Param("min_val", -1.0, -5.0, 0.0, 0.1), Param("max_val", 1.0, 0.0, 5.0, 0.1)],
        ),
        _entry(
            "relu6",
            F.relu6,
            nn.ReLU6,
            lambda x: _between(x, 0.0, 6.0),
            r"f(x) = \min\bigl(\max(0, x),\ 6\bigr)",
            r"f'(x) = \begin{cases} 1 & 0 < x < 6 \\ 0 & \text{otherwise} \end{cases}",
        ),
        _entry(
            "softsign",
            F.softsign,
            nn.Softsign,
            lambda x: 1 / (1 + x.abs()) ** 2,
            r"f(x) = \frac{x}{1 + |x|}",
            r"f'(x) = \frac{1}{(1 + |x|)^2}",
        ),
        _entry(
            "logsigmoid",
            F.logsigmoid,
            nn.LogSigmoid,
            lambda x: torch.sigmoid(-x),
            r"f(x) = \ln \sigma(x) = -\ln\bigl(1 + e^{-x}\bigr)",
            r"f'(x) = 1 - \sigma(x) = \sigma(-x)",
        ),
        _entry(
            "tanhshrink",
            F.tanhshrink,
            nn.Tanhshrink,
            lambda x: torch.tanh(x) ** 2,
            r"f(x) = x - \tanh(x)",
            r"f'(x) = \tanh^2(x)",
        ),
    ],
)


def autograd_derivative(entry: Activation, x: Tensor, **params: Any) -> tuple[Tensor, Tensor]:
    """(f(x), f′(x)) of the plotted curve ``entry.scalar``, f′ by autograd.

    Every plotted curve is elementwise, so the gradient of Σ f(x_i) is f′(x_i).
    """
    x = x.detach().clone().requires_grad_(True)
    y = entry.scalar(x, **params)
    (dy,) = torch.autograd.grad(y.sum(), x)
    return y.detach(), dy.detach()


CURVE_POINTS = 801


def activation_curve(
    name: str, params: Mapping[str, Any] | None, low: float, high: float, points: int = CURVE_POINTS
) -> tuple[Tensor, Tensor, Tensor]:
    """(x, f(x), f′(x)) over [low, high], f′ by autograd; bad range or parameters → UserError."""
    entry = ACTIVATIONS.get(name)
    values = entry.values(params)
    low, high = check_range(low, high)
    x = torch.linspace(low, high, points, dtype=torch.float64)
    y, dy = autograd_derivative(entry, x, **values)
    return x, y, dy


# --- softmax with a temperature -------------------------------------------------------

TEMPERATURE = Param("temperature", 0.5, 0.05, 10.0, 0.05)
REFERENCE_TEMPERATURE = 1.0  # the plain softmax, drawn next to the chosen temperature
DEFAULT_LOGITS = "2, 1, 0.1"
MAX_LOGITS = 20
LOGIT_LIMIT = 1e4


def parse_logits(text: str) -> list[float]:
    """Numbers separated by commas or spaces (2 to MAX_LOGITS of them), else UserError."""
    parts = [p for p in text.replace("，", ",").replace(",", " ").split() if p]
    values = []
    for part in parts:
        try:
            value = float(part)
        except ValueError:
            raise UserError("activations.errors.logit_parse", f"{part!r} is not a number", value=part) from None
        if not math.isfinite(value) or abs(value) > LOGIT_LIMIT:
            raise UserError(
                "activations.errors.logit_value",
                f"logit {part} is not finite or too large",
                value=part,
                limit=LOGIT_LIMIT,
            )
        values.append(value)
    if not 2 <= len(values) <= MAX_LOGITS:
        raise UserError(
            "activations.errors.logit_count",
            f"need 2..{MAX_LOGITS} logits, got {len(values)}",
            n=len(values),
            max=MAX_LOGITS,
        )
    return values


def softmax_temperature(logits: list[float], temperature: float) -> Tensor:
    """softmax(z / T): T → 0 approaches argmax (one-hot), T → ∞ the uniform distribution."""
    t = TEMPERATURE.validate(temperature)
    z = torch.tensor(logits, dtype=torch.float64)  # (K,)
    return torch.softmax(z / t, dim=-1)


def compare_curves(names: list[str], low: float, high: float) -> dict[str, tuple[Tensor, Tensor, Tensor]]:
    """`activation_curve` (default parameters) for each name; nothing selected → UserError."""
    if not names:
        raise UserError("nothing_selected", "select at least one activation to compare")
    return {name: activation_curve(name, None, low, high) for name in names}
