"""Evasion families that keep every single record plausible: each shipment, receipt
and run passes the ledger's checks and the per-record rules, and only a pattern
over several records gives the fraud away.

- `split_sale`: one lot sold to one buyer in several shipments, each just below the
  reporting threshold ([evasion] split_threshold_kg, the `split_below_threshold`
  rule's own `threshold_kg`).
- `phantom_stock`: a trader receives a lot and sells it off the books; the lot
  stays in its ledger stock for ever while the trader goes on trading.
- `yield_topup`: a separator tops its runs up with unrecorded ore for a month; each
  run's yield stays inside the process range but above the plant's own record.
- `hs_misdeclared`: a controlled magnet export declared under a customs code that no
  control list entry names (permanent magnets of other metals), so the border has
  no reason to ask for the licence. (`licence_redraw` lives in trade.py.)
- `paper_receipt`: a buyer books a further delivery of a lot it received into its
  stock (an adjustment naming the supplier) that the supplier never shipped: the
  ledger refuses a receipt without the seller's shipment, so material from off the
  books comes in under a paper supplier's name this way.
- `round_trip`: an export comes back months later as an import by its exporter, from
  the country it went to, same composition and nearly the same mass.

Their dice come from a stream of their own (FraudBook), so switching them on or off
changes nothing else the generator decides.
"""

from __future__ import annotations

import math
import random
from decimal import Decimal
from typing import NamedTuple

from reetrace.registry.choices import EnterpriseRole as R
from reetrace.synth.compositions import dec, fmt, grams, reo_of_metal
from reetrace.synth.market import HS_CODES
from reetrace.synth.parties import Holding, Party


def _params(g) -> dict:
    return g.cfg["evasion"]


# -- split_sale -----------------------------------------------------------------
def split_parts(g, holding: Holding) -> list[Decimal] | None:
    """The parts, each below the threshold, that a lot a few thresholds big is sold in
    when the dice say so; None for an honest sale."""
    p = _params(g)
    threshold = dec(p["split_threshold_kg"])
    low, high = p["split_lot_thresholds"]
    if not threshold * dec(low) < holding.kg <= threshold * dec(high):
        return None
    if (holding.tag or {}).keys() - {"grade"} or not g.fraud.roll("split_sale"):
        return None
    share = dec(round(g.fraud.uniform(*p["split_part_share"], kind="split_sale"), 3))
    count = math.ceil(holding.kg / (threshold * share))
    parts = [grams(holding.kg / count)] * (count - 1)
    return [*parts, holding.kg - sum(parts, Decimal(0))]


def split_record(g, seller: Party, holding: Holding, buyer: Party, parts, shipments) -> None:
    g.fraud.record(
        "split_sale",
        enterprise=seller.identifier,
        period=g.period,
        lots=[holding.code],
        events=shipments,
        magnitude=holding.kg,
        unit="kg",
        buyer=buyer.identifier,
        parts=len(parts),
        largest_part_kg=fmt(max(parts)),
        threshold_kg=fmt(dec(_params(g)["split_threshold_kg"])),
    )


# -- phantom_stock --------------------------------------------------------------
def phantom_receipt(g, buyer: Party, holding: Holding, receipt_id: str) -> bool:
    """A trader's receipt whose lot leaves off the books: True when the lot is not
    added to the trader's stock (it stays in its ledger stock, never sold)."""
    if buyer.role != R.TRADER or (holding.tag or {}).keys() - {"grade"}:
        return False
    # Only where the trader keeps trading long enough after it for the lot to stand out.
    if g.last_day - g.day_index < _params(g)["phantom_visible_days"]:
        return False
    if not g.fraud.roll("phantom_stock"):
        return False
    g.fraud.record(
        "phantom_stock",
        enterprise=buyer.identifier,
        period=g.period,
        lots=[holding.code],
        events=[receipt_id],
        magnitude=holding.kg,
        unit="kg",
        product=holding.product,
        note="received and never sold, exported or used on the books; sold off them",
    )
    return True


# -- yield_topup ----------------------------------------------------------------
def plant_centre(g, party: Party, process: str) -> float:
    """The plant's own recovery for a process: fixed per enterprise, inside the range."""
    low, high = g.cfg["processes"][process]["yield"]
    width = high - low
    lo, hi = _params(g)["plant_centre_share"]
    draw = random.Random(f"plant-{g.seed}-{party.identifier}-{process}").random()
    return low + width * (lo + (hi - lo) * draw)


class TopUps:
    """Per separator: how many runs so far, and this month's top-up case if any."""

    def __init__(self):
        self.runs: dict[str, int] = {}
        self.months: dict[tuple[str, str], dict | None] = {}

    def topped(self, g, party: Party, process: str, centre: float) -> float | None:
        """The yield of a topped-up run, or None for an honest one."""
        p = _params(g)
        runs = self.runs[party.identifier] = self.runs.get(party.identifier, 0) + 1
        if process != "separation" or runs <= p["topup_min_history_runs"]:
            return None
        key = (party.identifier, g.period)
        if key not in self.months:
            self.months[key] = (
                {"topup": g.fraud.uniform(*p["topup"], kind="yield_topup")}
                if g.fraud.roll("yield_topup")
                else None
            )
        month = self.months[key]
        if month is None:
            return None
        high = g.cfg["processes"][process]["yield"][1]
        return min(centre + month["topup"], high - 0.001)

    def record(self, g, party: Party, event: dict, holdings, metal, honest: float, used: float):
        month = self.months[(party.identifier, g.period)]
        extra = reo_of_metal(metal) * dec(round(used - honest, 6))
        case = month.get("case")
        if case is None:
            low, high = g.cfg["processes"][event["process"]]["yield"]
            case = month["case"] = g.fraud.record(
                "yield_topup",
                enterprise=party.identifier,
                period=g.period,
                lots=[],
                events=[],
                magnitude=extra,
                unit="kg REO of unrecorded ore",
                process=event["process"],
                yield_range=[low, high],
                plant_yield=f"{plant_centre(g, party, event['process']):.4f}",
            )
        else:
            total = dec(case["magnitude"]["value"]) + extra
            case["magnitude"]["value"] = fmt(total.quantize(Decimal("0.001")))
        case["lots"] += [h.code for h in holdings]
        case["events"].append(event["event_id"])
        case["details"].setdefault("declared_yields", []).append(f"{used:.4f}")


# -- hs_misdeclared -------------------------------------------------------------
def uncontrolled_code(g, holding: Holding) -> str | None:
    """The code a licensed export is declared under instead of its own, when the dice
    say so and the product has such a code ([evasion] uncontrolled_hs); else None."""
    code = _params(g)["uncontrolled_hs"].get(HS_CODES[holding.product])
    if code is None or (holding.tag or {}).keys() - {"grade"}:
        return None
    return code if g.fraud.roll("hs_misdeclared") else None


def hs_record(g, seller: Party, holding: Holding, event: dict) -> None:
    g.fraud.record(
        "hs_misdeclared",
        enterprise=seller.identifier,
        period=g.period,
        lots=[holding.code],
        events=[event["event_id"]],
        magnitude=holding.kg,
        unit="kg",
        declared_hs=event["hs_code"],
        product_hs=HS_CODES[holding.product],
        customs_declaration=event["customs_declaration"],
    )


# -- paper_receipt --------------------------------------------------------------
PAPER_BUYERS = (R.TRADER, R.METAL_MAKER, R.MAGNET_MAKER)


def paper_receipt(g, seller: Party, buyer: Party, holding: Holding, receipt: dict) -> None:
    """When the dice say so, the buyer books a further part of the lot it just
    received, as a delivery from the seller that the seller never shipped; the
    holding grows by it."""
    if buyer.role not in PAPER_BUYERS or (holding.tag or {}).keys() - {"grade"}:
        return
    if not g.fraud.roll("paper_receipt"):
        return
    share = dec(round(g.fraud.uniform(*_params(g)["paper_share"], kind="paper_receipt"), 3))
    extra = grams(holding.kg * share)
    if extra <= 0:
        return
    note = f"second delivery from {seller.name_en} ({seller.identifier})"
    event = g.emit.adjust(buyer, holding.code, extra, "other", note)
    g.put("event", event)
    holding.kg += extra
    g.fraud.record(
        "paper_receipt",
        enterprise=buyer.identifier,
        period=g.period,
        lots=[holding.code],
        events=[receipt["event_id"], event["event_id"]],
        magnitude=extra,
        unit="kg booked in that the supplier never shipped",
        supplier=seller.identifier,
        received_kg=fmt(holding.kg - extra),
    )


# -- round_trip -----------------------------------------------------------------
class RoundTrip(NamedTuple):
    """An export planned to come back: who, what left, where to, and its event."""

    exporter: Party
    holding: Holding
    country: str
    export: dict


def round_trip_plan(g, exporter: Party, holding: Holding, country: str, export: dict) -> None:
    """When the dice say so, the export comes back as an import of its exporter a few
    months later (only where that day lies in the window)."""
    if (holding.tag or {}).keys() - {"grade"}:
        return
    low, high = _params(g)["round_trip_days"]
    if g.day_index + high > g.last_day or not g.fraud.roll("round_trip"):
        return
    days = round(g.fraud.uniform(low, high, kind="round_trip"))
    tag = dict(holding.tag) if holding.tag else None  # its grade prices it when sold again
    left = Holding(holding.code, holding.product, holding.kg, dict(holding.comp), tag)
    g.round_trips.setdefault(g.day_index + days, []).append(
        RoundTrip(exporter, left, country, export)
    )


def round_trips_due(g) -> None:
    """Today's re-imports: customs records them (the import is declared), the lot
    enters the exporter's stock."""
    low, high = _params(g)["round_trip_mass"]
    for trip in g.round_trips.pop(g.day_index, []):
        share = dec(round(g.fraud.uniform(low, high, kind="round_trip"), 4))
        kg = grams(trip.holding.kg * share)
        declaration = g.customs_number("I")
        event, back = g.emit.imported(
            trip.exporter, declaration, trip.country, trip.holding.product, kg, trip.holding.comp
        )
        g.put("event", event)
        g.customs("import", declaration, trip.exporter, trip.country, back.product, kg, g.day)
        g.fraud.record(
            "round_trip",
            enterprise=trip.exporter.identifier,
            period=g.period,
            lots=[back.code, trip.holding.code],
            events=[trip.export["event_id"], event["event_id"]],
            magnitude=kg,
            unit="kg re-imported",
            country=trip.country,
            exported_kg=fmt(trip.holding.kg),
            export_declaration=trip.export["customs_declaration"],
            import_declaration=declaration,
        )
        back.tag = trip.holding.tag
        trip.exporter.add(back)
