"""Each rule on a crafted ledger that must fire, and a near miss that must not."""

from __future__ import annotations

from datetime import date

import pytest

from reetrace.accounts.permissions import UserRole
from reetrace.compliance.models import Alert
from reetrace.compliance.selectors import quota_use
from reetrace.registry.models import EnterpriseRoleGrant
from tests.compliance.helpers import (
    IONIC_HEAVY,
    SCRAP,
    adjust,
    imported,
    ore_at_separator,
    recycle,
    run,
    separation,
    when,
)
from tests.factories.registry import QuotaFactory
from tests.factories.world import code, mine_event, receive_event, ship_event

pytestmark = pytest.mark.django_db


def alerts(rule: str) -> list[Alert]:
    return list(Alert.objects.filter(rule=rule).order_by("pk"))


# -- yields and declarations -------------------------------------------------------


def test_low_separation_yield_fires_with_the_missing_reo(world):
    ore_at_separator(world)
    world.capture(world.separator, separation("sep-low", "40000", yield_="0.70"))
    run(world, "yield_out_of_range", "element_dropped")
    [alert] = alerts("yield_out_of_range")
    assert alert.enterprise == world.separator
    assert alert.period == date(2025, 1, 1)
    assert alert.events == ["sep-low"]
    assert code(101) in alert.lots and code(1) in alert.lots
    assert alert.figures["observed"] == pytest.approx(0.70, abs=0.001)
    assert alert.figures["expected"] == 0.92
    # 40,000 kg of ore hold about 2,449 kg REO; 92 % minus 70 % of it is missing
    assert alert.figures["missing_reo_kg"] == pytest.approx(0.22 * 2449.1, rel=0.01)
    assert not alerts("element_dropped")


def test_yield_inside_the_range_does_not_fire(world):
    ore_at_separator(world)
    world.capture(world.separator, separation("sep-ok", "40000", yield_="0.905"))
    run(world, "yield_out_of_range", "element_dropped")
    assert not Alert.objects.exists()


def test_dysprosium_dropped_from_the_outputs_fires_once(world):
    ore_at_separator(world)
    world.capture(world.separator, separation("sep-dy", "40000", yield_="0.95", keep={"Dy": "0"}))
    run(world, "yield_out_of_range", "element_dropped")
    [alert] = alerts("element_dropped")
    assert alert.elements == ["Dy"]
    assert alert.figures["observed"] == {"Dy": 0.0}
    assert alert.figures["missing_reo_kg"]["Dy"] == pytest.approx(20 * 1.1477 * 0.95, rel=0.01)
    assert not alerts("yield_out_of_range"), "the dropped element is not also a low yield"


def test_element_kept_at_more_than_half_the_yield_does_not_fire(world):
    ore_at_separator(world)
    world.capture(
        world.separator, separation("sep-dy2", "40000", yield_="0.95", keep={"Dy": "0.5"})
    )
    run(world, "element_dropped")
    assert not alerts("element_dropped")


# -- losses -------------------------------------------------------------------------


def test_large_process_loss_write_off_fires(world):
    ore_at_separator(world)
    world.capture(world.separator, adjust("loss-1", 1, "-5000"))
    run(world, "loss_adjustment")
    [alert] = alerts("loss_adjustment")
    assert alert.enterprise == world.separator and alert.lots == [code(1)]
    assert alert.figures["observed"] == pytest.approx(5000 * 0.061228, rel=0.01)
    assert alert.figures["throughput_reo_kg"] == pytest.approx(40000 * 0.061228, rel=0.01)


def test_loss_small_against_a_big_holding_and_throughput_fires_when_large_for_the_lot(world):
    ore_at_separator(world)
    world.capture(world.separator, separation("sep-1", "39000", yield_="0.95"))
    world.capture(world.separator, adjust("loss-3", 1, "-300"))  # 30 % of the 1,000 kg left
    run(world, "loss_adjustment")
    [alert] = alerts("loss_adjustment")
    assert alert.figures["held_kg_before"] == "1000.000000"


def test_small_loss_or_a_stock_count_does_not_fire(world):
    ore_at_separator(world)
    world.capture(
        world.separator, adjust("loss-2", 1, "-500"), adjust("count-1", 1, "-5000", "stock_count")
    )
    run(world, "loss_adjustment")
    assert not alerts("loss_adjustment")


# -- quotas -------------------------------------------------------------------------


def _mine_under(quota_code: str, n: int) -> dict:
    event = mine_event(n)
    event["quota"] = quota_code
    return event


def test_mining_beyond_the_quota_fires_at_the_crossing(world):
    QuotaFactory(code="Q-SMALL", enterprise=world.miner, light_t="10", medium_heavy_t="1")
    world.capture(world.miner, _mine_under("Q-SMALL", 1), _mine_under("Q-SMALL", 2))
    run(world, "quota_usage")
    [over] = alerts("quota_usage")
    assert over.severity == "high" and over.enterprise == world.miner
    assert over.events == ["mine-2"] and over.lots == [code(2)]
    assert over.figures["observed"] == pytest.approx(12.131, abs=0.001)
    assert over.figures["expected"] == 10.0
    own = quota_use(actor=world.user_for(world.miner), year=2025)
    assert {u.quota.code for u in own} == {"Q-SMALL", "Q-2025-MINING-1"}, "own quotas only"
    [light] = [u for u in own if (u.quota.code, u.group) == ("Q-SMALL", "light")]
    assert light.status == "overrun" and light.percent == pytest.approx(121.3)


def test_90_percent_of_a_quota_is_a_warning_in_quota_use_not_an_alert(world):
    QuotaFactory(code="Q-ROOM", enterprise=world.miner, light_t="10", medium_heavy_t="1")
    QuotaFactory(code="Q-TIGHT", enterprise=world.miner, light_t="6.5", medium_heavy_t="1")
    world.capture(world.miner, _mine_under("Q-ROOM", 1), _mine_under("Q-TIGHT", 2))
    run(world, "quota_usage")
    assert not alerts("quota_usage")
    uses = {
        (u.quota.code, u.group): u
        for u in quota_use(actor=world.users[UserRole.REGULATOR], year=2025)
    }
    tight, room = uses[("Q-TIGHT", "light")], uses[("Q-ROOM", "light")]
    assert tight.status == "warning" and room.status == "ok"
    assert tight.used_kg == pytest.approx(6065.37, abs=0.01) and tight.quota_kg == 6500
    assert tight.percent == pytest.approx(93.3) and tight.unit == "kg REO"
    assert uses[("Q-TIGHT", "medium_heavy")].status == "ok"


def test_separation_beyond_its_quota_fires(world):
    QuotaFactory(code="Q-SEP-SMALL", enterprise=world.separator, kind="separation", light_t="2")
    ore_at_separator(world)
    event = separation("sep-q", "40000", yield_="0.95")
    event["quota"] = "Q-SEP-SMALL"
    world.capture(world.separator, event)
    run(world, "quota_usage")
    over = Alert.objects.get(rule="quota_usage", severity="high")
    assert over.enterprise == world.separator and over.events == ["sep-q"]


# -- counterparties -----------------------------------------------------------------


def test_unconfirmed_shipment_fires_after_the_grace_days(world):
    world.capture(world.miner, mine_event(1), ship_event("s1", 1, "40000", world.separator))
    run(world, "shipment_unconfirmed", as_of=when(2, 4))
    [alert] = alerts("shipment_unconfirmed")
    assert alert.enterprise == world.separator and alert.events == ["s1"]
    assert alert.figures["seller"] == world.miner.identifier


def test_shipment_within_the_grace_days_does_not_fire(world):
    world.capture(world.miner, mine_event(1), ship_event("s1", 1, "40000", world.separator))
    run(world, "shipment_unconfirmed", as_of=when(2, 3))
    assert not alerts("shipment_unconfirmed")


def test_short_receipt_fires_with_the_missing_kg(world):
    world.capture(world.miner, mine_event(1), ship_event("s1", 1, "40000", world.separator))
    world.capture(world.separator, receive_event("r1", "s1", "36000"))
    run(world, "short_receipt", "shipment_unconfirmed")
    [alert] = alerts("short_receipt")
    assert alert.figures["missing_kg"] == "4000.000000"
    assert not alerts("shipment_unconfirmed")


def test_receipt_within_weighing_tolerance_does_not_fire(world):
    world.capture(world.miner, mine_event(1), ship_event("s1", 1, "40000", world.separator))
    world.capture(world.separator, receive_event("r1", "s1", "39900"))
    run(world, "short_receipt")
    assert not alerts("short_receipt")


# -- provenance ---------------------------------------------------------------------


def test_recycled_lot_with_an_ore_profile_fires(world):
    EnterpriseRoleGrant.objects.create(enterprise=world.metal_maker, role="recycler")
    world.capture(world.metal_maker, recycle("rec-ore", 50, IONIC_HEAVY))
    run(world, "recycled_ore_profile")
    [alert] = alerts("recycled_ore_profile")
    assert alert.lots == [code(50)] and alert.elements[0] == "Y"


def test_recycled_magnet_scrap_does_not_fire(world):
    EnterpriseRoleGrant.objects.create(enterprise=world.metal_maker, role="recycler")
    world.capture(world.metal_maker, recycle("rec-ok", 51, SCRAP))
    run(world, "recycled_ore_profile")
    assert not alerts("recycled_ore_profile")


def test_import_with_malformed_or_reused_declaration_fires(world):
    world.capture(
        world.separator,
        imported("imp-bad", 60, "n/a"),
        imported("imp-a", 61, "CD2025000000001"),
        imported("imp-b", 62, "CD2025000000001"),
        imported("imp-ok", 63, "CD2025000000002"),
    )
    run(world, "import_declaration")
    assert sorted(a.events[0] for a in alerts("import_declaration")) == [
        "imp-a",
        "imp-b",
        "imp-bad",
    ]


# -- prices -------------------------------------------------------------------------


def test_price_far_below_contained_value_fires(world):
    world.capture(
        world.miner, mine_event(1), ship_event("s-cheap", 1, "1000", world.separator, price="1.00")
    )
    run(world, "price_below_value")
    [alert] = alerts("price_below_value")
    assert alert.enterprise == world.miner
    # Jan 2025: PrNd oxide 396, Dy 1600, La 4.2, Ce 10 CNY/kg -> about 6.2 CNY/kg of ore
    # separated, 2.2 CNY/kg at the ore stage (share 0.36)
    assert alert.figures["expected"] == pytest.approx(6.2 * 0.36, abs=0.05)
    assert alert.figures["stage_share"] == 0.36
    assert alert.figures["observed"] == 1.0


def test_price_near_contained_value_does_not_fire(world):
    world.capture(
        world.miner, mine_event(1), ship_event("s-fair", 1, "1000", world.separator, price="5.00")
    )
    run(world, "price_below_value")
    assert not alerts("price_below_value")
