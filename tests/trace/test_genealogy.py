"""Genealogy: blending, depth, voided transformations, downstream custody, redaction."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reetrace.accounts.permissions import UserRole
from reetrace.core.errors import NotFound
from reetrace.ledger.models import Lot
from reetrace.trace.genealogy import genealogy, link_rows
from reetrace.trace.selectors import genealogy_visible
from reetrace.trace.visibility import REDACTED, genealogy_redact
from tests.factories.world import at, code, mine_event, receive_event, ship_event


def blend(event_id: str, inputs: list[tuple[int, str]], out: int, kg: str, nd: str, day=10):
    return {
        "event_id": event_id,
        "kind": "transform",
        "event_time": at(2, day),
        "process": "blending",
        "inputs": [{"lot": code(n), "mass": m} for n, m in inputs],
        "outputs": [
            {"code": code(out), "product": "MIXED-CARBONATE", "mass": kg, "composition": {"Nd": nd}}
        ],
    }


def separator_holds(world, *lots: int):
    world.capture(
        world.miner,
        *(mine_event(n, kg="1000") for n in lots),
        *(ship_event(f"s{n}", n, "1000", world.separator) for n in lots),
    )
    world.capture(world.separator, *(receive_event(f"r{n}", f"s{n}", "1000") for n in lots))


def test_diamond_blend_attributes_each_origin_once(world):
    separator_holds(world, 1, 2)
    # Lot 1 is split into 10 and 11; 11 is blended with lot 2 into 12; 10 and 12 into 13.
    world.capture(
        world.separator,
        blend("b1", [(1, "500")], 10, "500", "0.008"),
        blend("b2", [(1, "500")], 11, "500", "0.008"),
        blend("b3", [(11, "500"), (2, "1000")], 12, "1500", "0.008"),
        blend("b4", [(10, "500"), (12, "1500")], 13, "2000", "0.008"),
    )
    graph = genealogy(Lot.objects.get(code=code(13)), "up")
    origins = {o["lot"]: Decimal(o["attributed_reo_kg"]["Nd"]) for o in graph.origins}
    # 16 kg Nd metal in lot 13: 8 kg came from each mine lot.
    assert set(origins) == {code(1), code(2)}
    expected = Decimal("8") * Decimal("1.1664")
    assert all(abs(v - expected) <= Decimal("0.001") for v in origins.values())


def test_depth_eight_chain_is_walked_by_one_query(world, django_assert_max_num_queries):
    separator_holds(world, 1)
    steps = [blend(f"b{n}", [(n, "1000")], n + 1, "1000", "0.008") for n in range(1, 9)]
    steps[0]["inputs"][0]["lot"] = code(1)
    world.capture(world.separator, *steps)
    tip = Lot.objects.get(code=code(9))
    with django_assert_max_num_queries(1):
        rows = link_rows(tip.pk, "up")
    assert len(rows) == 8
    assert [o["lot"] for o in genealogy(tip, "up").origins] == [code(1)]


def test_voided_transformation_leaves_the_genealogy(world):
    separator_holds(world, 1)
    world.capture(world.separator, blend("b1", [(1, "1000")], 10, "1000", "0.008"))
    lot = Lot.objects.get(code=code(1))
    assert len(genealogy(lot, "down").edges) == 2  # b1 link + the shipment to the separator
    world.capture(
        world.separator,
        {
            "event_id": "v1",
            "kind": "correct",
            "event_time": at(2, 11),
            "corrects": "b1",
            "action": "void",
            "reason": "wrong lot",
        },
    )
    kinds = [e.kind for e in genealogy(lot, "down").edges]
    assert kinds == ["ship"]


def test_downstream_shows_partial_receipt_in_transit(world):
    world.capture(
        world.miner, mine_event(1, kg="1000"), ship_event("s1", 1, "600", world.separator)
    )
    world.capture(world.separator, receive_event("r1", "s1", "550"))
    graph = genealogy(Lot.objects.get(code=code(1)), "down")
    (edge,) = graph.edges
    assert edge.detail["received_kg"] == Decimal("550")
    assert edge.detail["in_transit_kg"] == Decimal("50")


def test_enterprise_sees_only_itself_and_direct_counterparties(world):
    separator_holds(world, 1)
    world.capture(world.separator, ship_event("s9", 1, "100", world.metal_maker))
    graph = genealogy(Lot.objects.get(code=code(1)), "down")
    seen = genealogy_redact(graph, actor=world.user_for(world.metal_maker))
    names = {n.get("identifier") for n in seen.nodes.values() if n["type"] == "enterprise"}
    assert names == {world.metal_maker.identifier, world.separator.identifier}
    assert seen.nodes[f"lot:{code(1)}"]["producer"] == REDACTED
    assert world.miner.identifier not in repr(seen)
    sellers = sorted(e.detail["seller"] for e in seen.edges)
    assert sellers == sorted([REDACTED, world.separator.identifier])


def test_genealogy_visible_looks_up_traces_and_redacts_in_one_call(world):
    separator_holds(world, 1)
    world.capture(world.separator, ship_event("s9", 1, "100", world.metal_maker))
    buyer = world.user_for(world.metal_maker)
    seen = genealogy_visible(actor=buyer, code=code(1), direction="down", limit=10)
    assert seen.nodes[f"lot:{code(1)}"]["producer"] == REDACTED
    assert world.miner.identifier not in repr(seen)
    regulator = world.users[UserRole.REGULATOR]
    whole = genealogy_visible(actor=regulator, code=code(1), direction="down")
    assert world.metal_maker.identifier in {n.get("identifier") for n in whole.nodes.values()}
    with pytest.raises(NotFound):
        genealogy_visible(actor=world.user_for(world.magnet_maker), code=code(1), direction="up")
