"""Initializers: samples match each scheme's formula, gains match PyTorch, bad input is refused."""

import math
import re

import numpy as np
import pytest
import torch
from torch import nn

from core.errors import UserError
from core.initializers import (
    GAIN_NONLINEARITIES,
    INITIALIZERS,
    fans,
    gain,
    init_module_,
    nonlinearity_for,
    truncated_normal_moments,
    with_nonlinearity,
)

SHAPES = [(256, 512), (512, 256), (64, 32, 3, 3)]
EXPECTED_NAMES = [
    "torch_default", "constant", "zeros", "ones", "eye", "normal", "uniform", "xavier_uniform",
    "xavier_normal", "kaiming_uniform", "kaiming_normal", "orthogonal", "trunc_normal", "sparse",
]  # fmt: skip


def sample(name, shape, seed=0, **params):
    torch.manual_seed(seed)
    w = torch.empty(shape)
    INITIALIZERS[name].apply_(w, **params)
    return w


def test_registry_names_are_the_contract():
    assert INITIALIZERS.names() == EXPECTED_NAMES


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", EXPECTED_NAMES)
def test_empirical_mean_and_std_match_the_formula(name, shape):
    w = sample(name, shape)
    theory = INITIALIZERS[name].theory(shape)
    n = w.numel()
    # Sample std has a standard error of about σ/√(2n); 6 standard errors (+ a small
    # floor for the non-Gaussian schemes) is a tolerance a correct sampler never misses.
    assert float(w.std()) == pytest.approx(theory.std, rel=6 / math.sqrt(2 * n) + 0.01, abs=1e-7)
    assert float(w.mean()) == pytest.approx(theory.mean, abs=6 * theory.std / math.sqrt(n) + 1e-7)


@pytest.mark.parametrize("name", [n for n in EXPECTED_NAMES if INITIALIZERS[n].theory((256, 512)).kind == "uniform"])
def test_uniform_schemes_fill_their_bounds(name):
    w = sample(name, (256, 512))
    theory = INITIALIZERS[name].theory((256, 512))
    width = theory.high - theory.low
    assert float(w.min()) >= theory.low and float(w.max()) <= theory.high
    assert float(w.min()) < theory.low + 0.01 * width and float(w.max()) > theory.high - 0.01 * width


def test_known_values_of_the_formulas():
    fan_in, fan_out = 512, 256
    shape = (fan_out, fan_in)
    assert INITIALIZERS["torch_default"].theory(shape).high == pytest.approx(1 / math.sqrt(fan_in))
    assert INITIALIZERS["xavier_uniform"].theory(shape, gain=2.0).high == pytest.approx(2 * math.sqrt(6 / 768))
    assert INITIALIZERS["xavier_normal"].std(shape) == pytest.approx(math.sqrt(2 / 768))
    assert INITIALIZERS["kaiming_normal"].std(shape) == pytest.approx(math.sqrt(2 / fan_in))
    assert INITIALIZERS["kaiming_normal"].std(shape, mode="fan_out") == pytest.approx(math.sqrt(2 / fan_out))
    assert INITIALIZERS["kaiming_uniform"].theory(shape, nonlinearity="tanh").high == pytest.approx(
        5 / 3 * math.sqrt(3 / fan_in)
    )
    assert INITIALIZERS["uniform"].std(shape, a=-1.0, b=1.0) == pytest.approx(2 / math.sqrt(12))


def test_torch_default_is_what_nn_linear_does():
    torch.manual_seed(1)
    layer = nn.Linear(300, 200).requires_grad_(False)
    bound = INITIALIZERS["torch_default"].theory(layer.weight.shape).high
    assert float(layer.weight.abs().max()) <= bound
    assert float(layer.weight.std()) == pytest.approx(INITIALIZERS["torch_default"].std(layer.weight.shape), rel=0.03)


def test_sparse_zeroes_the_right_fraction_of_each_column():
    w = sample("sparse", (100, 40), sparsity=0.25, std=0.5)
    zeros_per_column = (w == 0).sum(0)
    assert torch.all(zeros_per_column == math.ceil(0.25 * 100))


def test_orthogonal_rows_are_orthonormal_times_gain():
    w = sample("orthogonal", (64, 128), gain=2.0)
    assert torch.allclose(w @ w.T, 4 * torch.eye(64), atol=1e-4)


def test_eye_and_dirac():
    assert torch.equal(sample("eye", (3, 4)), torch.eye(3, 4))
    conv = sample("eye", (4, 4, 3, 3))
    x = torch.randn(1, 4, 5, 5)
    assert torch.allclose(nn.functional.conv2d(x, conv, padding=1), x)


def test_truncated_normal_moments_against_samples():
    torch.manual_seed(0)
    w = torch.empty(400_000)
    nn.init.trunc_normal_(w, 0.3, 1.0, -0.5, 2.0)
    mean, std = truncated_normal_moments(0.3, 1.0, -0.5, 2.0)
    assert float(w.mean()) == pytest.approx(mean, abs=0.005)
    assert float(w.std()) == pytest.approx(std, rel=0.01)


@pytest.mark.parametrize("name", EXPECTED_NAMES)
def test_density_integrates_to_the_continuous_mass(name):
    theory = INITIALIZERS[name].theory((256, 512))
    if theory.kind == "none":
        assert sum(p for _, p in theory.atoms) == pytest.approx(1.0)
        return
    lo = theory.low if theory.low is not None else theory.loc - 10 * theory.scale
    hi = theory.high if theory.high is not None else theory.loc + 10 * theory.scale
    x = np.linspace(lo, hi, 20001)
    assert np.trapezoid(theory.pdf(x), x) == pytest.approx(theory.continuous_mass, rel=2e-3)


@pytest.mark.parametrize("shape", [(7, 5), (8, 3, 2, 2), (4, 6, 5)])
def test_fans_match_torch(shape):
    assert fans(shape) == nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


@pytest.mark.parametrize("nonlinearity", GAIN_NONLINEARITIES)
def test_gains_match_calculate_gain(nonlinearity):
    assert gain(nonlinearity) == pytest.approx(nn.init.calculate_gain(nonlinearity))
    assert gain("leaky_relu", 0.2) == pytest.approx(nn.init.calculate_gain("leaky_relu", 0.2))


@pytest.mark.parametrize("nonlinearity", GAIN_NONLINEARITIES)
def test_kaiming_and_xavier_use_the_torch_gain(nonlinearity):
    shape = (256, 512)
    g = nn.init.calculate_gain(nonlinearity, 0.0 if nonlinearity == "leaky_relu" else None)
    kaiming = INITIALIZERS["kaiming_normal"].std(shape, nonlinearity=nonlinearity)
    assert kaiming == pytest.approx(g / math.sqrt(512))
    g = nn.init.calculate_gain(nonlinearity)  # LeakyReLU: PyTorch's default slope 0.01
    params = with_nonlinearity("xavier_normal", {}, nonlinearity)
    assert INITIALIZERS["xavier_normal"].std(shape, **params) == pytest.approx(g * math.sqrt(2 / 768))
    torch.manual_seed(0)
    model = init_module_(nn.Sequential(nn.Linear(512, 256)), "xavier_normal", {}, nonlinearity).requires_grad_(False)
    assert float(model[0].weight.std()) == pytest.approx(g * math.sqrt(2 / 768), rel=0.02)


def test_activation_names_map_to_gains():
    assert nonlinearity_for("tanh") == ("tanh", True)
    assert nonlinearity_for("identity") == ("linear", True)
    assert nonlinearity_for("gelu") == ("relu", False)
    assert nonlinearity_for("softsign") == ("linear", False)
    params = with_nonlinearity("kaiming_normal", {}, "leaky_relu", 0.2)
    assert params == {"nonlinearity": "leaky_relu", "a": 0.2}


def test_init_module_zeroes_biases_and_covers_convs():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 4 * 4, 10)).requires_grad_(False)
    init_module_(model, "kaiming_normal", {"mode": "fan_in"})
    assert torch.all(model[0].bias == 0) and torch.all(model[3].bias == 0)
    assert float(model[0].weight.std()) == pytest.approx(math.sqrt(2 / 27), rel=0.15)


def test_init_module_torch_default_leaves_pytorch_init():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 10))
    before = [p.clone() for p in model.parameters()]
    init_module_(model, "torch_default", {})
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
    assert not torch.all(model[0].bias == 0)


@pytest.mark.parametrize(
    ("name", "params", "key"),
    [
        ("normal", {"std": 0.0}, "initializers.errors.std_positive"),
        ("normal", {"std": -1.0}, "initializers.errors.std_positive"),
        ("sparse", {"std": 0.0}, "initializers.errors.std_positive"),
        ("trunc_normal", {"std": 1e6}, "initializers.errors.std_positive"),
        ("uniform", {"a": 0.5, "b": 0.5}, "initializers.errors.bounds_order"),
        ("uniform", {"a": 1.0, "b": -1.0}, "initializers.errors.bounds_order"),
        ("trunc_normal", {"a": 1.0, "b": 0.0}, "initializers.errors.bounds_order"),
        ("trunc_normal", {"mean": 5.0, "std": 1.0, "a": -1.0, "b": 1.0}, "initializers.errors.trunc_far"),
        ("kaiming_normal", {"mode": "fan_both"}, "param_choice"),
        ("xavier_normal", {"gain": 50.0}, "param_range"),
        ("normal", {"sigma": 1.0}, "param_unknown"),
    ],
)
def test_bad_parameters_raise_user_errors(name, params, key):
    with pytest.raises(UserError) as info:
        INITIALIZERS[name].apply_(torch.empty(4, 4), **params)
    assert info.value.key == key


def test_unknown_initializer_and_bad_shapes():
    with pytest.raises(UserError, match="choose from"):
        init_module_(nn.Linear(2, 2), "he_magic", {})
    with pytest.raises(UserError):
        INITIALIZERS["eye"].apply_(torch.empty(5))
    with pytest.raises(UserError):
        gain("swish")


# Subscripts and operator names every course writes in Latin letters; anything else inside
# \text{…} is a word, and a word in a formula stays English in the 中文 UI.
FORMULA_NAMES = {"in", "out", "mode", "ReLU", "LeakyReLU", "Var"}


@pytest.mark.parametrize("name", EXPECTED_NAMES)
def test_formulas_hold_no_words(name):
    formula = INITIALIZERS[name].formula
    words = set(re.findall(r"\\(?:text|operatorname|mathrm)\{([^}]*)\}", formula))
    assert words <= FORMULA_NAMES, words - FORMULA_NAMES
