"""Gradient-flow lab: statistics agree with a direct autograd computation; verdicts on known cases."""

import numpy as np
import pytest
import torch
from torch import nn

from core.activations import ACTIVATIONS
from core.errors import UserError
from core.gradflow import (
    CLASSES,
    DEPTH_MAX,
    WIDTH_MAX,
    Blank,
    LabConfig,
    blanks,
    build,
    lab_activations,
    layer_histograms,
    layer_runs,
    layer_weights,
    make_input,
    rectifies,
    run_lab,
    saturates,
    verdict,
)
from core.initializers import INITIALIZERS


def direct(config: LabConfig):
    """The same pass written out by hand with torch.autograd.grad (the oracle)."""
    model = build(config)
    act = ACTIVATIONS[config.activation]
    generator = torch.Generator().manual_seed(config.seed)
    x = make_input(config.input, config.batch, config.width, generator)
    y = torch.randint(0, CLASSES, (config.batch,), generator=generator)
    h, outputs, pre = x, [], []
    for block in model.blocks:
        z = nn.functional.linear(h, block.linear.weight, block.linear.bias)
        if config.norm == "layernorm":
            z = nn.functional.layer_norm(z, (config.width,), block.norm.weight, block.norm.bias)
        a = act.fn(z, **dict(config.activation_params))
        h = h + a if config.residual else a
        outputs.append(h)
        pre.append(z)
    loss = nn.functional.cross_entropy(nn.functional.linear(h, model.head.weight, model.head.bias), y)
    grads = torch.autograd.grad(loss, [b.linear.weight for b in model.blocks])
    return loss.item(), [h.detach() for h in outputs], [z.detach() for z in pre], grads


@pytest.mark.parametrize(
    "settings",
    [
        {"initializer": "kaiming_normal", "activation": "relu", "depth": 6, "width": 32, "batch": 16},
        {"initializer": "xavier_uniform", "activation": "tanh", "depth": 5, "width": 24, "batch": 8,
         "norm": "layernorm", "residual": True, "input": "positive"},
        {"initializer": "normal", "init_params": {"std": 0.5}, "activation": "sigmoid", "depth": 4, "width": 16,
         "batch": 12, "input": "uniform"},
        {"initializer": "torch_default", "activation": "leaky_relu", "activation_params": {"negative_slope": 0.2},
         "depth": 3, "width": 8, "batch": 4},
    ],
)  # fmt: skip
def test_statistics_agree_with_direct_autograd(settings):
    config = LabConfig.make(**settings)
    result = run_lab(config, heatmaps=False)
    loss, outputs, pre, grads = direct(config)
    assert result.loss == pytest.approx(loss, rel=1e-5)
    np.testing.assert_allclose(result.act_mean, [float(h.mean()) for h in outputs], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(result.act_std, [float(h.std()) for h in outputs], rtol=1e-4)
    np.testing.assert_allclose(result.grad_std, [float(g.std()) for g in grads], rtol=1e-4)
    act = ACTIVATIONS[config.activation]
    if result.saturated is not None:
        z = torch.stack(pre).requires_grad_(True)
        (dz,) = torch.autograd.grad(act.fn(z, **dict(config.activation_params)).sum(), z)  # f′ by autograd
        peak = 0.25 if config.activation == "sigmoid" else 1.0
        np.testing.assert_allclose(result.saturated, (dz.abs() < 0.05 * peak).float().mean((1, 2)).numpy())
    if result.dead is not None:
        dead = [float((z <= 0).all(0).float().mean()) for z in pre]
        np.testing.assert_allclose(result.dead, dead)


def test_same_seed_same_result_and_input_independent_of_init():
    a = run_lab(LabConfig.make("kaiming_normal", depth=4, width=16, batch=8, seed=3), heatmaps=False)
    b = run_lab(LabConfig.make("kaiming_normal", depth=4, width=16, batch=8, seed=3), heatmaps=False)
    c = run_lab(LabConfig.make("xavier_normal", depth=4, width=16, batch=8, seed=3), heatmaps=False)
    np.testing.assert_array_equal(a.act_std, b.act_std)
    assert a.input_std == c.input_std  # compare mode: same input whatever the initializer
    assert not np.allclose(a.act_std, c.act_std)


# Known cases. Sigmoid's derivative is at most 1/4, so with N(0,1) weights on a narrow layer
# (fan_in · E[w²] · E[σ′²] < 1) the gradient shrinks at every layer on its way back.
@pytest.mark.parametrize("seed", [0, 1])
def test_verdict_sigmoid_standard_normal_deep_is_vanishing(seed):
    config = LabConfig.make("normal", {"std": 1.0}, "sigmoid", depth=50, width=32, batch=64, seed=seed)
    result = run_lab(config, heatmaps=False)
    assert result.verdict.kind == "vanishing"
    assert result.verdict.signal == "gradients"
    assert result.grad_std[0] < result.grad_std[-1] / 100


@pytest.mark.parametrize("init", ["kaiming_normal", "kaiming_uniform"])
def test_verdict_relu_kaiming_is_healthy(init):
    config = LabConfig.make(init, {"nonlinearity": "relu"}, "relu", depth=40, width=128, batch=64)
    result = run_lab(config, heatmaps=False)
    assert result.verdict.kind == "healthy", result.verdict


@pytest.mark.parametrize("std", [1.0, 3.0])
def test_verdict_large_normal_with_tanh_is_saturated(std):
    config = LabConfig.make("normal", {"std": std}, "tanh", depth=10, width=128, batch=64)
    result = run_lab(config, heatmaps=False)
    assert result.verdict.kind == "saturated"
    assert result.verdict.layer == 1
    assert result.saturated.min() > 0.5


def test_verdict_small_normal_vanishes_and_large_normal_explodes_with_relu():
    small = run_lab(LabConfig.make("normal", {"std": 0.01}, "relu", depth=20, width=128, batch=32), heatmaps=False)
    assert (small.verdict.kind, small.verdict.signal) == ("vanishing", "activations")
    large = run_lab(LabConfig.make("normal", {"std": 0.5}, "relu", depth=20, width=128, batch=32), heatmaps=False)
    assert (large.verdict.kind, large.verdict.signal) == ("exploding", "activations")
    # the layer is where the std first leaves [input/100, input·100]
    k = large.verdict.layer
    assert large.act_std[k - 1] > 100 * large.input_std >= large.act_std[k - 2]


def test_verdict_rules_on_synthetic_statistics():
    flat = np.ones(10)
    assert verdict(flat, flat, 1.0).kind == "healthy"
    v = verdict(flat, np.logspace(-5, 0, 10), 1.0)
    assert (v.kind, v.signal) == ("vanishing", "gradients")
    assert np.logspace(-5, 0, 10)[v.layer - 1] < 1e-2 <= np.logspace(-5, 0, 10)[v.layer]
    v = verdict(np.array([1, 1, np.inf, np.nan]), flat[:4], 1.0)
    assert (v.kind, v.signal, v.layer) == ("exploding", "activations", 3)
    v = verdict(flat, flat, 1.0, saturated=np.array([0.1, 0.6, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]))
    assert (v.kind, v.layer) == ("saturated", 2)
    v = verdict(flat, np.zeros(10), 1.0)
    assert v.kind == "vanishing" and v.signal == "gradients"
    v = verdict(flat, flat, 1.0, dead=np.full(10, 0.8))
    assert v.kind == "healthy" and v.findings[0].kind == "dead"


def test_activation_properties():
    assert saturates(ACTIVATIONS["tanh"], {}) and saturates(ACTIVATIONS["sigmoid"], {})
    assert not saturates(ACTIVATIONS["relu"], {}) and not saturates(ACTIVATIONS["gelu"], {})
    assert rectifies(ACTIVATIONS["relu"], {}) and not rectifies(ACTIVATIONS["leaky_relu"], {"negative_slope": 0.01})
    assert "softmax" not in lab_activations() and "relu" in lab_activations()


def test_heatmap_rows_are_shares_of_each_layer():
    torch.manual_seed(0)
    values = [torch.randn(50, 40) * s for s in (1.0, 1e-3, 1e3)]
    linear = layer_histograms(values, "linear", bins=20)
    assert linear.share.shape == (3, 20)
    np.testing.assert_allclose(linear.share.sum(1), 1.0)
    log = layer_histograms(values, "log", bins=30)
    peaks = log.centers[log.share.argmax(1)]
    assert peaks[1] < peaks[0] - 2 < peaks[2] - 4  # three layers, three orders of magnitude apart
    zeros = layer_histograms([torch.zeros(10), torch.ones(10)], "log", bins=5)
    assert zeros.share[0].sum() == 0 and zeros.share[1].sum() == 1


def test_weight_view_matches_the_scheme():
    config = LabConfig.make("xavier_uniform", {"gain": 1.0}, "tanh", depth=3, width=256, batch=4)
    result = run_lab(config, layer=2, heatmaps=False)
    view = result.weights
    expected = INITIALIZERS["xavier_uniform"].theory((256, 256), gain=1.0)
    assert view.std == pytest.approx(expected.std, rel=0.02)
    assert view.theory.high == pytest.approx(expected.high)
    width = view.edges[1] - view.edges[0]
    assert float((view.density * width).sum()) == pytest.approx(1.0)


def test_recommended_gain_uses_the_activation():
    config = LabConfig.make("xavier_normal", {}, "tanh", recommended_gain=True, depth=2, width=8, batch=4)
    assert config.init_values()["gain"] == pytest.approx(5 / 3)
    config = LabConfig.make("kaiming_normal", {}, "leaky_relu", {"negative_slope": 0.2}, recommended_gain=True,
                            depth=2, width=8, batch=4)  # fmt: skip
    assert config.init_values() == {"a": 0.2, "mode": "fan_in", "nonlinearity": "leaky_relu"}


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"depth": DEPTH_MAX + 1}, "initializers.errors.cap"),
        ({"depth": 0}, "initializers.errors.cap"),
        ({"width": WIDTH_MAX + 1}, "initializers.errors.cap"),
        ({"batch": 1}, "initializers.errors.cap"),
        ({"depth": 2.5}, "param_not_int"),
        ({"norm": "groupnorm"}, "param_choice"),
        ({"init_params": {"std": 0.0}}, "initializers.errors.std_positive"),
        ({"activation": "softmax"}, "initializers.errors.not_elementwise"),
        ({"activation": "swish"}, "unknown_name"),
    ],
)
def test_bad_settings_are_user_errors(settings, key):
    settings = {"initializer": "normal", **settings}
    with pytest.raises(UserError) as info:
        LabConfig.make(**settings)
    assert info.value.key == key


@pytest.mark.parametrize("name", INITIALIZERS.names())
def test_every_initializer_runs_in_the_lab_with_its_views(name):
    config = LabConfig.make(name, {}, "tanh", depth=3, width=32, batch=8)
    result = run_lab(config, layer=2)
    assert result.act_std.shape == result.grad_std.shape == (3,)
    assert set(result.heatmaps) == {f"{s}.{k}" for s in ("activations", "gradients") for k in ("linear", "log")}
    view = result.weights
    assert view.theory.std == pytest.approx(INITIALIZERS[name].std((32, 32)))
    assert np.isfinite(view.density).all() and np.isfinite(view.pdf).all()


def test_layer_runs_and_blanks():
    assert layer_runs(np.array([False, True, True, False, True])) == ((2, 3), (5, 5))
    assert layer_runs(np.zeros(3, bool)) == ()
    found = blanks(np.array([1.0, 0.5, 0.0, 0.0]), np.array([np.nan, 1.0, 1.0, np.inf]))
    assert found == (
        Blank("activations", "zero", ((3, 4),), False),
        Blank("gradients", "nonfinite", ((1, 1), (4, 4)), False),
    )
    assert blanks(np.ones(3), np.zeros(3)) == (Blank("gradients", "zero", ((1, 3),), True),)
    assert blanks(np.ones(3), np.ones(3)) == ()


def test_sparse_at_depth_50_kills_every_gradient_and_says_so():
    """The small σ = 0.01 shrinks the signal ~10× a layer: float32 underflows to exact zeros."""
    result = run_lab(LabConfig.make("sparse", {}, depth=50, width=64, batch=32), heatmaps=False)
    assert result.grad_ratio is None  # 0 / 0, not nan
    by_signal = {b.signal: b for b in result.blanks}
    assert by_signal["gradients"].every_layer and by_signal["gradients"].kind == "zero"
    first_zero = by_signal["activations"].runs[0][0]
    assert by_signal["activations"].runs == ((first_zero, 50),)
    assert np.all(result.act_std[first_zero - 1 :] == 0) and result.act_std[first_zero - 2] > 0


def test_grad_ratio_of_a_healthy_network():
    result = run_lab(LabConfig.make("kaiming_normal", {}, depth=4, width=32, batch=16), heatmaps=False)
    assert result.grad_ratio == pytest.approx(result.grad_std[0] / result.grad_std[-1])
    assert result.blanks == ()


@pytest.mark.parametrize("layer", [1, 3])
def test_layer_weights_are_the_weights_run_lab_measured(layer):
    config = LabConfig.make("kaiming_normal", {}, "relu", depth=3, width=64, batch=8, seed=5)
    expected = run_lab(config, layer=layer, heatmaps=False).weights
    view = layer_weights(config, layer)
    assert view.layer == layer and view.mean == expected.mean and view.std == expected.std
    np.testing.assert_array_equal(view.density, expected.density)
    np.testing.assert_array_equal(view.edges, expected.edges)
    with pytest.raises(UserError):
        layer_weights(config, 4)
