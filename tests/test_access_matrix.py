"""Who may call which operation: every operation of the API with every role.

The table below is written from the product rules, not from ROLE_PERMISSIONS, so a
wrong grant in accounts/permissions.py shows up here as a failure:

* regulator, administrator and auditor read everything; the auditor never writes;
* the licensing officer reads the ledger, lots, genealogy, stock and exports, but not
  the transaction register (prices and customer names) nor quotas or monthly reports;
* the customs officer reads lots, genealogy and exports;
* the enterprise user captures events, closes months and reads its own data (and the
  registry of parties, which it needs to name its customers);
* the foreign partner analyst sees reference data and the export summary only;
* anonymous callers get 401 everywhere except the public lot verification.

Every authenticated role manages its own API tokens and may ask who it is: tokens
are credentials, not data, so this is not a "write" an auditor is refused.

"Allowed" means the call succeeds (2xx) with a valid request; "denied" means 401 for
anonymous callers and 403 (code ``forbidden``) for a role without the right. Objects
of another enterprise are a separate rule, tested below: lots and events answer 404
(their existence is not confirmed), enterprise-level resources answer 403.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.test import Client

from reetrace.accounts.permissions import UserRole
from reetrace.accounts.tokens import token_issue
from reetrace.api import api
from reetrace.ledger.models import Event
from reetrace.registry.identifiers import uscc_with_check
from reetrace.registry.models import EnterpriseRoleGrant
from tests.access_extensions import extensions
from tests.factories.world import at, code, mine_event, receive_event, ship_event

ANON = "anonymous"
R = UserRole
ROLES: list[str] = [str(r) for r in UserRole] + [ANON]

EVERYONE = frozenset(str(r) for r in UserRole)
READ_ALL = frozenset({R.REGULATOR, R.ADMIN, R.AUDITOR})
WRITERS = frozenset({R.REGULATOR, R.ADMIN})  # registry writes; never the auditor

ALLOWED: dict[str, frozenset[str]] = {
    # accounts: everyone signed in
    "me": EVERYONE,
    "tokens_list": EVERYONE,
    "tokens_issue": EVERYONE,
    "tokens_revoke": EVERYONE,
    # registry reference tables
    "elements_list": EVERYONE,
    "products_list": EVERYONE,
    # registry of parties: names, so not the partner analyst
    "enterprises_list": READ_ALL | {R.LICENSING_OFFICER, R.CUSTOMS_OFFICER, R.ENTERPRISE},
    "enterprises_get": READ_ALL | {R.LICENSING_OFFICER, R.CUSTOMS_OFFICER, R.ENTERPRISE},
    "enterprises_register": WRITERS,
    "enterprises_site_add": WRITERS | {R.ENTERPRISE},  # its own enterprise only
    "enterprises_status_set": WRITERS,
    "quotas_list": READ_ALL,
    "quotas_issue": WRITERS,
    # ledger
    "events_capture": frozenset({R.ENTERPRISE, R.ADMIN}),  # admin: historical loads
    "events_list": READ_ALL | {R.LICENSING_OFFICER, R.ENTERPRISE},
    "events_get": READ_ALL | {R.LICENSING_OFFICER, R.ENTERPRISE},
    # trace
    "lots_get": READ_ALL | {R.LICENSING_OFFICER, R.CUSTOMS_OFFICER, R.ENTERPRISE},
    "lots_genealogy": READ_ALL | {R.LICENSING_OFFICER, R.CUSTOMS_OFFICER, R.ENTERPRISE},
    "enterprises_stock": READ_ALL | {R.LICENSING_OFFICER, R.ENTERPRISE},
    "registers_transactions": READ_ALL | {R.ENTERPRISE},
    "registers_exports": READ_ALL | {R.LICENSING_OFFICER, R.CUSTOMS_OFFICER, R.ENTERPRISE},
    "registers_exports_summary": READ_ALL | {R.LICENSING_OFFICER, R.CUSTOMS_OFFICER, R.PARTNER},
    # reporting
    "reports_close": frozenset({R.ENTERPRISE, R.ADMIN}),
    "reports_list": READ_ALL | {R.ENTERPRISE},
    # public
    "verify_lot": EVERYONE | {ANON},
    # audit: the journal is the auditor's alone; an enterprise sees reads of its data
    "audit_entries_list": frozenset({R.AUDITOR}),
    "audit_government_reads": frozenset({R.ENTERPRISE}),
}
for _extension in extensions():
    ALLOWED.update(_extension.allowed(R, EVERYONE, READ_ALL, WRITERS, ANON))


def api_operations() -> dict[str, tuple[str, str]]:
    """operation_id -> (METHOD, path template) for every operation the API publishes."""
    found: dict[str, tuple[str, str]] = {}
    for path, methods in api.get_openapi_schema()["paths"].items():
        for method, operation in methods.items():
            found[operation["operationId"]] = (method.upper(), path)
    return found


OPERATIONS = api_operations()


def test_every_operation_is_in_the_table():
    missing = sorted(set(OPERATIONS) - set(ALLOWED))
    stale = sorted(set(ALLOWED) - set(OPERATIONS))
    assert not missing, (
        f"operations without an access rule: {missing}; add each to ALLOWED in "
        "tests/test_access_matrix.py with the roles the product rules let call it"
    )
    assert not stale, f"ALLOWED lists operations the API no longer has: {stale}"


def test_auditor_never_writes():
    writes = {op for op, (method, _) in OPERATIONS.items() if method != "GET"}
    token_self_service = {"tokens_issue", "tokens_revoke"}
    assert not {op for op in writes - token_self_service if R.AUDITOR in ALLOWED.get(op, ())}


# -- the world the calls run against ---------------------------------------------------


@dataclass
class Scene:
    world: object
    token_ids: dict[str, int] = field(default_factory=dict)
    extra_params: dict[str, str] = field(default_factory=dict)
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def own(self):
        """The enterprise user's enterprise (the magnet maker that also exports)."""
        return self.world.magnet_maker


@pytest.fixture
def scene(world) -> Scene:
    """Ledger content every path parameter points at.

    miner: mines lots 1 and 2; ships lot 1 to the separator (s1) and lot 2 to the
    magnet maker (s2). The magnet maker (the enterprise user) receives and exports
    part of lot 2; the separator (also an exporter here) exports part of lot 1.
    """
    EnterpriseRoleGrant.objects.create(enterprise=world.separator, role="exporter")
    world.capture(
        world.miner,
        mine_event(1),
        mine_event(2),
        ship_event("s1", 1, "40000", world.separator, price="11.50"),
        ship_event("s2", 2, "30000", world.magnet_maker, price="12.25"),
    )
    world.capture(world.separator, receive_event("r1", "s1", "40000"))
    world.capture(world.magnet_maker, receive_event("r2", "s2", "30000"))
    world.capture(world.magnet_maker, export_event("x-own", 2, "1000", "DE", "Own Consignee"))
    world.capture(world.separator, export_event("x-other", 1, "2000", "US", "Secret Consignee"))
    scene = Scene(world)
    for role, user in world.users.items():
        token, _ = token_issue(user=user, name="to-revoke")
        scene.token_ids[str(role)] = token.pk
    for extension in extensions():
        scene.extra_params.update(extension.prepare(scene))
    return scene


def export_event(event_id: str, lot: int, kg: str, destination: str, consignee: str) -> dict:
    return {
        "event_id": event_id,
        "kind": "export",
        "event_time": at(1, 20),
        "lot": code(lot),
        "mass": kg,
        "customs_declaration": f"CD-{event_id}",
        "hs_code": "2530902000",
        "destination": destination,
        "consignee": consignee,
        "end_user": f"End user of {event_id}",
        "licence": "LIC-1",
        "fob_value": "99999.00",
        "currency": "USD",
    }


def path_params(scene: Scene, role: str) -> dict[str, str]:
    """Values for every path parameter: objects the enterprise user may see."""
    month = {R.ENTERPRISE: "2025-02", R.ADMIN: "2025-03"}.get(role, "2025-04")
    return {
        "code": code(2),
        "event_id": "s2",
        "identifier": scene.own.identifier,
        "token_id": str(scene.token_ids.get(role, 999999)),
        "period": month,
        **scene.extra_params,
    }


def request_body(scene: Scene, operation_id: str, role: str) -> dict | None:
    """A valid body, unique per call so that every allowed write succeeds."""
    n = next(scene.counter)
    world = scene.world
    if operation_id == "tokens_issue":
        return {"name": f"matrix {role}", "days": 30}
    if operation_id == "enterprises_register":
        return {
            "identifier": uscc_with_check(f"91110000{700000000 + n:09d}"),
            "name_en": f"Matrix Co {n}",
            "roles": ["trader"],
        }
    if operation_id == "enterprises_site_add":
        return {"code": f"MATRIX-SITE-{n}", "name": "Store", "kind": "warehouse"}
    if operation_id == "enterprises_status_set":
        return {"status": "active", "reason": "access matrix"}
    if operation_id == "quotas_issue":
        return {
            "code": f"Q-MATRIX-{n}",
            "enterprise": world.miner.identifier,
            "year": 2026,
            "kind": "mining",
            "light_t": "10",
            "medium_heavy_t": "1",
            "document": "matrix",
        }
    if operation_id == "events_capture":
        event = ship_event(f"matrix-{n}", 2, "1", world.user_firm)
        if role == R.ADMIN:
            event["reporter"] = scene.own.identifier
        return {"events": [event]}
    for extension in extensions():
        body = extension.request_body(scene, operation_id, role, n)
        if body is not None:
            return body
    return None


def call(scene: Scene, operation_id: str, role: str):
    method, template = OPERATIONS[operation_id]
    params = path_params(scene, role)
    path = re.sub(r"{(\w+)}", lambda m: params[m.group(1)], template)
    client = scene.world.client(role) if role != ANON else _anonymous_client()
    body = request_body(scene, operation_id, role)
    if body is None:
        return client.generic(method, path)
    return client.generic(method, path, data=_json(body), content_type="application/json")


def _anonymous_client() -> Client:
    return Client()


def _json(body: dict) -> str:
    return json.dumps(body)


@pytest.mark.parametrize("operation_id", sorted(ALLOWED))
def test_access_matrix(scene, operation_id):
    if operation_id not in OPERATIONS:
        pytest.fail(f"{operation_id} is in ALLOWED but not in the API")
    wrong = []
    for role in ROLES:
        response = call(scene, operation_id, role)
        status = response.status_code
        if role in ALLOWED[operation_id]:
            ok = 200 <= status < 300
            expected = "2xx"
        elif role == ANON:
            ok = status == 401 and response.json()["code"] == "unauthenticated"
            expected = "401 unauthenticated"
        else:
            ok = status == 403 and response.json()["code"] == "forbidden"
            expected = "403 forbidden"
        if not ok:
            wrong.append(f"{role}: expected {expected}, got {status} {response.content[:200]!r}")
    assert not wrong, f"{operation_id}:\n  " + "\n  ".join(wrong)


def test_denied_writes_change_nothing(scene):
    before = Event.objects.count()
    for role in ROLES:
        if role not in ALLOWED["events_capture"]:
            call(scene, "events_capture", role)
    assert Event.objects.count() == before


# -- objects of another enterprise -------------------------------------------------------


def test_enterprise_user_gets_404_for_another_enterprises_lot_and_event(scene):
    client = scene.world.client(R.ENTERPRISE)
    for path in (
        f"/api/v1/lots/{code(1)}",
        f"/api/v1/lots/{code(1)}/genealogy",
        "/api/v1/events/mine-1",
        "/api/v1/events/s1",
        "/api/v1/events/x-other",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    # the same lot or event as seen by a regulator exists
    regulator = scene.world.client(R.REGULATOR)
    assert regulator.get(f"/api/v1/lots/{code(1)}").status_code == 200
    assert regulator.get("/api/v1/events/s1").status_code == 200


def test_enterprise_user_gets_403_for_another_enterprises_resources(scene):
    world = scene.world
    client = world.client(R.ENTERPRISE)
    other = world.separator.identifier
    assert client.get(f"/api/v1/enterprises/{other}/stock").status_code == 403
    assert client.get(f"/api/v1/enterprises/{other}/reports").status_code == 403
    close = client.post(f"/api/v1/enterprises/{other}/reports/2025-01/close")
    assert close.status_code == 403
    site = client.post(
        f"/api/v1/enterprises/{other}/sites",
        data=_json({"code": "INTRUDER", "name": "x", "kind": "plant"}),
        content_type="application/json",
    )
    assert site.status_code == 403
    assert not world.separator.sites.filter(code="INTRUDER").exists()


def test_enterprise_user_cannot_report_for_another_enterprise(scene):
    world = scene.world
    event = ship_event("forged", 1, "1", world.metal_maker) | {
        "reporter": world.separator.identifier
    }
    response = world.client(R.ENTERPRISE).post(
        "/api/v1/events", data=_json({"events": [event]}), content_type="application/json"
    )
    assert response.status_code in (400, 403)
    assert [e["code"] for e in response.json()["errors"]] == ["reporter_not_allowed"]
    assert not Event.objects.filter(event_id="forged").exists()


def test_enterprise_user_sees_only_its_own_events_and_registers(scene):
    world = scene.world
    client = world.client(R.ENTERPRISE)
    own, other = scene.own.identifier, world.separator.identifier

    events = client.get("/api/v1/events", {"limit": 1000}).json()
    assert {e["event_id"] for e in events} == {"s2", "r2", "x-own"}
    assert client.get("/api/v1/events", {"reporter": other}).json() == []

    sales = client.get("/api/v1/registers/transactions").json()
    assert [s["event_id"] for s in sales] == ["s2"]
    assert client.get("/api/v1/registers/transactions", {"seller": other}).json() == []
    assert client.get("/api/v1/registers/transactions", {"buyer": other}).json() == []

    exports = client.get("/api/v1/registers/exports").json()
    assert [x["event_id"] for x in exports] == ["x-own"]
    assert client.get("/api/v1/registers/exports", {"exporter": other}).json() == []

    stock = client.get(f"/api/v1/enterprises/{own}/stock").json()
    assert {line["lot"] for line in stock} == {code(2)}

    # a national reader sees both sides
    regulator = world.client(R.REGULATOR)
    assert {s["event_id"] for s in regulator.get("/api/v1/registers/transactions").json()} == {
        "s1",
        "s2",
    }
    assert {x["event_id"] for x in regulator.get("/api/v1/registers/exports").json()} == {
        "x-own",
        "x-other",
    }


def test_licensing_officer_reads_exports_but_not_prices(scene):
    client = scene.world.client(R.LICENSING_OFFICER)
    assert client.get("/api/v1/registers/transactions").status_code == 403
    exports = client.get("/api/v1/registers/exports").json()
    assert {x["event_id"] for x in exports} == {"x-own", "x-other"}


CONFIDENTIAL_KEYS = {
    "consignee",
    "end_user",
    "exporter",
    "exporter_name",
    "seller",
    "buyer",
    "unit_price",
    "fob_value",
    "price",
    "currency",
    "licence",
    "customs_declaration",
    "contract",
}


def test_partner_export_summary_has_no_names_or_prices(scene):
    response = scene.world.client(R.PARTNER).get("/api/v1/registers/exports/summary")
    assert response.status_code == 200
    rows = response.json()
    assert rows, "the summary should show the two exports"
    for row in rows:
        assert not CONFIDENTIAL_KEYS & set(row), row
        assert set(row) == {"month", "destination", "hs_code", "kg"}
    text = response.content.decode()
    for secret in ("Secret Consignee", "Own Consignee", "99999", "Ningbo", "Baotou"):
        assert secret not in text
    # One exporter per cell would reveal its volume: the partner sees them pooled.
    assert {(r["destination"], r["hs_code"]) for r in rows} == {("**", "confidential")}
    assert sum(Decimal(r["kg"]) for r in rows) == Decimal("3000")
    national = scene.world.client(R.REGULATOR).get("/api/v1/registers/exports/summary").json()
    assert sorted((r["destination"], r["kg"]) for r in national) == [
        ("DE", "1000.000000"),
        ("US", "2000.000000"),
    ]


def test_partner_sees_no_party_names_anywhere(scene):
    client = scene.world.client(R.PARTNER)
    for path in (
        "/api/v1/enterprises",
        f"/api/v1/enterprises/{scene.own.identifier}",
        "/api/v1/registers/exports",
        f"/api/v1/lots/{code(2)}",
    ):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "Ningbo" not in response.content.decode()


def test_genealogy_hides_another_exporters_declaration(scene):
    world = scene.world
    response = world.client(world.miner).get(
        f"/api/v1/lots/{code(1)}/genealogy", {"direction": "down"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    for secret in ("Secret Consignee", "End user of x-other", "LIC-1"):
        assert secret not in text
    assert "CD-x-other" not in text


def test_unparseable_body_gets_the_common_error_shape(scene):
    response = scene.world.client(scene.world.magnet_maker).post(
        "/api/v1/events", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
