"""Bounded genealogy: the nearest `limit` lots, where the graph stops, exact totals anyway.

The scene: two mine lots of 1000 kg at the separator. Lot 1 goes through a chain
of eight blends (lots 11..18), then lot 18 and lot 2 are blended into the tip, lot
30 (2000 kg, 16 kg Nd metal: 8 kg from each mine). Traced upstream with a limit
of five lots the graph holds the tip, 18, 2, 17 and 16 (generations 0 to 3); the
chain goes on beyond 16, so half the tip's Nd is attributed to mine lot 2 and the
other half is reported as not yet attributed at lot 16, to the milligram.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from reetrace.accounts.permissions import UserRole
from reetrace.core.errors import ReetraceError
from reetrace.ledger.models import Lot
from reetrace.registry.elements import ELEMENTS
from reetrace.trace.genealogy import DEFAULT_LIMIT, MAX_LIMIT, genealogy, link_rows
from reetrace.trace.visibility import REDACTED, genealogy_redact
from tests.cli.helpers import run, run_failing
from tests.factories.world import at, code, ship_event
from tests.trace.test_genealogy import blend, separator_holds

ND_REO = Decimal("8") * ELEMENTS["Nd"].metal_to_oxide  # 8 kg Nd metal as Nd2O3


def chain_scene(world) -> Lot:
    separator_holds(world, 1, 2)
    links = [(1, 11)] + [(n, n + 1) for n in range(11, 18)]
    world.capture(
        world.separator,
        *(
            blend(f"c{child}", [(parent, "1000")], child, "1000", "0.008")
            for parent, child in links
        ),
        blend("tip", [(18, "1000"), (2, "1000")], 30, "2000", "0.008", day=20),
    )
    return Lot.objects.get(code=code(30))


def lots_of(graph) -> dict[str, dict]:
    return {n["code"]: n for n in graph.nodes.values() if n["type"] == "lot"}


def test_upstream_beyond_the_limit_is_truncated_with_exact_attribution(world):
    tip = chain_scene(world)
    graph = genealogy(tip, "up", limit=5)
    lots = lots_of(graph)
    assert graph.truncated
    assert {c: n["depth"] for c, n in lots.items()} == {
        code(30): 0,
        code(18): 1,
        code(2): 1,
        code(17): 2,
        code(16): 3,
    }
    assert {c: n["more"] for c, n in lots.items() if n["more"]} == {code(16): 1}
    # Mine lot 2 is reached: half the Nd. The other half flows on beyond lot 16.
    (origin,) = graph.origins
    assert origin["lot"] == code(2) and origin["kind"] == "mine"
    assert origin["attributed_reo_kg"] == {"Nd": ND_REO}
    (frontier,) = graph.unresolved
    assert frontier["lot"] == code(16) and frontier["depth"] == 3
    assert frontier["links_beyond"] == 1 and frontier["reo_kg"] == {"Nd": ND_REO}
    assert graph.attribution == {
        "lot_reo_kg": {"Nd": 2 * ND_REO},
        "origins_reo_kg": {"Nd": ND_REO},
        "unresolved_reo_kg": {"Nd": ND_REO},
    }
    # Generations 0..3 are whole (lot 16 is the only frontier, in generation 3).
    summary = [
        (g["depth"], g["lots"], g["kg"], g["origins"], g["complete"]) for g in graph.generations
    ]
    assert summary == [
        (0, 1, Decimal("2000"), 0, True),
        (1, 2, Decimal("2000"), 1, True),
        (2, 1, Decimal("1000"), 0, True),
        (3, 1, Decimal("1000"), 0, True),
    ]
    edges = {(e.source, e.target) for e in graph.edges}
    assert edges == {
        (f"lot:{code(18)}", f"lot:{code(30)}"),
        (f"lot:{code(2)}", f"lot:{code(30)}"),
        (f"lot:{code(17)}", f"lot:{code(18)}"),
        (f"lot:{code(16)}", f"lot:{code(17)}"),
    }


def test_raising_the_limit_resolves_everything_to_the_mines(world):
    tip = chain_scene(world)
    whole = genealogy(tip, "up", limit=None)
    assert not whole.truncated and not whole.unresolved
    assert {o["lot"]: o["attributed_reo_kg"] for o in whole.origins} == {
        code(1): {"Nd": ND_REO},
        code(2): {"Nd": ND_REO},
    }
    assert whole.attribution["origins_reo_kg"] == whole.attribution["lot_reo_kg"]
    assert max(n["depth"] for n in lots_of(whole).values()) == 9  # 30 <- 18 <- ... <- 11 <- 1
    # A limit that holds the whole closure gives the same graph as no limit.
    bounded = genealogy(tip, "up", limit=11)
    assert not bounded.truncated
    assert bounded.nodes == whole.nodes and bounded.edges == whole.edges
    assert bounded.origins == whole.origins and bounded.generations == whole.generations


def test_depth_bounds_the_generations_shown(world):
    tip = chain_scene(world)
    graph = genealogy(tip, "up", depth=2)
    assert set(lots_of(graph)) == {code(30), code(18), code(2), code(17)}
    assert graph.truncated and lots_of(graph)[code(17)]["more"] == 1
    assert [u["lot"] for u in graph.unresolved] == [code(17)]
    assert graph.attribution["unresolved_reo_kg"] == {"Nd": ND_REO}


def test_one_statement_answers_the_whole_trace(world, django_assert_num_queries):
    tip = chain_scene(world)
    ore = Lot.objects.get(code=code(1))
    with django_assert_num_queries(1):
        genealogy(tip, "up", limit=5)
    with django_assert_num_queries(1):
        genealogy(ore, "down", limit=3)


def _trace_plans() -> dict[str, tuple[int, int]]:
    """Generic and custom plans so far of each trace statement prepared on this connection."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            ["%WITH RECURSIVE walk%"],
        )
        return {name: (generic, custom) for name, generic, custom in cursor.fetchall()}


def test_a_repeated_trace_is_planned_once_on_postgresql(world, postgres_only):
    tip = chain_scene(world)
    before = _trace_plans()
    first = genealogy(tip, "up", limit=5)
    for _ in range(3):
        assert genealogy(tip, "up", limit=5).nodes == first.nodes
    grown = {
        name: (generic - before.get(name, (0, 0))[0], custom - before.get(name, (0, 0))[1])
        for name, (generic, custom) in _trace_plans().items()
        if (generic, custom) != before.get(name)
    }
    # prepared at the first run (or before), then never planned for its parameters
    assert len(grown) == 1
    ((generic, custom),) = grown.values()
    assert generic >= 3 and custom == 0


def test_bare_query_with_the_same_bound_returns_the_same_edges(world):
    tip = chain_scene(world)
    rows = link_rows(tip.pk, "up", limit=5)
    graph = genealogy(tip, "up", limit=5)
    assert len(rows) == len([e for e in graph.edges if e.kind == "transform"]) == 4
    assert len(link_rows(tip.pk, "up")) == 10  # the whole closure: every blend link


def fan_scene(world) -> Lot:
    """Mine lot 1 is split into six lots (40..45) of 100 kg; lot 40 is blended on into
    lot 50; lot 41 is sold, 50 kg, to the metal maker."""
    separator_holds(world, 1)
    world.capture(
        world.separator,
        {
            "event_id": "split",
            "kind": "transform",
            "event_time": at(2, 10),
            "process": "blending",
            "inputs": [{"lot": code(1), "mass": "1000"}],
            "outputs": [
                {
                    "code": code(n),
                    "product": "MIXED-CARBONATE",
                    "mass": "100",
                    "composition": {"Nd": "0.008"},
                }
                for n in range(40, 46)
            ],
        },
        blend("on", [(40, "100")], 50, "100", "0.008", day=12),
        ship_event("s41", 41, "50", world.metal_maker, month=2),
    )
    return Lot.objects.get(code=code(1))


def test_downstream_summary_counts_whole_generations_exactly(world):
    ore = fan_scene(world)
    graph = genealogy(ore, "down", limit=7)  # the ore lot and its six children
    assert graph.truncated and lots_of(graph)[code(40)]["more"] == 1
    rows = {g["depth"]: g for g in graph.generations}
    assert set(rows) == {0, 1}
    assert rows[0]["complete"] and rows[1]["complete"]
    assert (rows[0]["lots"], rows[0]["kg"], rows[0]["shipments"], rows[0]["holders"]) == (
        1,
        Decimal("1000"),
        1,
        1,
    )
    assert (rows[1]["lots"], rows[1]["kg"], rows[1]["producers"]) == (6, Decimal("600"), 1)
    assert (rows[1]["shipments"], rows[1]["shipped_kg"], rows[1]["holders"]) == (
        1,
        Decimal("50"),
        1,
    )
    # A tighter limit cuts generation 1: it is flagged, and the ore lot says how many
    # of its links are not shown.
    tight = genealogy(ore, "down", limit=4)
    rows = {g["depth"]: g for g in tight.generations}
    assert rows[1]["lots"] == 3 and not rows[1]["complete"] and rows[0]["complete"]
    assert lots_of(tight)[code(1)]["more"] == 3
    # And with room for everything the trace is whole.
    assert not genealogy(ore, "down", limit=8).truncated


def test_small_graphs_are_whole_under_the_default_limit(world):
    ore = fan_scene(world)
    bounded, whole = genealogy(ore, "down"), genealogy(ore, "down", limit=None)
    assert not bounded.truncated and bounded.limit == DEFAULT_LIMIT
    assert bounded.nodes == whole.nodes and bounded.edges == whole.edges
    assert all(n.get("more", 0) == 0 for n in bounded.nodes.values())
    assert all(g["complete"] for g in bounded.generations)


@pytest.mark.parametrize(
    ("limit", "depth", "field"),
    [(0, None, "limit"), (MAX_LIMIT + 1, None, "limit"), (10, 0, "depth")],
)
def test_bounds_outside_the_range_are_refused_naming_the_field(world, limit, depth, field):
    ore = fan_scene(world)
    with pytest.raises(ReetraceError) as info:
        genealogy(ore, "down", limit=limit, depth=depth)
    assert info.value.field == field


def test_api_takes_limit_and_depth_and_names_a_bad_one(world):
    chain_scene(world)
    client = world.client(UserRole.REGULATOR)
    url = f"/api/v1/lots/{code(30)}/genealogy"
    body = client.get(url, {"direction": "up", "limit": 5}).json()
    assert body["truncated"] and body["limit"] == 5
    assert Decimal(body["attribution"]["unresolved_reo_kg"]["Nd"]) == ND_REO
    assert [u["lot"] for u in body["unresolved"]] == [code(16)]
    assert [g["depth"] for g in body["generations"]] == [0, 1, 2, 3]
    assert body["nodes"][f"lot:{code(16)}"]["more"] == 1
    whole = client.get(url, {"direction": "up"}).json()
    assert not whole["truncated"] and whole["limit"] == DEFAULT_LIMIT
    for params, field in (
        ({"limit": 0}, "limit"),
        ({"limit": MAX_LIMIT + 1}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"depth": 0}, "depth"),
        ({"direction": "sideways"}, "direction"),
    ):
        response = client.get(url, params)
        assert response.status_code == 422, params
        assert [e["field"] for e in response.json()["errors"]] == [field], params


def test_enterprise_sees_frontier_lots_of_others_as_another_enterprise(world):
    tip = chain_scene(world)
    graph = genealogy(tip, "up", limit=5)
    seen = genealogy_redact(graph, actor=world.user_for(world.metal_maker))
    assert [u["enterprise"] for u in seen.unresolved] == [REDACTED]


def test_portal_lot_page_says_where_the_graph_stops(world):
    chain_scene(world)
    client = Client()
    client.force_login(world.users[UserRole.REGULATOR])
    page = client.get(reverse("portal:lot", args=[code(30)]), {"limit": 5})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="genealogy-truncated"' in html and "?limit=1000" in html
    assert [u["lot"] for u in page.context["tables"]["unresolved"].rows] == [code(16)]
    generations = page.context["tables"]["generations_up"].rows
    assert [(g["depth"], g["lots"]) for g in generations] == [(0, 1), (1, 2), (2, 1), (3, 1)]
    assert f"{code(16)} · MIXED-CARBONATE (+1)" in page.context["chart"]["labels"]
    whole = client.get(reverse("portal:lot", args=[code(30)]))
    assert 'id="genealogy-truncated"' not in whole.content.decode()
    for params in ({"limit": "many"}, {"limit": 0}, {"depth": -1}):
        assert client.get(reverse("portal:lot", args=[code(30)]), params).status_code == 400


def test_cli_bounds_the_trace_and_says_so(world):
    chain_scene(world)
    out, _ = run("trace", code(30), "--up", "--limit", "5")
    assert "goes on beyond the 5 lots shown" in out
    assert "not yet attributed" in out and "partly shown" not in out
    out, _ = run("trace", code(30), "--up", "--all")
    assert "goes on beyond" not in out
    message, _ = run_failing("trace", code(30), "--up", "--limit", "0")
    assert message == f"limit must be between 1 and {MAX_LIMIT} lots"
