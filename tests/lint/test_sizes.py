"""The write path and the trace stay in pieces a person can hold: no module over 400
lines and no function over 60 in `ledger/capture` and `trace` (issue 14)."""

from __future__ import annotations

import ast
from pathlib import Path

import reetrace

PACKAGE = Path(reetrace.__file__).resolve().parent
HELD = ["ledger/capture", "trace"]
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def oversized(path: Path, root: Path) -> list[str]:
    """What in the module is too long, named by path, line and function."""
    source = path.read_text(encoding="utf-8")
    rel = path.relative_to(root)
    found = []
    if len(source.splitlines()) > MAX_MODULE_LINES:
        found.append(f"{rel}: {len(source.splitlines())} lines")
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines = node.end_lineno - node.lineno + 1
            if lines > MAX_FUNCTION_LINES:
                found.append(f"{rel}:{node.lineno}: {node.name} has {lines} lines")
    return found


def test_the_check_measures_modules_and_functions(tmp_path):
    (tmp_path / "short.py").write_text("def f():\n" + "    x = 1\n" * 59)
    (tmp_path / "long.py").write_text("class C:\n    def f(self):\n" + "        x = 1\n" * 60)
    (tmp_path / "big.py").write_text("x = 1\n" * 401)
    assert oversized(tmp_path / "short.py", tmp_path) == []
    assert oversized(tmp_path / "long.py", tmp_path) == ["long.py:2: f has 61 lines"]
    assert oversized(tmp_path / "big.py", tmp_path) == ["big.py: 401 lines"]


def test_capture_and_trace_modules_and_functions_are_small():
    problems = [
        problem
        for folder in HELD
        for path in sorted((PACKAGE / folder).rglob("*.py"))
        for problem in oversized(path, PACKAGE)
    ]
    assert not problems, "split these:\n" + "\n".join(problems)
