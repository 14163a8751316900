"""The house shape (README "Architecture"): short page scripts, short functions, every page measured.

These are the rules a new page or module is held to; each names what broke it.
"""

from __future__ import annotations

import ast

import pytest

from tests.conftest import ROOT
from ui.nav import available

MAX_PAGE_LINES = 250
MAX_FUNCTION_LINES = 80
# Allowed to be long: the exported script is one template, and a command line's main() reads as one recipe.
LONG_ALLOWED = {("core/train/export.py", "script"), ("core/digits/train.py", "main"), ("core/poetry/train.py", "main")}
PAGES = [p.name for p in available()]


@pytest.mark.parametrize("name", PAGES)
def test_a_page_script_is_short(name):
    lines = (ROOT / "pages" / f"{name}.py").read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_PAGE_LINES, f"pages/{name}.py has {lines} lines: move charts to ui/, math to core/"


def _functions(folder: str):
    for path in sorted((ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                yield path.relative_to(ROOT).as_posix(), node


@pytest.mark.parametrize("folder", ["core", "ui", "pages"])
def test_no_function_is_longer_than_80_lines(folder):
    long = [
        f"{path}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for path, node in _functions(folder)
        if node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES and (path, node.name) not in LONG_ALLOWED
    ]
    assert not long, long


@pytest.mark.parametrize("name", PAGES)
def test_every_page_has_latency_cases(name):
    cases = ROOT / "benchmarks" / "latency" / f"{name}.py"
    assert cases.exists(), f"{cases.relative_to(ROOT)}: the page's interactions for benchmarks/bench_latency.py"
    source = cases.read_text(encoding="utf-8")
    assert f'PAGE = "{name}"' in source and "CASES = [" in source
