"""A typed formula as a computational graph (and as LaTeX), from the safe parser's syntax tree.

`core.expr.parse_expression` checks the text against its whitelist and hands back the
syntax tree; this module only walks that tree, it never evaluates the text. Each use of
``x`` or ``y`` is the same variable node, so a variable used twice gets its gradient from
both paths (summed), as autograd does.
"""

from __future__ import annotations

import ast

from core.backprop.graph import Graph, Node
from core.expr import CONSTANTS, parse_expression

BINARY = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
CONSTANT_SYMBOLS = {"pi": (r"\pi", "π"), "e": ("e", "e")}
OUTPUT = ("f", "f")


def number_text(value: float) -> str:
    """A constant as written: 2 not 2.0, 0.1 not 0.1000."""
    return f"{value:g}"


def expression_graph(text: str) -> Graph:
    """The graph of `text`: variables ``x``/``y``, constants, one node per operation.

    Intermediate results are named u₁, u₂, … in the order they are computed; the output is f.

    Raises:
        UserError: whatever `core.expr` rejects (syntax, unknown names, arity, length).
    """
    tree = parse_expression(text)
    nodes: list[Node] = []
    seen: dict[str, int] = {}

    def add(node: Node) -> int:
        nodes.append(node)
        return len(nodes) - 1

    def operation(op: str, inputs: tuple[int, ...], source: ast.AST) -> int:
        k = sum(1 for n in nodes if n.op not in ("var", "const")) + 1
        text = f"u{str(k).translate(SUBSCRIPTS)}"
        return add(Node(op, inputs, symbol=f"u_{{{k}}}", text=text, source=ast.unparse(source)))

    def visit(node: ast.AST) -> int:
        if isinstance(node, ast.Constant):
            value = float(node.value)
            return add(Node("const", symbol=number_text(value), text=number_text(value), value=value))
        if isinstance(node, ast.Name):
            if node.id in CONSTANTS:
                symbol, shown = CONSTANT_SYMBOLS[node.id]
                return add(Node("const", symbol=symbol, text=shown, value=CONSTANTS[node.id]))
            if node.id not in seen:
                seen[node.id] = add(Node("var", symbol=node.id, text=node.id, name=node.id))
            return seen[node.id]
        if isinstance(node, ast.BinOp):
            left, right = visit(node.left), visit(node.right)
            return operation(BINARY[type(node.op)], (left, right), node)
        if isinstance(node, ast.UnaryOp):
            operand = visit(node.operand)
            return operand if isinstance(node.op, ast.UAdd) else operation("neg", (operand,), node)
        if isinstance(node, ast.Call):
            args = tuple(visit(a) for a in node.args)
            return operation(node.func.id, args, node)
        raise TypeError(f"unexpected {type(node).__name__} after the parser's checks")

    root = visit(tree)
    if root != len(nodes) - 1:  # cannot happen: the root is visited last
        raise AssertionError("the output is not the last node")
    last = nodes[-1]
    if last.op not in ("var", "const"):
        nodes[-1] = Node(last.op, last.inputs, symbol=OUTPUT[0], text=OUTPUT[1], source=last.source)
    return Graph(tuple(nodes))


FUNCTION_LATEX = {
    "sin": r"\sin", "cos": r"\cos", "tan": r"\tan", "exp": r"\exp", "log": r"\ln",
    "tanh": r"\tanh", "sinh": r"\sinh", "cosh": r"\cosh", "atan": r"\arctan",
    "sigmoid": r"\sigma", "atan2": r"\operatorname{atan2}", "min": r"\min", "max": r"\max",
}  # fmt: skip
PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.Pow: 4}


def _latex(node: ast.AST) -> tuple[str, int]:
    """(LaTeX, precedence): 1 sum, 2 product, 3 unary minus, 4 power, 5 atom."""
    if isinstance(node, ast.Constant):
        return number_text(float(node.value)), 5
    if isinstance(node, ast.Name):
        return (r"\pi" if node.id == "pi" else node.id), 5
    if isinstance(node, ast.UnaryOp):
        inner, p = _latex(node.operand)
        if isinstance(node.op, ast.UAdd):
            return inner, p
        return "-" + (rf"\left({inner}\right)" if p <= 3 else inner), 3
    if isinstance(node, ast.Call):
        args = [_latex(a)[0] for a in node.args]
        name = node.func.id
        if name == "sqrt":
            return rf"\sqrt{{{args[0]}}}", 5
        if name == "abs":
            return rf"\left|{args[0]}\right|", 5
        return rf"{FUNCTION_LATEX[name]}\left({', '.join(args)}\right)", 5
    if isinstance(node, ast.BinOp):
        op = type(node.op)
        left, lp = _latex(node.left)
        right, rp = _latex(node.right)
        if op is ast.Div:
            return rf"\frac{{{left}}}{{{right}}}", 5
        if op is ast.Pow:
            base = left if lp == 5 else rf"\left({left}\right)"
            return f"{base}^{{{right}}}", 4
        mine = PRECEDENCE[op]
        if lp < mine:
            left = rf"\left({left}\right)"
        # a − (b + c) and a · (−b) need brackets on the right
        if rp < mine or (rp == mine and op is ast.Sub) or (rp == 3 and mine >= 2):
            right = rf"\left({right}\right)"
        sign = {ast.Add: " + ", ast.Sub: " - ", ast.Mult: r" \cdot "}[op]
        return left + sign + right, mine
    raise TypeError(f"unexpected {type(node).__name__} after the parser's checks")


def expression_latex(text: str) -> str:
    """`text` as LaTeX (checked by the safe parser first)."""
    return _latex(parse_expression(text))[0]
