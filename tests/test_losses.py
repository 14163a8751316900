"""core.losses: every loss against torch.nn.functional, its module, closed-form gradients and autograd."""

import math

import pytest
import torch
import torch.nn.functional as F

from core.errors import UserError
from core.losses import LOSSES, TASKS, compare_curves, cross_entropy_view, for_task, hinge_loss, loss_curve

NAMES = LOSSES.names()
GEN = torch.Generator().manual_seed(0)
B, C = 16, 4


def _batch(name):
    """A valid (input, target) batch for the loss, built from a model's raw output via prepare()."""
    loss = LOSSES.get(name)
    if loss.task == "regression":
        output, labels = torch.randn(B, generator=GEN, dtype=torch.float64), torch.randn(B, generator=GEN)
    elif loss.task == "binary":
        output, labels = (
            torch.randn(B, generator=GEN, dtype=torch.float64) * 3,
            torch.randint(0, 2, (B,), generator=GEN),
        )
    else:
        output, labels = (
            torch.randn(B, C, generator=GEN, dtype=torch.float64) * 2,
            torch.randint(0, C, (B,), generator=GEN),
        )
    return loss.prepare(output, labels)


def _oracle(name, x, y, **p):
    """torch.nn.functional's answer (binary hinge via multi_margin_loss on scores (−s/2, s/2))."""
    if name == "mse":
        return F.mse_loss(x, y)
    if name == "mae":
        return F.l1_loss(x, y)
    if name == "smooth_l1":
        return F.smooth_l1_loss(x, y, beta=p.get("beta", 1.0))
    if name == "huber":
        return F.huber_loss(x, y, delta=p.get("delta", 1.0))
    if name == "bce":
        return F.binary_cross_entropy(x, y)
    if name == "bce_logits":
        return F.binary_cross_entropy_with_logits(x, y, pos_weight=torch.tensor(p.get("pos_weight", 1.0)).double())
    if name == "cross_entropy":
        return F.cross_entropy(x, y, label_smoothing=p.get("label_smoothing", 0.0))
    if name == "nll":
        return F.nll_loss(x, y)
    if name == "kl_div":
        return F.kl_div(x, y, reduction="batchmean")
    if name == "hinge":
        scores = torch.stack([-x / 2, x / 2], dim=-1)
        classes = ((y + 1) / 2).long()
        return 2 * F.multi_margin_loss(scores, classes, margin=p.get("margin", 1.0))
    raise KeyError(name)


PARAMS = {
    "smooth_l1": {"beta": 0.5},
    "huber": {"delta": 2.0},
    "bce_logits": {"pos_weight": 3.0},
    "cross_entropy": {"label_smoothing": 0.2},
    "hinge": {"margin": 0.5},
}


def test_every_course_loss_is_registered_with_a_task():
    assert NAMES == ["mse", "mae", "smooth_l1", "huber", "bce", "bce_logits", "cross_entropy", "nll", "kl_div", "hinge"]
    assert {loss.task for loss in LOSSES} == set(TASKS)
    assert for_task("regression") == ["mse", "mae", "smooth_l1", "huber"]
    assert for_task("binary") == ["bce", "bce_logits", "hinge"]
    assert for_task("multiclass") == ["cross_entropy", "nll", "kl_div"]


@pytest.mark.parametrize("name", NAMES)
def test_loss_matches_torch_functional(name):
    x, y = _batch(name)
    torch.testing.assert_close(LOSSES.get(name).fn(x, y), _oracle(name, x, y))
    if name in PARAMS:
        torch.testing.assert_close(LOSSES.get(name).fn(x, y, **PARAMS[name]), _oracle(name, x, y, **PARAMS[name]))


@pytest.mark.parametrize("name", NAMES)
def test_module_matches_fn(name):
    loss = LOSSES.get(name)
    x, y = _batch(name)
    torch.testing.assert_close(loss.module(**loss.defaults())(x, y), loss.fn(x, y))
    if name in PARAMS:
        module = loss.module(**PARAMS[name])
        torch.testing.assert_close(module(x, y), loss.fn(x, y, **PARAMS[name]))


@pytest.mark.parametrize("name", NAMES)
def test_prepare_lets_any_loss_of_a_task_train_a_model(name):
    loss = LOSSES.get(name)
    out_features = C if loss.task == "multiclass" else 1
    torch.manual_seed(0)
    model = torch.nn.Linear(3, out_features)
    features = torch.randn(B, 3)
    labels = torch.randint(0, C if loss.task == "multiclass" else 2, (B,))
    output = model(features)
    if out_features == 1:
        output = output.squeeze(1)
    value = loss.module()(*loss.prepare(output, labels))
    value.backward()
    assert value.dim() == 0 and math.isfinite(value.item())
    assert model.weight.grad is not None and model.weight.grad.abs().sum() > 0


def _closed_form_grad(name, x, t, **p):
    """dL/dx of the one-variable views, from the formulas shown on the page."""
    if name == "mse":
        return 2 * (x - t)
    if name == "mae":
        return torch.sign(x - t)
    if name == "smooth_l1":
        beta = p.get("beta", 1.0)
        r = x - t
        return torch.where(r.abs() < beta, r / beta, torch.sign(r))
    if name == "huber":
        delta = p.get("delta", 1.0)
        r = x - t
        return torch.where(r.abs() < delta, r, delta * torch.sign(r))
    if name == "bce":
        return (x - t) / (x * (1 - x))
    if name == "bce_logits":  # −[w·t·ln σ + (1 − t)·ln(1 − σ)]; with w = 1 it is σ(x) − t
        w = p.get("pos_weight", 1.0)
        return -w * t * (1 - torch.sigmoid(x)) + (1 - t) * torch.sigmoid(x)
    if name == "cross_entropy":  # logits (x, 0, 0), true class 0: softmax_0 − q_0, q_0 = 1 − ε + ε/3
        eps = p.get("label_smoothing", 0.0)
        return torch.softmax(torch.stack([x, torch.zeros_like(x), torch.zeros_like(x)], -1), -1)[:, 0] - (
            1 - eps + eps / 3
        )
    if name == "nll":  # L = −ln p
        return -1 / x
    if name == "kl_div":  # P = (t, (1−t)/2, (1−t)/2), Q = (x, (1−x)/2, (1−x)/2)
        return -t / x + (1 - t) / (1 - x)
    if name == "hinge":
        margin = p.get("margin", 1.0)
        return torch.where(t * x < margin, -t * torch.ones_like(x), torch.zeros_like(x))
    raise KeyError(name)


@pytest.mark.parametrize("name", NAMES)
def test_curve_gradient_matches_the_closed_form(name):
    loss = LOSSES.get(name)
    target = loss.target.default if loss.target else None
    low, high = loss.x_range
    curve = loss_curve(name, PARAMS.get(name), target, low, high, points=400)  # even count: no kink hit exactly
    expected = _closed_form_grad(name, curve.x, target, **PARAMS.get(name, {}))
    torch.testing.assert_close(curve.grad, expected, rtol=1e-6, atol=1e-8)
    assert torch.isfinite(curve.loss).all()


def test_curves_of_regression_losses_match_for_an_outlier():
    big = loss_curve("mse", None, 0.0, 9.0, 10.0, points=3)
    assert float(big.loss[-1]) == pytest.approx(100.0)
    assert float(loss_curve("mae", None, 0.0, 9.0, 10.0, points=3).loss[-1]) == pytest.approx(10.0)
    assert float(loss_curve("huber", None, 0.0, 9.0, 10.0, points=3).loss[-1]) == pytest.approx(9.5)


def test_compare_puts_one_task_on_one_axis():
    multi = compare_curves(["cross_entropy", "nll", "kl_div"], 0, -4, 4)
    # with a one-hot target, CE, NLL of log_softmax and KL are the same function of the logits
    torch.testing.assert_close(multi["cross_entropy"].loss, multi["nll"].loss)
    torch.testing.assert_close(multi["cross_entropy"].loss, multi["kl_div"].loss)
    binary = compare_curves(["bce", "bce_logits", "hinge"], 1, -4, 4)
    torch.testing.assert_close(binary["bce"].loss, binary["bce_logits"].loss)
    torch.testing.assert_close(binary["hinge"].loss, torch.clamp(1 - binary["hinge"].x, min=0))


@pytest.mark.parametrize(
    ("call", "key"),
    [
        (lambda: compare_curves([], 0, -1, 1), "nothing_selected"),
        (lambda: compare_curves(["mse", "bce"], 0, -1, 1), "losses.errors.mixed_tasks"),
        (lambda: compare_curves(["bce"], 0.5, -1, 1), "losses.errors.binary_label"),
        (lambda: loss_curve("mse", None, 0.0, 2, 2), "x_range"),
        (lambda: loss_curve("bce", None, 1.0, -0.5, 1), "losses.errors.probability_range"),
        (lambda: loss_curve("huber", {"delta": float("nan")}, 0.0, -1, 1), "param_not_finite"),
        (lambda: loss_curve("hinge", None, 0, -1, 1), "param_choice"),
        (lambda: cross_entropy_view([1.0, 2.0, 3.0], 3), "losses.errors.true_class"),
        (lambda: cross_entropy_view([1.0, 1e9, 3.0], 0), "param_range"),
    ],
)
def test_bad_input_raises_user_errors(call, key):
    with pytest.raises(UserError) as info:
        call()
    assert info.value.key == key


@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.5])
def test_cross_entropy_gradient_is_softmax_minus_target(smoothing):
    view = cross_entropy_view([2.0, 1.0, 0.1, -1.0], 1, smoothing)
    torch.testing.assert_close(view.grad_autograd, view.grad_formula)
    torch.testing.assert_close(view.probs.sum(), torch.tensor(1.0, dtype=torch.float64))
    assert float(view.grad_autograd.sum()) == pytest.approx(0.0, abs=1e-12)  # softmax and q both sum to 1
    z = torch.tensor([[2.0, 1.0, 0.1, -1.0]], dtype=torch.float64)
    assert view.loss == pytest.approx(float(F.cross_entropy(z, torch.tensor([1]), label_smoothing=smoothing)))


def test_hinge_is_the_svm_loss():
    s = torch.tensor([-2.0, 0.0, 0.5, 2.0])
    torch.testing.assert_close(hinge_loss(s, torch.ones(4), reduction="none"), torch.tensor([3.0, 1.0, 0.5, 0.0]))
