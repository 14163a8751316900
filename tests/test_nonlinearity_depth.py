"""core.nonlinearity (a linear stack is one line) and core.depth (derivative products)."""

import pytest
import torch

from core.activations import ACTIVATIONS
from core.depth import derivative_product, products, sigmoid_bound
from core.errors import UserError
from core.nonlinearity import collapse, fit_sine, stack


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny models: one intra-op thread is faster and steadier on a busy machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.parametrize("layers", [1, 2, 5])
def test_a_stack_without_activation_is_exactly_one_line(layers):
    torch.manual_seed(layers)
    model = stack(layers, 8, None)
    w, b = collapse(model)
    x = torch.linspace(-3, 3, 50).unsqueeze(1)
    torch.testing.assert_close(model(x).squeeze(1), w * x.squeeze(1) + b, rtol=1e-5, atol=1e-5)


def test_collapse_refuses_a_non_linear_stack():
    with pytest.raises(ValueError):
        collapse(stack(2, 4, "relu"))


def test_activation_lets_the_stack_fit_a_sine_and_without_it_cannot():
    linear = fit_sine(3, None, width=16, steps=150, lr=0.02)
    curved = fit_sine(3, "tanh", width=16, steps=150, lr=0.02)
    # the best line through sin on [−π, π] leaves MSE ≈ 0.19; tanh layers get far below
    assert linear.losses[-1] > 0.15
    assert curved.losses[-1] < 0.2 * linear.losses[-1]
    w, b = linear.line
    torch.testing.assert_close(linear.prediction, w * linear.x + b, rtol=1e-4, atol=1e-4)
    assert curved.line is None
    assert len(curved.losses) == 150


def test_fit_rejects_bad_settings():
    with pytest.raises(UserError):
        fit_sine(0, "relu")
    with pytest.raises(UserError):
        fit_sine(3, "nope")


def test_derivative_product_equals_the_product_of_closed_form_derivatives():
    sigmoid = ACTIVATIONS.get("sigmoid")
    a = torch.tensor([0.7], dtype=torch.float64)
    expected = []
    running = 1.0
    for _ in range(10):
        z = 1.5 * a
        running *= 1.5 * float(sigmoid.derivative(z))
        expected.append(running)
        a = torch.sigmoid(z)
    torch.testing.assert_close(derivative_product("sigmoid", 10, 0.7, 1.5), torch.tensor(expected, dtype=torch.float64))


def test_vanishing_and_constant_gradients():
    result = products(["sigmoid", "tanh", "relu"], 30)
    assert (result["sigmoid"] <= sigmoid_bound(30) + 1e-15).all()
    assert float(result["sigmoid"][-1]) < 1e-15
    assert (result["tanh"][1:] <= result["tanh"][:-1]).all() and float(result["tanh"][-1]) > float(
        result["sigmoid"][-1]
    )
    torch.testing.assert_close(result["relu"], torch.ones(30, dtype=torch.float64))
    assert torch.count_nonzero(derivative_product("relu", 5, x0=-1.0)) == 0  # a dead ReLU passes nothing
    assert float(derivative_product("relu", 10, 1.0, 2.0)[-1]) == pytest.approx(2.0**10)  # exploding


def test_depth_needs_a_selection_and_valid_settings():
    with pytest.raises(UserError) as info:
        products([], 10)
    assert info.value.key == "nothing_selected"
    with pytest.raises(UserError):
        derivative_product("tanh", 0)


def test_single_thread_nests_and_restores_the_thread_count():
    from core.threads import single_thread

    torch.set_num_threads(2)
    with single_thread():
        assert torch.get_num_threads() == 1
        with single_thread():
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == 2
