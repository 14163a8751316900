"""The page's computational graphs: the course's three examples and a typed formula.

- ``shopping``: 002 §4.1, 2 apples at 100 and 3 oranges at 150, summed, times tax 1.1.
- ``d2l``: e = (a + b)·(b + 1), the d2l/course example where b feeds two paths.
- ``linear_loss``: course 004's ŷ = x·w with the squared loss (ŷ − y)².
- ``custom``: a formula in x and y typed by the user (parsed safely, never evaluated).

Each entry's `params` are its variables' values; `graph(name, text)` builds its graph.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from core.backprop.expression import expression_graph, expression_latex
from core.backprop.graph import Graph, Node, Trace, autograd_grads, backward
from core.registry import Entry, Param, Registry

FAMILY = "backprop.graphs"
DEFAULT_EXPRESSION = "x*y + sin(x)"


@dataclass(frozen=True)
class GraphEntry(Entry):
    """A graph to step through; `build` is None for the typed formula."""

    build: Callable[[], Graph] | None = None


def _var(name: str, symbol: str, text: str) -> Node:
    return Node("var", symbol=symbol, text=text, name=name)


def _op(op: str, inputs: tuple[int, ...], symbol: str, text: str, name: str = "") -> Node:
    return Node(op, inputs, symbol=symbol, text=text, name=name)


def _const(value: float) -> Node:
    return Node("const", symbol=f"{value:g}", text=f"{value:g}", value=value)


def shopping() -> Graph:
    return Graph((
        _var("apple", "p_a", "pₐ"),                                   # 0
        _var("n_apple", "n_a", "nₐ"),                                 # 1
        _op("mul", (0, 1), "u_1", "u₁", "apple_total"),               # 2
        _var("orange", "p_o", "pₒ"),                                  # 3
        _var("n_orange", "n_o", "nₒ"),                                # 4
        _op("mul", (3, 4), "u_2", "u₂", "orange_total"),              # 5
        _op("add", (2, 5), "u_3", "u₃", "subtotal"),                  # 6
        _var("tax", "t", "t"),                                        # 7
        _op("mul", (6, 7), "L", "L", "total"),                        # 8
    ))  # fmt: skip


def d2l() -> Graph:
    return Graph((
        _var("a", "a", "a"),                   # 0
        _var("b", "b", "b"),                   # 1
        _op("add", (0, 1), "c", "c"),          # 2
        _const(1.0),                           # 3
        _op("add", (1, 3), "d", "d"),          # 4
        _op("mul", (2, 4), "e", "e"),          # 5
    ))  # fmt: skip


def linear_loss() -> Graph:
    return Graph((
        _var("x", "x", "x"),                                  # 0
        _var("w", "w", "w"),                                  # 1
        _op("mul", (0, 1), r"\hat{y}", "ŷ", "prediction"),    # 2
        _var("y", "y", "y", ),                                # 3
        _op("sub", (2, 3), "r", "r", "residual"),             # 4
        _const(2.0),                                          # 5
        _op("pow", (4, 5), r"\ell", "ℓ", "loss"),             # 6
    ))  # fmt: skip


def _value(name: str, default: float, low: float = -5.0, high: float = 5.0, step: float = 0.1) -> Param:
    return Param(name, default, low, high, step)


GRAPHS: Registry[GraphEntry] = Registry(
    FAMILY,
    [
        GraphEntry(
            "shopping",
            params=(
                _value("apple", 100.0, 0.0, 500.0, 10.0),
                Param("n_apple", 2, 0, 10, 1),
                _value("orange", 150.0, 0.0, 500.0, 10.0),
                Param("n_orange", 3, 0, 10, 1),
                _value("tax", 1.1, 1.0, 2.0, 0.01),
            ),
            formula=r"L = (p_a\,n_a + p_o\,n_o)\cdot t",
            build=shopping,
        ),
        GraphEntry("d2l", params=(_value("a", 2.0), _value("b", 1.0)), formula=r"e = (a + b)\cdot(b + 1)", build=d2l),
        GraphEntry(
            "linear_loss",
            params=(_value("x", 1.0), _value("w", 1.0), _value("y", 2.0)),
            formula=r"\hat{y} = x\cdot w,\qquad \ell = (\hat{y} - y)^2",
            build=linear_loss,
        ),
        GraphEntry("custom", params=(_value("x", 1.0), _value("y", 2.0))),
    ],
)


def graph(name: str, text: str = DEFAULT_EXPRESSION) -> Graph:
    """The graph of a registry entry (`text` is the formula of ``custom``)."""
    entry = GRAPHS.get(name)
    return entry.build() if entry.build is not None else expression_graph(text)


def formula(name: str, text: str = DEFAULT_EXPRESSION) -> str:
    """The entry's LaTeX (the typed formula's, as f = …, for ``custom``)."""
    entry = GRAPHS.get(name)
    return entry.formula or f"f = {expression_latex(text)}"


def trace(name: str, values: Mapping[str, Any], text: str = DEFAULT_EXPRESSION) -> Trace:
    """Forward and step-by-step backward pass of an entry's graph at validated `values`.

    Raises:
        UserError: a value outside its spec, a formula the parser rejects, a non-finite value.
    """
    resolved = GRAPHS.get(name).resolve(values)
    return backward(graph(name, text), resolved)


@dataclass(frozen=True)
class AutogradRow:
    """A variable's gradient by the stepped backward pass and by ``torch.autograd``."""

    variable: str
    value: float
    backprop: float
    autograd: float

    @property
    def diff(self) -> float:
        return abs(self.backprop - self.autograd)


def autograd_check(name: str, values: Mapping[str, Any], text: str = DEFAULT_EXPRESSION) -> list[AutogradRow]:
    """Every variable's gradient from `trace` next to autograd's on the same graph."""
    resolved = GRAPHS.get(name).resolve(values)
    g = graph(name, text)
    hand = backward(g, resolved).variable_grads()
    auto = autograd_grads(g, resolved)
    return [AutogradRow(v, float(resolved[v]), hand[v], auto[v]) for v in hand]
