"""Scoping lint: API and view modules do not query models directly.

Rows reach a caller through selectors that scope them to the actor (trace/selectors.py,
ledger/selectors.py, registry/selectors.py). A `Model.objects...` in an `api.py` or
`views.py` bypasses that, so it is refused unless the exact line is on ALLOWED below
with the reason it is safe. Entries are matched on the stripped source line, not the
line number, so unrelated edits do not break them; an entry that no longer matches
anything fails too, so the list cannot rot.
"""

from __future__ import annotations

import ast
from pathlib import Path

import reetrace

PACKAGE = Path(reetrace.__file__).resolve().parent
LINTED_NAMES = {"api.py", "views.py"}

# (module relative to src/reetrace, stripped source line) -> why it is safe
ALLOWED: dict[tuple[str, str], str] = {
    (
        "registry/api.py",
        "return list(Product.objects.all())  # reference table: public within the system",
    ): "the product catalogue is a reference table, public within the system",
}


def linted_modules() -> list[Path]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if "migrations" in rel.parts or "management" in rel.parts:
            continue
        in_views_package = len(rel.parts) > 2 and rel.parts[-2] in {"views", "api"}
        if rel.name in LINTED_NAMES or in_views_package:
            found.append(path)
    return found


def direct_queries(path: Path) -> list[tuple[int, str]]:
    """(line, stripped source) of every `<something>.objects` in a module."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    hits = []
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            hits.append((node.lineno, lines[node.lineno - 1].strip()))
    return sorted(set(hits))


def test_the_lint_finds_modules():
    names = {str(p.relative_to(PACKAGE)) for p in linted_modules()}
    assert "api.py" in names and "registry/api.py" in names and "trace/api.py" in names


def test_the_lint_sees_through_formatting(tmp_path):
    module = tmp_path / "api.py"
    module.write_text(
        "def f():\n    return (\n        Lot\n        .objects.filter(x=1)\n    )\n"
        "def g(m):\n    return getattr(m, 'name').objects.all()\n"
    )
    assert [line for line, _ in direct_queries(module)] == [3, 7]


def test_api_and_view_modules_query_through_selectors():
    seen: set[tuple[str, str]] = set()
    problems = []
    for path in linted_modules():
        rel = str(path.relative_to(PACKAGE))
        for line, text in direct_queries(path):
            seen.add((rel, text))
            if (rel, text) not in ALLOWED:
                problems.append(f"src/reetrace/{rel}:{line}: {text}")
    assert not problems, (
        "direct model queries in API/view modules (use a selector that scopes rows to "
        "the actor, or add the line to ALLOWED in tests/lint/test_scoping.py with a "
        "reason):\n" + "\n".join(problems)
    )
    stale = sorted(set(ALLOWED) - seen)
    assert not stale, f"ALLOWED entries that match no line any more: {stale}"
