"""core.activations: every entry against torch.nn.functional, its nn module, closed forms and autograd."""

import math

import pytest
import torch
import torch.nn.functional as F

from core.activation_properties import properties, relative_costs, table
from core.activations import (
    ACTIVATIONS,
    SELU_ALPHA,
    SELU_SCALE,
    activation_curve,
    autograd_derivative,
    parse_logits,
    softmax_temperature,
)
from core.errors import UserError

NAMES = ACTIVATIONS.names()
# float64 grid that avoids every kink (0, ±1, ±3, 6) exactly, where one-sided derivatives differ
X = torch.linspace(-7.3, 7.1, 997, dtype=torch.float64)


def _sig(x):
    return 1 / (1 + torch.exp(-x))


def _phi(x):  # standard normal CDF
    return 0.5 * (1 + torch.erf(x / math.sqrt(2)))


# f written from the textbook formulas with elementary ops only (independent of PyTorch's kernels)
REFERENCE = {
    "step": lambda x: (x >= 0).double(),
    "sigmoid": _sig,
    "tanh": lambda x: (torch.exp(x) - torch.exp(-x)) / (torch.exp(x) + torch.exp(-x)),
    "relu": lambda x: torch.clamp(x, min=0),
    "softmax": lambda x: torch.exp(x) / (torch.exp(x) + 1),  # the curve view: softmax((x, 0))[0]
    "identity": lambda x: x,
    "leaky_relu": lambda x: torch.where(x > 0, x, 0.01 * x),
    "prelu": lambda x: torch.where(x > 0, x, 0.25 * x),
    "rrelu": lambda x: torch.where(x >= 0, x, (1 / 8 + 1 / 3) / 2 * x),
    "elu": lambda x: torch.where(x > 0, x, torch.exp(x) - 1),
    "silu": lambda x: x * _sig(x),
    "softplus": lambda x: torch.log(1 + torch.exp(x)),
    "gelu": lambda x: x * _phi(x),
    "gelu_tanh": lambda x: 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))),
    "selu": lambda x: SELU_SCALE * torch.where(x > 0, x, SELU_ALPHA * (torch.exp(x) - 1)),
    "celu": lambda x: torch.clamp(x, min=0) + torch.clamp(torch.exp(x) - 1, max=0),
    "mish": lambda x: x * torch.tanh(torch.log(1 + torch.exp(x))),
    "hardswish": lambda x: x * torch.clamp(x + 3, 0, 6) / 6,
    "hardsigmoid": lambda x: torch.clamp(x + 3, 0, 6) / 6,
    "hardtanh": lambda x: torch.clamp(x, -1, 1),
    "relu6": lambda x: torch.clamp(x, 0, 6),
    "softsign": lambda x: x / (1 + x.abs()),
    "logsigmoid": lambda x: torch.log(_sig(x)),
    "tanhshrink": lambda x: x - torch.tanh(x),
}

# PyTorch's own functional form (default parameters)
FUNCTIONAL = {
    "sigmoid": F.sigmoid,
    "tanh": F.tanh,
    "relu": F.relu,
    "identity": lambda x: x,
    "leaky_relu": F.leaky_relu,
    "prelu": lambda x: F.prelu(x, torch.tensor([0.25], dtype=x.dtype)),
    "rrelu": lambda x: F.rrelu(x, training=False),
    "elu": F.elu,
    "silu": F.silu,
    "softplus": F.softplus,
    "gelu": F.gelu,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "selu": F.selu,
    "celu": F.celu,
    "mish": F.mish,
    "hardswish": F.hardswish,
    "hardsigmoid": F.hardsigmoid,
    "hardtanh": F.hardtanh,
    "relu6": F.relu6,
    "softsign": F.softsign,
    "logsigmoid": F.logsigmoid,
    "tanhshrink": F.tanhshrink,
}


def test_every_course_activation_is_registered():
    assert NAMES == [
        "step", "sigmoid", "tanh", "relu", "softmax", "identity", "leaky_relu", "prelu", "rrelu", "elu", "silu",
        "softplus", "gelu", "gelu_tanh", "selu", "celu", "mish", "hardswish", "hardsigmoid", "hardtanh", "relu6",
        "softsign", "logsigmoid", "tanhshrink",
    ]  # fmt: skip
    assert set(REFERENCE) == set(NAMES)
    assert set(FUNCTIONAL) == set(NAMES) - {"step", "softmax"}


@pytest.mark.parametrize("name", NAMES)
def test_function_matches_the_textbook_formula(name):
    entry = ACTIVATIONS.get(name)
    torch.testing.assert_close(entry.scalar(X), REFERENCE[name](X), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", sorted(FUNCTIONAL))
def test_function_matches_torch_functional(name):
    torch.testing.assert_close(ACTIVATIONS.get(name).fn(X), FUNCTIONAL[name](X))


def test_softmax_is_along_the_last_dim():
    z = torch.randn(4, 5, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(ACTIVATIONS.get("softmax").fn(z), F.softmax(z, dim=-1))


@pytest.mark.parametrize("name", NAMES)
def test_autograd_derivative_matches_the_closed_form(name):
    entry = ACTIVATIONS.get(name)
    y, dy = autograd_derivative(entry, X)
    torch.testing.assert_close(dy, entry.derivative(X), rtol=1e-6, atol=1e-7)
    torch.testing.assert_close(y, entry.scalar(X))


@pytest.mark.parametrize("name", [n for n in NAMES if n != "step"])
def test_closed_form_derivative_matches_finite_differences(name):
    """An independent check of the closed forms: central differences of the function."""
    entry = ACTIVATIONS.get(name)
    h = 1e-6
    numeric = (entry.scalar(X + h) - entry.scalar(X - h)) / (2 * h)
    torch.testing.assert_close(entry.derivative(X), numeric, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", NAMES)
def test_module_with_defaults_matches_fn(name):
    entry = ACTIVATIONS.get(name)
    module = entry.module(**entry.defaults()).double()
    x = torch.stack([X, X.flip(0)], dim=-1) if not entry.elementwise else X
    torch.testing.assert_close(module(x), entry.fn(x))


NON_DEFAULT = {
    "leaky_relu": {"negative_slope": 0.2},
    "prelu": {"init": 0.1},
    "rrelu": {"lower": 0.2, "upper": 0.4},
    "elu": {"alpha": 2.0},
    "celu": {"alpha": 0.5},
    "softplus": {"beta": 2.0, "threshold": 5.0},
    "hardtanh": {"min_val": -2.0, "max_val": 0.5},
}


@pytest.mark.parametrize("name", sorted(NON_DEFAULT))
def test_parameters_reach_function_module_and_derivative(name):
    entry = ACTIVATIONS.get(name)
    params = NON_DEFAULT[name]
    assert set(params) <= {p.name for p in entry.params}
    y = entry.fn(X, **params)
    assert not torch.allclose(y, entry.fn(X))
    torch.testing.assert_close(entry.module(**params).double()(X), y)
    _, dy = autograd_derivative(entry, X, **params)
    torch.testing.assert_close(dy, entry.derivative(X, **params), rtol=1e-6, atol=1e-7)


def test_autograd_caveats_are_flagged():
    flagged = {e.name for e in ACTIVATIONS if not e.autograd_exact}
    assert flagged == {"step", "rrelu"}
    for entry in ACTIVATIONS:
        assert entry.autograd_exact or entry.note
    _, dy = autograd_derivative(ACTIVATIONS.get("step"), X)
    assert torch.count_nonzero(dy) == 0  # autograd says 0 everywhere, also at the jump


def test_rrelu_training_draws_random_slopes_and_eval_uses_their_mean():
    entry = ACTIVATIONS.get("rrelu")
    x = -torch.ones(10_000, dtype=torch.float64)
    torch.manual_seed(0)
    slopes = -entry.fn(x, lower=0.1, upper=0.3, training=True)
    assert 0.1 <= float(slopes.min()) < float(slopes.max()) <= 0.3
    assert abs(float(slopes.mean()) - 0.2) < 0.01
    torch.testing.assert_close(entry.fn(x, lower=0.1, upper=0.3), torch.full_like(x, -0.2))
    assert entry.module(lower=0.1, upper=0.3, training=True).training
    assert not entry.module(lower=0.1, upper=0.3).training


@pytest.mark.parametrize(
    ("name", "params", "key"),
    [
        ("elu", {"alpha": float("nan")}, "param_not_finite"),
        ("leaky_relu", {"negative_slope": 1e9}, "param_range"),
        ("hardtanh", {"min_val": 0.0, "max_val": 0.0}, "activations.errors.hardtanh_range"),
        ("rrelu", {"lower": 0.5, "upper": 0.1}, "activations.errors.rrelu_range"),
        ("relu", {"alpha": 1.0}, "param_unknown"),
    ],
)
def test_bad_parameters_raise_user_errors(name, params, key):
    with pytest.raises(UserError) as info:
        ACTIVATIONS.get(name).fn(X, **params)
    assert info.value.key == key


def test_unknown_name_lists_the_choices():
    with pytest.raises(UserError, match="choose from: step, sigmoid"):
        ACTIVATIONS.get("swish2")


def test_curve_and_its_range_checks():
    x, y, dy = activation_curve("tanh", None, -2, 3, points=11)
    assert x[0] == -2 and x[-1] == 3 and len(y) == len(dy) == 11
    for low, high in [(1, 1), (2, -2), (float("nan"), 1), (-math.inf, 0)]:
        with pytest.raises(UserError) as info:
            activation_curve("tanh", None, low, high)
        assert info.value.key == "x_range"
    with pytest.raises(UserError) as info:
        activation_curve("tanh", None, -1e9, 1)
    assert info.value.key == "activations.errors.x_limit"


def test_softmax_temperature():
    z = [2.0, 1.0, 0.1]
    p = softmax_temperature(z, 1.0)
    torch.testing.assert_close(p, torch.softmax(torch.tensor(z, dtype=torch.float64), -1))
    assert float(softmax_temperature(z, 0.05)[0]) > 0.999  # cold: argmax
    assert float(softmax_temperature(z, 10.0).max() - softmax_temperature(z, 10.0).min()) < 0.1  # hot: ~uniform
    with pytest.raises(UserError):
        softmax_temperature(z, 0.0)


def test_parse_logits():
    assert parse_logits("2, 1，0.1  -3") == [2.0, 1.0, 0.1, -3.0]
    for text, key in [("1, x", "logit_parse"), ("1, nan", "logit_value"), ("1", "logit_count"), ("", "logit_count")]:
        with pytest.raises(UserError) as info:
            parse_logits(text)
        assert info.value.key == f"activations.errors.{key}"


def test_properties_are_computed_right_for_known_functions():
    p = {row.name: row for row in table()}
    assert (p["sigmoid"].low, p["sigmoid"].high) == pytest.approx((0, 1), abs=1e-6)
    assert p["sigmoid"].max_grad == pytest.approx(0.25)
    assert not p["sigmoid"].zero_centred and p["sigmoid"].saturating == "both"
    assert p["tanh"].zero_centred and p["tanh"].max_grad == pytest.approx(1.0)
    assert p["relu"].low == 0 and p["relu"].high == math.inf and p["relu"].saturating == "left"
    assert p["identity"].low == -math.inf and p["identity"].saturating == "none"
    assert p["logsigmoid"].saturating == "right"
    assert p["selu"].zero_centred and p["selu"].std == pytest.approx(1.0, abs=1e-3)  # self-normalising
    assert p["step"].max_grad == math.inf
    assert p["hardswish"].low == pytest.approx(-0.375)
    assert {n for n, row in p.items() if not row.monotonic} == {"silu", "gelu", "gelu_tanh", "mish", "hardswish"}


@pytest.mark.parametrize("name", NAMES)
def test_properties_are_consistent_with_the_function(name):
    entry = ACTIVATIONS.get(name)
    row = properties(entry)
    y = entry.scalar(X)
    assert row.low <= float(y.min()) + 1e-9 and float(y.max()) <= row.high + 1e-9
    assert row.max_grad >= float(entry.derivative(X).abs().max()) - 1e-9


def test_relative_costs_cover_every_activation():
    costs = relative_costs(size=1024, repeats=1)
    assert set(costs) == set(NAMES)
    assert costs["relu"] == 1.0
    assert all(math.isfinite(c) and c > 0 for c in costs.values())
