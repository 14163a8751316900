"""core.linear: data, exhaustive search, gradient descent and logistic regression, with torch as the oracle."""

import math
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.errors import UserError
from core.linear import logistic as lg
from core.linear import regression as rg
from core.linear.data import LOGISTIC_DATA, NOISE_MAX, REGRESSION_DATA, Points
from tests.conftest import ROOT

COURSE = REGRESSION_DATA.get("course").load(0)
NOISY = REGRESSION_DATA.get("noisy").load(3, n_points=25, noise=0.7, true_w=1.5, true_b=-0.5)


def _t(a) -> torch.Tensor:
    return torch.as_tensor(np.asarray(a, dtype=float), dtype=torch.float64)


def test_core_linear_does_not_import_streamlit():
    code = (
        "import sys, core.linear.data, core.linear.regression, core.linear.logistic; print('streamlit' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ----------------------------------------------------------------------------- data


def test_course_data_is_the_lectures():
    assert COURSE.x.tolist() == [1.0, 2.0, 3.0] and COURSE.y.tolist() == [2.0, 4.0, 6.0]
    hours = LOGISTIC_DATA.get("hours").load(0)
    assert hours.x.tolist() == [1.0, 2.0, 3.0] and hours.y.tolist() == [0.0, 0.0, 1.0]


@pytest.mark.parametrize("registry", [REGRESSION_DATA, LOGISTIC_DATA], ids=lambda r: r.family)
def test_every_data_set_loads_deterministically(registry):
    for entry in registry:
        a, b = entry.load(7), entry.load(7)
        assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
        assert a.dim == (2 if entry.is_2d else 1)
        assert np.isfinite(a.x).all() and np.isfinite(a.y).all()
        if entry.params:
            assert not np.array_equal(entry.load(8).x, a.x)  # another seed, other points


def test_noiseless_line_is_exact():
    p = REGRESSION_DATA.get("noisy").load(0, noise=0.0, true_w=2.5, true_b=-1.0, n_points=30)
    assert np.allclose(p.y, 2.5 * p.x - 1.0)
    assert ((p.x >= 0) & (p.x <= 4)).all() and p.n == 30


@pytest.mark.parametrize("value", [-0.1, NOISE_MAX + 0.01, float("nan"), float("inf"), "abc"])
def test_noise_out_of_range_is_refused(value):
    with pytest.raises(UserError) as err:
        REGRESSION_DATA.get("noisy").load(0, noise=value)
    assert err.value.key == "linear.errors.noise_range"
    with pytest.raises(UserError) as err:
        LOGISTIC_DATA.get("blobs").load(0, spread=value)
    assert err.value.key == "linear.errors.spread_range"


def test_other_bad_data_parameters_are_refused():
    with pytest.raises(UserError, match="n_points"):
        REGRESSION_DATA.get("noisy").load(0, n_points=1)
    with pytest.raises(UserError) as err:
        REGRESSION_DATA.get("nope")
    assert err.value.key == "unknown_name"


# ----------------------------------------------------------------------------- the MSE and its search


@pytest.mark.parametrize("w,b", [(0.0, 0.0), (1.0, 0.0), (2.0, 0.0), (-1.3, 2.2), (3.7, -0.4)])
def test_mse_and_gradient_match_torch(w, b):
    for points in (COURSE, NOISY):
        tw = torch.tensor(w, dtype=torch.float64, requires_grad=True)
        tb = torch.tensor(b, dtype=torch.float64, requires_grad=True)
        loss = F.mse_loss(tw * _t(points.x) + tb, _t(points.y))
        loss.backward()
        assert rg.mse(points, w, b) == pytest.approx(loss.item(), rel=1e-12, abs=1e-12)
        gw, gb = rg.gradient(points, w, b)
        assert gw == pytest.approx(tw.grad.item(), rel=1e-12, abs=1e-12)
        assert gb == pytest.approx(tb.grad.item(), rel=1e-12, abs=1e-12)


def test_gradient_of_a_batch_matches_torch():
    index = np.array([4, 0, 11])
    tw = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(-0.2, dtype=torch.float64, requires_grad=True)
    F.mse_loss(tw * _t(NOISY.x[index]) + tb, _t(NOISY.y[index])).backward()
    assert rg.gradient(NOISY, 0.3, -0.2, index) == pytest.approx((tw.grad.item(), tb.grad.item()), rel=1e-12)


def test_course_gradient_at_w_1():
    assert rg.gradient(COURSE, 1.0)[0] == pytest.approx(-28 / 3)  # mean of 2x(x − 2x) = −2·(1+4+9)/3


def test_mse_grid_matches_direct_computation():
    ws, bs = np.linspace(-2, 5, 23), np.linspace(-3, 3, 17)
    grid = rg.mse_grid(NOISY, ws, bs)
    W, B = torch.meshgrid(_t(ws), _t(bs), indexing="xy")  # (J, K)
    direct = ((W[..., None] * _t(NOISY.x) + B[..., None] - _t(NOISY.y)) ** 2).mean(-1)
    assert grid.shape == (17, 23)
    assert np.allclose(grid, direct.numpy(), rtol=1e-10, atol=1e-10)


def test_search_w_is_the_course_loop():
    curve = rg.search_w(COURSE, 0.0, 4.0, 0.1)  # for w in np.arange(0.0, 4.1, 0.1)
    assert len(curve.ws) == 41
    assert np.allclose(curve.ws, np.arange(0.0, 4.1, 0.1))
    direct = [rg.mse(COURSE, w) for w in curve.ws]
    assert np.allclose(curve.losses, direct, atol=1e-12)
    assert curve.best_w == pytest.approx(2.0) and curve.best_loss == pytest.approx(0.0, abs=1e-12)
    assert curve.exact_w == pytest.approx(2.0)
    assert curve.losses[10] == pytest.approx(14 / 3)  # w = 1: errors 1, 4, 9


def test_search_wb_finds_the_least_squares_cell():
    surface = rg.search_wb(NOISY, (0.0, 3.0, 0.05), (-2.0, 1.0, 0.05))
    assert surface.losses.shape == (len(surface.bs), len(surface.ws))
    design = torch.stack([_t(NOISY.x), torch.ones(NOISY.n, dtype=torch.float64)], 1)
    exact = torch.linalg.lstsq(design, _t(NOISY.y)[:, None]).solution[:, 0].numpy()
    assert np.allclose(surface.exact, exact, atol=1e-10)
    assert abs(surface.best_w - exact[0]) <= 0.05 and abs(surface.best_b - exact[1]) <= 0.05
    assert surface.best_loss == pytest.approx(rg.mse(NOISY, surface.best_w, surface.best_b))


@pytest.mark.parametrize(
    "args,key",
    [
        ((4.0, 0.0, 0.1), "linear.errors.grid_range"),
        ((0.0, float("inf"), 0.1), "linear.errors.grid_range"),
        ((0.0, 1e5, 10.0), "linear.errors.grid_range"),
        (("a", 1.0, 0.1), "linear.errors.grid_range"),
        ((0.0, 4.0, 0.0), "linear.errors.grid_step"),
        ((0.0, 4.0, -0.1), "linear.errors.grid_step"),
        ((0.0, 4.0, 1e-6), "linear.errors.grid_points"),
    ],
)
def test_bad_search_grids_are_refused(args, key):
    with pytest.raises(UserError) as err:
        rg.search_w(COURSE, *args)
    assert err.value.key == key


def test_residuals_are_the_course_printout():
    r = rg.residuals(COURSE, 1.0)
    assert r["y_hat"].tolist() == [1.0, 2.0, 3.0] and r["sq_err"].tolist() == [1.0, 4.0, 9.0]


# ----------------------------------------------------------------------------- gradient descent


@pytest.mark.parametrize("model", ["w", "wb"])
def test_hessian_and_critical_lr_match_autograd(model):
    def loss(theta):
        b = theta[1] if model == "wb" else 0.0
        return F.mse_loss(theta[0] * _t(NOISY.x) + b, _t(NOISY.y))

    theta = torch.tensor([0.5, 0.1][: 2 if model == "wb" else 1], dtype=torch.float64)
    h = torch.autograd.functional.hessian(loss, theta).numpy()
    assert np.allclose(rg.hessian(NOISY, model), h, rtol=1e-12)
    assert rg.critical_lr(NOISY, model) == pytest.approx(2 / np.linalg.eigvalsh(h).max())


def _torch_sgd(points, model, lr, epochs, start, batches):
    """The oracle: torch.optim.SGD on F.mse_loss over the given batches of indices per epoch."""
    w = torch.tensor(float(start[0]), dtype=torch.float64, requires_grad=True)
    b = torch.tensor(float(start[1]) if model == "wb" else 0.0, dtype=torch.float64, requires_grad=model == "wb")
    params = [w, b] if model == "wb" else [w]
    opt = torch.optim.SGD(params, lr=lr)
    path = [[p.item() for p in params]]
    for epoch in range(epochs):
        for index in batches(epoch):
            opt.zero_grad()
            F.mse_loss(w * _t(points.x[index]) + b, _t(points.y[index])).backward()
            opt.step()
            path.append([p.item() for p in params])
    return np.array(path)


@pytest.mark.parametrize("model", ["w", "wb"])
def test_batch_descent_matches_torch_sgd(model):
    run = rg.descend(NOISY, model, 0.03, 60, start=(1.0, 0.5))
    oracle = _torch_sgd(NOISY, model, 0.03, 60, (1.0, 0.5), lambda e: [np.arange(NOISY.n)])
    assert run.steps == 60 and run.updates_per_epoch == 1
    assert np.allclose(run.thetas, oracle, rtol=1e-10, atol=1e-12)
    direct = [rg.mse(NOISY, *th) if model == "wb" else rg.mse(NOISY, th[0]) for th in run.thetas]
    assert np.allclose(run.losses, direct, rtol=1e-12)


def test_stochastic_descent_in_order_matches_torch_sgd():
    run = rg.descend(NOISY, "wb", 0.02, 3, mode="stochastic", shuffle=False)
    oracle = _torch_sgd(NOISY, "wb", 0.02, 3, (1.0, 0.0), lambda e: [np.array([i]) for i in range(NOISY.n)])
    assert run.steps == 3 * NOISY.n and run.updates_per_epoch == NOISY.n
    assert np.allclose(run.thetas, oracle, rtol=1e-10, atol=1e-12)


def test_shuffled_minibatch_descent_matches_torch_sgd():
    seed, size = 5, 7
    rng = np.random.default_rng(seed)
    orders = [rng.permutation(NOISY.n) for _ in range(4)]
    run = rg.descend(NOISY, "wb", 0.05, 4, mode="minibatch", batch_size=size, seed=seed)
    oracle = _torch_sgd(
        NOISY, "wb", 0.05, 4, (1.0, 0.0), lambda e: [orders[e][i : i + size] for i in range(0, NOISY.n, size)]
    )
    assert run.updates_per_epoch == math.ceil(NOISY.n / size)
    assert np.allclose(run.thetas, oracle, rtol=1e-10, atol=1e-12)
    assert len(run.epoch_losses()) == 5


def test_the_course_update_line_and_result():
    run = rg.descend(COURSE, "w", 0.01, 100)
    assert rg.update_lines(run, 0) == ["w ← 1.000 − 0.01 × (−9.333) = 1.093"]
    assert run.thetas[1, 0] == pytest.approx(1 + 0.01 * 28 / 3)
    assert run.thetas[-1, 0] == pytest.approx(2.0, abs=1e-4)  # the course prints w ≈ 2.0 after 100 epochs
    lines = rg.update_lines(rg.descend(NOISY, "wb", 0.05, 3), 2)
    assert lines[0].startswith("w ← ") and lines[1].startswith("b ← ")


def test_update_line_of_a_missing_step_is_refused():
    run = rg.descend(COURSE, "w", 0.01, 5)
    for k in (-1, 5):
        with pytest.raises(UserError) as err:
            rg.update_lines(run, k)
        assert err.value.key == "linear.errors.step_range"


@pytest.mark.parametrize(
    "lr,kind", [(0.001, "slow"), (0.01, "converged"), (0.15, "oscillating"), (0.22, "diverged"), (1e9, "diverged")]
)
def test_learning_rate_regimes(lr, kind):
    run = rg.descend(COURSE, "w", lr, 100)
    v = rg.verdict(run, COURSE)
    assert v.kind == kind
    assert v.critical_lr == pytest.approx(3 / 14)  # 2 / (2·E x²) with E x² = 14/3
    assert np.isfinite(run.thetas).all() and np.isfinite(run.losses).all()  # never NaN for the charts
    if kind == "converged":
        assert v.converged_at is not None and np.abs(run.thetas[v.converged_at :, 0] - 2).max() <= rg.TOL
    if kind == "oscillating":
        signs = np.sign(run.thetas[:5, 0] - 2)
        assert (signs[1:] != signs[:-1]).all()  # every step jumps across w* = 2


def test_huge_learning_rate_stops_at_the_limit():
    run = rg.descend(COURSE, "w", 1e9, 100)
    assert run.diverged_at == 0 and run.steps == 1
    assert abs(run.thetas[-1, 0]) > rg.DIVERGE_LIMIT
    assert rg.update_lines(run, 0) == ["w ← 1.000 − 1e9 × (−9.333) = 9.333e+09"]
    for lr in (1e300, 1e308):  # θ₁ or its loss overflows: the run ends at θ₀
        overflow = rg.descend(COURSE, "w", lr, 10)
        assert overflow.steps == 0 and overflow.diverged_at == 0 and np.isfinite(overflow.losses).all()


@pytest.mark.parametrize("lr", [0, 0.0, -0.01, "x", float("nan")])
def test_zero_or_negative_learning_rate_is_refused(lr):
    with pytest.raises(UserError) as err:
        rg.descend(COURSE, "w", lr, 10)
    assert err.value.key == "linear.errors.lr_positive"
    with pytest.raises(UserError):
        lg.train(LOGISTIC_DATA.get("hours").load(0), lr, 10)


@pytest.mark.parametrize("epochs", [0, -3, rg.MAX_EPOCHS + 1, 2.5, float("nan"), "many"])
def test_steps_out_of_range_are_refused(epochs):
    with pytest.raises(UserError) as err:
        rg.descend(COURSE, "w", 0.01, epochs)
    assert err.value.key == "linear.errors.epochs_range"


def test_too_many_updates_are_refused():
    big = REGRESSION_DATA.get("noisy").load(0, n_points=200)
    with pytest.raises(UserError) as err:
        rg.descend(big, "wb", 0.01, 300, mode="stochastic", max_epochs=500)
    assert err.value.key == "linear.errors.too_many_updates"


def test_formatting():
    assert rg.fmt(-9.3333) == "−9.333" and rg.fmt(0) == "0.000" and rg.fmt(9.333e9) == "9.333e+09"
    assert [rg.fmt_lr(v) for v in (0.01, 1e9, 1e-5)] == ["0.01", "1e9", "1e−5"]


def test_view_windows_hold_the_path_and_the_optimum():
    lo, hi = rg.around(np.array([1.0, 1.5]), 2.0)
    assert lo < 1.0 and hi > 2.0 and (lo + hi) / 2 == pytest.approx(2.0)
    lo, hi = rg.view_bounds(np.array([1.0, np.nan, 1e12]), 2.0)
    assert lo < 1.0 < 2.0 < hi < 10
    run = rg.descend(NOISY, "wb", 0.05, 50, start=(-1.0, 2.0))
    surface = rg.surface_around(NOISY, run.thetas, rg.least_squares(NOISY, "wb"))
    assert surface.ws[0] <= -1.0 <= surface.ws[-1] and surface.bs[0] <= 2.0 <= surface.bs[-1]


# ----------------------------------------------------------------------------- logistic regression


HOURS = LOGISTIC_DATA.get("hours").load(0)
BLOBS = LOGISTIC_DATA.get("blobs").load(1, n_points=40, spread=1.0)


def test_sigmoid_matches_torch_without_overflow():
    z = np.array([-1000.0, -30.0, -1.0, 0.0, 2.0, 40.0, 1000.0])
    assert np.allclose(lg.sigmoid(z), torch.sigmoid(_t(z)).numpy(), rtol=1e-12, atol=0)


@pytest.mark.parametrize("points", [HOURS, BLOBS], ids=["1d", "2d"])
def test_cross_entropy_and_gradient_match_torch(points):
    theta = np.r_[np.linspace(-0.7, 1.2, points.dim), 0.3]
    tt = _t(theta).requires_grad_(True)
    z = _t(points.x).reshape(points.n, -1) @ tt[:-1] + tt[-1]
    loss = F.binary_cross_entropy_with_logits(z, _t(points.y))
    loss.backward()
    assert lg.cross_entropy(points, theta) == pytest.approx(loss.item(), rel=1e-12)
    assert lg.cross_entropy(points, theta) == pytest.approx(
        F.binary_cross_entropy(torch.sigmoid(z), _t(points.y)).item(), rel=1e-9
    )
    assert np.allclose(lg.gradient(points, theta), tt.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("points", [HOURS, BLOBS], ids=["1d", "2d"])
def test_logistic_training_matches_torch_sgd(points):
    run = lg.train(points, 0.5, 40, start=(0.5, -0.2))
    linear = torch.nn.Linear(points.dim, 1).double()
    with torch.no_grad():
        linear.weight.fill_(0.5)
        linear.bias.fill_(-0.2)
    opt = torch.optim.SGD(linear.parameters(), lr=0.5)
    x, y = _t(points.x).reshape(points.n, -1), _t(points.y)
    for k in range(40):
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(linear(x)[:, 0], y)
        assert run.losses[k] == pytest.approx(loss.item(), rel=1e-10)
        loss.backward()
        opt.step()
    final = np.r_[linear.weight.detach().numpy().ravel(), linear.bias.item()]
    assert np.allclose(run.thetas[-1], final, rtol=1e-10)
    assert run.losses[-1] < run.losses[0] and run.accuracies[-1] >= run.accuracies[0]


def test_logistic_boundary_moves_to_where_the_classes_meet():
    run = lg.train(HOURS, 0.5, 2000)
    x0 = lg.boundary_1d(run.thetas[-1])
    assert 2.0 < x0 < 3.0  # between the failed 2 hours and the passed 3 hours
    assert lg.probability_curve(run.thetas[-1], np.array([x0]))[0] == pytest.approx(0.5)
    assert run.accuracies[-1] == 1.0
    assert lg.boundary_1d(np.array([0.0, 1.0])) is None


def test_logistic_2d_boundary_line_and_probability_map():
    run = lg.train(BLOBS, 0.5, 200)
    theta = run.thetas[-1]
    bounds = lg.data_bounds(BLOBS)
    x1, x2 = lg.boundary_2d(theta, bounds)
    assert np.allclose(theta[0] * x1 + theta[1] * x2 + theta[2], 0, atol=1e-9)
    x1s, x2s, p = lg.probability_grid(theta, bounds, n=9)
    expect = torch.sigmoid(theta[0] * _t(x1s)[None, :] + theta[1] * _t(x2s)[:, None] + theta[2])
    assert np.allclose(p, expect.numpy(), rtol=1e-12)
    assert lg.boundary_2d(np.array([0.0, 0.0, 1.0]), bounds) is None
    assert run.names == ("w₁", "w₂", "b")


def test_cross_entropy_slice_passes_through_the_held_point():
    run = lg.train(BLOBS, 0.5, 50)
    held = run.thetas[-1]
    s = lg.loss_slice(BLOBS, run, (0, 1), held, n=21)
    j, k = np.abs(s.vs - held[1]).argmin(), np.abs(s.us - held[0]).argmin()
    probe = held.copy()
    probe[0], probe[1] = s.us[k], s.vs[j]
    assert s.losses[j, k] == pytest.approx(lg.cross_entropy(BLOBS, probe), rel=1e-12)


def test_logistic_huge_learning_rate_stops_with_finite_numbers():
    run = lg.train(HOURS, 1e9, 100)
    assert run.diverged_at == 0 and run.steps == 1
    assert np.isfinite(run.thetas).all() and np.isfinite(run.losses).all()
    for points in (HOURS, BLOBS):
        run = lg.train(points, 1e308, 10)
        assert run.diverged_at == 0 and np.isfinite(run.thetas).all() and np.isfinite(run.losses).all()
    with pytest.raises(UserError) as err:
        lg.train(HOURS, 0.1, 0)
    assert err.value.key == "linear.errors.epochs_range"


def test_points_shape_helpers():
    p = Points(np.zeros((5, 2)), np.zeros(5))
    assert p.n == 5 and p.dim == 2


@pytest.mark.parametrize("model", ["w", "wb"])
def test_step_view_is_the_slice_and_tangent_at_theta_k(model):
    run = rg.descend(NOISY, model, 0.01, 20, start=(1.0, 0.5))
    optimum = rg.least_squares(NOISY, model)
    view = rg.step_view(run, NOISY, 3, optimum)
    b_k = float(run.thetas[3, 1]) if model == "wb" else 0.0
    assert view.b_k == b_k and view.tangent == rg.tangent(run, NOISY, 3)
    assert view.lines[0] == (float(run.thetas[3, 0]), b_k) and view.lines[1][0] == float(run.thetas[4, 0])
    assert np.allclose(view.losses, [rg.mse(NOISY, w, b_k) for w in view.ws])  # the MSE curve at b = b_k
    assert view.ws[0] <= optimum[0] <= view.ws[-1]  # the window holds θ*


def test_racing_no_mode_is_refused():
    with pytest.raises(UserError) as err:
        rg.check_modes([])
    assert err.value.key == "nothing_selected"
    assert rg.check_modes(["batch", "sgd"]) == ("batch", "sgd")
    assert r"b\leftarrow" in rg.rule_latex("wb") and r"b\leftarrow" not in rg.rule_latex("w")
