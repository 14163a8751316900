"""Weight initializers: a registry of every scheme in the course, each with its formula and theory.

Every entry fills a weight tensor in place through ``torch.nn.init`` (so what a learner sees
is exactly what PyTorch does) and knows the distribution it draws from for a given shape:
its mean and standard deviation, its bounds, its point masses. The page overlays that
theoretical density on a real weight histogram; the tests compare it with samples.

Fans follow PyTorch: for a weight of shape ``(out, in, *kernel)``,
``fan_in = in · prod(kernel)`` and ``fan_out = out · prod(kernel)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from core.errors import UserError
from core.registry import Entry, Param, Registry, Value

STD_MAX = 100.0  # larger stds only produce inf/NaN in the lab
VALUE_MAX = 10.0  # bound for constants, means and uniform/truncation limits
LEAKY_SLOPE = 0.01  # calculate_gain's (and nn.LeakyReLU's) default negative slope
GAIN_NONLINEARITIES = ("relu", "leaky_relu", "tanh", "sigmoid", "selu", "linear")

# Activations with a gain tabulated by torch.nn.init.calculate_gain (registry name → torch name).
_TABULATED = {"identity": "linear", "linear": "linear", "sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu",
              "leaky_relu": "leaky_relu", "selu": "selu"}  # fmt: skip
# ReLU-shaped activations: PyTorch tabulates no gain; He et al.'s √2 is the usual approximation.
_RELU_LIKE = ("elu", "celu", "gelu", "silu", "swish", "mish", "softplus", "relu6", "prelu", "rrelu", "hardswish")


def fans(shape: tuple[int, ...] | torch.Size) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of `shape` ``(out, in, *kernel)``, as PyTorch computes them."""
    shape = tuple(shape)
    if len(shape) < 2:
        raise UserError("initializers.errors.shape", f"a weight needs at least 2 dimensions, got {shape}", shape=shape)
    receptive = math.prod(shape[2:]) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain of a nonlinearity: ``torch.nn.init.calculate_gain``."""
    if nonlinearity not in GAIN_NONLINEARITIES:
        raise UserError(
            "unknown_name",
            f"Unknown nonlinearity {nonlinearity!r}; choose from: {', '.join(GAIN_NONLINEARITIES)}",
            family="nonlinearity",
            value=nonlinearity,
            choices=", ".join(GAIN_NONLINEARITIES),
        )
    if nonlinearity == "leaky_relu" and param is not None:
        param = float(param)
    return float(nn.init.calculate_gain(nonlinearity, param))


def nonlinearity_for(activation: str) -> tuple[str, bool]:
    """The calculate_gain name to use for an activation, and whether PyTorch tabulates it.

    sigmoid, tanh, relu, leaky_relu, selu and identity have their own gain; ReLU-shaped
    activations (ELU, GELU, SiLU, ...) borrow ReLU's √2, anything else gets 1 (linear).
    """
    if activation in _TABULATED:
        return _TABULATED[activation], True
    if activation in _RELU_LIKE:
        return "relu", False
    return "linear", False


@dataclass(frozen=True)
class Theory:
    """The distribution an initializer draws each weight element from.

    A mixture of a continuous part (``kind``: "normal", "uniform", "truncated_normal" or
    "none") with weight ``1 - sum(p for _, p in atoms)`` and point masses ``atoms``
    (value, probability). `mean` and `std` describe the whole mixture.
    """

    kind: str
    mean: float
    std: float
    low: float | None = None  # support of the continuous part
    high: float | None = None
    atoms: tuple[tuple[float, float], ...] = ()
    loc: float = 0.0  # location/scale of the continuous part (before truncation)
    scale: float = 0.0
    approximate: bool = False  # orthogonal: the element law is only approximately normal

    @property
    def continuous_mass(self) -> float:
        return 1.0 - sum(p for _, p in self.atoms)

    def pdf(self, x: np.ndarray) -> np.ndarray:
        """Density of the continuous part at `x` (already weighted by its mass)."""
        x = np.asarray(x, dtype=float)
        mass = self.continuous_mass
        if self.kind == "normal" and self.scale > 0:
            return mass * np.exp(-0.5 * ((x - self.loc) / self.scale) ** 2) / (self.scale * math.sqrt(2 * math.pi))
        if self.kind == "uniform" and self.high > self.low:
            return np.where((x >= self.low) & (x <= self.high), mass / (self.high - self.low), 0.0)
        if self.kind == "truncated_normal":
            z = _normal_mass(self.loc, self.scale, self.low, self.high)
            dens = np.exp(-0.5 * ((x - self.loc) / self.scale) ** 2) / (self.scale * math.sqrt(2 * math.pi) * z)
            return np.where((x >= self.low) & (x <= self.high), mass * dens, 0.0)
        return np.zeros_like(x)


def _phi(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def _cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def _normal_mass(mean: float, std: float, a: float, b: float) -> float:
    return _cdf((b - mean) / std) - _cdf((a - mean) / std)


def truncated_normal_moments(mean: float, std: float, a: float, b: float) -> tuple[float, float]:
    r"""Mean and std of N(mean, std²) truncated to [a, b].

    With :math:`\alpha=(a-\mu)/\sigma`, :math:`\beta=(b-\mu)/\sigma`, :math:`Z=\Phi(\beta)-\Phi(\alpha)`:
    :math:`E=\mu+\sigma\frac{\varphi(\alpha)-\varphi(\beta)}{Z}`,
    :math:`\mathrm{Var}=\sigma^2\left[1+\frac{\alpha\varphi(\alpha)-\beta\varphi(\beta)}{Z}-\left(\frac{\varphi(\alpha)-\varphi(\beta)}{Z}\right)^2\right]`.
    """
    alpha, beta = (a - mean) / std, (b - mean) / std
    z = _cdf(beta) - _cdf(alpha)
    shift = (_phi(alpha) - _phi(beta)) / z
    var = std**2 * (1 + (alpha * _phi(alpha) - beta * _phi(beta)) / z - shift**2)
    return mean + std * shift, math.sqrt(max(var, 0.0))


def _uniform(low: float, high: float) -> Theory:
    return Theory("uniform", (low + high) / 2, (high - low) / math.sqrt(12), low, high)


def _normal(mean: float, std: float, approximate: bool = False) -> Theory:
    return Theory("normal", mean, std, loc=mean, scale=std, approximate=approximate)


def _point(value: float) -> Theory:
    return Theory("none", value, 0.0, atoms=((value, 1.0),))


def _ordered(low_name: str, low: float, high_name: str, high: float) -> None:
    if not low < high:
        raise UserError(
            "initializers.errors.bounds_order",
            f"{low_name}={low} must be smaller than {high_name}={high}",
            low_name=low_name,
            low=low,
            high_name=high_name,
            high=high,
        )


@dataclass(frozen=True)
class Initializer(Entry):
    """One scheme: how it fills a weight, and the distribution it fills it from.

    Args:
        fill: ``fill(weight, **params)`` fills `weight` in place (a ``torch.nn.init`` call).
        law: ``law(shape, **params) -> Theory`` the element distribution for that shape.
        check: cross-parameter validation beyond each Param's own range (raises UserError).
        uses_gain: the scheme scales by a nonlinearity's gain (init_module_ can set it).
    """

    fill: Callable[..., Any] = field(default=lambda w: w, repr=False)
    law: Callable[..., Theory] = field(default=lambda shape: _point(0.0), repr=False)
    check: Callable[..., None] = field(default=lambda **p: None, repr=False)
    uses_gain: bool = False

    def resolve(self, values: Mapping[str, Any] | None = None) -> dict[str, Value]:
        params = super().resolve(values)
        self.check(**params)
        return params

    def apply_(self, weight: torch.Tensor, **params: Any) -> torch.Tensor:
        """Fill `weight` in place (no autograd) and return it; `params` are validated first."""
        params = self.resolve(params)
        fans(weight.shape)
        with torch.no_grad():
            self.fill(weight, **params)
        return weight

    def theory(self, shape: tuple[int, ...] | torch.Size, **params: Any) -> Theory:
        """The distribution of one element of a weight of `shape` under this scheme."""
        return self.law(tuple(shape), **self.resolve(params))

    def std(self, shape: tuple[int, ...] | torch.Size, **params: Any) -> float:
        """Theoretical standard deviation of the elements (used by the tests and the overlay)."""
        return self.theory(shape, **params).std


# ----------------------------------------------------------------------------------------- fills


def _fill_eye(w: torch.Tensor) -> None:
    if w.dim() == 2:
        nn.init.eye_(w)
    elif 3 <= w.dim() <= 5:
        nn.init.dirac_(w)
    else:
        raise UserError("initializers.errors.shape", f"eye needs a 2- to 5-D weight, got {tuple(w.shape)}",
                        shape=tuple(w.shape))  # fmt: skip


def _law_eye(shape: tuple[int, ...]) -> Theory:
    ones = min(shape[0], shape[1])  # eye_ / dirac_ put one 1 per (output, input) diagonal pair
    p = ones / math.prod(shape)
    return Theory("none", p, math.sqrt(p * (1 - p)), atoms=((0.0, 1 - p), (1.0, p)))


def _fill_sparse(w: torch.Tensor, sparsity: float, std: float) -> None:
    # torch.nn.init.sparse_ takes 2-D tensors; a conv kernel is filled through its (out, in·k) view.
    nn.init.sparse_(w if w.dim() == 2 else w.view(w.shape[0], -1), sparsity, std)


def _law_sparse(shape: tuple[int, ...], sparsity: float, std: float) -> Theory:
    rows = shape[0]
    zero = math.ceil(sparsity * rows) / rows  # sparse_ zeroes ceil(sparsity·rows) rows of each column
    return Theory("normal", 0.0, std * math.sqrt(1 - zero), atoms=((0.0, zero),), loc=0.0, scale=std)


def _law_orthogonal(shape: tuple[int, ...], gain: float) -> Theory:
    rows, cols = shape[0], math.prod(shape[1:])
    # Orthonormal rows (rows ≤ cols) or columns: Σ W² = min(rows, cols), spread over rows·cols elements.
    return _normal(0.0, gain / math.sqrt(max(rows, cols)), approximate=True)


def _kaiming_gain(a: float, nonlinearity: str) -> float:
    return gain(nonlinearity, a if nonlinearity == "leaky_relu" else None)


def _fan(shape: tuple[int, ...], mode: str) -> int:
    fan_in, fan_out = fans(shape)
    return fan_in if mode == "fan_in" else fan_out


def _check_trunc(mean: float, std: float, a: float, b: float) -> None:
    _ordered("a", a, "b", b)
    # PyTorch warns (and samples badly) when the mean is more than 2 std outside [a, b].
    if mean < a - 2 * std or mean > b + 2 * std:
        raise UserError(
            "initializers.errors.trunc_far",
            f"mean={mean} lies more than 2 std outside [{a}, {b}]",
            mean=mean,
            a=a,
            b=b,
        )


# ----------------------------------------------------------------------------------------- params

_GAIN = Param("gain", 1.0, 0.05, 5.0, 0.05)


def _std(default: float) -> Param:
    """σ of a normal law: in (0, STD_MAX], its message naming σ in the page's language."""
    return Param("std", default, 0.0, STD_MAX, step=0.01, log=True, low_open=True,
                 range_key="initializers.errors.std_positive")  # fmt: skip


_MEAN = Param("mean", 0.0, -VALUE_MAX, VALUE_MAX, 0.01)
_KAIMING = (
    Param("a", 0.0, 0.0, 1.0, 0.01),
    Param("mode", "fan_in", choices=("fan_in", "fan_out")),
    Param("nonlinearity", "relu", choices=GAIN_NONLINEARITIES),
)

_DEFAULT_BOUND = r"\frac{1}{\sqrt{n_\text{in}}}"

INITIALIZERS: Registry[Initializer] = Registry(
    "initializers",
    (
        Initializer(
            "torch_default",
            # nn.Linear/nn.Conv*.reset_parameters: kaiming_uniform_(a=√5) ⇒ bound = 1/√fan_in.
            formula=rf"W \sim \mathcal{{U}}\!\left(-{_DEFAULT_BOUND},\ {_DEFAULT_BOUND}\right),\quad "
            r"\sigma = \frac{1}{\sqrt{3\,n_\text{in}}}",
            fill=lambda w: nn.init.kaiming_uniform_(w, a=math.sqrt(5)),
            law=lambda s: _uniform(-1 / math.sqrt(fans(s)[0]), 1 / math.sqrt(fans(s)[0])),
        ),
        Initializer(
            "constant",
            (Param("value", 0.1, -VALUE_MAX, VALUE_MAX, 0.01),),
            r"W_{ij} = c,\quad \sigma = 0",
            fill=lambda w, value: nn.init.constant_(w, value),
            law=lambda s, value: _point(value),
        ),
        Initializer("zeros", formula=r"W_{ij} = 0", fill=nn.init.zeros_, law=lambda s: _point(0.0)),
        Initializer("ones", formula=r"W_{ij} = 1", fill=nn.init.ones_, law=lambda s: _point(1.0)),
        Initializer(
            "eye",
            formula=r"W_{ij} = \delta_{ij} = \begin{cases}1 & i=j\\ 0 & i\neq j\end{cases}",
            fill=_fill_eye,
            law=_law_eye,
        ),
        Initializer(
            "normal",
            (_MEAN, _std(0.01)),
            r"W_{ij} \sim \mathcal{N}(\mu,\ \sigma^2)",
            fill=lambda w, mean, std: nn.init.normal_(w, mean, std),
            law=lambda s, mean, std: _normal(mean, std),
        ),
        Initializer(
            "uniform",
            (Param("a", -0.05, -VALUE_MAX, VALUE_MAX, 0.01), Param("b", 0.05, -VALUE_MAX, VALUE_MAX, 0.01)),
            r"W_{ij} \sim \mathcal{U}(a,\ b),\quad \sigma = \frac{b-a}{\sqrt{12}}",
            fill=lambda w, a, b: nn.init.uniform_(w, a, b),
            law=lambda s, a, b: _uniform(a, b),
            check=lambda a, b: _ordered("a", a, "b", b),
        ),
        Initializer(
            "xavier_uniform",
            (_GAIN,),
            r"W \sim \mathcal{U}(-r,\ r),\quad r = g\sqrt{\frac{6}{n_\text{in}+n_\text{out}}},\quad "
            r"\sigma = g\sqrt{\frac{2}{n_\text{in}+n_\text{out}}}",
            fill=lambda w, gain: nn.init.xavier_uniform_(w, gain),
            law=lambda s, gain: _uniform(-(r := gain * math.sqrt(6 / sum(fans(s)))), r),
            uses_gain=True,
        ),
        Initializer(
            "xavier_normal",
            (_GAIN,),
            r"W \sim \mathcal{N}(0,\ \sigma^2),\quad \sigma = g\sqrt{\frac{2}{n_\text{in}+n_\text{out}}}",
            fill=lambda w, gain: nn.init.xavier_normal_(w, gain),
            law=lambda s, gain: _normal(0.0, gain * math.sqrt(2 / sum(fans(s)))),
            uses_gain=True,
        ),
        Initializer(
            "kaiming_uniform",
            _KAIMING,
            r"W \sim \mathcal{U}(-r,\ r),\quad r = g\sqrt{\frac{3}{n_\text{mode}}},\quad "
            r"\sigma = \frac{g}{\sqrt{n_\text{mode}}},\quad g_\text{ReLU} = \sqrt{2},\ "
            r"g_\text{LeakyReLU} = \sqrt{\frac{2}{1+a^2}}",
            fill=lambda w, a, mode, nonlinearity: nn.init.kaiming_uniform_(w, a, mode, nonlinearity),
            law=lambda s, a, mode, nonlinearity: _uniform(
                -(r := _kaiming_gain(a, nonlinearity) * math.sqrt(3 / _fan(s, mode))), r
            ),
            uses_gain=True,
        ),
        Initializer(
            "kaiming_normal",
            _KAIMING,
            r"W \sim \mathcal{N}(0,\ \sigma^2),\quad \sigma = \frac{g}{\sqrt{n_\text{mode}}},\quad "
            r"g_\text{ReLU} = \sqrt{2},\ g_\text{LeakyReLU} = \sqrt{\frac{2}{1+a^2}}",
            fill=lambda w, a, mode, nonlinearity: nn.init.kaiming_normal_(w, a, mode, nonlinearity),
            law=lambda s, a, mode, nonlinearity: _normal(
                0.0, _kaiming_gain(a, nonlinearity) / math.sqrt(_fan(s, mode))
            ),
            uses_gain=True,
        ),
        Initializer(
            "orthogonal",
            (_GAIN,),
            # Words stay out of formulas (they would be English in the 中文 UI): the case split says "or".
            r"W = g\,Q,\quad \begin{cases}Q^\top Q = I, & n_\text{out} \ge n_\text{in}\\ "
            r"QQ^\top = I, & n_\text{out} < n_\text{in}\end{cases},\quad "
            r"\sigma \approx \frac{g}{\sqrt{\max(n_\text{in},\ n_\text{out})}}",
            fill=lambda w, gain: nn.init.orthogonal_(w, gain),
            law=_law_orthogonal,
            uses_gain=True,
        ),
        Initializer(
            "trunc_normal",
            (
                Param("mean", 0.0, -VALUE_MAX, VALUE_MAX, 0.01),
                _std(0.02),
                Param("a", -0.04, -VALUE_MAX, VALUE_MAX, 0.01),
                Param("b", 0.04, -VALUE_MAX, VALUE_MAX, 0.01),
            ),  # fmt: skip
            r"W \sim \mathcal{N}(\mu,\ \sigma^2)\ \big|\ a \le W \le b,\quad "
            r"\operatorname{Var} = \sigma^2\!\left[1+\frac{\alpha\varphi(\alpha)-\beta\varphi(\beta)}{Z}"
            r"-\left(\frac{\varphi(\alpha)-\varphi(\beta)}{Z}\right)^{\!2}\right]",
            fill=lambda w, mean, std, a, b: nn.init.trunc_normal_(w, mean, std, a, b),
            law=lambda s, mean, std, a, b: Theory(
                "truncated_normal", *truncated_normal_moments(mean, std, a, b), a, b, loc=mean, scale=std
            ),
            check=_check_trunc,
        ),
        Initializer(
            "sparse",
            (Param("sparsity", 0.1, 0.0, 0.95, 0.05), _std(0.01)),
            # Z_j, the zeroed rows of column j, is named in the translated description.
            r"W_{ij} = \begin{cases}0, & i \in Z_j\\ \varepsilon_{ij} \sim \mathcal{N}(0,\ \sigma^2), & i \notin Z_j"
            r"\end{cases},\quad |Z_j| = \lceil s\,n_\text{out}\rceil",
            fill=_fill_sparse,
            law=_law_sparse,
        ),
    ),
)

# Parameters a scheme's gain comes from when init_module_ is told the network's nonlinearity.
_GAIN_PARAMS = {"xavier_uniform", "xavier_normal", "orthogonal"}
_NONLINEARITY_PARAMS = {"kaiming_uniform", "kaiming_normal"}


def with_nonlinearity(name: str, params: Mapping[str, Any], nonlinearity: str, param: float | None = None) -> dict:
    """`params` with the gain (Xavier, orthogonal) or nonlinearity (Kaiming) set for `nonlinearity`.

    `nonlinearity` is a calculate_gain name or an activation name (mapped by `nonlinearity_for`);
    `param` is LeakyReLU's negative slope.
    """
    params = dict(params)
    torch_name = nonlinearity if nonlinearity in GAIN_NONLINEARITIES else nonlinearity_for(nonlinearity)[0]
    if torch_name == "leaky_relu" and param is None:
        param = LEAKY_SLOPE
    if name in _GAIN_PARAMS:
        params["gain"] = gain(torch_name, param)
    elif name in _NONLINEARITY_PARAMS:
        params["nonlinearity"] = torch_name
        params["a"] = float(param) if torch_name == "leaky_relu" else 0.0
    return params


def init_module_(
    module: nn.Module,
    name: str,
    params: Mapping[str, Any] | None = None,
    nonlinearity: str | None = None,
    nonlinearity_param: float | None = None,
) -> nn.Module:
    """Initialize every Linear/Conv weight of `module` with scheme `name`; biases to zero.

    ``torch_default`` leaves PyTorch's own initialization (weights and biases) untouched.
    With `nonlinearity` (a calculate_gain or activation name), schemes that use a gain take
    it from ``torch.nn.init.calculate_gain`` (see `with_nonlinearity`), overriding `params`.
    Raises UserError for an unknown name or bad parameters.
    """
    entry = INITIALIZERS.get(name)
    params = dict(params or {})
    if nonlinearity is not None:
        params = with_nonlinearity(name, params, nonlinearity, nonlinearity_param)
    params = entry.resolve(params)
    if name == "torch_default":
        return module
    for layer in module.modules():
        if isinstance(layer, nn.Linear | nn.modules.conv._ConvNd):
            entry.apply_(layer.weight, **params)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)
    return module
