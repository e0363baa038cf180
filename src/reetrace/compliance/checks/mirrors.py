"""Material that comes in without its mirror record at the other end.

- `supplier_never_shipped`: a holder books more of a supplier's lot into its stock
  than the supplier ever shipped to it. The ledger refuses a receipt without the
  seller's shipment (a receipt names a shipment addressed to its reporter, takes no
  more than is in transit, and a shipment with receipts cannot be voided), so the
  door left is an adjustment that adds to a lot received from the supplier (a
  "count" or "other" gain, its note naming a further delivery): on the holder's
  books the material is the supplier's lot, while the supplier's books show no
  shipment of it. A stock count finds a hair more or less; a delivery's worth is
  material laundered in under a paper supplier's name.
- `export_reimported`: an import whose lot has the composition and, within a few
  per cent, the mass of an export made by the importer (or an enterprise of its
  group) to the country it now comes from, a few months before: round-tripping,
  to cycle export tax refunds or to pass domestic material off as imported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

from django.db.models import F

from reetrace.compliance.checks.base import Check, Finding, Window
from reetrace.ledger.choices import AdjustReason, EventKind
from reetrace.ledger.models import Adjustment, ExportDeclaration, Origin, Receipt, Shipment
from reetrace.registry.models import Enterprise

# Adjustments that may add stock (the loss reasons cannot: ledger/capture/kinds.py).
GAIN_REASONS = (AdjustReason.STOCK_COUNT, AdjustReason.OTHER)


def _text(kg: Decimal) -> str:
    return f"{kg.normalize():f}"


class SupplierNeverShipped(Check):
    """A holder's count and other adjustments of a lot it received from a supplier
    add, net, more than `tolerance_share` of what it received (and at least
    `min_kg`): kg booked in as the supplier's lot that no shipment of the supplier
    carried.

    Parameters: `tolerance_share` (honest counts move a lot by far less; see
    config.toml), `min_kg`, `severity`. The alert is the holder's, in the month of
    the adjustment that went past the tolerance; the supplier's shipments, the
    holder's receipts and its adjustments are the evidence.
    """

    name = "supplier_never_shipped"
    title = "lot booked in beyond what its supplier shipped"

    def findings(self, window: Window) -> Iterator[Finding]:
        gains = (
            Adjustment.objects.filter(
                kg__gt=0,
                reason__in=GAIN_REASONS,
                event__corrected_by__isnull=True,
                **window.period_filter("event__period"),
            )
            .exclude(lot__producer_id=F("event__reporter_id"))
            .values_list("event__reporter_id", "lot_id")
            .distinct()
        )
        for holder, lot in sorted(set(gains)):
            found = self._judge(holder, lot, window)
            if found is not None:
                yield found

    def _judge(self, holder: int, lot: int, window: Window) -> Finding | None:
        p = self.params
        shipments = list(
            Shipment.objects.filter(buyer_id=holder, lot_id=lot, event__corrected_by__isnull=True)
            .select_related("event", "seller", "lot__product")
            .order_by("event__event_time", "pk")
        )
        if not shipments:
            return None  # not a supplier's lot: the holder never bought it
        received = list(
            Receipt.objects.filter(shipment__in=shipments, event__corrected_by__isnull=True)
            .select_related("event")
            .order_by("event__event_time", "pk")
        )
        got = sum((r.kg for r in received), Decimal(0))
        adjustments = list(
            Adjustment.objects.filter(
                event__reporter_id=holder,
                lot_id=lot,
                reason__in=GAIN_REASONS,
                event__corrected_by__isnull=True,
            )
            .select_related("event")
            .order_by("event__event_time", "pk")
        )
        allowed = max(got * Decimal(str(p["tolerance_share"])), Decimal(str(p["min_kg"])))
        net, past = Decimal(0), None
        for adjustment in adjustments:
            net += adjustment.kg
            if past is None and net > allowed and adjustment.kg > 0:
                past = adjustment
        if past is None or net <= allowed or not window.contains(past.event.period):
            return None
        return self._finding(holder, shipments, received, adjustments, net, past)

    def _finding(self, holder, shipments, received, adjustments, net, past) -> Finding:
        lot = shipments[0].lot
        shipped = sum((s.kg for s in shipments), Decimal(0))
        got = sum((r.kg for r in received), Decimal(0))
        suppliers = sorted({s.seller.identifier for s in shipments})
        sent = "; ".join(
            f"{s.event.event_id} {s.event.event_time:%Y-%m-%d} {_text(s.kg)} kg by "
            f"{s.seller.identifier}"
            for s in shipments
        )
        booked = "; ".join(
            f"{a.event.event_id} {a.event.event_time:%Y-%m-%d} {_text(a.kg)} kg "
            f"({a.reason}{': ' + repr(a.note) if a.note else ''})"
            for a in adjustments
        )
        return Finding(
            rule=self.name,
            key=f"{holder}|{lot.code}",
            severity=self.params["severity"],
            enterprise_id=holder,
            period=past.event.period,
            explanation=(
                f"lot {lot.code} ({lot.product.code}) came from "
                f"{', '.join(suppliers)}, whose books show {_text(shipped)} kg shipped to "
                f"this holder ({sent}); it received {_text(got)} kg, then booked a further "
                f"{_text(net)} kg into the lot ({booked}). No shipment of the supplier "
                "carried those kg: material entered the books under the supplier's name "
                "from somewhere the supplier's books do not know."
            ),
            figures={
                "expected": str(shipped),
                "observed": str(got + net),
                "tolerance": self.params["tolerance_share"],
                "unit": "kg of the lot booked in",
                "suppliers": suppliers,
                "shipped_kg": str(shipped),
                "received_kg": str(got),
                "added_kg": str(net),
            },
            lots=[lot.code],
            events=[s.event.event_id for s in shipments]
            + [r.event.event_id for r in received]
            + [a.event.event_id for a in adjustments],
        )


class ExportReimported(Check):
    """An import whose lot matches an export of the importer or of an enterprise of
    its group: the export went to the country the import comes from, at most
    `max_days` before it, the masses differ by at most `mass_tolerance_share` of the
    export's, and every rare earth's mass fraction by at most `fraction_tolerance`.

    Parameters: `max_days`, `mass_tolerance_share`, `fraction_tolerance` (absolute,
    per element as metal; lots of one make differ by more), `severity`. The alert is
    the importer's, in the month of the import; the export and the import, their
    customs declarations and compositions are the evidence.
    """

    name = "export_reimported"
    title = "export come back as an import"

    def findings(self, window: Window) -> Iterator[Finding]:
        imports = list(
            Origin.objects.filter(
                event__kind=EventKind.IMPORT,
                event__corrected_by__isnull=True,
                **window.period_filter("event__period"),
            )
            .select_related("event", "event__reporter", "lot__product")
            .prefetch_related("lot__elements")
            .order_by("event__event_time", "pk")
        )
        if not imports:
            return
        associates = _associates({i.event.reporter for i in imports})
        earliest = imports[0].event.event_time - timedelta(days=self.params["max_days"])
        exports = defaultdict(list)
        rows = (
            ExportDeclaration.objects.filter(
                exporter_id__in={pk for pks in associates.values() for pk in pks},
                event__corrected_by__isnull=True,
                event__event_time__gte=earliest,
            )
            .select_related("event", "exporter", "lot__product")
            .prefetch_related("lot__elements")
            .order_by("event__event_time", "pk")
        )
        for export in rows:
            exports[(export.exporter_id, export.destination)].append(export)
        for origin in imports:
            candidates = [
                export
                for pk in associates[origin.event.reporter_id]
                for export in exports[(pk, origin.origin_country)]
            ]
            match = self._match(origin, candidates)
            if match is not None:
                yield self._finding(origin, match)

    def _match(self, origin: Origin, exports: list[ExportDeclaration]):
        """The closest export in time that the import could be, or None."""
        p = self.params
        span = timedelta(days=p["max_days"])
        share = Decimal(str(p["mass_tolerance_share"]))
        tolerance = Decimal(str(p["fraction_tolerance"]))
        came = origin.event.event_time
        mine = _composition(origin.lot)
        for export in sorted(exports, key=lambda e: e.event.event_time, reverse=True):
            if not came - span <= export.event.event_time < came:
                continue
            if abs(origin.lot.mass_kg - export.kg) > export.kg * share:
                continue
            theirs = _composition(export.lot)
            if mine and all(
                abs(mine.get(el, Decimal(0)) - theirs.get(el, Decimal(0))) <= tolerance
                for el in mine.keys() | theirs.keys()
            ):
                return export
        return None

    def _finding(self, origin: Origin, export: ExportDeclaration) -> Finding:
        event = origin.event
        days = (event.event_time - export.event.event_time).days
        importer = event.reporter.identifier
        who = (
            "it"
            if export.exporter_id == event.reporter_id
            else f"{export.exporter.identifier}, of its group,"
        )
        composition = ", ".join(
            f"{el} {fraction:.4f}" for el, fraction in sorted(_composition(origin.lot).items())
        )
        return self.event_finding(
            event,
            explanation=(
                f"{importer} imported lot {origin.lot.code} ({origin.lot.product.code}, "
                f"{_text(origin.lot.mass_kg)} kg, {composition}) from {origin.origin_country} "
                f"on {event.event_time:%Y-%m-%d} under {origin.customs_declaration}; {days} days "
                f"before, {who} exported lot {export.lot.code} ({export.lot.product.code}, "
                f"{_text(export.kg)} kg) of the same composition to {export.destination} "
                f"({export.consignee}) under {export.customs_declaration}. The goods went "
                "out and came back: a round trip that earns the export's tax refund again or "
                "passes domestic material off as imported."
            ),
            figures={
                "expected": "no import matching an export of the importer or its group",
                "observed": export.event.event_id,
                "tolerance": {
                    "max_days": self.params["max_days"],
                    "mass_tolerance_share": self.params["mass_tolerance_share"],
                    "fraction_tolerance": self.params["fraction_tolerance"],
                },
                "unit": "export matched",
                "days_between": days,
                "exported_kg": str(export.kg),
                "imported_kg": str(origin.lot.mass_kg),
                "country": origin.origin_country,
                "customs_declarations": [export.customs_declaration, origin.customs_declaration],
            },
            elements=sorted(_composition(origin.lot)),
            lots=[origin.lot.code, export.lot.code],
            events=[export.event.event_id, event.event_id],
        )


def _composition(lot) -> dict[str, Decimal]:
    return {e.element: e.fraction for e in lot.elements.all()}


def _associates(importers: set[Enterprise]) -> dict[int, set[int]]:
    """Each importer and the enterprises of its group (itself when it has none)."""
    groups = {e.group_id for e in importers if e.group_id is not None}
    members: dict[int, set[int]] = defaultdict(set)
    for pk, group in Enterprise.objects.filter(group_id__in=groups).values_list("pk", "group_id"):
        members[group].add(pk)
    return {e.pk: {e.pk} | members.get(e.group_id, set()) for e in importers}
