"""Evasion that keeps every record plausible: only a pattern over several records
shows it.

- `split_below_threshold`: one lot sold (or exported) to one party in several
  parts, each just below the reporting threshold, within a few days: structuring.
  A lot is honestly sold in one or two parts; parts clustered under a threshold
  whose sum is far above it are not call-offs.
- `phantom_stock`: a trader still holds a lot it received long ago while it went on
  selling what it received after. A trader neither processes nor consumes: a lot
  it never sells is stock only on paper (sold off the books, or never there).
- `yield_above_history`: a plant's runs in a month recover more than the plant's
  own record, though inside the process range: ore topped up without a record
  raises the yield a little on every run.
- `licence_overdrawn`: customs recorded more leaving under one licence than the
  licence allows. The ledger's export guard keeps each licence's balance, but an
  export voided by a correction gives its kg back: voided after the goods left, the
  licence can be drawn again. Customs, which recorded every crossing, shows it.
- `hs_code_uncontrolled`: an export whose lot is controlled by its composition on
  the day, declared under a customs code that no control list entry names: at the
  border the declaration does not look like a controlled item.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Max, Min, Q, Sum

from reetrace.compliance.checks.base import Check, Finding, Window, kg
from reetrace.compliance.checks.ledger import event_lots, events_by_pk
from reetrace.compliance.checks.yields import _summaries
from reetrace.compliance.config import rule_params
from reetrace.compliance.models import CustomsDeclaration
from reetrace.compliance.services.customs import declaration_number
from reetrace.exportcontrol.classification import classify
from reetrace.exportcontrol.control_list import control_list
from reetrace.exportcontrol.models import Licence
from reetrace.ledger.choices import Bucket
from reetrace.ledger.models import Event, ExportDeclaration, Posting, Receipt, Shipment
from reetrace.ledger.rules import CHINA_TIME
from reetrace.registry.choices import EnterpriseRole
from reetrace.registry.models import EnterpriseRoleGrant


class SplitBelowThreshold(Check):
    """One lot sold to one buyer (or exported to one destination) in at least
    `min_parts` parts within `within_days`, each part in
    [`threshold_kg` x (1 - `band`), `threshold_kg`), together above the threshold.
    A holder that passes on the parts exactly as it received them is not judged:
    the split is its seller's.

    Parameters: `threshold_kg` (the reporting threshold; UNCONFIRMED, see
    config.toml), `band`, `min_parts`, `within_days`, `severity`. The alert is the
    seller's, in the month of the first part.
    """

    name = "split_below_threshold"
    title = "sale split below the reporting threshold"
    incremental = True

    def findings(self, window: Window) -> Iterator[Finding]:
        p = self.params
        threshold = Decimal(str(p["threshold_kg"]))
        floor = threshold * (1 - Decimal(str(p["band"])))
        near = Q(kg__gte=floor, kg__lt=threshold, event__corrected_by__isnull=True)
        groups: dict[tuple, list] = defaultdict(list)
        shipments = Shipment.objects.filter(near, **window.period_filter("event__period"))
        for row in shipments.values_list(
            "seller_id", "lot__code", "buyer__identifier", "event__event_id",
            "event__event_time", "kg", "event__period",
        ):  # fmt: skip
            groups[(row[0], row[1], f"buyer {row[2]}")].append(row[3:])
        exports = ExportDeclaration.objects.filter(near, **window.period_filter("event__period"))
        for row in exports.values_list(
            "exporter_id", "lot__code", "destination", "event__event_id",
            "event__event_time", "kg", "event__period",
        ):  # fmt: skip
            groups[(row[0], row[1], f"export to {row[2]}")].append(row[3:])
        span = timedelta(days=p["within_days"])
        for (seller, lot, party), parts in groups.items():
            parts.sort(key=lambda part: part[1])
            burst = _densest(parts, span)
            if len(burst) < p["min_parts"] or sum(part[2] for part in burst) <= threshold:
                continue
            if _as_received(seller, lot, [part[2] for part in burst]):
                continue
            yield self._finding(seller, lot, party, burst, threshold)

    def _finding(self, seller: int, lot: str, party: str, parts, threshold) -> Finding:
        total = sum((part[2] for part in parts), Decimal(0))
        first, last = parts[0][1], parts[-1][1]
        sizes = ", ".join(f"{part[2].normalize():f}" for part in parts)
        return Finding(
            rule=self.name,
            key=f"{seller}|{lot}|{party}|{parts[0][0]}",
            severity=self.params["severity"],
            enterprise_id=seller,
            period=parts[0][3],
            explanation=(
                f"lot {lot} went to {party} in {len(parts)} parts between "
                f"{first:%Y-%m-%d} and {last:%Y-%m-%d} ({sizes} kg), each just below the "
                f"{threshold.normalize():f} kg reporting threshold, {total.normalize():f} kg "
                "together: one sale split so that no part reaches the threshold."
            ),
            figures={
                "expected": f"parts of one lot to one party below {threshold.normalize():f} kg: "
                f"fewer than {self.params['min_parts']}",
                "observed": len(parts),
                "tolerance": {
                    "band": self.params["band"],
                    "within_days": self.params["within_days"],
                },
                "unit": "parts",
                "threshold_kg": str(threshold.normalize()),
                "parts_kg": [str(part[2]) for part in parts],
                "total_kg": str(total),
                "counterparty": party,
            },
            lots=[lot],
            events=[part[0] for part in parts],
        )


def _as_received(holder: int, lot: str, parts: list[Decimal]) -> bool:
    """Whether the holder received the lot in these very parts: it passes them on as
    it was sold them, and the split is its seller's."""
    received = list(
        Receipt.objects.filter(
            shipment__buyer_id=holder, shipment__lot__code=lot, event__corrected_by__isnull=True
        ).values_list("kg", flat=True)
    )
    for kg_part in parts:
        if kg_part not in received:
            return False
        received.remove(kg_part)
    return True


def _densest(parts: list[tuple], span: timedelta) -> list[tuple]:
    """The most parts that fall within `span` of each other (parts sorted by time)."""
    best: list[tuple] = []
    start = 0
    for end in range(len(parts)):
        while parts[end][1] - parts[start][1] > span:
            start += 1
        if end - start + 1 > len(best):
            best = parts[start : end + 1]
    return best


class PhantomStock(Check):
    """A trader still holds a lot received `max_days_held` or more days before its
    own newest event, and has sold or exported at least `min_sales_after` lots
    received after it.

    Parameters: `max_days_held` (honest traders sell within days; see config.toml),
    `min_sales_after`, `min_kg` (smaller remainders are rounding), `severity`. Ages
    are counted to the trader's newest event (never past `--as-of`), so the end of a
    dataset is not read as a trader that stopped selling. One alert per trader and
    month of receipt.
    """

    name = "phantom_stock"
    title = "trader's stock never sold"

    def findings(self, window: Window) -> Iterator[Finding]:
        p = self.params
        traders = set(
            EnterpriseRoleGrant.objects.filter(role=EnterpriseRole.TRADER).values_list(
                "enterprise_id", flat=True
            )
        )
        held = {
            (row["holder_id"], row["lot_id"]): row["kg"]
            for row in Posting.objects.filter(bucket=Bucket.STOCK, holder_id__in=traders)
            .values("holder_id", "lot_id")
            .annotate(kg=Sum("kg"))
            .filter(kg__gte=Decimal(str(p["min_kg"])))
            .order_by()
        }
        if not held:
            return
        newest = dict(
            Event.objects.filter(reporter_id__in={holder for holder, _ in held})
            .values("reporter_id")
            .annotate(last=Max("event_time"))
            .values_list("reporter_id", "last")
        )
        receipts = (
            Receipt.objects.filter(
                shipment__buyer_id__in={holder for holder, _ in held},
                event__corrected_by__isnull=True,
                **window.period_filter("event__period"),
            )
            .values("shipment__buyer_id", "shipment__lot_id", "shipment__lot__code")
            .annotate(
                first=Min("event__event_time"),
                period=Min("event__period"),
                event=Min("event__event_id"),
            )
            .order_by()
        )
        stale: dict[tuple[int, date], list[dict]] = defaultdict(list)
        for row in receipts:
            holder, lot = row["shipment__buyer_id"], row["shipment__lot_id"]
            if (holder, lot) not in held:
                continue
            until = min(newest[holder], window.as_of)
            days = (until - row["first"]).days
            if days < p["max_days_held"]:
                continue
            sold = self._sales_after(holder, row["first"])
            if sold < p["min_sales_after"]:
                continue
            stale[(holder, row["period"])].append(
                row | {"days": days, "kg": held[(holder, lot)], "sold_after": sold}
            )
        for (holder, period), lots in sorted(stale.items()):
            yield self._finding(holder, period, lots)

    def _sales_after(self, trader: int, moment) -> int:
        """Lots the trader received after `moment` and has sold or exported since."""
        later = Receipt.objects.filter(
            shipment__buyer_id=trader,
            event__corrected_by__isnull=True,
            event__event_time__gt=moment,
        ).values("shipment__lot_id")
        sold = Shipment.objects.filter(
            seller_id=trader, lot_id__in=later, event__corrected_by__isnull=True
        ).values("lot_id")
        exported = ExportDeclaration.objects.filter(
            exporter_id=trader, lot_id__in=later, event__corrected_by__isnull=True
        ).values("lot_id")
        lots = set(sold.values_list("lot_id", flat=True))
        return len(lots | set(exported.values_list("lot_id", flat=True)))

    def _finding(self, trader: int, period: date, lots: list[dict]) -> Finding:
        total = sum((row["kg"] for row in lots), Decimal(0))
        oldest = max(row["days"] for row in lots)
        listed = "; ".join(
            f"lot {row['shipment__lot__code']} ({row['kg'].normalize():f} kg, received "
            f"{row['first']:%Y-%m-%d} in {row['event']}, held {row['days']} days)"
            for row in lots
        )
        return Finding(
            rule=self.name,
            key=f"{trader}|{period:%Y-%m}",
            severity=self.params["severity"],
            enterprise_id=trader,
            period=period,
            explanation=(
                f"the trader still holds {len(lots)} lot(s) it received in {period:%Y-%m}, "
                f"{total.normalize():f} kg: {listed}. Meanwhile it sold or exported "
                f"{max(row['sold_after'] for row in lots)} lot(s) it received later. A trader "
                "does not process or consume; stock it never sells is stock only on paper, "
                "sold off the books or never received."
            ),
            figures={
                "expected": f"sold within {self.params['max_days_held']} days",
                "observed": oldest,
                "tolerance": self.params["max_days_held"],
                "unit": "days held",
                "held_kg": str(total),
                "lots_sold_after": max(row["sold_after"] for row in lots),
            },
            lots=[row["shipment__lot__code"] for row in lots],
            events=[row["event"] for row in lots],
        )


class YieldAboveHistory(Check):
    """A plant's runs of a process in a month recover, at the median, more than
    `max_excess` above the median of its previous `history_runs` runs, while staying
    inside the process range ([yield_out_of_range] ranges and tolerance). Runs
    outside the range are that rule's: they count neither in the record nor in the
    month.

    Parameters: `history_runs`, `min_history` (runs needed before judging),
    `max_excess` (REO yield points; honest plants scatter less, see config.toml),
    `min_input_reo_kg`, `severity`. The runs above the record are the evidence.
    """

    name = "yield_above_history"
    title = "yields above the plant's own record"

    def findings(self, window: Window) -> Iterator[Finding]:
        p = self.params
        ranges = rule_params("yield_out_of_range")["ranges"]
        history_window = Window(None, window.end, window.as_of)
        runs = {
            pk: summary
            for pk, (_run, summary) in _summaries(history_window, self.source).items()
            if summary.input_reo >= p["min_input_reo_kg"]
        }
        events = events_by_pk(set(runs))
        plants: dict[tuple[int, str], list] = defaultdict(list)
        for pk, summary in runs.items():
            event = events[pk]
            plants[(event.reporter_id, event.transformation.process)].append((event, summary))
        flagged = []
        tolerance = rule_params("yield_out_of_range")["tolerance"]
        for (plant, process), made in plants.items():
            if process not in ranges:
                continue
            low, high = ranges[process]
            # runs outside the range are yield_out_of_range's; they are neither the
            # plant's record nor part of a month judged here
            made = [
                (e, s) for e, s in made if low - tolerance <= s.retained_yield <= high + tolerance
            ]
            made.sort(key=lambda pair: (pair[0].event_time, pair[0].pk))
            flagged += self._months(plant, process, made, ranges[process], window)
        lots = event_lots({event.pk for *_, above in flagged for event, _ in above})
        for plant, process, period, record, month, above in flagged:
            yield self._finding(plant, process, period, record, month, above, lots, ranges[process])

    def _months(self, plant, process, made, band, window: Window) -> list[tuple]:
        p = self.params
        by_month: dict[date, list] = defaultdict(list)
        for pair in made:
            by_month[pair[0].period].append(pair)
        found = []
        seen = 0
        for period in sorted(by_month):
            month = by_month[period]
            history = [s.retained_yield for _, s in made[max(0, seen - p["history_runs"]) : seen]]
            seen += len(month)
            if len(history) < p["min_history"] or not window.contains(period):
                continue
            record = statistics.median(history)
            observed = statistics.median(s.retained_yield for _, s in month)
            if observed - record > p["max_excess"] and observed <= band[1]:
                above = [(e, s) for e, s in month if s.retained_yield - record > p["max_excess"]]
                found.append((plant, process, period, record, observed, above))
        return found

    def _finding(self, plant, process, period, record, observed, above, lots, band) -> Finding:
        extra = sum(s.input_reo * (s.retained_yield - record) for _, s in above)
        runs = ", ".join(f"{e.event_id} {s.retained_yield:.2%}" for e, s in above)
        return Finding(
            rule=self.name,
            key=f"{plant}|{process}|{period:%Y-%m}",
            severity=self.params["severity"],
            enterprise_id=plant,
            period=period,
            explanation=(
                f"{process} runs in {period:%Y-%m} recovered a median {observed:.2%} of their "
                f"REO, inside the process range {band[0]:.1%}-{band[1]:.1%} but "
                f"{observed - record:.2%} above {record:.2%}, the median of the plant's "
                f"previous {self.params['history_runs']} runs at most ({runs}). About "
                f"{kg(extra)} kg REO came out beyond what the plant recovers: feed that is "
                "not on the books, such as ore topped up without a record."
            ),
            figures={
                "expected": round(record, 4),
                "observed": round(observed, 4),
                "tolerance": self.params["max_excess"],
                "unit": "REO yield",
                "range": band,
                "runs": {e.event_id: round(s.retained_yield, 4) for e, s in above},
                "extra_reo_kg": kg(extra),
            },
            lots=[code for e, _ in above for code in lots[e.pk]["out"]]
            + [code for e, _ in above for code in lots[e.pk]["in"]],
            events=[e.event_id for e, _ in above],
        )


class LicenceOverdrawn(Check):
    """Exports citing one licence (those since voided included) whose customs records
    add up to more than the licence's quantity (its items, or a general licence's
    cap) beyond `tolerance_share` (customs weighs too).

    Parameters: `tolerance_share`, `severity`. The alert is the exporter's, in the
    month of the export that went past the quantity; every export under the licence,
    and the corrections that voided some, are the evidence. Exports without a
    customs record are not counted (no customs data loaded, or never crossed).
    """

    name = "licence_overdrawn"
    title = "licence drawn beyond its quantity at customs"
    sources = ("customs",)

    def findings(self, window: Window) -> Iterator[Finding]:
        cited: dict[str, list[ExportDeclaration]] = defaultdict(list)
        rows = (
            ExportDeclaration.objects.exclude(licence_number="")
            .select_related("event", "event__corrected_by__event", "lot")
            .order_by("event__event_time", "pk")
        )
        for export in rows:
            cited[export.licence_number].append(export)
        numbers = sorted(
            {declaration_number(e.customs_declaration) for x in cited.values() for e in x}
        )
        crossed: dict[str, Decimal] = {}
        for start in range(0, len(numbers), 500):
            crossed |= dict(
                CustomsDeclaration.objects.filter(
                    number__in=numbers[start : start + 500], flow=CustomsDeclaration.Flow.EXPORT
                ).values_list("number", "kg")
            )
        licences = Licence.objects.filter(number__in=list(cited)).prefetch_related("items")
        tolerance = Decimal(str(self.params["tolerance_share"]))
        for licence in licences:
            allowed = licence.kg_cap
            if allowed is None:
                allowed = sum((item.kg for item in licence.items.all()), Decimal(0))
            limit = allowed * (1 + tolerance)
            recorded, total, past = [], Decimal(0), None
            for export in cited[licence.number]:
                kg_out = crossed.get(declaration_number(export.customs_declaration))
                if kg_out is None:
                    continue
                total += kg_out
                recorded.append((export, kg_out))
                if past is None and total > limit:
                    past = export
            if past is not None and window.contains(past.event.period):
                yield self._finding(licence, allowed, recorded, total, past)

    def _finding(self, licence, allowed, recorded, total, past) -> Finding:
        voids = {
            export.event.event_id: export.event.corrected_by.event.event_id
            for export, _ in recorded
            if hasattr(export.event, "corrected_by")
        }
        listed = "; ".join(
            f"{export.event.event_id} ({export.customs_declaration}, {kg_out.normalize():f} kg"
            + (
                f", voided in the ledger by {voids[export.event.event_id]}"
                if export.event.event_id in voids
                else ""
            )
            + ")"
            for export, kg_out in recorded
        )
        return Finding(
            rule=self.name,
            key=licence.number,
            severity=self.params["severity"],
            enterprise_id=past.exporter_id,
            period=past.event.period,
            explanation=(
                f"licence {licence.number} allows {allowed.normalize():f} kg; customs recorded "
                f"{total.normalize():f} kg leaving under it: {listed}. The ledger's balance "
                "of the licence counts only exports that stand; one voided after the goods "
                "left gave its kg back to be drawn again."
            ),
            figures={
                "expected": str(allowed),
                "observed": str(total),
                "tolerance": self.params["tolerance_share"],
                "unit": "kg",
                "licence": licence.number,
                "customs_declarations": [e.customs_declaration for e, _ in recorded],
                "voided": voids,
            },
            lots=sorted({export.lot.code for export, _ in recorded}),
            events=[e.event.event_id for e, _ in recorded] + sorted(voids.values()),
        )


class HsCodeUncontrolled(Check):
    """An export of a lot that the control list covers on the export's day, declared
    (in the ledger, or in the customs record under its number) under a customs code
    that no entry of the control list names, while the entries that cover the lot
    name their reference codes.

    Parameters: `severity`. The control list's own reference codes are the data
    (exportcontrol/controllist/*.toml); a code alone never decides control, so the
    finding says which entries the composition matched and the codes they name.
    """

    name = "hs_code_uncontrolled"
    title = "controlled export declared under an uncontrolled customs code"
    sources = ("customs",)

    def findings(self, window: Window) -> Iterator[Finding]:
        listing = control_list()
        named = {code for _, entry in listing.entries() for code in entry.customs_codes}
        exports = list(
            ExportDeclaration.objects.filter(
                event__corrected_by__isnull=True, **window.period_filter("event__period")
            )
            .exclude(hs_code__in=sorted(named))
            .select_related("event", "lot", "lot__product")
            .prefetch_related("lot__elements")
            .order_by("event__event_time", "pk")
        )
        numbers = sorted({declaration_number(e.customs_declaration) for e in exports})
        customs_hs = dict(
            CustomsDeclaration.objects.filter(
                number__in=numbers, flow=CustomsDeclaration.Flow.EXPORT
            )
            .exclude(hs_code="")
            .values_list("number", "hs_code")
        )
        for export in exports:
            declared = {
                export.hs_code,
                customs_hs.get(declaration_number(export.customs_declaration)),
            }
            declared -= {None, ""}
            if declared & named:
                continue
            composition = {el.element: el.fraction for el in export.lot.elements.all()}
            on = export.event.event_time.astimezone(CHINA_TIME).date()
            result = classify(
                export.lot.product.form, composition, export.hs_code, on, listing=listing
            )
            reference = sorted({c for m in result.matches for c in m.entry.customs_codes})
            if result.licence_required and reference:
                yield self._finding(export, result, sorted(declared), reference)

    def _finding(self, export, result, declared: list[str], reference: list[str]) -> Finding:
        event = export.event
        reasons = "; ".join(m.reason for m in result.matches)
        return self.event_finding(
            event,
            enterprise_id=export.exporter_id,
            explanation=(
                f"export {event.event_id} of lot {export.lot.code} ({export.kg.normalize():f} kg "
                f"to {export.destination}) was declared under {', '.join(declared)}, a code no "
                f"control list entry names; the lot is controlled on {result.on_date} "
                f"({reasons}), whose entries name {', '.join(reference)}. At the border the "
                "declaration does not look like a controlled item, so no licence is asked for."
            ),
            figures={
                "expected": reference,
                "observed": declared,
                "tolerance": None,
                "unit": "customs code",
                "control_codes": result.codes,
                "licence": export.licence_number,
                "customs_declaration": export.customs_declaration,
            },
            elements=sorted({m.element for m in result.matches}),
            lots=[export.lot.code],
            events=[event.event_id],
        )
