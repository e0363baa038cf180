"""Apps never import the apps built on them.

The layering below is what the code does: each app imports only apps to its left.
Where a lower app must consult a later capability it declares a plug point
(`core/plugins.py`) that the later app fills from `AppConfig.ready()`:

- registry: enterprises, products, quotas; a user acts for an enterprise, so
  accounts comes after it, and what both share for access (permissions, `requires`,
  the scope) is in core;
- ledger records what users of registered enterprises report;
- trace reads the ledger; reporting closes months of it (and tells capture which are
  closed: `ledger.capture.CLOSED_MONTHS`) and checks who may see an enterprise with
  trace's selectors;
- exportcontrol guards exports at capture (`EXPORT_GUARDS`) and classifies lots it
  looks up through trace;
- compliance checks the ledger, reports and licences; reconciliation compares
  exports and opens compliance cases;
- lake copies the ledger to Parquet and registers the Spark engine that the
  compliance and reconciliation commands look up by name (`compliance.engines`);
- epcis speaks GS1 EPCIS 2.0: it captures through the ledger's batch capture and
  serves the ledger as EPCIS events, reading what trace and the registry hold;
- audit journals all of them (through their plug points and history rows); the
  portal shows everything; the synthetic data and the benchmark drive the lot.

Every import counts: at module level, inside functions and under TYPE_CHECKING. A
new app must be placed here explicitly.
"""

from __future__ import annotations

import ast
from pathlib import Path

import reetrace

PACKAGE = Path(reetrace.__file__).resolve().parent
LAYERS = [
    "core",
    "registry",
    "accounts",
    "ledger",
    "trace",
    "reporting",
    "exportcontrol",
    "compliance",
    "reconciliation",
    "lake",
    "epcis",
    "audit",
    "portal",
    "synth",
    "bench",
]
# Project modules an app may import: configuration only (api.py, urls.py and
# settings.py assemble the apps and are imported by none).
PROJECT_MODULES_ALLOWED = {"conf"}


def imported_modules(source: str) -> list[tuple[int, str]]:
    """(line, module) of every `reetrace.*` import, wherever it is in the module."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module == "reetrace":
                names = [f"reetrace.{alias.name}" for alias in node.names]
            found += [(node.lineno, name) for name in names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return [(line, name) for line, name in found if name.startswith("reetrace.")]


def apps() -> list[str]:
    return sorted(p.parent.name for p in PACKAGE.glob("*/apps.py"))


def violations(app: str, path: Path, source: str) -> list[str]:
    rank = LAYERS.index(app)
    rel = path.relative_to(PACKAGE)
    found = []
    for line, module in imported_modules(source):
        target = module.split(".")[1]
        if target in LAYERS and LAYERS.index(target) > rank:
            found.append(f"src/reetrace/{rel}:{line}: {app} imports {module} ({target} is above)")
        elif target not in LAYERS and target != app and target not in PROJECT_MODULES_ALLOWED:
            found.append(f"src/reetrace/{rel}:{line}: {app} imports the project module {module}")
    return found


def test_the_check_sees_every_kind_of_import():
    source = (
        "from reetrace.portal.tables import x\n"
        "def f():\n    import reetrace.audit.journal\n"
        "if TYPE_CHECKING:\n    from reetrace import compliance\n"
        "from reetrace.core.errors import E\n"
    )
    path = PACKAGE / "ledger" / "example.py"
    assert [v.split(": ", 1)[0] for v in violations("ledger", path, source)] == [
        "src/reetrace/ledger/example.py:1",
        "src/reetrace/ledger/example.py:3",
        "src/reetrace/ledger/example.py:5",
    ]


def test_every_app_has_its_place_in_the_layers():
    assert sorted(LAYERS) == apps(), (
        "place each app in LAYERS (tests/test_layers.py) after every app it imports"
    )


def test_no_app_imports_an_app_built_on_it():
    problems = []
    for app in LAYERS:
        for path in sorted((PACKAGE / app).rglob("*.py")):
            problems += violations(app, path, path.read_text(encoding="utf-8"))
    assert not problems, "\n".join(problems)
