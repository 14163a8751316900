"""Surfaces: hand-written gradients match autograd; listed minima are minima; starts inside bounds."""

import numpy as np
import pytest
import torch

from core.errors import UserError
from core.surfaces import CHECK_GRID, SURFACES, expression_surface

NAMES = SURFACES.names()


def test_the_issue_surfaces_exist():
    assert {"bowl", "rosenbrock", "beale", "himmelblau", "rastrigin", "ackley", "saddle", "booth", "camel"} <= set(
        NAMES
    )
    bowl = SURFACES.get("bowl")
    assert bowl.start == (-7.0, 2.0)
    assert bowl.value(2.0, 3.0) == pytest.approx(0.05 * 4 + 9)


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_autograd(name):
    s = SURFACES.get(name)
    gen = torch.Generator().manual_seed(0)
    (x0, x1), (y0, y1) = s.bounds
    x = (x0 + (x1 - x0) * torch.rand(200, generator=gen, dtype=torch.float64)).requires_grad_(True)
    y = (y0 + (y1 - y0) * torch.rand(200, generator=gen, dtype=torch.float64)).requires_grad_(True)
    gx, gy = torch.autograd.grad(s.value(x, y).sum(), (x, y))
    hx, hy = s.gradient(x.detach().numpy(), y.detach().numpy())
    np.testing.assert_allclose(hx, gx.numpy(), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(hy, gy.numpy(), rtol=1e-9, atol=1e-9)
    tx, ty = s.gradient(x.detach(), y.detach())  # the same code on tensors
    torch.testing.assert_close(tx, gx)
    torch.testing.assert_close(ty, gy)


@pytest.mark.parametrize("name", NAMES)
def test_listed_minima_are_minima(name):
    s = SURFACES.get(name)
    angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    for mx, my in s.minima:
        gx, gy = s.gradient(np.array([mx]), np.array([my]))
        assert np.hypot(gx, gy)[0] < 1e-8, (name, mx, my)
        f0 = s.value(np.array([mx]), np.array([my]))[0]
        for r in (1e-3, 1e-2):
            fx = s.value(mx + r * np.cos(angles), my + r * np.sin(angles))
            assert (fx > f0).all(), (name, mx, my, r)
    for sx, sy in s.saddles:  # a saddle: flat, but lower and higher neighbours
        fx = s.value(sx + 1e-2 * np.cos(angles), sy + 1e-2 * np.sin(angles))
        f0 = s.value(np.array([sx]), np.array([sy]))[0]
        assert fx.min() < f0 < fx.max()
    assert s.minima or s.saddles


@pytest.mark.parametrize("name", NAMES)
def test_start_and_minima_inside_bounds_and_grid(name):
    s = SURFACES.get(name)
    (x0, x1), (y0, y1) = s.bounds
    assert s.check_start(s.start) == s.start
    for mx, my in s.minima:
        assert x0 <= mx <= x1 and y0 <= my <= y1
    xs, ys, Z = s.grid(50)
    assert Z.shape == (50, 50) and np.isfinite(Z).all()
    assert Z[3, 7] == pytest.approx(s.value(np.array(xs[7]), np.array(ys[3])))


def test_start_outside_bounds_is_a_user_error():
    with pytest.raises(UserError) as info:
        SURFACES.get("bowl").check_start((11.0, 0.0))
    assert info.value.key == "surfaces.errors.start_outside"
    with pytest.raises(UserError):
        SURFACES.get("bowl").check_start((float("nan"), 0.0))
    with pytest.raises(UserError):
        SURFACES.get("bowl").check_start(("a", 0.0))


def test_distance_to_nearest_minimum():
    him = SURFACES.get("himmelblau")
    d = him.distance_to_minimum(np.array([[3.0, 2.0], [3.0, 1.0], [0.0, 0.0]]))
    assert d[0] == 0 and d[1] == pytest.approx(1.0)
    assert d[2] == pytest.approx(min(np.hypot(*m) for m in him.minima))
    assert np.isnan(SURFACES.get("saddle").distance_to_minimum(np.zeros((3, 2)))).all()


def test_expression_surface_gradient_by_autograd():
    s = expression_surface("x^2 + 3*sin(y)**2", ((-2.0, 2.0), (-2.0, 2.0)), (1.0, 1.0))
    gx, gy = s.gradient(np.array([1.0, 0.5]), np.array([0.3, -1.0]))
    np.testing.assert_allclose(gx, [2.0, 1.0])
    np.testing.assert_allclose(gy, 6 * np.sin([0.3, -1.0]) * np.cos([0.3, -1.0]))
    assert s.value(np.array([1.0]), np.array([0.0]))[0] == pytest.approx(1.0)
    xs, ys, Z = s.grid(20)
    assert Z.shape == (20, 20)
    const = expression_surface("3", ((-1.0, 1.0), (-1.0, 1.0)), (0.0, 0.0))
    np.testing.assert_allclose(const.gradient(np.zeros(2), np.zeros(2))[0], 0.0)


def test_expression_surface_bad_input():
    with pytest.raises(UserError):
        expression_surface("x +", ((-1.0, 1.0), (-1.0, 1.0)))
    with pytest.raises(UserError) as info:
        expression_surface("x*y", ((1.0, -1.0), (-1.0, 1.0)))
    assert info.value.key == "surfaces.errors.bounds"
    with pytest.raises(UserError):
        expression_surface("x*y", ((-1.0, 1.0), (-1.0, 1.0)), (5.0, 0.0))
    with pytest.raises(UserError) as info:
        expression_surface("log(-1 - x*x)", ((-1.0, 1.0), (-1.0, 1.0)))
    assert info.value.key == "surfaces.errors.expr_nowhere"


@pytest.mark.parametrize(
    "text,key",
    [
        ("exp(1000*x)", "surfaces.errors.expr_overflow"),  # ∞ beyond x ≈ 0.7
        ("x**1000", "surfaces.errors.expr_overflow"),
        ("1e308*x*x", "surfaces.errors.expr_overflow"),
        ("exp(10000*x)", "surfaces.errors.expr_overflow"),  # jumps from 1 to ∞ between grid points
        ("exp(200*x)", "surfaces.errors.expr_huge"),  # finite, but up to 3.8e260
        ("1e120*x", "surfaces.errors.expr_huge"),
    ],
)
def test_overflowing_or_huge_formula_is_a_user_error(text, key):
    with pytest.raises(UserError) as info:
        expression_surface(text)
    assert info.value.key == key
    assert info.value.params["text"] == text


def test_huge_message_numbers_read_like_a_person_writes_them():
    with pytest.raises(UserError) as info:
        expression_surface("exp(200*x)")
    assert info.value.params["big"] == "3.8 × 10²⁶⁰" and info.value.params["limit"] == "10¹⁰⁰"
    with pytest.raises(UserError) as info:
        expression_surface("x*x", ((-1e60, 1e60), (-1.0, 1.0)))  # a sane formula on a huge range
    assert info.value.key == "surfaces.errors.expr_huge"


@pytest.mark.parametrize("text", ["sqrt(x) + y^2 + 1/x", "1/(x*y)", "1/(x-y)", "log(x*x + y*y)", "1e99*x", "exp(x*x)"])
def test_poles_and_large_but_drawable_formulas_are_accepted(text):
    s = expression_surface(text)
    assert np.isfinite(s.grid(CHECK_GRID)[2]).any()
