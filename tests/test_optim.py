"""Optimizers: registry builds real torch optimizers; race kernels repeat torch.optim step by step;
the course's hand-written versions match torch (or differ exactly as documented); every
optimizer with its defaults gets closer to a minimum; divergence is reported, not raised."""

import math

import numpy as np
import pytest
import torch

from core.errors import UserError
from core.optim import OPTIMIZERS
from core.optim.kernels import Kernel
from core.optim.race import Run, race, suggested_lr
from core.surfaces import SURFACES

STEPS = 60

# settings that exercise every branch of the kernels (weight decay, amsgrad, centered, ...)
VARIANTS = {
    "sgd": [{"lr": 0.01}, {"lr": 0.01, "weight_decay": 0.1}],
    "momentum": [{"lr": 0.01}, {"lr": 0.01, "dampening": 0.3, "weight_decay": 0.05}],
    "nesterov": [{"lr": 0.01, "momentum": 0.8, "weight_decay": 0.05}],
    "adagrad": [{"lr": 0.1}, {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.5, "weight_decay": 0.1}],
    "rmsprop": [{"lr": 0.01}, {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1}],
    "adam": [{"lr": 0.1}, {"lr": 0.1, "amsgrad": True, "weight_decay": 0.1, "beta1": 0.8}],
    "adamw": [{"lr": 0.1}, {"lr": 0.1, "amsgrad": True, "weight_decay": 0.2}],
    "nadam": [{"lr": 0.1}, {"lr": 0.1, "weight_decay": 0.1, "momentum_decay": 0.01}],
    "radam": [{"lr": 0.01}, {"lr": 0.01, "weight_decay": 0.1, "beta2": 0.9}],
    "adamax": [{"lr": 0.1}, {"lr": 0.1, "weight_decay": 0.1}],
    "adadelta": [{"lr": 1.0}, {"lr": 0.5, "rho": 0.8, "weight_decay": 0.1}],
    "course_momentum": [{"lr": 0.01, "momentum": 0.9}],
    "course_adagrad": [{"lr": 0.1}],
    "course_rmsprop": [{"lr": 0.01, "rho": 0.9}],
    "course_adam": [{"lr": 0.1, "eps": 1e-3}],
}
CASES = [(name, hp) for name, hps in VARIANTS.items() for hp in hps]


def torch_path(name, hparams, surface, start, steps, scheduler=None):
    """Positions of a real torch optimizer (built by the registry) on `surface`."""
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = OPTIMIZERS.get(name).build([p], **hparams)
    sched = scheduler(opt) if scheduler else None
    out = [p.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        loss = surface.value(p[0], p[1])
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step(float(surface.value(p[0], p[1]).detach())) if "Plateau" in type(sched).__name__ else sched.step()
        out.append(p.detach().clone())
    return torch.stack(out).numpy()


def test_every_optimizer_has_a_kernel_and_a_variant():
    assert all(issubclass(OPTIMIZERS.get(n).kernel, Kernel) for n in OPTIMIZERS.names())
    assert set(VARIANTS) == set(OPTIMIZERS.names())


def test_registry_names_of_the_contract():
    for name in ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "nadam", "radam", "adamax",
                 "adadelta", "course_momentum", "course_adagrad", "course_rmsprop", "course_adam"):  # fmt: skip
        assert name in OPTIMIZERS


@pytest.mark.parametrize("name", OPTIMIZERS.names())
def test_build_gives_a_torch_optimizer_that_trains(name):
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    x, y = torch.randn(64, 3), torch.randn(64, 1)
    hp = {"lr": 0.05} if name != "adadelta" else {}
    opt = OPTIMIZERS.get(name).build(model.parameters(), **hp)
    assert isinstance(opt, torch.optim.Optimizer)
    first = None
    for _ in range(30):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        first = first if first is not None else float(loss.detach())
        loss.backward()
        opt.step()
    assert float(loss.detach()) < first


@pytest.mark.parametrize("name", OPTIMIZERS.names())
def test_fused_build_takes_the_same_steps_as_the_default(name):
    entry = OPTIMIZERS.get(name)
    assert entry.fusable == (name in ("sgd", "momentum", "nesterov", "adagrad", "adam", "adamw"))
    hp = {"lr": 0.05} if name != "adadelta" else {}
    if "weight_decay" in entry.defaults():
        hp["weight_decay"] = 0.01
    finals = []
    for fused in (False, True):
        torch.manual_seed(0)
        model = torch.nn.Linear(3, 2)
        x, y = torch.randn(64, 3), torch.randn(64, 2)
        opt = entry.build(model.parameters(), fused=fused, **hp)
        assert bool(opt.defaults.get("fused")) == (fused and entry.fusable)
        for _ in range(20):
            opt.zero_grad()
            torch.nn.functional.mse_loss(model(x), y).backward()
            opt.step()
        finals.append(torch.cat([p.detach().flatten() for p in model.parameters()]))
    torch.testing.assert_close(finals[1], finals[0], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name,hparams", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
@pytest.mark.parametrize("surface_name", ["bowl", "rosenbrock"])
def test_kernel_repeats_torch_step_by_step(name, hparams, surface_name):
    surface = SURFACES.get(surface_name)
    start = (-3.0, 2.0) if surface_name == "bowl" else (-1.2, 1.0)
    if surface_name == "rosenbrock":  # curvature ~1000 there: smaller steps keep every variant stable
        hparams = {**hparams, "lr": hparams["lr"] / 10}
    expected = torch_path(name, hparams, surface, start, STEPS)
    (path,) = race(surface, [Run(name, hparams)], start, STEPS)
    assert path.diverged_at is None
    # NAdam: torch rounds its running product of μ_t to float32 (see kernels.NAdam)
    rtol = 1e-6 if name == "nadam" else 1e-9
    np.testing.assert_allclose(path.positions, expected, rtol=rtol, atol=1e-12)


@pytest.mark.parametrize("course,twin,hp_course,hp_torch", [
    ("course_momentum", "momentum", {"lr": 0.02, "momentum": 0.9}, {"lr": 0.02, "momentum": 0.9}),
    ("course_adagrad", "adagrad", {"lr": 0.3, "eps": 1e-7}, {"lr": 0.3, "eps": 1e-7}),
    ("course_rmsprop", "rmsprop", {"lr": 0.01, "rho": 0.9, "eps": 1e-7}, {"lr": 0.01, "alpha": 0.9, "eps": 1e-7}),
    ("course_adam", "adam", {"lr": 0.1, "eps": 0.0}, {"lr": 0.1, "eps": 0.0}),
])  # fmt: skip
def test_course_version_reproduces_torch(course, twin, hp_course, hp_torch):
    surface = SURFACES.get("bowl")
    assert OPTIMIZERS.get(course).twin == twin
    a = torch_path(course, hp_course, surface, surface.start, 80)
    b = torch_path(twin, hp_torch, surface, surface.start, 80)
    np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_course_adam_equals_torch_adam_with_step_dependent_eps():
    """Documented difference: the course's ε acts like ε/√(1−β₂ᵗ) in PyTorch's form."""
    surface, lr, b1, b2, eps = SURFACES.get("bowl"), 0.1, 0.9, 0.999, 0.5  # a large ε makes the gap visible
    course = torch_path("course_adam", {"lr": lr, "eps": eps}, surface, surface.start, 40)
    plain = torch_path("adam", {"lr": lr, "eps": eps}, surface, surface.start, 40)
    assert np.abs(course - plain).max() > 1e-3  # they do differ ...
    theta, m, v = np.array(surface.start), np.zeros(2), np.zeros(2)
    for t in range(1, 41):  # ... by exactly PyTorch's rule with eps_t = eps / sqrt(1 - b2^t)
        g = np.array(surface.gradient(theta[0], theta[1]))
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        bc1, bc2 = 1 - b1**t, 1 - b2**t
        theta = theta - lr / bc1 * m / (np.sqrt(v) / math.sqrt(bc2) + eps / math.sqrt(bc2))
        np.testing.assert_allclose(course[t], theta, rtol=1e-10)


def test_course_momentum_differs_from_torch_exactly_when_the_rate_changes():
    """Textbook v = αv − η_k g keeps old rates in v; PyTorch's b = μb + g is rescaled by η_k."""
    surface, mu = SURFACES.get("bowl"), 0.9
    sched = [("exponential", {"gamma": 0.9})]
    (course,) = race(surface, [Run("course_momentum", {"lr": 0.05, "momentum": mu}, *sched[0])], steps=30)
    (torch_run,) = race(surface, [Run("momentum", {"lr": 0.05, "momentum": mu}, *sched[0])], steps=30)
    assert np.abs(course.positions - torch_run.positions).max() > 1e-3
    theta, v, b = np.array(surface.start), np.zeros(2), np.zeros(2)
    theta_t = theta.copy()
    for k in range(30):
        lr = 0.05 * 0.9**k
        v = mu * v - lr * np.array(surface.gradient(*theta))
        theta = theta + v
        g = np.array(surface.gradient(*theta_t))
        b = g if k == 0 else mu * b + g
        theta_t = theta_t - lr * b
        np.testing.assert_allclose(course.positions[k + 1], theta, rtol=1e-10)
        np.testing.assert_allclose(torch_run.positions[k + 1], theta_t, rtol=1e-10)


@pytest.mark.parametrize("name,schedule,shp", [
    ("momentum", "step", {"step_frac": 0.2, "gamma": 0.5}),
    ("adam", "cosine", {}),
    ("adam", "plateau", {"patience": 3, "factor": 0.5}),
    ("rmsprop", "onecycle", {}),
])  # fmt: skip
def test_race_schedule_equals_torch_optimizer_with_scheduler(name, schedule, shp):
    from core.schedulers import SCHEDULERS

    surface, steps, hp = SURFACES.get("rosenbrock"), 50, {"lr": 0.002}
    expected = torch_path(
        name, hp, surface, surface.start, steps, lambda o: SCHEDULERS.get(schedule).build(o, steps, **shp)
    )
    (path,) = race(surface, [Run(name, hp, schedule, shp)], steps=steps)
    np.testing.assert_allclose(path.positions, expected, rtol=1e-9)


@pytest.mark.parametrize("name", OPTIMIZERS.names())
@pytest.mark.parametrize("surface_name", ["bowl", "rosenbrock"])
def test_defaults_get_closer_to_a_minimum(name, surface_name):
    surface = SURFACES.get(surface_name)
    (path,) = race(surface, [Run(name)], steps=2000)
    assert path.diverged_at is None
    assert path.distance[-1] < path.distance[0]
    assert path.losses[-1] < path.losses[0]


@pytest.mark.parametrize("name", OPTIMIZERS.names())
def test_suggested_rates_reach_the_bowl_minimum_region(name):
    surface = SURFACES.get("bowl")
    (path,) = race(surface, [Run(name, {"lr": suggested_lr(name, surface)})], steps=300)
    assert path.diverged_at is None
    assert path.distance[-1] < 0.8 * path.distance[0]


def test_divergence_is_reported_with_the_step():
    surface = SURFACES.get("bowl")
    paths = race(surface, [Run("sgd", {"lr": 1.5}), Run("adam", {"lr": 0.3})], steps=200)
    bad, good = paths
    assert bad.diverged_at is not None and 1 < bad.diverged_at < 200
    assert np.isnan(bad.positions[bad.diverged_at :]).all()
    assert np.isfinite(bad.positions[: bad.diverged_at]).all()
    assert good.diverged_at is None


def test_nan_gradient_counts_as_divergence():
    surface = SURFACES.get("rosenbrock")
    (path,) = race(surface, [Run("sgd", {"lr": 0.5})], steps=100)
    assert path.diverged_at is not None and path.diverged_at <= 5


def test_inspector_data_shapes_and_meaning():
    surface = SURFACES.get("bowl")
    sgd, mom, adam = race(surface, [Run("sgd", {"lr": 0.1}), Run("momentum", {"lr": 0.1}), Run("adam", {"lr": 0.1})],
                          steps=10)  # fmt: skip
    assert sgd.grads.shape == sgd.velocity.shape == sgd.scale.shape == (10, 2)
    assert not sgd.has_velocity and mom.has_velocity and adam.has_velocity
    np.testing.assert_allclose(sgd.grads[0], surface.gradient(*surface.start))
    np.testing.assert_allclose(sgd.updates, -0.1 * sgd.grads)  # SGD: step = −η g
    np.testing.assert_allclose(adam.updates, -adam.scale * adam.velocity, rtol=1e-12)  # Adam: −scale·m
    np.testing.assert_allclose(mom.updates, -mom.scale * mom.velocity, rtol=1e-12)
    np.testing.assert_allclose(sgd.lrs, 0.1)


@pytest.mark.parametrize("bad,key", [
    ({"lr": 0.0}, "optimizers.errors.lr_positive"),
    ({"lr": -1.0}, "optimizers.errors.lr_positive"),
    ({"lr": "abc"}, "param_not_number"),
    ({"momentum": 2.0}, "param_range"),
])  # fmt: skip
def test_bad_hparams_are_user_errors(bad, key):
    with pytest.raises(UserError) as info:
        race(SURFACES.get("bowl"), [Run("momentum", bad)], steps=10)
    assert info.value.key == key


def test_bad_race_arguments_are_user_errors():
    bowl = SURFACES.get("bowl")
    with pytest.raises(UserError, match="steps"):
        race(bowl, [Run("sgd")], steps=10**6)
    with pytest.raises(UserError) as info:
        race(bowl, [Run("sgd")], start=(50.0, 0.0))
    assert info.value.key == "surfaces.errors.start_outside"
    with pytest.raises(UserError):
        race(bowl, [], steps=10)
    with pytest.raises(UserError, match="adamm"):
        race(bowl, [Run("adamm")], steps=10)
    with pytest.raises(UserError):
        OPTIMIZERS.get("adam").build([torch.zeros(2, requires_grad=True)], lr=0)


def test_race_on_a_typed_formula_uses_autograd_and_reports_nan_as_divergence():
    from core.surfaces import expression_surface

    bowl = expression_surface("0.05*x^2 + y^2", ((-10.0, 10.0), (-5.0, 5.0)), (-7.0, 2.0))
    typed, built_in = (race(s, [Run("adam", {"lr": 0.3})], steps=100)[0] for s in (bowl, SURFACES.get("bowl")))
    np.testing.assert_allclose(typed.positions, built_in.positions, rtol=1e-9, atol=1e-12)
    cliff = expression_surface("sqrt(x) + y^2", ((-3.0, 3.0), (-3.0, 3.0)), (1.0, 1.0))
    (path,) = race(cliff, [Run("sgd", {"lr": 0.5})], steps=50)  # x < 0 gives NaN gradients
    assert path.diverged_at is not None


def test_sample_steps_and_inspect_rows():
    from core.optim.race import inspect, sample_steps

    assert list(sample_steps(5, 100)) == [0, 1, 2, 3, 4, 5]
    idx = sample_steps(2000, 60)
    assert idx[0] == 0 and idx[-1] == 2000 and len(idx) <= 60 and (np.diff(idx) > 0).all()
    surface = SURFACES.get("bowl")
    paths = race(surface, [Run("sgd", {"lr": 1.5}), Run("momentum", {"lr": 0.05})], steps=100)
    rows = inspect(paths, 1)
    np.testing.assert_allclose(rows[0]["position"], surface.start)
    np.testing.assert_allclose(rows[0]["update"], -1.5 * rows[0]["grad"])
    assert rows[0]["velocity"] is None and rows[1]["velocity"] is not None
    late = inspect(paths, 100)
    assert late[0]["diverged"] and not late[1]["diverged"]
    with pytest.raises(UserError):
        inspect(paths, 101)


def test_an_optimizer_entry_without_its_kernel_or_with_an_unknown_race_rule_is_refused():
    from core.optim.registry import OptimizerEntry

    with pytest.raises(TypeError, match="kernel"):
        OptimizerEntry("new_opt", params=())
    with pytest.raises(ValueError, match="race_rule"):
        OptimizerEntry("new_opt", params=(), kernel=Kernel, race_rule="fast")
