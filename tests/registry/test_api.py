"""Registry endpoints: registering enterprises and sites, suspending, issuing quotas."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from reetrace.core.errors import BatchRejected, ErrorCode
from reetrace.registry.identifiers import uscc_with_check
from reetrace.registry.models import Enterprise, Quota, Site
from tests.factories.world import mine_event

NEW_USCC = uscc_with_check("91440300708461136")


def post(client, path: str, body: dict):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def only_error(response) -> dict:
    body = response.json()
    assert len(body["errors"]) >= 1, body
    return body["errors"][0]


@pytest.fixture
def regulator(world):
    return world.client("regulator")


def enterprise_body(**overrides) -> dict:
    return {
        "identifier": NEW_USCC,
        "name_zh": "深圳磁材有限公司",
        "name_en": "Shenzhen Magnetics",
        "province": "Guangdong",
        "roles": ["magnet_maker", "exporter"],
        "sites": [{"code": "SZ-PLANT-1", "name": "Plant 1", "kind": "plant"}],
    } | overrides


# -- enterprises --------------------------------------------------------------------------


def test_register_enterprise(regulator):
    response = post(regulator, "/api/v1/enterprises", enterprise_body())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["identifier"] == NEW_USCC
    assert body["country"] == "CN"
    assert body["roles"] == ["exporter", "magnet_maker"]
    assert body["sites"] == [
        {"code": "SZ-PLANT-1", "name": "Plant 1", "kind": "plant", "province": ""}
    ]
    assert body["status"] == "active"
    assert Enterprise.objects.get(identifier=NEW_USCC).role_set() == {"exporter", "magnet_maker"}
    fetched = regulator.get(f"/api/v1/enterprises/{NEW_USCC}")
    assert fetched.status_code == 200
    assert fetched.json()["name_en"] == "Shenzhen Magnetics"


def test_register_normalises_the_uscc(regulator):
    raw = f"{NEW_USCC[:6]} {NEW_USCC[6:]}".lower()
    response = post(regulator, "/api/v1/enterprises", enterprise_body(identifier=raw))
    assert response.status_code == 201
    assert response.json()["identifier"] == NEW_USCC


def test_register_duplicate_is_409(regulator):
    assert post(regulator, "/api/v1/enterprises", enterprise_body()).status_code == 201
    again = post(regulator, "/api/v1/enterprises", enterprise_body(sites=[]))
    assert again.status_code == 409
    assert again.json()["code"] == ErrorCode.IDENTIFIER_TAKEN
    assert only_error(again)["field"] == "identifier"
    assert Enterprise.objects.filter(identifier=NEW_USCC).count() == 1


def test_register_invalid_uscc_is_400_naming_the_field_and_position(regulator):
    wrong = NEW_USCC[:17] + ("0" if NEW_USCC[17] != "0" else "1")
    response = post(regulator, "/api/v1/enterprises", enterprise_body(identifier=wrong))
    assert response.status_code == 400
    error = only_error(response)
    assert error["code"] == ErrorCode.IDENTIFIER_INVALID
    assert error["field"] == "identifier"
    assert "check character 18" in error["message"]
    assert f"expected {NEW_USCC[17]!r}" in error["message"]
    assert not Enterprise.objects.filter(name_en="Shenzhen Magnetics").exists()


def test_register_excluded_letter_names_its_position(regulator):
    wrong = NEW_USCC[:9] + "O" + NEW_USCC[10:]
    error = only_error(post(regulator, "/api/v1/enterprises", enterprise_body(identifier=wrong)))
    assert error["field"] == "identifier"
    assert "character 10 is 'O'" in error["message"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"roles": []}, "roles"),
        ({"roles": ["astronaut"]}, "roles.0"),
        ({"sites": [{"code": "X", "name": "X", "kind": "castle"}]}, "sites.0.kind"),
        ({"identifier": 12345}, "identifier"),
    ],
)
def test_register_shape_errors_are_422_naming_the_field(regulator, overrides, field):
    response = post(regulator, "/api/v1/enterprises", enterprise_body(**overrides))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == ErrorCode.INVALID
    assert field in [e["field"] for e in body["errors"]], body


def test_register_empty_body_is_422_naming_the_missing_field(regulator):
    response = post(regulator, "/api/v1/enterprises", {})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["roles"]


def test_register_unparseable_body_is_400(regulator):
    response = regulator.post("/api/v1/enterprises", data="{", content_type="application/json")
    assert response.status_code == 400
    assert not Enterprise.objects.filter(identifier=NEW_USCC).exists()


def test_register_foreign_party(regulator):
    body = {
        "country": "jp",
        "foreign_id": "T1234567",
        "name_en": "Tokyo Motors",
        "roles": ["foreign_buyer"],
    }
    response = post(regulator, "/api/v1/enterprises", body)
    assert response.status_code == 201, response.content
    assert response.json()["identifier"] == "JP:T1234567"
    assert response.json()["country"] == "JP"


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"country": "XX"}, ErrorCode.COUNTRY_INVALID, "country"),
        ({"country": "DE", "identifier": None}, ErrorCode.IDENTIFIER_INVALID, "foreign_id"),
        ({"country": "DE", "foreign_id": "HRB 1"}, ErrorCode.INVALID, "roles"),
        ({"roles": ["foreign_buyer"]}, ErrorCode.INVALID, "roles"),
        ({"name_en": "", "name_zh": ""}, ErrorCode.INVALID, "name_en"),
        ({"group": "NO-SUCH-GROUP"}, ErrorCode.INVALID, "group"),
    ],
)
def test_register_domain_errors_are_400_naming_the_field(regulator, overrides, code, field):
    response = post(regulator, "/api/v1/enterprises", enterprise_body(**overrides))
    assert response.status_code == 400, response.content
    error = only_error(response)
    assert (error["code"], error["field"]) == (code, field)


def test_register_with_a_taken_site_code_saves_nothing(world, regulator):
    taken = [{"code": "MINE-BAYAN-OBO", "name": "Copy", "kind": "mine"}]
    response = post(regulator, "/api/v1/enterprises", enterprise_body(sites=taken))
    assert response.status_code == 409
    assert only_error(response)["field"] == "sites.0.code"
    assert not Enterprise.objects.filter(identifier=NEW_USCC).exists()


def test_enterprise_user_adds_a_site_to_its_own_enterprise(world):
    client = world.client(world.miner)
    body = {"code": "MINE-2", "name": "Second pit", "kind": "mine", "province": "Inner Mongolia"}
    response = post(client, f"/api/v1/enterprises/{world.miner.identifier}/sites", body)
    assert response.status_code == 201
    assert Site.objects.get(code="MINE-2").enterprise == world.miner
    again = post(client, f"/api/v1/enterprises/{world.miner.identifier}/sites", body)
    assert again.status_code == 409
    assert only_error(again)["field"] == "site.code"


def test_unknown_enterprise_is_404(regulator):
    assert regulator.get("/api/v1/enterprises/CN:nobody").status_code == 404
    response = post(
        regulator, "/api/v1/enterprises/CN:nobody/status", {"status": "suspended", "reason": "x"}
    )
    assert response.status_code == 404


def test_enterprises_list_filters_by_role(world, regulator):
    rows = regulator.get("/api/v1/enterprises", {"role": "exporter"}).json()
    assert [r["identifier"] for r in rows] == [world.magnet_maker.identifier]
    page = regulator.get("/api/v1/enterprises", {"limit": 2, "offset": 1}).json()
    every = regulator.get("/api/v1/enterprises").json()
    assert [r["identifier"] for r in page] == [r["identifier"] for r in every[1:3]]


def test_suspended_enterprise_cannot_report(world, regulator):
    path = f"/api/v1/enterprises/{world.miner.identifier}/status"
    response = post(regulator, path, {"status": "suspended", "reason": "licence withdrawn"})
    assert response.status_code == 200
    assert response.json()["status"] == "suspended"
    with pytest.raises(BatchRejected) as info:
        world.capture(world.miner, mine_event(1))
    assert info.value.errors[0].code == ErrorCode.ENTERPRISE_SUSPENDED
    back = post(regulator, path, {"status": "active", "reason": "reinstated"})
    assert back.json()["status"] == "active"


def test_status_needs_a_reason(world, regulator):
    path = f"/api/v1/enterprises/{world.miner.identifier}/status"
    assert post(regulator, path, {"status": "suspended"}).status_code == 422
    assert post(regulator, path, {"status": "closed", "reason": "x"}).status_code == 422


# -- quotas -------------------------------------------------------------------------------


def quota_body(world, **overrides) -> dict:
    return {
        "code": "Q-2026-SEP-9",
        "enterprise": world.separator.identifier,
        "year": 2026,
        "kind": "separation",
        "light_t": "1200.5",
        "medium_heavy_t": "80",
        "document": "工信部联原〔2026〕7号",
    } | overrides


def test_issue_quota(world, regulator):
    response = post(regulator, "/api/v1/quotas", quota_body(world))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "Q-2026-SEP-9"
    assert body["enterprise"] == world.separator.identifier
    assert Decimal(body["light_t"]) == Decimal("1200.5")
    quota = Quota.objects.get(code="Q-2026-SEP-9")
    assert quota.enterprise == world.separator
    assert quota.medium_heavy_t == Decimal("80")
    listed = regulator.get("/api/v1/quotas", {"year": 2026}).json()
    assert [q["code"] for q in listed] == ["Q-2026-SEP-9"]
    assert len(regulator.get("/api/v1/quotas").json()) == 3


def test_issue_quota_twice_is_409(world, regulator):
    assert post(regulator, "/api/v1/quotas", quota_body(world)).status_code == 201
    again = post(regulator, "/api/v1/quotas", quota_body(world, light_t="1"))
    assert again.status_code == 409
    assert only_error(again)["field"] == "code"
    assert Quota.objects.get(code="Q-2026-SEP-9").light_t == Decimal("1200.5")


def test_issue_quota_to_unknown_enterprise_is_400(world, regulator):
    response = post(regulator, "/api/v1/quotas", quota_body(world, enterprise=NEW_USCC))
    assert response.status_code == 400
    error = only_error(response)
    assert (error["code"], error["field"]) == (ErrorCode.UNKNOWN_ENTERPRISE, "enterprise")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"light_t": "-1"}, "light_t"),
        ({"year": 1999}, "year"),
        ({"kind": "recycling"}, "kind"),
        ({"document": ""}, "document"),
    ],
)
def test_issue_quota_shape_errors_are_422(world, regulator, overrides, field):
    response = post(regulator, "/api/v1/quotas", quota_body(world, **overrides))
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Quota.objects.filter(code="Q-2026-SEP-9").exists()
