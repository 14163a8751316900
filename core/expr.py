"""A safe parser for user-typed formulas in x and y (never `eval`).

The text is parsed with Python's `ast` and every node is checked against a whitelist:
numbers, the names ``x``, ``y``, ``pi``, ``e``, the operators ``+ - * / ** ^`` (``^`` is
rewritten to ``**`` first), unary ``±``, and calls of whitelisted functions by plain name. Anything
else — attribute access, subscripts, comprehensions, lambdas, keywords, strings, dunder
names — is rejected with a message saying what was found. The checked tree is turned
into a closure over torch operations, so evaluation never runs Python code from the text.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable

import torch

from core.errors import UserError

MAX_LENGTH = 300
MAX_NODES = 200

FUNCTIONS: dict[str, tuple[int, Callable[..., torch.Tensor]]] = {
    "sin": (1, torch.sin),
    "cos": (1, torch.cos),
    "tan": (1, torch.tan),
    "exp": (1, torch.exp),
    "log": (1, torch.log),
    "sqrt": (1, torch.sqrt),
    "abs": (1, torch.abs),
    "tanh": (1, torch.tanh),
    "sinh": (1, torch.sinh),
    "cosh": (1, torch.cosh),
    "atan": (1, torch.atan),
    "sigmoid": (1, torch.sigmoid),
    "atan2": (2, torch.atan2),
    "min": (2, torch.minimum),
    "max": (2, torch.maximum),
}
CONSTANTS = {"pi": math.pi, "e": math.e}
VARIABLES = ("x", "y")
BINARY = {
    ast.Add: torch.add,
    ast.Sub: torch.sub,
    ast.Mult: torch.mul,
    ast.Div: torch.div,
    ast.Pow: torch.pow,
}
UNARY = {ast.USub: torch.neg, ast.UAdd: lambda a: a}

Expr = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def _reject(what: str, text: str) -> UserError:
    return UserError("surfaces.errors.expr_forbidden", f"{what} is not allowed in {text!r}", what=what)


def _compile(node: ast.AST, text: str) -> Expr:
    """A closure evaluating the checked `node` on tensors x, y."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise _reject(repr(node.value), text)
        value = float(node.value)
        return lambda x, y: torch.full_like(x, value)
    if isinstance(node, ast.Name):
        if node.id == "x":
            return lambda x, y: x
        if node.id == "y":
            return lambda x, y: y
        if node.id in CONSTANTS:
            value = CONSTANTS[node.id]
            return lambda x, y: torch.full_like(x, value)
        raise UserError("surfaces.errors.expr_name", f"unknown name {node.id!r}", name=node.id)
    if isinstance(node, ast.BinOp):
        op = BINARY.get(type(node.op))
        if op is None:
            raise _reject(type(node.op).__name__, text)
        left, right = _compile(node.left, text), _compile(node.right, text)
        return lambda x, y: op(left(x, y), right(x, y))
    if isinstance(node, ast.UnaryOp):
        op = UNARY.get(type(node.op))
        if op is None:
            raise _reject(type(node.op).__name__, text)
        operand = _compile(node.operand, text)
        return lambda x, y: op(operand(x, y))
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            raise _reject("a call of " + ast.unparse(node.func), text)
        name = node.func.id
        if name not in FUNCTIONS:
            raise UserError(
                "surfaces.errors.expr_function",
                f"unknown function {name!r}",
                name=name,
                choices=", ".join(FUNCTIONS),
            )
        arity, fn = FUNCTIONS[name]
        if node.keywords or len(node.args) != arity or any(isinstance(a, ast.Starred) for a in node.args):
            raise UserError("surfaces.errors.expr_arity", f"{name} takes {arity} argument(s)", name=name, n=arity)
        args = [_compile(a, text) for a in node.args]
        return lambda x, y: fn(*(a(x, y) for a in args))
    raise _reject(type(node).__name__, text)


def _parse(text: str) -> ast.Expression:
    """`text` parsed (``^`` read as a power), with its length and size checked."""
    if not isinstance(text, str) or not text.strip():
        raise UserError("surfaces.errors.expr_empty", "the formula is empty")
    if len(text) > MAX_LENGTH:
        raise UserError("surfaces.errors.expr_long", f"the formula is longer than {MAX_LENGTH}", n=MAX_LENGTH)
    try:
        # people type x^2 for a power; as Python's xor it would also bind looser than +
        tree = ast.parse(text.strip().replace("^", "**"), mode="eval")
    except (SyntaxError, ValueError) as error:
        raise UserError("surfaces.errors.expr_syntax", f"cannot parse {text!r}: {error}", text=text) from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise UserError("surfaces.errors.expr_long", f"the formula has more than {MAX_NODES} parts", n=MAX_LENGTH)
    return tree


def parse_expression(text: str) -> ast.expr:
    """The checked syntax tree of `text`, for callers that walk it themselves (never evaluated).

    The same checks and messages as `compile_expression`, which it runs (whitelist, names,
    arity, one trial evaluation); ``^`` appears as ``ast.Pow`` and ``+x`` as ``ast.UAdd``.
    """
    compile_expression(text)
    return _parse(text).body


def compile_expression(text: str) -> Expr:
    """Check `text` and return f(x, y) on tensors (same shape in, same shape out).

    Raises:
        UserError: empty or too long text, a syntax error, or anything outside the whitelist.
    """
    body = _compile(_parse(text).body, text)

    def f(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return body(x, y)

    # one trial evaluation: shape errors etc. surface now, as a message, not later in a chart
    probe = torch.linspace(-1.0, 1.0, 3, dtype=torch.float64)
    try:
        out = f(probe, probe.flip(0))
    except (RuntimeError, TypeError, ValueError) as error:
        raise UserError("surfaces.errors.expr_syntax", f"cannot evaluate {text!r}: {error}", text=text) from None
    if out.shape != probe.shape:
        raise UserError("surfaces.errors.expr_syntax", f"{text!r} does not give one value per point", text=text)
    return f
