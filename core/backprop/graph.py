"""Computational graphs of scalars: the forward pass, then the backward pass one node at a time.

A `Graph` is a list of `Node`s in topological order (every node after its inputs). The
forward pass evaluates them in that order; the backward pass visits them in reverse, and at
each operation node applies its *local rule*: the upstream gradient ∂L/∂z times the local
derivative ∂z/∂a is added to each input a's gradient (the chain rule, summed over paths):

    ∂L/∂a  +=  ∂L/∂z · ∂z/∂a

Every visit is recorded as a `Step`, so a page can replay the backward pass node by node.
Values are float64 torch scalars; the local derivatives follow torch's own backward formulas
(derivatives.yaml), so the gradients equal ``torch.autograd``'s (tested).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import torch

from core.errors import UserError

Tensor = torch.Tensor
DTYPE = torch.float64


@dataclass(frozen=True)
class Node:
    """One scalar in the graph.

    Args:
        op: ``"var"`` (an input the gradient is taken for), ``"const"``, or an operation:
            ``add sub mul div pow neg`` or a function name (``sin``, ``exp``, ``max``...).
        inputs: indices of the input nodes (earlier in the graph).
        symbol: LaTeX for the node (``p_a``, ``u_3``, ``\\hat{y}``).
        text: the same in plain Unicode, for the drawing (``ŷ``, ``u₃``).
        name: a variable's name (the key of its value); for any node, its i18n caption is
            ``backprop.nodes.<name>`` where that exists (built-in graphs), ``""`` for none.
        value: a constant's value (unused otherwise).
        source: the sub-formula this node computes, for messages (``log(x - 1)``), or ``""``.
    """

    op: str
    inputs: tuple[int, ...] = ()
    symbol: str = ""
    text: str = ""
    name: str = ""
    value: float = 0.0
    source: str = ""


@dataclass(frozen=True)
class Graph:
    """Nodes in topological order; the last one is the output."""

    nodes: tuple[Node, ...]

    @property
    def output(self) -> int:
        return len(self.nodes) - 1

    def variables(self) -> list[str]:
        """The variables' names, in graph order."""
        return [n.name for n in self.nodes if n.op == "var"]

    def requires_grad(self) -> list[bool]:
        """Like autograd: a variable needs a gradient, a constant does not, an op if any input does."""
        needs: list[bool] = []
        for node in self.nodes:
            needs.append(node.op == "var" or (node.op != "const" and any(needs[i] for i in node.inputs)))
        return needs

    def consumers(self) -> list[list[int]]:
        out: list[list[int]] = [[] for _ in self.nodes]
        for i, node in enumerate(self.nodes):
            for j in node.inputs:
                out[j].append(i)
        return out


def _maximum_partials(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    # torch: the larger input takes the whole gradient, a tie splits it in half
    tie = (a == b).to(a)
    return (a > b).to(a) + 0.5 * tie, (b > a).to(a) + 0.5 * tie


def _minimum_partials(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    tie = (a == b).to(a)
    return (a < b).to(a) + 0.5 * tie, (b < a).to(a) + 0.5 * tie


def _pow_partials(a: Tensor, b: Tensor, z: Tensor) -> tuple[Tensor, Tensor]:
    # torch: d/da = b·a^(b−1), 0 where b == 0; d/db = z·ln a, 0 where a == 0 and b ≥ 0
    da = torch.where(b == 0, torch.zeros_like(a), b * a.pow(b - 1))
    db = torch.where((a == 0) & (b >= 0), torch.zeros_like(a), z * a.log())
    return da, db


# op -> (arity, forward, local partials (inputs, output) -> one ∂z/∂input per input)
OPS: dict[str, tuple[int, Callable[..., Tensor], Callable[..., tuple[Tensor, ...]]]] = {
    "add": (2, torch.add, lambda a, b, z: (torch.ones_like(a), torch.ones_like(b))),
    "sub": (2, torch.sub, lambda a, b, z: (torch.ones_like(a), -torch.ones_like(b))),
    "mul": (2, torch.mul, lambda a, b, z: (b, a)),
    "div": (2, torch.div, lambda a, b, z: (1 / b, -a / (b * b))),
    "pow": (2, torch.pow, lambda a, b, z: _pow_partials(a, b, z)),
    "neg": (1, torch.neg, lambda a, z: (-torch.ones_like(a),)),
    "sin": (1, torch.sin, lambda a, z: (torch.cos(a),)),
    "cos": (1, torch.cos, lambda a, z: (-torch.sin(a),)),
    "tan": (1, torch.tan, lambda a, z: (1 + z * z,)),
    "exp": (1, torch.exp, lambda a, z: (z,)),
    "log": (1, torch.log, lambda a, z: (1 / a,)),
    "sqrt": (1, torch.sqrt, lambda a, z: (1 / (2 * z),)),
    "abs": (1, torch.abs, lambda a, z: (torch.sign(a),)),
    "tanh": (1, torch.tanh, lambda a, z: (1 - z * z,)),
    "sinh": (1, torch.sinh, lambda a, z: (torch.cosh(a),)),
    "cosh": (1, torch.cosh, lambda a, z: (torch.sinh(a),)),
    "atan": (1, torch.atan, lambda a, z: (1 / (1 + a * a),)),
    "sigmoid": (1, torch.sigmoid, lambda a, z: (z * (1 - z),)),
    "atan2": (2, torch.atan2, lambda a, b, z: (b / (a * a + b * b), -a / (a * a + b * b))),
    "max": (2, torch.maximum, lambda a, b, z: _maximum_partials(a, b)),
    "min": (2, torch.minimum, lambda a, b, z: _minimum_partials(a, b)),
}


@dataclass(frozen=True)
class Step:
    """One visit of the backward pass.

    Args:
        node: the node visited (the output for the first step, the seed ∂L/∂L = 1).
        upstream: ∂L/∂z of that node.
        partials: ∂z/∂input for each input (NaN for an input that needs no gradient).
        contributions: upstream · partial for each input (NaN where none is sent).
        grads: every node's accumulated gradient after this step (None: nothing received yet).
    """

    node: int
    upstream: float
    partials: tuple[float, ...]
    contributions: tuple[float, ...]
    grads: tuple[float | None, ...]


@dataclass(frozen=True)
class Trace:
    """A graph's forward values and its recorded backward pass."""

    graph: Graph
    values: tuple[float, ...]
    steps: tuple[Step, ...]

    @property
    def grads(self) -> tuple[float | None, ...]:
        """The final gradient of every node (None for those that need none)."""
        return self.steps[-1].grads

    def variable_grads(self) -> dict[str, float]:
        """∂L/∂v for every variable v, by name."""
        return {n.name: self.grads[i] for i, n in enumerate(self.graph.nodes) if n.op == "var"}


def _label(node: Node) -> str:
    text = node.text or node.op
    return f"{text} = {node.source}" if node.source and node.source != text else text


def forward(graph: Graph, values: Mapping[str, float]) -> list[Tensor]:
    """Every node's value (float64 scalars); `values` gives each variable's value by name.

    Raises:
        UserError: a variable without a value, or a node whose value is not finite.
    """
    out: list[Tensor] = []
    for node in graph.nodes:
        if node.op == "var":
            if node.name not in values:
                raise ValueError(f"no value for the variable {node.name!r}")
            out.append(torch.tensor(float(values[node.name]), dtype=DTYPE))
        elif node.op == "const":
            out.append(torch.tensor(node.value, dtype=DTYPE))
        else:
            out.append(OPS[node.op][1](*(out[i] for i in node.inputs)))
        if not math.isfinite(float(out[-1])):
            raise UserError(
                "backprop.errors.not_finite",
                f"node {_label(node)} has no finite value ({float(out[-1])})",
                node=_label(node),
                value=f"{float(out[-1])}",
            )
    return out


def backward(graph: Graph, values: Mapping[str, float]) -> Trace:
    """Run the forward pass, then the backward pass step by step (reverse topological order).

    Raises:
        UserError: no variable to differentiate, a non-finite value or a non-finite gradient.
    """
    needs = graph.requires_grad()
    if not needs[graph.output]:
        raise UserError("backprop.errors.no_variable", "the output depends on no variable")
    vals = forward(graph, values)
    grads: list[float | None] = [None] * len(graph.nodes)
    grads[graph.output] = 1.0
    nan = float("nan")
    steps = [Step(graph.output, 1.0, (), (), tuple(grads))]
    for i in range(len(graph.nodes) - 1, -1, -1):
        node = graph.nodes[i]
        if node.op in ("var", "const") or not needs[i]:
            continue
        upstream = grads[i]
        args = [vals[j] for j in node.inputs]
        local = OPS[node.op][2](*args, vals[i])
        partials, sent = [], []
        for j, d in zip(node.inputs, local, strict=True):
            if not needs[j]:
                partials.append(nan)
                sent.append(nan)
                continue
            contribution = upstream * float(d)
            if not math.isfinite(contribution):
                raise UserError(
                    "backprop.errors.grad_not_finite",
                    f"the gradient at {_label(graph.nodes[j])} is not finite",
                    node=_label(graph.nodes[j]),
                )
            partials.append(float(d))
            sent.append(contribution)
            grads[j] = contribution if grads[j] is None else grads[j] + contribution
        steps.append(Step(i, upstream, tuple(partials), tuple(sent), tuple(grads)))
    return Trace(graph, tuple(float(v) for v in vals), tuple(steps))


def autograd_grads(graph: Graph, values: Mapping[str, float]) -> dict[str, float]:
    """∂L/∂v for every variable, by ``torch.autograd`` on the same forward operations."""
    leaves: dict[int, Tensor] = {}
    vals: list[Tensor] = []
    for i, node in enumerate(graph.nodes):
        if node.op == "var":
            leaves[i] = torch.tensor(float(values[node.name]), dtype=DTYPE, requires_grad=True)
            vals.append(leaves[i])
        elif node.op == "const":
            vals.append(torch.tensor(node.value, dtype=DTYPE))
        else:
            vals.append(OPS[node.op][1](*(vals[j] for j in node.inputs)))
    grads = torch.autograd.grad(vals[-1], list(leaves.values()), allow_unused=True)
    return {graph.nodes[i].name: (0.0 if g is None else float(g)) for i, g in zip(leaves, grads, strict=True)}


# z = op(a, b): each operation's local rule, the derivative of its output by each input
RULES: dict[str, str] = {
    "add": r"z = a + b \;\Rightarrow\; \frac{\partial z}{\partial a} = 1,\ \frac{\partial z}{\partial b} = 1",
    "sub": r"z = a - b \;\Rightarrow\; \frac{\partial z}{\partial a} = 1,\ \frac{\partial z}{\partial b} = -1",
    "mul": r"z = a\,b \;\Rightarrow\; \frac{\partial z}{\partial a} = b,\ \frac{\partial z}{\partial b} = a",
    "div": r"z = \frac{a}{b} \;\Rightarrow\; \frac{\partial z}{\partial a} = \frac{1}{b},\ "
    r"\frac{\partial z}{\partial b} = -\frac{a}{b^2}",
    "pow": r"z = a^b \;\Rightarrow\; \frac{\partial z}{\partial a} = b\,a^{b-1},\ \frac{\partial z}{\partial b} = z\ln a",
    "neg": r"z = -a \;\Rightarrow\; \frac{\partial z}{\partial a} = -1",
    "sin": r"z = \sin a \;\Rightarrow\; \frac{\partial z}{\partial a} = \cos a",
    "cos": r"z = \cos a \;\Rightarrow\; \frac{\partial z}{\partial a} = -\sin a",
    "tan": r"z = \tan a \;\Rightarrow\; \frac{\partial z}{\partial a} = 1 + z^2",
    "exp": r"z = e^a \;\Rightarrow\; \frac{\partial z}{\partial a} = e^a = z",
    "log": r"z = \ln a \;\Rightarrow\; \frac{\partial z}{\partial a} = \frac{1}{a}",
    "sqrt": r"z = \sqrt{a} \;\Rightarrow\; \frac{\partial z}{\partial a} = \frac{1}{2\sqrt{a}} = \frac{1}{2z}",
    "abs": r"z = |a| \;\Rightarrow\; \frac{\partial z}{\partial a} = \operatorname{sign}(a)",
    "tanh": r"z = \tanh a \;\Rightarrow\; \frac{\partial z}{\partial a} = 1 - z^2",
    "sinh": r"z = \sinh a \;\Rightarrow\; \frac{\partial z}{\partial a} = \cosh a",
    "cosh": r"z = \cosh a \;\Rightarrow\; \frac{\partial z}{\partial a} = \sinh a",
    "atan": r"z = \arctan a \;\Rightarrow\; \frac{\partial z}{\partial a} = \frac{1}{1 + a^2}",
    "sigmoid": r"z = \sigma(a) \;\Rightarrow\; \frac{\partial z}{\partial a} = z\,(1 - z)",
    "atan2": r"z = \operatorname{atan2}(a, b) \;\Rightarrow\; \frac{\partial z}{\partial a} = \frac{b}{a^2 + b^2},\ "
    r"\frac{\partial z}{\partial b} = -\frac{a}{a^2 + b^2}",
    "max": r"z = \max(a, b) \;\Rightarrow\; \frac{\partial z}{\partial a} = [a > b] + \tfrac12[a = b],\ "
    r"\frac{\partial z}{\partial b} = [b > a] + \tfrac12[a = b]",
    "min": r"z = \min(a, b) \;\Rightarrow\; \frac{\partial z}{\partial a} = [a < b] + \tfrac12[a = b],\ "
    r"\frac{\partial z}{\partial b} = [b < a] + \tfrac12[a = b]",
}
SEED = r"\frac{\partial L}{\partial L} = 1"


def number_latex(value: float, factor: bool = False) -> str:
    """A value for a formula: 4 significant digits, powers of ten as ×10ⁿ; a negative `factor` in brackets."""
    text = f"{value:.4g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = rf"{mantissa}\times 10^{{{int(exponent)}}}"
    return rf"\left({text}\right)" if factor and value < 0 else text


def step_latex(trace: Trace, k: int) -> list[str]:
    """The chain rule applied at backward step `k`, with its numbers: one line per input.

    Step 0 is the seed ∂L/∂L = 1 (L: the output's symbol).
    """
    if not 0 <= k < len(trace.steps):
        raise ValueError(f"step {k} is outside [0, {len(trace.steps) - 1}]")
    nodes = trace.graph.nodes
    out = nodes[trace.graph.output].symbol
    step = trace.steps[k]
    if k == 0:
        return [rf"\frac{{\partial {out}}}{{\partial {out}}} = 1"]
    z = nodes[step.node]
    shared = [len(c) > 1 for c in trace.graph.consumers()]
    lines = []
    for j, d, c in zip(z.inputs, step.partials, step.contributions, strict=True):
        if math.isnan(c):
            continue
        a = nodes[j].symbol
        gets = r"\mathrel{+}=" if shared[j] else "="
        lines.append(
            rf"\frac{{\partial {out}}}{{\partial {a}}} {gets} \frac{{\partial {out}}}{{\partial {z.symbol}}}"
            rf"\cdot\frac{{\partial {z.symbol}}}{{\partial {a}}} = {number_latex(step.upstream, True)}"
            rf"\cdot {number_latex(d, True)} = {number_latex(c)}"
        )
    return lines
