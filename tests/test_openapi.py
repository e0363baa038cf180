"""The published API contract: the OpenAPI schema equals the committed snapshot, every
operation but the public lot check needs authentication, and errors are documented.

To accept an intended change of the API, regenerate the snapshot and commit it:

    REETRACE_UPDATE_OPENAPI=1 .venv/bin/pytest tests/test_openapi.py
    # or, without pytest:
    .venv/bin/python -m tests.test_openapi
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

SNAPSHOT = Path(__file__).resolve().parent.parent / "openapi" / "v1.json"
REGENERATE = (
    "regenerate it with `REETRACE_UPDATE_OPENAPI=1 .venv/bin/pytest tests/test_openapi.py` "
    "(or `.venv/bin/python -m tests.test_openapi`), review `git diff openapi/v1.json` "
    "and commit it"
)

# Operations anyone may call without credentials, and why.
PUBLIC = {"verify_lot": "the QR label check: genuine or not, nothing confidential"}

# Operations that need not document any 4xx, and why.
NO_CLIENT_ERRORS = {
    "verify_lot": "answers 200 with genuine=false for unknown or malformed codes",
}


def current_schema() -> dict:
    from reetrace.api import api

    # a JSON round trip gives plain types, as a client reads the file
    return json.loads(json.dumps(api.get_openapi_schema(), default=str))


def write_snapshot() -> Path:
    SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(current_schema(), indent=2, ensure_ascii=False) + "\n"
    SNAPSHOT.write_text(text, encoding="utf-8")
    return SNAPSHOT


def operations(schema: dict) -> dict[str, tuple[str, str, dict]]:
    """operation_id -> (METHOD, path, operation)."""
    return {
        op["operationId"]: (method.upper(), path, op)
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
    }


@pytest.fixture(scope="module")
def schema() -> dict:
    return current_schema()


def _differences(old: dict, new: dict) -> list[str]:
    old_ops, new_ops = operations(old), operations(new)
    lines = [f"new operation {op}: {new_ops[op][0]} {new_ops[op][1]}" for op in new_ops]
    lines = [line for line, op in zip(lines, new_ops, strict=True) if op not in old_ops]
    lines += [f"removed operation {op}" for op in old_ops if op not in new_ops]
    lines += [
        f"changed operation {op}" for op in new_ops if op in old_ops and new_ops[op] != old_ops[op]
    ]
    old_models = old.get("components", {}).get("schemas", {})
    new_models = new.get("components", {}).get("schemas", {})
    lines += [
        f"changed model {name}"
        for name in sorted(set(old_models) | set(new_models))
        if old_models.get(name) != new_models.get(name)
    ]
    for key in sorted(set(old) | set(new)):
        if key not in ("paths", "components") and old.get(key) != new.get(key):
            lines.append(f"changed top-level {key!r}")
    return lines or ["(ordering or other detail)"]


def test_schema_matches_the_committed_snapshot(schema):
    if os.environ.get("REETRACE_UPDATE_OPENAPI") == "1":
        write_snapshot()
        return
    assert SNAPSHOT.exists(), f"{SNAPSHOT} is missing; {REGENERATE}"
    committed = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    if committed != schema:
        pytest.fail(
            "the API schema differs from openapi/v1.json:\n  "
            + "\n  ".join(_differences(committed, schema))
            + f"\nIf the change is intended, {REGENERATE}.",
            pytrace=False,
        )


def test_operation_ids_are_unique_and_explicit(schema):
    seen = [
        op.get("operationId") for methods in schema["paths"].values() for op in methods.values()
    ]
    assert all(seen), "every operation needs an explicit operation_id"
    assert len(seen) == len(set(seen)), sorted(x for x in seen if seen.count(x) > 1)


def test_every_operation_declares_security_except_the_public_ones(schema):
    schemes = set(schema["components"]["securitySchemes"])
    assert {"BearerToken", "SessionCookie"} <= schemes
    for op_id, (method, path, op) in operations(schema).items():
        security = op.get("security")
        if op_id in PUBLIC:
            assert not security, f"{op_id} is public but declares {security}"
            continue
        assert security, f"{method} {path} ({op_id}) declares no security"
        assert {name for requirement in security for name in requirement} <= schemes


def test_public_operations_exist(schema):
    assert set(PUBLIC) <= set(operations(schema)), "PUBLIC names an operation that is gone"
    assert set(NO_CLIENT_ERRORS) <= set(PUBLIC), "only public operations may skip 4xx docs"


def _error_statuses(op: dict) -> set[int]:
    return {int(code) for code in op["responses"] if str(code).startswith("4")}


def test_every_operation_documents_its_client_errors(schema):
    problems = []
    for op_id, (method, path, op) in operations(schema).items():
        errors = _error_statuses(op)
        if op_id in NO_CLIENT_ERRORS:
            continue
        if not errors:
            problems.append(f"{op_id}: documents no 4xx response")
            continue
        wanted = set()
        if op.get("security"):
            wanted |= {401, 403}
        if "{" in path:
            wanted.add(404)
        if "requestBody" in op:
            wanted |= {400, 422}
        if wanted - errors:
            problems.append(f"{op_id} ({method} {path}): missing {sorted(wanted - errors)}")
        for status in errors:
            content = op["responses"][str(status)].get("content", {})
            body = content.get("application/json", {}).get("schema", {})
            if body.get("$ref") != "#/components/schemas/ErrorOut":
                problems.append(f"{op_id}: {status} does not describe the ErrorOut body")
    assert not problems, "\n".join(problems)


def test_secured_operations_name_their_permission(schema):
    """`requires` publishes the permission; `me` needs only a signed-in caller."""
    from reetrace.accounts.permissions import Permission

    known = {str(p) for p in Permission}
    for op_id, (_, _, op) in operations(schema).items():
        if op_id in PUBLIC or op_id == "me":
            continue
        assert op.get("x-permission") in known, f"{op_id} does not say which permission"


if __name__ == "__main__":  # python -m tests.test_openapi
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reetrace.settings")
    django.setup()
    print(f"wrote {write_snapshot()}")
