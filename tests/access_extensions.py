"""Access rules contributed by apps, so each app's endpoints join the matrix in its own file.

An app adds `tests/<app>/access.py` with three functions:

* `allowed(R, EVERYONE, READ_ALL, WRITERS, ANON) -> dict[operation_id, frozenset[role]]`,
  written from the product rules;
* `prepare(scene) -> dict[path parameter, value]`: objects its operations point at
  (the enterprise user's own objects, so that allowed calls succeed);
* `request_body(scene, operation_id, role, n) -> dict | None`: a valid body, unique per
  call `n`, for its writes (None for operations it does not know).
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

APPS = ["compliance", "exportcontrol", "reconciliation", "portal", "epcis"]


def extensions() -> list[ModuleType]:
    found = []
    for app in APPS:
        name = f"tests.{app}.access"
        if importlib.util.find_spec(f"tests.{app}") and importlib.util.find_spec(name):
            found.append(importlib.import_module(name))
    return found
