"""The query's filters pushed into SQL: the same results as filtering every rendered
event in Python, and a page of a large ledger renders about a page of events."""

from __future__ import annotations

import pytest

import reetrace.epcis.query as query_module
from reetrace.accounts.models import User
from reetrace.epcis.query import _querysets, query_events
from reetrace.epcis.scheme import lot_lgtin, party_uri
from reetrace.ledger.models import Event
from tests.epcis import documents as d
from tests.factories.chain import DY_OX, MAGNET, PRND_OX, A
from tests.factories.world import at, code, mine_event

pytestmark = pytest.mark.django_db


def _all(actor: User, params: dict, sql: bool) -> list[dict]:
    """Every page of the query, walked through its tokens."""
    events, page = [], query_events(actor=actor, params=params, sql=sql)
    events += page.events
    while page.next_token:
        page = query_events(
            actor=actor, params=params | {"nextPageToken": page.next_token}, sql=sql
        )
        events += page.events
    return events


@pytest.fixture
def ledger(chain):
    """The chain, a corrected shipment, and an EPCIS document with an inspection."""
    chain.capture(
        chain.magnet_maker,
        {
            "event_id": "fix-s-use",
            "kind": "correct",
            "event_time": at(3, 20),
            "corrects": "s-use",
            "action": "replace",
            "reason": "weighed again",
            "replacement": {"mass": "190"},
        },
    )
    ore = code(601)
    response = chain.client(chain.miner).post(
        "/epcis/capture",
        d.body(d.mined(ore, "1000", 14), d.inspected(ore, "ORE-BASTNAESITE", 15)),
        content_type="application/ld+json",
    )
    assert response.status_code == 202, response.content
    return chain


def _parameter_sets(world) -> list[dict]:
    ids = [e["eventID"] for e in _all(world.users["regulator"], {}, sql=False)]
    return [
        {},
        {"eventType": "ObjectEvent"},
        {"eventType": "TransformationEvent|AggregationEvent"},
        {"EQ_bizStep": "shipping"},
        {"EQ_bizStep": "commissioning", "orderDirection": "DESC"},
        {"EQ_bizStep": "receiving,departing,inspecting"},
        {"EQ_bizStep": "urn:epcglobal:cbv:bizstep:shipping"},
        {"EQ_eventID": "|".join(ids[::5])},
        {"MATCH_anyEPCClass": lot_lgtin(A, "ORE-BASTNAESITE")},
        {"MATCH_epcClass": lot_lgtin(MAGNET, "MAGNET-NDFEB-SINTERED")},
        {"MATCH_inputEPCClass": lot_lgtin(PRND_OX, "OXIDE-PRND")},
        {"MATCH_outputEPCClass": lot_lgtin(DY_OX, "OXIDE-DY")},
        {"MATCH_anyEPCClass": lot_lgtin(code(601), "ORE-BASTNAESITE")},
        {"EQ_source_owning_party": party_uri(world.miner)},
        {"EQ_destination_owning_party": party_uri(world.metal_maker)},
        {"GE_eventTime": "2025-03-05T00:00:00+08:00", "orderBy": "recordTime"},
        {"EQ_bizStep": "shipping", "EQ_destination_owning_party": party_uri(world.separator)},
        {"eventCountLimit": "7", "orderDirection": "DESC"},
    ]


@pytest.mark.parametrize("role", ["regulator", "miner", "separator", "metal_maker"])
def test_sql_and_python_paths_agree(ledger, role):
    actor = ledger.users["regulator"]
    if role != "regulator":
        actor = ledger.user_for(getattr(ledger, role))
    nonempty = 0
    for params in _parameter_sets(ledger):
        for per_page in ("1000", "4"):
            asked = params | {"perPage": per_page}
            with_sql, in_python = _all(actor, asked, sql=True), _all(actor, asked, sql=False)
            assert [e["eventID"] for e in with_sql] == [e["eventID"] for e in in_python], asked
            assert with_sql == in_python
            nonempty += bool(with_sql)
    assert nonempty >= 12


def test_the_filters_narrow_the_rows_read(ledger):
    regulator = ledger.users["regulator"]
    everything, _ = _querysets(regulator, {}, None, sql=False)
    for params in (
        {"EQ_bizStep": "shipping"},
        {"eventType": "TransformationEvent"},
        {"MATCH_anyEPCClass": lot_lgtin(A, "ORE-BASTNAESITE")},
        {"EQ_destination_owning_party": party_uri(ledger.metal_maker)},
    ):
        narrowed, _ = _querysets(regulator, params, None, sql=True)
        assert 0 < narrowed.count() < everything.count() / 2, params


def test_a_page_of_a_large_ledger_renders_about_a_page(world, monkeypatch):
    world.capture(world.miner, *(mine_event(n, kg="10") for n in range(1, 2001)))
    assert Event.objects.count() == 2000
    rendered = []
    real = query_module.epcis_events_of

    def counting(rows):
        rendered.append(len(rows))
        return real(rows)

    monkeypatch.setattr(query_module, "epcis_events_of", counting)
    api = world.client("regulator")
    first = api.get("/epcis/events", {"perPage": 10})
    events = first.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert len(events) == 10 and sum(rendered) <= 11
    link = first["Link"]
    second = api.get(link[1 : link.index(">")])
    more = second.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert len(more) == 10 and not {e["eventID"] for e in events} & {e["eventID"] for e in more}
    assert sum(rendered) <= 11 + 21
    rendered.clear()
    filtered = api.get("/epcis/events", {"perPage": 10, "EQ_bizStep": "shipping"})
    assert filtered.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"] == []
    assert sum(rendered) == 0
