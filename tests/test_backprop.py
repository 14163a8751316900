"""core.backprop: graphs stepped by hand, the two-layer network and the gradient check, against autograd."""

import math

import pytest
import torch

from core.backprop import gradcheck
from core.backprop.expression import expression_graph, expression_latex
from core.backprop.graph import OPS, RULES, autograd_grads, backward, step_latex
from core.backprop.graphs import GRAPHS, graph, trace
from core.backprop.network import BATCH, HIDDEN, two_layer_check
from core.errors import UserError
from core.expr import FUNCTIONS, compile_expression


def _leaf(value: float) -> torch.Tensor:
    return torch.tensor(float(value), dtype=torch.float64, requires_grad=True)


# each built-in graph written again directly in torch: the oracle for its gradients
ORACLES = {
    "shopping": lambda v: (v["apple"] * v["n_apple"] + v["orange"] * v["n_orange"]) * v["tax"],
    "d2l": lambda v: (v["a"] + v["b"]) * (v["b"] + 1),
    "linear_loss": lambda v: (v["x"] * v["w"] - v["y"]) ** 2,
}
BUILT_IN = [n for n in GRAPHS.names() if n != "custom"]


def test_every_built_in_graph_has_an_oracle():
    assert sorted(ORACLES) == sorted(BUILT_IN)


def test_shopping_gives_the_course_numbers():
    t = trace("shopping", {})
    assert t.values[-1] == pytest.approx(715.0)
    grads = t.variable_grads()
    expected = {"apple": 2.2, "n_apple": 110.0, "orange": 3.3, "n_orange": 165.0, "tax": 650.0}
    assert grads == pytest.approx(expected)


def test_d2l_and_the_course_004_loss_give_the_known_numbers():
    assert trace("d2l", {}).variable_grads() == pytest.approx({"a": 2.0, "b": 5.0})  # b: 3 + 2 from two paths
    t = trace("linear_loss", {})
    assert t.values[-1] == pytest.approx(1.0)  # x = 1, w = 1, y = 2: (1 − 2)²
    assert t.variable_grads()["w"] == pytest.approx(-2.0)  # 2 (x w − y) x


@pytest.mark.parametrize("name", BUILT_IN)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_built_in_graphs_equal_autograd(name, seed):
    entry = GRAPHS.get(name)
    gen = torch.Generator().manual_seed(seed)
    values = entry.defaults()
    if seed:  # random values inside each parameter's range
        for p in entry.params:
            u = float(torch.rand((), generator=gen, dtype=torch.float64))
            values[p.name] = round(p.low + u * (p.high - p.low)) if p.kind == "int" else p.low + u * (p.high - p.low)
    leaves = {k: _leaf(v) for k, v in values.items()}
    out = ORACLES[name](leaves)
    expected = torch.autograd.grad(out, list(leaves.values()))
    t = trace(name, values)
    assert t.values[-1] == pytest.approx(float(out.detach()), rel=1e-12)
    got = t.variable_grads()
    for k, g in zip(leaves, expected, strict=True):
        assert got[k] == pytest.approx(float(g), rel=1e-12, abs=1e-12), k
    assert autograd_grads(graph(name), values) == pytest.approx(got, rel=1e-12, abs=1e-12)


TYPED = [
    "x*y + sin(x)",
    "(x + y) * (y + 1)",
    "x / y - y^3",
    "exp(-x^2) * cos(y)",
    "log(x^2 + 1) + sqrt(y^2 + 1)",
    "tanh(x) * sigmoid(y)",
    "atan2(y, x) + atan(x*y)",
    "max(x, y) - min(x, 2*y)",
    "abs(x - y) + sinh(x) / cosh(y)",
    "abs(x)^y",
    "tan(x / 4) - +y",
    "pi*x + e",
    "x*x*x",
    "max(x, x) + min(y, y)",  # ties split the gradient in half, as torch does
]
POINTS = [(0.7, 1.3), (-1.2, 0.4), (2.0, -0.5)]


@pytest.mark.parametrize("text", TYPED)
@pytest.mark.parametrize("point", POINTS)
def test_typed_expressions_equal_autograd(text, point):
    x, y = _leaf(point[0]), _leaf(point[1])
    out = compile_expression(text)(x, y)  # the app's parser compiled to torch: autograd is the oracle
    gx, gy = torch.autograd.grad(out, [x, y], allow_unused=True)
    t = backward(expression_graph(text), {"x": point[0], "y": point[1]})
    assert t.values[-1] == pytest.approx(float(out.detach()), rel=1e-12, abs=1e-12)
    got = t.variable_grads()
    for name, g in (("x", gx), ("y", gy)):
        expected = 0.0 if g is None else float(g)
        assert got.get(name, 0.0) == pytest.approx(expected, rel=1e-10, abs=1e-12), name


def test_every_parser_function_and_operator_has_a_local_rule():
    assert set(FUNCTIONS) <= set(OPS)
    assert set(OPS) == set(RULES)


def test_a_variable_used_twice_is_one_node_and_sums_both_paths():
    g = expression_graph("x*y + sin(x)")
    assert g.variables() == ["x", "y"]
    t = backward(g, {"x": 0.0, "y": 3.0})
    x = g.variables().index("x")
    sent = [s for s in t.steps[1:] if x in g.nodes[s.node].inputs]
    assert len(sent) == 2
    assert t.variable_grads()["x"] == pytest.approx(3.0 + math.cos(0.0))


def test_steps_replay_the_backward_pass_in_reverse_order():
    t = trace("shopping", {})
    ops = [i for i, n in enumerate(t.graph.nodes) if n.op not in ("var", "const")]
    assert len(t.steps) == 1 + len(ops)
    assert [s.node for s in t.steps[1:]] == sorted(ops, reverse=True)
    assert t.steps[0].grads == (None,) * (len(t.graph.nodes) - 1) + (1.0,)
    for k, step in enumerate(t.steps[1:], 1):  # a step only adds what it sends to its inputs
        before, after = t.steps[k - 1].grads, step.grads
        node = t.graph.nodes[step.node]
        assert before[step.node] == step.upstream
        for j, c in zip(node.inputs, step.contributions, strict=True):
            assert after[j] == pytest.approx((before[j] or 0.0) + c)
    assert all(g is not None for g in t.grads)


def test_constants_get_no_gradient():
    t = trace("d2l", {})
    const = next(i for i, n in enumerate(t.graph.nodes) if n.op == "const")
    assert t.grads[const] is None


def test_step_latex_shows_the_local_rule_with_numbers():
    t = trace("shopping", {})
    assert step_latex(t, 0) == [r"\frac{\partial L}{\partial L} = 1"]
    first = step_latex(t, 1)  # L = u3 · t: multiply swaps the inputs
    assert first[0].endswith(r"= 1\cdot 1.1 = 1.1")
    assert first[1].endswith(r"= 1\cdot 650 = 650")
    assert r"\mathrel{+}=" in "".join(step_latex(trace("d2l", {}), 2))  # b gets a second share
    with pytest.raises(ValueError):
        step_latex(t, len(t.steps))


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("x +", "surfaces.errors.expr_syntax"),
        ("z + 1", "surfaces.errors.expr_name"),
        ("foo(x)", "surfaces.errors.expr_function"),
        ("x.__class__", "surfaces.errors.expr_forbidden"),
        ("", "surfaces.errors.expr_empty"),
        ("2 + 3", "backprop.errors.no_variable"),
        ("log(0*x)", "backprop.errors.not_finite"),
        ("exp(1000*x)", "backprop.errors.not_finite"),
        ("sqrt(x - 1)", "backprop.errors.grad_not_finite"),  # at x = 1: 1/(2·0)
    ],
)
def test_bad_formulas_raise_user_errors(text, key):
    with pytest.raises(UserError) as error:
        trace("custom", {"x": 1.0, "y": 2.0}, text)
    assert error.value.key == key


def test_values_outside_their_range_raise():
    with pytest.raises(UserError) as error:
        trace("shopping", {"tax": 5.0})
    assert error.value.key == "param_range"


def test_expression_latex():
    assert expression_latex("x*y + sin(x)") == r"x \cdot y + \sin\left(x\right)"
    assert expression_latex("(x + y) * (y + 1)") == r"\left(x + y\right) \cdot \left(y + 1\right)"
    assert expression_latex("x - (y - 1)") == r"x - \left(y - 1\right)"
    assert expression_latex("x^2 / sqrt(y)") == r"\frac{x^{2}}{\sqrt{y}}"
    assert expression_latex("-(x + pi)") == r"-\left(x + \pi\right)"


# --- two-layer network -------------------------------------------------------------------------


@pytest.mark.parametrize(("precision", "tol"), [("float64", 1e-12), ("float32", 1e-5)])
@pytest.mark.parametrize(("batch", "hidden", "seed"), [(4, 5, 0), (1, 1, 3), (16, 16, 7)])
def test_hand_written_backward_equals_autograd(precision, tol, batch, hidden, seed):
    check = two_layer_check(batch, hidden, precision, seed)
    assert check.loss_hand == pytest.approx(check.loss_autograd, rel=tol)
    assert [g.name for g in check.params()] == ["W2", "b2", "W1", "b1"]
    for g in check.gradients:
        assert g.hand.dtype == g.autograd.dtype
        assert g.max_diff <= tol * max(1.0, float(g.autograd.abs().max())), g.name


def test_network_shapes_and_a_zero_relu_region():
    check = two_layer_check(4, 5, "float64", 0)
    shapes = {g.name: g.shape for g in check.gradients}
    assert shapes == {"d_scores": (4, 3), "W2": (5, 3), "b2": (3,), "d_h": (4, 5), "d_a1": (4, 5),
                      "W1": (3, 5), "b1": (5,), "d_x": (4, 3)}  # fmt: skip
    assert check.gradients[0].hand.sum(1).abs().max() < 1e-12  # softmax − one-hot sums to 0 per row


@pytest.mark.parametrize(("param", "bad"), [(BATCH, 0), (HIDDEN, 17)])
def test_network_sizes_out_of_range_raise(param, bad):
    with pytest.raises(UserError):
        two_layer_check(**{param.name: bad, **{p.name: p.default for p in (BATCH, HIDDEN) if p is not param}})


# --- numerical gradient check ----------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in gradcheck.FUNCTIONS.names()])
def test_central_difference_agrees_with_autograd_at_a_good_h(name):
    check = gradcheck.check(name, {}, 1e-5)
    assert check.error("float64") < 1e-7
    assert check.error("float32") < 0.5
    text = gradcheck.expression(name)
    x, y = (_leaf(v) for v in (gradcheck.FUNCTIONS.get(name).defaults().get(k, 0.0) for k in ("x", "y")))
    out = compile_expression(text)(x, y)
    grads = torch.autograd.grad(out, [x, y], allow_unused=True)
    for v, g in zip(("x", "y"), grads, strict=True):
        if v in check.variables:
            assert check.autograd[v] == pytest.approx(float(g), rel=1e-12)


def test_error_curve_falls_then_rises_and_float32_bottoms_out_at_a_larger_h():
    curve = gradcheck.error_curve("exp", {})
    for precision, eps in (("float32", 2.0**-23), ("float64", 2.0**-52)):
        errors = curve.errors[precision]
        best = int(torch.nan_to_num(errors, nan=math.inf).argmin())
        assert 0 < best < len(errors) - 1
        assert errors[-1] > 100 * errors[best]  # h = 1: truncation
        assert errors[0] > 100 * errors[best]  # h = 1e-16: rounding
        assert eps ** (1 / 3) / 30 < curve.best_h(precision) < eps ** (1 / 3) * 30
    assert curve.best_h("float32") > 100 * curve.best_h("float64")


def test_central_difference_is_exact_up_to_rounding_for_a_quadratic():
    check = gradcheck.check("function_2", {}, 0.5)  # f‴ = 0: no truncation error at any h
    assert check.error("float64") < 1e-12
    assert check.autograd == pytest.approx({"x": 6.0, "y": 8.0})


@pytest.mark.parametrize("h", [0.0, -1e-3, 2.0, 1e-20, float("nan"), "abc"])
def test_h_out_of_range_raises(h):
    with pytest.raises(UserError) as error:
        gradcheck.check("exp", {}, h)
    assert error.value.key.startswith("param_")


def test_gradcheck_bad_functions_raise():
    with pytest.raises(UserError) as error:
        gradcheck.check("custom", {"x": 0.5}, 1.0, "log(x)")  # x − h < 0
    assert error.value.key == "backprop.errors.difference_not_finite"
    with pytest.raises(UserError) as error:
        gradcheck.check("custom", {"x": 0.0}, 1e-4, "log(x)")
    assert error.value.key == "backprop.errors.not_finite"
    with pytest.raises(UserError) as error:
        gradcheck.error_curve("custom", {}, "q*x")
    assert error.value.key == "surfaces.errors.expr_name"
