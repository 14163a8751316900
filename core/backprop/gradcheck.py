"""Numerical gradient check (course 002 §3.2): the central difference against autograd.

    ∂f/∂x ≈ (f(x + h) − f(x − h)) / 2h

Its error has two parts. Truncation: the Taylor terms the difference leaves out, ≈ |f‴| h²/6,
which falls as h shrinks. Rounding: f is stored with a relative error ε (float32: 2⁻²³ ≈
1.2e-7, float64: 2⁻⁵² ≈ 2.2e-16), so the numerator is off by about ε|f| and the quotient by
ε|f|/h, which grows as h shrinks. The sum is smallest near h ≈ ε^(1/3): about 5e-3 in
float32 and 6e-6 in float64, which is why the two precisions' curves bottom out at different h.
The reference is autograd in float64.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch

from core.backprop.expression import expression_graph, expression_latex
from core.errors import UserError
from core.expr import compile_expression
from core.registry import Entry, Param, Registry

FAMILY = "backprop.functions"
H = Param("h", 1e-4, 1e-15, 1.0, log=True)
CURVE_H = (-16.0, 0.0, 97)  # log10 h from, to, points (six a decade)
PRECISIONS = {"float32": torch.float32, "float64": torch.float64}
DEFAULT_EXPRESSION = "x^3 * y"


@dataclass(frozen=True)
class FunctionEntry(Entry):
    """A function of x and y to check; `expression` is ``""`` for the typed one."""

    expression: str = ""


def error_model(error: str, truncation: str, rounding: str) -> str:
    """LaTeX of the central difference's error against h, its words given (translated)."""
    return (rf"\text{{{error}}}(h) \approx \underbrace{{\frac{{|f'''|}}{{6}}h^2}}_{{\text{{{truncation}}}}}"
            rf" + \underbrace{{\frac{{\varepsilon\,|f|}}{{h}}}}_{{\text{{{rounding}}}}},\qquad h^\ast \approx \varepsilon^{{1/3}}")  # fmt: skip


def _point(x: float, y: float | None = None) -> tuple[Param, ...]:
    """The point's coordinates (only x for a function of x alone)."""
    px = Param("x", x, -10.0, 10.0, 0.1)
    return (px,) if y is None else (px, Param("y", y, -10.0, 10.0, 0.1))


FUNCTIONS: Registry[FunctionEntry] = Registry(
    FAMILY,
    [
        FunctionEntry("function_1", _point(5.0), r"f(x) = 0.01x^2 + 0.1x", "0.01*x^2 + 0.1*x"),
        FunctionEntry("function_2", _point(3.0, 4.0), r"f(x, y) = x^2 + y^2", "x^2 + y^2"),
        FunctionEntry("exp", _point(1.0), r"f(x) = e^{x}", "exp(x)"),
        FunctionEntry("sigmoid", _point(0.5), r"f(x) = \sigma(x) = \frac{1}{1 + e^{-x}}", "sigmoid(x)"),
        FunctionEntry("custom", _point(1.0, 2.0)),
    ],
)


def expression(name: str, text: str = DEFAULT_EXPRESSION) -> str:
    entry = FUNCTIONS.get(name)
    return entry.expression or text


def formula(name: str, text: str = DEFAULT_EXPRESSION) -> str:
    entry = FUNCTIONS.get(name)
    return entry.formula or f"f(x, y) = {expression_latex(text)}"


@dataclass(frozen=True)
class Check:
    """The gradient at one point: autograd (float64) and the central difference in each precision."""

    variables: tuple[str, ...]
    value: float
    autograd: dict[str, float]
    numerical: dict[str, dict[str, float]]  # precision -> variable -> estimate
    h: float

    def errors(self, precision: str) -> dict[str, float]:
        """|numerical − autograd| per variable."""
        return {v: abs(self.numerical[precision][v] - self.autograd[v]) for v in self.variables}

    def error(self, precision: str) -> float:
        """max over variables of |numerical − autograd|."""
        return max(self.errors(precision).values())


@dataclass(frozen=True)
class ErrorCurve:
    """max-over-variables error of the central difference for a range of h, per precision."""

    h: torch.Tensor  # (H,) float64
    errors: dict[str, torch.Tensor]  # precision -> (H,), NaN where not finite or exactly 0

    def best_h(self, precision: str) -> float:
        """The h with the smallest error."""
        errors = torch.nan_to_num(self.errors[precision], nan=math.inf)
        return float(self.h[int(errors.argmin())])


def _central(f, point: Mapping[str, float], variable: str, h: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """(f(p + h e_v) − f(p − h e_v)) / 2h for every h at once, computed in `dtype`."""
    h = h.to(dtype)
    x = torch.full_like(h, point.get("x", 0.0))
    y = torch.full_like(h, point.get("y", 0.0))
    if variable == "x":
        return (f(x + h, y) - f(x - h, y)) / (2 * h)
    return (f(x, y + h) - f(x, y - h)) / (2 * h)


def _autograd(text: str, point: Mapping[str, float]) -> tuple[tuple[str, ...], float, dict[str, float]]:
    variables = tuple(sorted(expression_graph(text).variables()))
    if not variables:
        raise UserError("backprop.errors.no_variable", "the formula depends on no variable")
    f = compile_expression(text)
    leaves = {v: torch.tensor(float(point.get(v, 0.0)), dtype=torch.float64, requires_grad=True) for v in ("x", "y")}
    out = f(leaves["x"], leaves["y"])
    value = float(out.detach())
    if not math.isfinite(value):
        raise UserError("backprop.errors.not_finite", f"f has no finite value ({value})", node="f", value=f"{value}")
    grads = torch.autograd.grad(out, [leaves[v] for v in variables])
    result = {v: float(g) for v, g in zip(variables, grads, strict=True)}
    for v, g in result.items():
        if not math.isfinite(g):
            raise UserError("backprop.errors.grad_not_finite", f"∂f/∂{v} is not finite", node=v)
    return variables, value, result


def _resolve(name: str, values: Mapping[str, Any]) -> dict[str, float]:
    return FUNCTIONS.get(name).resolve(values)


def check(name: str, values: Mapping[str, Any], h: Any, text: str = DEFAULT_EXPRESSION) -> Check:
    """Autograd and the central difference (float32, float64) at the point in `values`.

    Raises:
        UserError: h outside its range, a point outside its range, a formula the parser rejects,
            no finite value or gradient at the point, a difference that is not finite.
    """
    h = float(H.validate(h))
    point = _resolve(name, values)
    text = expression(name, text)
    variables, value, autograd = _autograd(text, point)
    f = compile_expression(text)
    hs = torch.tensor([h], dtype=torch.float64)
    numerical = {
        p: {v: float(_central(f, point, v, hs, dtype)[0]) for v in variables} for p, dtype in PRECISIONS.items()
    }
    if not all(math.isfinite(g) for row in numerical.values() for g in row.values()):
        raise UserError("backprop.errors.difference_not_finite", f"f(x ± {h}) is not finite", h=f"{h:g}")
    return Check(variables, value, autograd, numerical, h)


def error_curve(name: str, values: Mapping[str, Any], text: str = DEFAULT_EXPRESSION) -> ErrorCurve:
    """The central difference's error for h from 1e-16 to 1 (log-spaced), in float32 and float64."""
    point = _resolve(name, values)
    text = expression(name, text)
    variables, _, autograd = _autograd(text, point)
    f = compile_expression(text)
    low, high, n = CURVE_H
    hs = torch.logspace(low, high, int(n), dtype=torch.float64)
    errors = {}
    for p, dtype in PRECISIONS.items():
        worst = torch.zeros_like(hs)
        for v in variables:
            worst = torch.maximum(worst, (_central(f, point, v, hs, dtype).double() - autograd[v]).abs())
        errors[p] = torch.where(torch.isfinite(worst) & (worst > 0), worst, torch.nan)
    return ErrorCurve(hs, errors)
