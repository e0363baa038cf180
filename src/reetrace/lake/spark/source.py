"""`SparkSource`: the compliance checks' aggregates computed by Spark over the lake.

It implements the four reads of `compliance.checks.ledger.DatabaseSource` with
the same meaning, so the checks' own arithmetic, thresholds and alert shapes
run unchanged on what Spark returns:

- `metal`: metal of live stock postings per group, kg (mg) x fraction (ppb)
  summed exactly as DECIMAL(38, 0) (the database sums in double precision; the
  exact sum is what both approximate, and both are rounded to 1 g in an alert);
- `recycled_metal`: the same for recycling origins not corrected;
- `flow_totals`: the monthly stock flow summary recomputed from the postings in
  integer micrograms, rounded half away from zero per posting as capture does
  (`ledger/monthly.py`), so it equals the ledger's own summary exactly;
- `latest_period`: the newest reporting month of an event.

Only the set-based work runs on Spark; a finding's evidence (names, lot codes of
the few flagged events) is still read by key from the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta

from reetrace.compliance.checks.base import Window
from reetrace.core.quantities import mg_to_kg
from reetrace.lake.spark.frames import LakeFrames
from reetrace.ledger.choices import Bucket, EventKind, Flow, Process
from reetrace.ledger.monthly import MG_PPB_PER_UG

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# The rules whose aggregates this source serves (the others read records one by
# one or depend on tables the lake does not hold: see `NOT_PORTED`).
PORTED = frozenset(
    {
        "yield_out_of_range",
        "element_dropped",
        "loss_adjustment",
        "mass_balance",
        "recycling_volume",
        "volume_drop",
        "shipment_unconfirmed",
        "short_receipt",
        "quota_usage",
    }
)


def _metal_product():
    from pyspark.sql import functions as F

    return F.col("kg").cast("decimal(20,0)") * F.col("fraction").cast("decimal(18,0)")


class SparkSource:
    """Checks' aggregates from one lake snapshot, computed on Spark."""

    name = "spark"
    rules = PORTED

    def __init__(self, frames: LakeFrames):
        self.frames = frames

    def _stock(self, window: Window):
        from pyspark.sql import functions as F

        p = self.frames["postings"].where(F.col("bucket") == Bucket.STOCK)
        if window.start:
            p = p.where(F.col("period") >= F.lit(window.start))
        if window.end:
            p = p.where(F.col("period") <= F.lit(window.end))
        if window.months is not None:
            p = p.where(F.col("period").isin(sorted(window.months)))
        return p

    def _netted(self, postings):
        """Postings with `net_event` and `net_kind` as `live_postings` annotates them."""
        from pyspark.sql import functions as F

        corrections = self.frames["corrections"]
        events = self.frames["events"].select(F.col("id").alias("e_id"), F.col("kind"))
        corrected_by = corrections.select(
            F.col("corrected_id").alias("cb_corrected"), F.col("event_id").alias("cb_event")
        )
        corrects = corrections.join(
            events.select(F.col("e_id").alias("k_id"), F.col("kind").alias("corrected_kind")),
            F.col("corrected_id") == F.col("k_id"),
        ).select(F.col("event_id").alias("c_event"), "corrected_kind")
        return (
            postings.join(events, postings.event_id == events.e_id)
            .join(corrected_by, postings.event_id == corrected_by.cb_corrected, "left")
            .join(corrects, postings.event_id == corrects.c_event, "left")
            .withColumn("net_event", F.coalesce("cb_event", "event_id"))
            .withColumn("net_kind", F.coalesce("corrected_kind", "kind"))
        )

    def metal(
        self,
        window: Window,
        *,
        keys: tuple[str, ...],
        flows: Iterable[str],
        net_kind: str | None = None,
    ) -> Iterator[tuple]:
        from pyspark.sql import functions as F

        postings = self._stock(window).where(F.col("flow").isin([str(f) for f in flows]))
        if "net_event" in keys or net_kind is not None:
            postings = self._netted(postings)
        if net_kind is not None:
            postings = postings.where(F.col("net_kind") == net_kind)
        yield from self._grouped(postings, keys)

    def _grouped(self, postings, keys: tuple[str, ...]) -> Iterator[tuple]:
        """(*keys, element, metal) of the postings joined to their lots' elements."""
        from pyspark.sql import functions as F

        elements = self.frames["lot_elements"].select(
            F.col("lot_id").alias("le_lot"), "element", "fraction"
        )
        rows = (
            postings.join(elements, postings.lot_id == elements.le_lot)
            .groupBy(*keys, "element")
            .agg(F.sum(_metal_product()).alias("metal"))
            .orderBy(*keys, "element")
            .collect()
        )
        for row in rows:
            yield (*(row[k] for k in keys), row["element"], float(row["metal"]))

    def recycled_metal(self, end: date | None) -> Iterator[tuple]:
        from pyspark.sql import functions as F

        events = self.frames["events"].where(F.col("kind") == EventKind.RECYCLE)
        if end:
            events = events.where(F.col("period") <= F.lit(end))
        corrected = self.frames["corrections"].select(F.col("corrected_id"))
        events = events.join(corrected, events.id == corrected.corrected_id, "left_anti")
        lots = self.frames["lots"].select(F.col("id").alias("l_id"), F.col("mass_kg").alias("kg"))
        elements = self.frames["lot_elements"].select("lot_id", "element", "fraction")
        origins = self.frames["origins"].select(F.col("event_id").alias("o_event"), "lot_id")
        rows = (
            origins.join(events, origins.o_event == events.id)
            .join(lots, origins.lot_id == lots.l_id)
            .join(elements, lots.l_id == elements.lot_id)
            .groupBy("reporter_id", "period", "element")
            .agg(F.sum(_metal_product()).alias("metal"))
            .orderBy("reporter_id", "period", "element")
            .collect()
        )
        for row in rows:
            yield row["reporter_id"], row["period"], row["element"], float(row["metal"])

    def flow_totals(
        self, end: date | None, *, enterprise_ids: set[int] | None, element: str | None
    ) -> list[tuple]:
        from pyspark.sql import functions as F

        postings = self._stock(Window(None, end, None))  # type: ignore[arg-type]
        if enterprise_ids is not None:
            postings = postings.where(F.col("holder_id").isin(sorted(enterprise_ids)))
        elements = self.frames["lot_elements"].select(
            F.col("lot_id").alias("le_lot"), "element", "fraction"
        )
        if element:
            elements = elements.where(F.col("element") == element)
        product = F.abs(F.col("kg")).cast("decimal(20,0)") * F.col("fraction").cast("decimal(18,0)")
        whole = F.floor(product / F.lit(MG_PPB_PER_UG))
        rest = product - whole * F.lit(MG_PPB_PER_UG)
        micrograms = whole + F.when(rest * 2 >= F.lit(MG_PPB_PER_UG), 1).otherwise(0)
        signed = F.when(F.col("kg") < 0, -micrograms).otherwise(micrograms)
        rows = (
            postings.join(elements, postings.lot_id == elements.le_lot)
            .groupBy("holder_id", "period", "element", "flow")
            .agg(F.sum(signed).cast("long").alias("metal_ug"))
            .orderBy("holder_id", "period", "element", "flow")
            .collect()
        )
        return [(r["holder_id"], r["period"], r["element"], r["flow"], r["metal_ug"]) for r in rows]

    def export_declarations(self, first: date | None, last: date | None) -> list[tuple]:
        """`reconciliation.services.comparison.declaration_rows` from the lake."""
        from pyspark.sql import functions as F

        events = self.frames["events"].select(F.col("id").alias("e_id"), "event_time", "period")
        if first:
            events = events.where(F.col("period") >= F.lit(first))
        if last:
            events = events.where(F.col("period") <= F.lit(last))
        corrected = self.frames["corrections"].select("corrected_id")
        exporters = self.frames["enterprises"].select(F.col("id").alias("x_id"), "identifier")
        exports = self.frames["exports"]
        rows = (
            exports.join(events, exports.event_id == events.e_id)
            .join(corrected, exports.event_id == corrected.corrected_id, "left_anti")
            .join(exporters, exports.exporter_id == exporters.x_id)
            .select(
                "id",
                "hs_code",
                "destination",
                F.unix_micros("event_time").alias("micros"),  # not the driver's local time
                "kg",
                "fob_value",
                "currency",
                "identifier",
            )
            .orderBy("id")
            .collect()
        )
        return [
            (
                r["hs_code"],
                r["destination"],
                EPOCH + timedelta(microseconds=r["micros"]),
                mg_to_kg(r["kg"]),
                r["fob_value"],
                r["currency"],
                r["identifier"],
            )
            for r in rows
        ]

    def mined_metal(self, quota_ids: list[int]) -> Iterator[tuple]:
        """(quota, event, element, metal) of live mining origins, as the database's."""
        from pyspark.sql import functions as F

        corrected = self.frames["corrections"].select("corrected_id")
        origins = (
            self.frames["origins"]
            .where(F.col("quota_id").isin(quota_ids))
            .join(corrected, F.col("event_id") == F.col("corrected_id"), "left_anti")
            .select("quota_id", F.col("event_id").alias("o_event"), F.col("lot_id").alias("o_lot"))
        )
        lots = self.frames["lots"].select(F.col("id").alias("l_id"), F.col("mass_kg").alias("kg"))
        elements = self.frames["lot_elements"].select("lot_id", "element", "fraction")
        rows = (
            origins.join(lots, origins.o_lot == lots.l_id)
            .join(elements, lots.l_id == elements.lot_id)
            .groupBy("quota_id", "o_event", "element")
            .agg(F.sum(_metal_product()).alias("metal"))
            .orderBy("quota_id", "o_event", "element")
            .collect()
        )
        for row in rows:
            yield row["quota_id"], row["o_event"], row["element"], float(row["metal"])

    def separated_metal(self, quota_ids: list[int]) -> Iterator[tuple]:
        """(quota, run, element, metal) consumed by live separation runs under the quotas;
        recycled feed (lots a recycling run made) left out, as `DatabaseSource` does."""
        from pyspark.sql import functions as F

        transformations = self.frames["transformations"]
        runs = transformations.select(
            F.col("event_id").alias("t_event"), F.col("quota_id").alias("t_quota")
        )
        recycling = transformations.where(F.col("process") == Process.RECYCLING).select(
            F.col("event_id").alias("r_event")
        )
        recycled = (
            self.frames["lots"]
            .join(recycling, F.col("created_by_id") == recycling.r_event)
            .select(F.col("id").alias("r_lot"))
        )
        corrects = self.frames["corrections"].select(
            F.col("event_id").alias("q_event"), F.col("corrected_id").alias("q_corrected")
        )
        corrected_runs = corrects.join(runs, corrects.q_corrected == runs.t_event).select(
            "q_event", F.col("t_quota").alias("q_quota")
        )
        postings = self._netted(
            self._stock(Window(None, None, None)).where(F.col("flow") == Flow.CONSUMED)  # type: ignore[arg-type]
        ).where(F.col("net_kind") == EventKind.TRANSFORM)
        postings = (
            postings.join(runs, postings.event_id == runs.t_event, "left")
            .join(corrected_runs, postings.event_id == corrected_runs.q_event, "left")
            .withColumn("run_quota", F.coalesce("t_quota", "q_quota"))
            .where(F.col("run_quota").isin(quota_ids))
            .join(recycled, F.col("lot_id") == recycled.r_lot, "left_anti")
        )
        yield from self._grouped(postings, ("run_quota", "net_event"))

    def due_shipments(self, window: Window, days: int) -> list[tuple]:
        """(shipment pk, kg, kg received or None) as `DatabaseSource.due_shipments`."""
        from pyspark.sql import functions as F

        corrected = self.frames["corrections"].select("corrected_id")
        events = self.frames["events"].join(
            corrected, F.col("id") == F.col("corrected_id"), "left_anti"
        )
        due = window.as_of - timedelta(days=days)
        shipped = events.where(
            F.col("event_time") <= F.lit(due.astimezone(UTC).replace(tzinfo=None))
        )
        if window.start:
            shipped = shipped.where(F.col("period") >= F.lit(window.start))
        if window.end:
            shipped = shipped.where(F.col("period") <= F.lit(window.end))
        if window.months is not None:
            shipped = shipped.where(F.col("period").isin(sorted(window.months)))
        shipped = shipped.select(F.col("id").alias("s_event"), F.col("event_time").alias("at"))
        receipts = (
            self.frames["receipts"]
            .join(
                events.select(F.col("id").alias("r_event")), F.col("event_id") == F.col("r_event")
            )
            .groupBy(F.col("shipment_id").alias("r_shipment"))
            .agg(F.sum("kg").alias("received"))
        )
        shipments = self.frames["shipments"]
        rows = (
            shipments.join(shipped, shipments.event_id == shipped.s_event)
            .join(receipts, shipments.id == receipts.r_shipment, "left")
            .orderBy("at", "id")
            .select("id", "kg", "received")
            .collect()
        )
        return [
            (r["id"], mg_to_kg(r["kg"]), None if r["received"] is None else mg_to_kg(r["received"]))
            for r in rows
        ]

    def latest_period(self) -> date | None:
        from pyspark.sql import functions as F

        return self.frames["events"].agg(F.max("period").alias("last")).collect()[0]["last"]
