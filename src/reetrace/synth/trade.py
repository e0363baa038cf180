"""Selling: domestic shipments and their receipts, exports with licences, and the
frauds that live in trade (under-invoicing, unconfirmed or short receipts,
licence mismatches, transshipment after a refusal, misdeclared exports).
"""

from __future__ import annotations

from decimal import Decimal

from reetrace.registry.choices import EnterpriseRole as R
from reetrace.synth import evasion
from reetrace.synth.compositions import dec, fmt, grams
from reetrace.synth.market import HS_CODES, classification
from reetrace.synth.parties import Holding, Party

SINKS = (R.DOMESTIC_USER, R.FOREIGN_BUYER)
THIRD_COUNTRIES = ("VN", "MX", "AE", "TR", "MY", "TH")


def sell(g, seller: Party, holdings: list[Holding]) -> None:
    """Sell each lot to a customer picked by route; unsold lots stay in stock."""
    for holding in holdings:
        if holding.kg <= 0:
            continue
        tag = holding.tag or {}
        if ("misdeclared" in tag or "divert" in tag) and seller.exports:
            export(g, seller, holding)
            continue
        if g.business and g.business.hold(g, seller, holding):
            continue
        role = g.market.route(seller, holding.product, g.day)
        if role == "export":
            export(g, seller, holding)
            continue
        buyers = _buyers(g, seller, role, holding)
        if not buyers:
            seller.add(holding)
            continue
        parts = evasion.split_parts(g, holding)
        if parts:
            shipments = [ship(g, seller, holding, buyers[0], kg, dice=False) for kg in parts]
            evasion.split_record(g, seller, holding, buyers[0], parts, shipments)
            continue
        parts = _parts(g, holding.kg, len(buyers))
        for buyer, kg in zip(buyers, parts, strict=True):
            ship(g, seller, holding, buyer, kg)


def _buyers(g, seller: Party, role: str, holding: Holding) -> list[Party]:
    first = g.market.buyer(seller, role, holding.product)
    if first is None:
        return []
    split = g.cfg["trading"]["split_shipment"]
    if holding.kg > 2 and g.rng.random() < split:
        second = g.market.buyer(seller, role, holding.product)
        if second is not None and second is not first:
            return [first, second]
    return [first]


def _parts(g, kg: Decimal, count: int) -> list[Decimal]:
    if count == 1:
        return [kg]
    first = grams(kg * dec(round(g.rng.uniform(0.3, 0.7), 3)))
    return [first, kg - first]


def ship(
    g, seller: Party, holding: Holding, buyer: Party, kg: Decimal, price=None, dice=True
) -> str:
    """Ship and schedule the receipt; `dice=False` (a part of a split sale) rolls for
    no other fraud and no honest correction."""
    grade = (holding.tag or {}).get("grade")
    price = price or g.market.unit_price(holding.product, holding.comp, g.day, grade, seller)
    floor = g.market.value_floor(Decimal(1), holding.comp, g.day, holding.product)
    under = dice and floor >= 1 and g.fraud.roll("under_invoicing")
    if under:
        price = (floor * dec(round(g.fraud.uniform(0.25, 0.5), 3))).quantize(Decimal("0.01"))
    event = g.emit.ship(seller, holding.code, kg, buyer, price)
    g.put("event", event)
    shipment = event["event_id"]
    if under:
        g.fraud.record(
            "under_invoicing",
            enterprise=seller.identifier,
            period=g.period,
            lots=[holding.code],
            events=[shipment],
            magnitude=(floor - price) * kg,
            unit="CNY below contained value",
            unit_price=fmt(price),
            contained_value_per_kg=fmt(floor.quantize(Decimal("0.01"))),
            buyer=buyer.identifier,
        )
    elif dice and g.rng.random() < g.cfg["reporting"]["honest_correction_rate"]:
        shipment = _reprice(g, seller, event, price)
    _schedule_receipt(g, seller, buyer, holding, kg, shipment, dice)
    return shipment


def _reprice(g, seller: Party, event: dict, price: Decimal) -> str:
    """An honest typo fixed the same day: the shipment is replaced with the right price."""
    fixed = (price * dec("1.01")).quantize(Decimal("0.01"))
    correction = g.emit.correct(
        seller, event["event_id"], "unit price typed wrong", {"unit_price": fmt(fixed)}
    )
    g.put("event", correction)
    return correction["event_id"]


def _schedule_receipt(g, seller, buyer, holding, kg, shipment, dice=True) -> None:
    if dice and g.fraud.roll("unconfirmed_shipment"):
        g.fraud.record(
            "unconfirmed_shipment",
            enterprise=buyer.identifier,
            period=g.period,
            lots=[holding.code],
            events=[shipment],
            magnitude=kg,
            unit="kg",
            seller=seller.identifier,
        )
        return
    received = kg
    if dice and g.fraud.roll("short_receipt"):
        received = grams(kg * dec(round(g.fraud.uniform(0.6, 0.95), 3)))
        case = g.fraud.record(
            "short_receipt",
            enterprise=buyer.identifier,
            period=g.period,
            lots=[holding.code],
            events=[shipment],
            magnitude=kg - received,
            unit="kg",
            seller=seller.identifier,
        )
    else:
        case = None
    days = g.rng.randint(*g.cfg["partner"]["transit_days"])
    arrival = min(g.day_index + days, g.last_day)
    parts = g.business.receipts(g, received, arrival) if g.business else [(arrival, received)]
    for day, kg_in in parts:
        copy = Holding(holding.code, holding.product, kg_in, holding.comp, holding.tag)
        g.pending.setdefault(day, []).append((buyer, shipment, copy, case, seller))


def receive_due(g) -> None:
    for buyer, shipment, holding, case, seller in g.pending.pop(g.day_index, []):
        event = g.emit.receive(buyer, shipment, holding.kg)
        g.put("event", event)
        if case is not None:
            case["events"].append(event["event_id"])
        tag = holding.tag or {}
        if "divert" in tag:
            tag["divert"]["events"].append(event["event_id"])
        if buyer.role in SINKS:
            continue
        if case is None and evasion.phantom_receipt(g, buyer, holding, event["event_id"]):
            continue
        if case is None:
            evasion.paper_receipt(g, seller, buyer, holding, event)
        buyer.add(holding)


def export(g, seller: Party, holding: Holding) -> None:
    tag = holding.tag or {}
    controlled = classification(holding.product, holding.comp, g.day).licence_required
    if "misdeclared" in tag:
        country, buyer = g.market.destination()
        event = _declare(g, seller, holding, country, buyer, buyer.name_en, "")
        tag["misdeclared"]["events"].append(event["event_id"])
    elif "divert" in tag:
        _transship(g, seller, holding, tag["divert"])
    elif controlled:
        _licensed_export(g, seller, holding)
    else:
        country, buyer = g.market.destination()
        event = _declare(g, seller, holding, country, buyer, buyer.name_en, "")
        evasion.round_trip_plan(g, seller, holding, country, event)


def _licensed_export(g, seller: Party, holding: Holding) -> None:
    country, buyer = g.market.destination()
    if g.fraud.roll("licence_refusal"):
        _refused(g, seller, holding, buyer, country)
        return
    number = g.licence(seller, buyer, country, holding, status="issued")
    if not g.fraud.roll("licence_mismatch"):
        hs = evasion.uncontrolled_code(g, holding)
        redraw = not hs and g.fraud.roll("licence_redraw")
        event = _declare(
            g, seller, holding, country, buyer, buyer.name_en, number, hs=hs, partner=not redraw
        )
        if hs:
            evasion.hs_record(g, seller, holding, event)
        elif redraw:
            _redraw(g, seller, holding, country, buyer, number, event)
        else:
            evasion.round_trip_plan(g, seller, holding, country, event)
        return
    # Declared as licensed (the declaration matches the licence); the goods go to
    # someone in another country: the bill of lading's port of discharge, which
    # customs records as the country of arrival, and the partner's import
    # statistics show it.
    actual_country, actual = g.market.destination()
    for _ in range(20):
        if actual_country != country:
            break
        actual_country, actual = g.market.destination()
    event = _declare(
        g, seller, holding, country, buyer, buyer.name_en, number, arrives=actual_country
    )
    g.fraud.record(
        "licence_mismatch",
        enterprise=seller.identifier,
        period=g.period,
        lots=[holding.code],
        events=[event["event_id"]],
        magnitude=holding.kg,
        unit="kg",
        licence=number,
        licensed_consignee=buyer.name_en,
        licensed_destination=country,
        actual_consignee=actual.name_en,
        actual_end_user=actual.identifier,
        actual_destination=actual_country,
    )


def _redraw(g, seller: Party, holding: Holding, country, buyer: Party, number, first) -> None:
    """The export is voided in the ledger (its kg go back to the licence and the lot
    back to stock) after the goods left, and the licence is drawn again for as much:
    customs records both exports, the ledger one. The partner's statistics show the
    second crossing only: the reconciliation's truth has no cause yet for a crossing
    that our side voided."""
    void = g.emit.void(seller, first["event_id"], "declaration entered twice")
    g.put("event", void)
    again = _declare(g, seller, holding, country, buyer, buyer.name_en, number)
    g.fraud.record(
        "licence_redraw",
        enterprise=seller.identifier,
        period=g.period,
        lots=[holding.code],
        events=[first["event_id"], void["event_id"], again["event_id"]],
        magnitude=holding.kg,
        unit="kg exported beyond the licence",
        licence=number,
        licensed_kg=fmt(holding.kg),
        customs_declarations=[first["customs_declaration"], again["customs_declaration"]],
    )


def _refused(g, seller: Party, holding: Holding, buyer: Party, country: str) -> None:
    """After a refusal an honest exporter sells at home; a dodger routes via a trader."""
    refused = g.licence(seller, buyer, country, holding, status="refused")
    trader = g.market.buyer(seller, R.TRADER, holding.product)
    if trader is not None and trader.exports and g.fraud.roll("transshipment"):
        divert = {"refused": refused, "end_user": buyer, "events": [], "seller": seller}
        holding.tag = dict(holding.tag or {}) | {"divert": divert}
        divert["events"].append(ship(g, seller, holding, trader, holding.kg))
        return
    domestic = g.market.buyer(seller, R.DOMESTIC_USER, holding.product)
    if domestic is not None:
        ship(g, seller, holding, domestic, holding.kg)
    else:
        seller.add(holding)


def _transship(g, trader: Party, holding: Holding, divert: dict) -> None:
    country = g.rng.choice([c for c in THIRD_COUNTRIES if c in g.cast.buyers_by_country])
    front = g.rng.choice(g.cast.buyers_by_country[country])
    number = g.licence(trader, front, country, holding, status="issued")
    event = _declare(g, trader, holding, country, front, front.name_en, number)
    end_user = divert["end_user"]
    g.fraud.record(
        "transshipment",
        enterprise=trader.identifier,
        period=g.period,
        lots=[holding.code],
        events=[*divert["events"], event["event_id"]],
        magnitude=holding.kg,
        unit="kg",
        refused_application=divert["refused"],
        original_exporter=divert["seller"].identifier,
        true_end_user=end_user.identifier,
        true_destination=end_user.country,
        declared_destination=country,
    )


def _declare(
    g, seller, holding, country, buyer, end_user, licence, arrives=None, hs=None, partner=True
):
    grade = (holding.tag or {}).get("grade")
    price = g.market.unit_price(holding.product, holding.comp, g.day, grade, seller)
    fob = g.market.fob_usd(holding.kg, price)
    declaration = g.customs_number("E")
    hs = hs or HS_CODES[holding.product]
    event = g.emit.export(
        seller,
        holding.code,
        holding.kg,
        customs_declaration=declaration,
        hs_code=hs,
        destination=country,
        consignee=buyer.name_en,
        end_user=end_user,
        licence=licence,
        fob_value=fmt(fob),
        currency="USD",
    )
    g.put("event", event)
    arrival = arrives or country
    g.customs(
        "export", declaration, seller, country, holding.product, holding.kg, g.day, fob,
        consignee=buyer.name_en, arrival_country=arrival,
    )  # fmt: skip
    if partner:
        g.partner.record(
            g, declared=country, arrives=arrival, hs=hs, kg=holding.kg, fob=fob, event=event,
            tag=holding.tag,
        )  # fmt: skip
    return event
