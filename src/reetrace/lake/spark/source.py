"""`SparkSource`: the compliance checks' aggregates computed by Spark over the lake.

It implements the reads of `compliance.checks.ledger.DatabaseSource` with the
same meaning, so the checks' own arithmetic, thresholds and alert shapes run
unchanged on what Spark returns:

- `metal`: metal of live stock postings per group, kg (mg) x fraction (ppb)
  summed exactly (the database sums in double precision; the exact sum is what
  both approximate, and both are rounded to 1 g in an alert);
- `recycled_metal`, `mined_metal`: the same for recycling and mining origins not
  corrected; `separated_metal`: for the consumption of separation runs;
- `flow_totals`: the monthly stock flow summary recomputed from the postings in
  integer micrograms, rounded half away from zero per posting as capture does
  (`ledger/monthly.py`), so it equals the ledger's own summary exactly;
- `due_shipments`: shipments with what was received of them;
- `latest_period`: the newest reporting month of an event (the lake's manifest
  names it: the events table is partitioned by that month).

How it stays fast on a small machine and exact (measured in docs/performance.md):
the products and their sums are taken in 64-bit integers, never in Java's
BigDecimal (which Spark uses for any DECIMAL past 18 digits): a mass of `kg` mg is
split as `kg = q x 10^6 + r` (both signed like `kg`), and `r x fraction` again, so
that `kg x fraction = whole x 10^6 + rest` with `whole = q x fraction + (r x
fraction div 10^6)` and `|rest| < 10^6`. Each part fits a long, and so do their
sums over a group: `whole` would need 9.2 million tonnes of metal in one group to
pass 64 bits, `rest` 9 trillion postings (ANSI mode makes an overflow an error,
never a wrong sum). The stock postings,
netted for corrections, are read once per source and kept in Spark's cache, since
detection asks several questions of them; answers are small, so they come back
through Arrow unsorted and are ordered on the driver (a sort in Spark is a job of
its own); and the same question asked twice of one snapshot is answered once.

Only the set-based work runs on Spark; a finding's evidence (names, lot codes of
the few flagged events) is still read by key from the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from functools import cached_property

from reetrace.compliance.checks.base import Window
from reetrace.core.quantities import mg_to_kg
from reetrace.lake.spark.frames import LakeFrames
from reetrace.ledger.choices import Bucket, EventKind, Flow, Process
from reetrace.ledger.monthly import MG_PPB_PER_UG

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SPLIT = 10**6  # the products are split at a million (see the module doc)

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


def _split_metal(frame, kg: str = "kg"):
    """`frame` with `metal_whole` and `metal_rest`: kg x fraction = whole x 10^6 + rest."""
    from pyspark.sql import functions as F

    rest = f"(({kg} % {SPLIT}) * fraction)"
    return frame.withColumn(
        "metal_whole", F.expr(f"(({kg} div {SPLIT}) * fraction) + ({rest} div {SPLIT})")
    ).withColumn("metal_rest", F.expr(f"{rest} % {SPLIT}"))


def _metal_sums():
    """The two parts summed per group, each in 64 bits (see the module doc)."""
    from pyspark.sql import functions as F

    return F.sum("metal_whole").alias("whole"), F.sum("metal_rest").alias("rest")


def _metal(whole, rest) -> float:
    """mg x ppb of two exact sums, as the float the checks take."""
    return float(whole * SPLIT + rest)


def _rows(frame, order: int) -> list[tuple]:
    """The (small) answer as tuples, sorted by its first `order` columns on the driver."""
    table = frame.toArrow()
    rows = list(zip(*(column.to_pylist() for column in table.columns), strict=True))
    rows.sort(key=lambda row: row[:order])
    return rows


class SparkSource:
    """Checks' aggregates from one lake snapshot, computed on Spark."""

    name = "spark"
    rules = PORTED

    def __init__(self, frames: LakeFrames):
        self.frames = frames
        self._answers: dict[tuple, list] = {}

    def _answer(self, key: tuple, compute) -> list:
        """`compute()`, once per question: the snapshot does not change under a source."""
        if key not in self._answers:
            self._answers[key] = list(compute())
        return self._answers[key]

    def release(self) -> None:
        """Drop the cached postings and answers (a process that goes on after a run)."""
        if "_live" in self.__dict__:
            self.__dict__.pop("_live").unpersist()
        self._answers.clear()

    def _elements(self):
        from pyspark.sql import functions as F

        return self.frames["lot_elements"].select(
            F.col("lot_id").alias("le_lot"), "element", "fraction"
        )

    @cached_property
    def _live(self):
        """Every stock posting with `net_event` and `net_kind` as `live_postings`
        annotates them, cached: most checks group these."""
        from pyspark.sql import functions as F

        postings = self.frames["postings"].where(F.col("bucket") == Bucket.STOCK)
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
            .select(
                "event_id",
                "lot_id",
                "holder_id",
                "period",
                "flow",
                "kg",
                F.coalesce("cb_event", "event_id").alias("net_event"),
                F.coalesce("corrected_kind", "kind").alias("net_kind"),
            )
            .cache()
        )

    def _in_window(self, postings, window: Window):
        from pyspark.sql import functions as F

        if window.start:
            postings = postings.where(F.col("period") >= F.lit(window.start))
        if window.end:
            postings = postings.where(F.col("period") <= F.lit(window.end))
        if window.months is not None:
            postings = postings.where(F.col("period").isin(sorted(window.months)))
        return postings

    def metal(
        self,
        window: Window,
        *,
        keys: tuple[str, ...],
        flows: Iterable[str],
        net_kind: str | None = None,
    ) -> Iterator[tuple]:
        from pyspark.sql import functions as F

        flows = tuple(str(f) for f in flows)

        def compute():
            postings = self._in_window(self._live, window).where(F.col("flow").isin(list(flows)))
            if net_kind is not None:
                postings = postings.where(F.col("net_kind") == net_kind)
            return self._grouped(postings, keys)

        return iter(self._answer(("metal", window, keys, flows, net_kind), compute))

    def _grouped(self, postings, keys: tuple[str, ...]) -> Iterator[tuple]:
        """(*keys, element, metal) of the postings joined to their lots' elements."""
        from pyspark.sql import functions as F

        joined = _split_metal(postings.join(self._elements(), F.col("lot_id") == F.col("le_lot")))
        rows = _rows(joined.groupBy(*keys, "element").agg(*_metal_sums()), len(keys) + 1)
        for *group, element, whole, rest in rows:
            yield (*group, element, _metal(whole, rest))

    def recycled_metal(self, end: date | None) -> Iterator[tuple]:
        from pyspark.sql import functions as F

        def compute():
            events = self.frames["events"].where(F.col("kind") == EventKind.RECYCLE)
            if end:
                events = events.where(F.col("period") <= F.lit(end))
            corrected = self.frames["corrections"].select(F.col("corrected_id"))
            events = events.join(corrected, events.id == corrected.corrected_id, "left_anti")
            origins = self.frames["origins"].select(F.col("event_id").alias("o_event"), "lot_id")
            joined = self._origin_metal(origins.join(events, origins.o_event == events.id))
            rows = _rows(joined.groupBy("reporter_id", "period", "element").agg(*_metal_sums()), 3)
            for reporter, period, element, whole, rest in rows:
                yield reporter, period, element, _metal(whole, rest)

        return iter(self._answer(("recycled", end), compute))

    def _origin_metal(self, origins):
        """Origins (with `lot_id`) joined to their lots' mass and elements, parts split."""
        from pyspark.sql import functions as F

        lots = self.frames["lots"].select(F.col("id").alias("l_id"), F.col("mass_kg").alias("kg"))
        joined = origins.join(lots, origins.lot_id == lots.l_id).join(
            self._elements(), F.col("l_id") == F.col("le_lot")
        )
        return _split_metal(joined)

    def flow_totals(
        self, end: date | None, *, enterprise_ids: set[int] | None, element: str | None
    ) -> list[tuple]:
        from pyspark.sql import functions as F

        def compute():
            postings = self.frames["postings"].where(F.col("bucket") == Bucket.STOCK)
            if end:
                postings = postings.where(F.col("period") <= F.lit(end))
            if enterprise_ids is not None:
                postings = postings.where(F.col("holder_id").isin(sorted(enterprise_ids)))
            elements = self._elements()
            if element:
                elements = elements.where(F.col("element") == element)
            # |kg| x fraction in micrograms, rounded half up, signed back: capture's rounding
            micrograms = F.expr(
                f"(abs(kg) div {SPLIT}) * fraction"
                f" + ((abs(kg) % {SPLIT}) * fraction + {MG_PPB_PER_UG // 2}) div {MG_PPB_PER_UG}"
            )
            signed = F.when(F.col("kg") < 0, -micrograms).otherwise(micrograms)
            summary = (
                postings.join(elements, postings.lot_id == elements.le_lot)
                .groupBy("holder_id", "period", "element", "flow")
                .agg(F.sum(signed).alias("metal_ug"))
            )
            return _rows(summary, 4)

        ids = None if enterprise_ids is None else tuple(sorted(enterprise_ids))
        return self._answer(("flows", end, ids, element), compute)

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
        declarations = (
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
        )
        return [
            (
                hs_code,
                destination,
                EPOCH + timedelta(microseconds=micros),
                mg_to_kg(kg),
                fob_value,
                currency,
                identifier,
            )
            for _id, hs_code, destination, micros, kg, fob_value, currency, identifier in _rows(
                declarations, 1
            )
        ]

    def mined_metal(self, quota_ids: list[int]) -> Iterator[tuple]:
        """(quota, event, element, metal) of live mining origins, as the database's."""
        from pyspark.sql import functions as F

        def compute():
            corrected = self.frames["corrections"].select("corrected_id")
            origins = (
                self.frames["origins"]
                .where(F.col("quota_id").isin(quota_ids))
                .join(corrected, F.col("event_id") == F.col("corrected_id"), "left_anti")
                .select("quota_id", F.col("event_id").alias("o_event"), "lot_id")
            )
            joined = self._origin_metal(origins)
            rows = _rows(joined.groupBy("quota_id", "o_event", "element").agg(*_metal_sums()), 3)
            for quota, event, element, whole, rest in rows:
                yield quota, event, element, _metal(whole, rest)

        return iter(self._answer(("mined", tuple(quota_ids)), compute))

    def separated_metal(self, quota_ids: list[int]) -> Iterator[tuple]:
        """(quota, run, element, metal) consumed by live separation runs under the quotas;
        recycled feed (lots a recycling run made) left out, as `DatabaseSource` does."""
        from pyspark.sql import functions as F

        def compute():
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
            postings = self._live.where(
                (F.col("flow") == Flow.CONSUMED) & (F.col("net_kind") == EventKind.TRANSFORM)
            )
            postings = (
                postings.join(runs, postings.event_id == runs.t_event, "left")
                .join(corrected_runs, postings.event_id == corrected_runs.q_event, "left")
                .withColumn("run_quota", F.coalesce("t_quota", "q_quota"))
                .where(F.col("run_quota").isin(quota_ids))
                .join(recycled, F.col("lot_id") == recycled.r_lot, "left_anti")
            )
            return self._grouped(postings, ("run_quota", "net_event"))

        return iter(self._answer(("separated", tuple(quota_ids)), compute))

    def due_shipments(self, window: Window, days: int) -> list[tuple]:
        """(shipment pk, kg, kg received or None) as `DatabaseSource.due_shipments`."""
        from pyspark.sql import functions as F

        def compute():
            corrected = self.frames["corrections"].select("corrected_id")
            events = self.frames["events"].join(
                corrected, F.col("id") == F.col("corrected_id"), "left_anti"
            )
            due = window.as_of - timedelta(days=days)
            shipped = events.where(
                F.col("event_time") <= F.lit(due.astimezone(UTC).replace(tzinfo=None))
            )
            shipped = self._in_window(shipped, window).select(
                F.col("id").alias("s_event"), F.unix_micros("event_time").alias("at")
            )
            receipts = (
                self.frames["receipts"]
                .join(
                    events.select(F.col("id").alias("r_event")),
                    F.col("event_id") == F.col("r_event"),
                )
                .groupBy(F.col("shipment_id").alias("r_shipment"))
                .agg(F.sum("kg").alias("received"))
            )
            shipments = self.frames["shipments"]
            due_rows = (
                shipments.join(shipped, shipments.event_id == shipped.s_event)
                .join(receipts, shipments.id == receipts.r_shipment, "left")
                .select("at", "id", "kg", "received")
            )
            for _at, pk, kg, received in _rows(due_rows, 2):
                yield pk, mg_to_kg(kg), None if received is None else mg_to_kg(received)

        return self._answer(("due", window, days), compute)

    def latest_period(self) -> date | None:
        return self.frames.last_month("events")
