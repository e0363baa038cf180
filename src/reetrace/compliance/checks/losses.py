"""Stock written off as loss: the other way to hide a sale inside a balanced ledger.

The monthly mass balance of an enterprise holds by construction (stock is the sum
of postings), so a sale off the books must be declared as something: a loss.
Honest month-end counts move stock by fractions of a percent; a write-off that
is a large share of what the enterprise took in that month is the signal.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Sum

from reetrace.compliance import rules
from reetrace.compliance.checks.base import Check, Finding, Window, kg
from reetrace.compliance.checks.ledger import lot_reo, monthly_inflows
from reetrace.ledger.choices import Bucket
from reetrace.ledger.models import Adjustment, Posting


def _held_before(adjustment: Adjustment) -> Decimal:
    """kg of the lot the reporter held just before the write-off (one query per loss)."""
    event = adjustment.event
    held = (
        Posting.objects.filter(
            lot_id=adjustment.lot_id,
            holder_id=event.reporter_id,
            bucket=Bucket.STOCK,
            event__event_time__lte=event.event_time,
        )
        .exclude(event=event)
        .aggregate(kg=Sum("kg"))["kg"]
    )
    return held or Decimal(0)


class LossAdjustment(Check):
    """A negative stock adjustment (loss, damage, theft, other) large against throughput.

    Parameters: `reasons` (adjustment reasons that count as a loss),
    `max_share_of_throughput` (fires above this share of the REO the enterprise
    took in that month: originated, received and produced), `max_share_of_holding`
    (or above this share of the lot the enterprise held), `min_loss_reo_kg`, `severity`.
    """

    name = "loss_adjustment"
    title = "large stock write-off"
    incremental = True

    def findings(self, window: Window) -> Iterator[Finding]:
        p = self.params
        adjustments = list(
            Adjustment.objects.filter(
                kg__lt=0,
                reason__in=p["reasons"],
                event__corrected_by__isnull=True,
                **window.period_filter("event__period"),
            ).select_related("event", "lot")
        )
        if not adjustments:
            return
        per_kg = lot_reo({a.lot_id for a in adjustments})
        inflows = monthly_inflows(window, self.source)
        for adjustment in adjustments:
            event = adjustment.event
            reo_per_kg = sum(per_kg[adjustment.lot_id].values())
            loss = float(-adjustment.kg) * reo_per_kg
            throughput = inflows.get((event.reporter_id, event.period), 0.0)
            held = _held_before(adjustment)
            if rules.loss_is_large(
                loss,
                throughput,
                max_share=p["max_share_of_throughput"],
                min_loss_kg=p["min_loss_reo_kg"],
                held_kg=float(held) * reo_per_kg,
                max_share_of_holding=p["max_share_of_holding"],
            ):
                yield self._finding(adjustment, loss, throughput, held, per_kg[adjustment.lot_id])

    def _finding(self, adjustment, loss, throughput, held, per_kg) -> Finding:
        event = adjustment.event
        share = self.params["max_share_of_throughput"]
        return self.event_finding(
            event,
            explanation=(
                f"{event.event_id} wrote off {-adjustment.kg} kg of lot {adjustment.lot.code} "
                f"({kg(loss)} kg REO) as {adjustment.reason}, against {kg(throughput)} kg REO "
                f"taken in that month, out of {held} kg held of the lot; a loss this large "
                "against the month's throughput or the holding suggests a sale hidden as a loss."
            ),
            figures={
                "expected": kg(share * throughput),
                "observed": kg(loss),
                "tolerance": share,
                "unit": "kg REO",
                "lot_kg": str(-adjustment.kg),
                "throughput_reo_kg": kg(throughput),
                "held_kg_before": str(held),
                "reason": adjustment.reason,
            },
            elements=sorted(per_kg),
            lots=[adjustment.lot.code],
            events=[event.event_id],
        )
