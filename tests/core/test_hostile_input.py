"""Issue 13's findings, each a request that used to get a 500 (or a wrong answer) and
must now get a 4xx naming the parameter or field, with nothing changed."""

from __future__ import annotations

import pytest
from django.test import Client

from reetrace.ledger.models import Event
from tests.factories.world import mine_event, ship_event

API = "/api/v1"


@pytest.fixture
def regulator(world) -> Client:
    return world.client("regulator")


@pytest.mark.parametrize(
    "path",
    [
        "/licences?limit=-1",
        "/applications?limit=-1",
        "/events?offset=-1",
        "/exportcontrol/vetted-exporters?offset=-1",
        "/exportcontrol/refused-exports?limit=-1",
        "/events?offset=99999999999999999999",
        "/enterprises?offset=99999999999999999999",
        "/compliance/alerts?offset=99999999999999999999",
        "/compliance/risk?limit=0",
        "/quotas?year=99999999999",
        "/compliance/cases/99999999999999999999",
        "/tokens/99999999999999999999",
    ],
)
def test_out_of_range_paging_and_keys_are_422(world, path):
    client = world.client("admin")
    method = client.delete if path.startswith("/tokens/") else client.get
    response = method(API + path)
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"]


@pytest.mark.parametrize(
    "path", ["/events?reporter=%00", "/enterprises?role=%00", "/compliance/alerts?rule=a%00b"]
)
def test_a_nul_byte_in_a_query_parameter_is_400(regulator, path):
    response = regulator.get(API + path)
    assert response.status_code == 400
    body = response.json()
    assert "U+0000" in body["message"]
    assert body["errors"][0]["field"].startswith("query parameter")


def _post(client, *events):
    return client.post(f"{API}/events", {"events": list(events)}, content_type="application/json")


def test_a_nul_byte_in_an_event_field_is_refused_and_nothing_stored(world):
    client = world.client(world.miner)
    assert _post(client, mine_event(1)).status_code == 200
    event = ship_event("s1", 1, "5", world.separator) | {"contract": "a\u0000b"}
    response = _post(client, event)
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert (error["index"], error["field"]) == (0, "contract")
    assert not Event.objects.filter(event_id="s1").exists()


def test_a_nul_byte_in_a_token_name_is_422(world):
    response = world.client("admin").post(
        f"{API}/tokens", {"name": "ci\u0000"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name"


@pytest.mark.parametrize(
    "moment",
    [
        "9999-12-31T23:59:59-05:00",
        "0001-01-01T00:00:00+01:00",
        "0478-11-02T09:00:00+08:00",
        "1899-12-31T09:00:00+08:00",
    ],
)
def test_event_times_outside_the_range_or_before_the_floor_are_refused(world, moment):
    response = _post(world.client(world.miner), mine_event(1) | {"event_time": moment})
    assert response.status_code == 422, response.content
    (error,) = response.json()["errors"]
    assert (error["index"], error["field"]) == (0, "event_time")
    assert not Event.objects.exists()


def test_the_floor_is_configurable(world, settings):
    from datetime import date

    settings.REETRACE_EVENT_TIME_FLOOR = date(2025, 6, 1)
    response = _post(world.client(world.miner), mine_event(1))
    assert response.status_code == 422
    assert "2025-06-01" in response.json()["errors"][0]["message"]


def test_a_price_with_more_places_than_stored_is_refused_not_rounded(world):
    client = world.client(world.miner)
    _post(client, mine_event(1))
    response = _post(client, ship_event("s1", 1, "5", world.separator, price="10.00005"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "unit_price"


def test_an_unauthenticated_post_is_401_not_a_csrf_refusal(world):
    response = Client(enforce_csrf_checks=True).post(
        f"{API}/events", {"events": [mine_event(1)]}, content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_a_session_post_without_csrf_is_still_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user_for(world.miner))
    response = client.post(
        f"{API}/events", {"events": [mine_event(1)]}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not Event.objects.exists()


def test_a_body_over_the_limit_is_413_naming_the_limit(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = _post(world.client(world.miner), *[mine_event(n) for n in range(1, 20)])
    assert response.status_code == 413
    assert "at most 1,000 bytes" in response.json()["message"]
    assert not Event.objects.exists()


def test_a_url_over_the_limit_is_414(regulator):
    response = regulator.get(f"{API}/events?reporter={'x' * 9000}")
    assert response.status_code == 414


def test_every_api_schema_name_is_one_class():
    """Two schemas of one name are merged into one by the OpenAPI document: the monthly
    reports were documented with the reconciliation report's required fields."""
    from ninja import Schema

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    names: dict[str, set[str]] = {}
    for cls in subclasses(Schema):
        if cls.__module__.startswith("reetrace."):
            names.setdefault(cls.__name__, set()).add(cls.__module__)
    assert {n: m for n, m in names.items() if len(m) > 1} == {}


@pytest.mark.parametrize("kg", ["99999999999999999999", "1e30", "-5"])
def test_a_mass_beyond_what_the_ledger_stores_is_refused_naming_the_field(world, kg):
    response = _post(world.client(world.miner), mine_event(1, kg=kg))
    assert response.status_code in (400, 422), response.content
    (error,) = response.json()["errors"]
    assert error["index"] == 0 and error["field"].endswith("mass")
    assert not Event.objects.exists()


def test_a_quota_with_more_digits_than_stored_is_422_not_a_500(world):
    quota = {
        "code": "Q-FUZZ",
        "enterprise": world.miner.identifier,
        "year": 2025,
        "kind": "mining",
        "light_t": "1234567890123.5",
        "medium_heavy_t": "0",
        "document": "fuzz",
    }
    response = world.client("regulator").post(
        f"{API}/quotas", quota, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == "light_t"
    assert world.client("regulator").get(f"{API}/quotas").status_code == 200


def test_a_watch_list_with_a_bare_carriage_return_is_400_naming_the_line(world):
    entries = "name,aliases,country,list,listed_since\nAcme,,US,X,\r\nBad\rRow,,,X,\n"
    response = world.client("admin").post(
        f"{API}/watchlist/import", {"entries_csv": entries}, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert "line" in response.json()["message"]


@pytest.mark.parametrize("path", ["/reconciliation/datasets", "/reconciliation/submissions"])
@pytest.mark.parametrize("body", ["[null, null]", '{"content": null, "content_base64": {}}'])
def test_an_upload_body_of_the_wrong_shape_is_a_4xx_naming_the_field(world, path, body):
    response = world.client("admin").post(API + path, body, content_type="application/json")
    assert response.status_code in (400, 422), response.content
    assert response.json()["errors"]
