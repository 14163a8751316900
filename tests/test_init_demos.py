"""Symmetry demo and trainability runs: constant inits keep neurons identical; bad inits do not train."""

import numpy as np
import pytest
import torch

from core.errors import UserError
from core.init_demos import check_count, neuron_spread, rings, symmetry_demo, trainability


def test_rings_are_two_balanced_classes_at_two_radii():
    x, y = rings(200, seed=1)
    assert x.shape == (200, 2) and y.shape == (200, 1)
    radius = x.norm(dim=1)
    assert float(y.mean()) == 0.5
    assert float(radius[y[:, 0] == 0].mean()) == pytest.approx(1.0, abs=0.1)
    assert float(radius[y[:, 0] == 1].mean()) == pytest.approx(2.0, abs=0.1)


def test_neuron_spread():
    assert neuron_spread(torch.ones(4, 3)) == 0
    assert neuron_spread(torch.tensor([[0.0, 1.0], [0.5, -1.0]])) == 2.0


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_constant_init_keeps_neurons_identical_random_init_does_not(activation):
    const = symmetry_demo("constant", {"value": 0.3}, activation, steps=30)
    assert const.spread[0] == 0
    assert const.spread.max() < 1e-6  # float32 rounding at most; never a real difference
    assert abs(const.after - const.before).max() > 1e-3  # the weights did train
    rand = symmetry_demo("xavier_normal", {}, activation, steps=30)
    assert rand.spread[-1] > 0.1
    assert len(rand.loss) == 30 and len(rand.spread) == 31


def test_trainability_tells_a_bad_init_from_a_good_one():
    curves = trainability([("normal", {"std": 0.01}), ("kaiming_normal", {})], "relu", train_depth=6,
                          train_steps=150)  # fmt: skip
    small, he = curves
    assert small.loss[-1] > 0.6  # tiny weights in 6 ReLU layers: the signal never reaches the output
    assert he.loss[-1] < 0.3 and he.accuracy > 0.9
    first, again = (trainability([("kaiming_normal", {})], "relu", train_depth=3, train_steps=50) for _ in range(2))
    np.testing.assert_array_equal(first[0].loss, again[0].loss)


def test_trainability_bad_input():
    with pytest.raises(UserError):
        trainability([], "relu")
    with pytest.raises(UserError):
        trainability([("kaiming_normal", {})] * 5, "relu")
    with pytest.raises(UserError):
        trainability([("kaiming_normal", {})], "relu", train_lr=0.0)
    with pytest.raises(UserError):
        trainability([("kaiming_normal", {})], "relu", train_depth=50)


@pytest.mark.parametrize("count", [0, 1, 5])
def test_check_count_names_the_range_and_the_count(count):
    with pytest.raises(UserError) as info:
        check_count(count, 2, 4)
    assert info.value.key == "initializers.errors.compare_count"
    assert info.value.params == {"low": 2, "high": 4, "count": count}


def test_check_count_accepts_the_range():
    for count in (2, 3, 4):
        check_count(count, 2, 4)
