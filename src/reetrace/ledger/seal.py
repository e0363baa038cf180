"""The seal: what every ledger row an event wrote said, folded into the hash chain.

An event's chain link covers its canonical content (`content_hash`) and the
digest of every row it wrote: the event row's own columns, its lots and their
elements, its origin, transformation, shipment, receipt, export declaration,
adjustment, correction, postings and genealogy links. Capture computes the seal
from the rows it is about to write (`plan_seal`); verification computes it again
from the rows stored (`stored_seals`). Any edited field, deleted row or inserted
row changes the digest and so breaks the link.

Besides the digest (which goes only into the link), each event keeps a short
fingerprint per table and field (`Event.seal`) so that verification can name
the table and the field that changed: 16 bits per field, enough to point at the
change; the digest, not the fingerprint, is what proves it.

References are written by natural key (event id, lot code) or by the primary key
of a registry row, so the seal can be computed before capture's rows get theirs.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from reetrace.core.quantities import fraction_to_ppb, kg_to_mg

if TYPE_CHECKING:  # the capture package imports this module
    from reetrace.ledger.capture.state import Plan


def _text(value: Any) -> str:
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _kg(value: Any) -> str:
    return str(kg_to_mg(Decimal(value)))


def _ppb(value: Any) -> str:
    return str(fraction_to_ppb(Decimal(value)))


def _json(value: Any) -> str:
    if isinstance(value, str):
        value = json.loads(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _places(places: int) -> Callable[[Any], str]:
    quantum = Decimal(1).scaleb(-places)
    return lambda value: str(Decimal(value).quantize(quantum))


@dataclass(frozen=True)
class SealedTable:
    """A ledger table as the seal reads it: which event a row belongs to, and its fields.

    `fields` pairs a lookup (as `values_list` takes it, `__` following relations)
    with the function writing its value as text.
    """

    code: str
    model: str
    member: str
    fields: tuple[tuple[str, Callable[[Any], str]], ...]

    @property
    def table(self) -> str:
        return f"ledger_{self.model.lower()}"

    @property
    def lookups(self) -> list[str]:
        return [lookup for lookup, _ in self.fields]


EVENT = SealedTable(
    "e",
    "Event",
    "pk",
    (
        ("kind", _text),
        ("reporter_id", _text),
        ("submitted_by_id", _text),
        ("event_time", _text),
        ("utc_offset_minutes", _text),
        ("period", _text),
        ("is_late", _text),
    ),
)
LOT = SealedTable(
    "l",
    "Lot",
    "created_by_id",
    (
        ("code", _text),
        ("product_id", _text),
        ("producer_id", _text),
        ("site_id", _text),
        ("mass_kg", _kg),
        ("external_ref", _text),
    ),
)
ROW_TABLES: tuple[SealedTable, ...] = (
    LOT,
    SealedTable(
        "m",
        "LotElement",
        "lot__created_by_id",
        (("lot__code", _text), ("element", _text), ("fraction", _ppb)),
    ),
    SealedTable(
        "n",
        "LotConstituent",
        "lot__created_by_id",
        (("lot__code", _text), ("element", _text), ("fraction", _ppb)),
    ),
    SealedTable(
        "o",
        "Origin",
        "event_id",
        (
            ("lot__code", _text),
            ("quota_id", _text),
            ("customs_declaration", _text),
            ("origin_country", _text),
            ("source", _text),
        ),
    ),
    SealedTable("t", "Transformation", "event_id", (("process", _text), ("quota_id", _text))),
    SealedTable(
        "s",
        "Shipment",
        "event_id",
        (
            ("seller_id", _text),
            ("buyer_id", _text),
            ("lot__code", _text),
            ("kg", _kg),
            ("unit_price", _places(4)),
            ("currency", _text),
            ("contract", _text),
        ),
    ),
    SealedTable("r", "Receipt", "event_id", (("shipment__event__event_id", _text), ("kg", _kg))),
    SealedTable(
        "x",
        "ExportDeclaration",
        "event_id",
        (
            ("exporter_id", _text),
            ("lot__code", _text),
            ("kg", _kg),
            ("customs_declaration", _text),
            ("hs_code", _text),
            ("destination", _text),
            ("consignee", _text),
            ("end_user", _text),
            ("licence_number", _text),
            ("fob_value", _places(2)),
            ("currency", _text),
        ),
    ),
    SealedTable(
        "a",
        "Adjustment",
        "event_id",
        (("lot__code", _text), ("kg", _kg), ("reason", _text), ("note", _text)),
    ),
    SealedTable(
        "c",
        "Correction",
        "event_id",
        (("corrected__event_id", _text), ("action", _text), ("reason", _text)),
    ),
    SealedTable(
        "p",
        "Posting",
        "event_id",
        (
            ("lot__code", _text),
            ("holder_id", _text),
            ("bucket", _text),
            ("flow", _text),
            ("shipment__event__event_id", _text),
            ("kg", _kg),
            ("period", _text),
        ),
    ),
    SealedTable(
        "k",
        "LotLink",
        "event_id",
        (("parent__code", _text), ("child__code", _text), ("kg", _kg), ("reo_kg", _json)),
    ),
)
TABLES: dict[str, SealedTable] = {t.code: t for t in (EVENT, *ROW_TABLES)}

# One table's rows of one event, each row its lookups' raw values in `fields` order.
RawRows = dict[str, list[tuple]]


@dataclass(frozen=True)
class Seal:
    fingerprint: str  # stored on the event: per table, its row count and 16 bits per field
    digest: str  # SHA-256 of every row's every field: what the chain link covers


def seal_make(rows: RawRows) -> Seal:
    """The seal of one event's rows (row order does not matter).

    Written column by column (`map` over each field) because capture seals every
    event it writes: row by row, the generators cost a quarter of a batch's capture."""
    whole = hashlib.sha256()
    parts = []
    for code, table in TABLES.items():
        raw = rows.get(code)
        if not raw:
            continue
        fields = zip(table.fields, zip(*raw, strict=True), strict=True)
        texts = sorted(zip(*(map(write, column) for (_, write), column in fields), strict=True))
        columns = []
        for column in zip(*texts, strict=True):
            joined = "\x1f".join(column).encode()
            whole.update(code.encode() + b"\x1e" + joined + b"\x1d")
            columns.append(hashlib.blake2b(joined, digest_size=2).hexdigest())
        parts.append(f"{code}{len(texts)}:{''.join(columns)}")
    return Seal(",".join(parts), whole.hexdigest())


def _path(obj: Any, lookup: str) -> Any:
    for name in lookup.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, name)
    return obj


def plan_seal(plan: Plan) -> Seal:
    """The seal of the rows a capture plan is about to write."""
    rows: RawRows = defaultdict(list)
    rows["e"].append(tuple(_path(plan.event, lookup) for lookup in EVENT.lookups))
    by_model = {t.model: t for t in ROW_TABLES}
    for model, planned in plan.rows.items():
        table = by_model[model.__name__]
        rows[table.code].extend(
            tuple(_path(r, lookup) for lookup in table.lookups) for r in planned
        )
    rows["m"] = [(lot.code, element, fraction) for lot, element, fraction in plan.elements]
    rows["p"] = [
        (
            s.lot.lot.code,
            s.holder.pk,
            s.bucket,
            s.flow,
            s.shipment.shipment.event.event_id if s.shipment else None,
            s.kg,
            s.period,
        )
        for s in plan.postings
    ]
    rows["k"] = [(parent.code, child.code, kg, reo) for parent, child, kg, reo in plan.links]
    return seal_make(rows)


def stored_seals(events: list[Any], model_of: Callable[[str], Any]) -> dict[int, Seal]:
    """The seals of stored events (a key-ordered chunk), from the rows as stored now.

    `model_of` gives a model class by name (the app registry, or a migration's).
    """
    if not events:
        return {}
    rows: dict[int, RawRows] = {e.pk: defaultdict(list) for e in events}
    for event in events:
        rows[event.pk]["e"].append(tuple(_path(event, lookup) for lookup in EVENT.lookups))
    first, last = events[0].pk, events[-1].pk
    for table in ROW_TABLES:
        try:
            model = model_of(table.model)
        except LookupError:  # a migration's state before the table existed: no rows
            continue
        found = model._default_manager.filter(
            **{f"{table.member}__gte": first, f"{table.member}__lte": last}
        ).values_list(table.member, *table.lookups)
        for member, *values in found.iterator(chunk_size=10_000):
            if member in rows:
                rows[member][table.code].append(tuple(values))
    return {pk: seal_make(found) for pk, found in rows.items()}


def _parse(fingerprint: str) -> dict[str, tuple[int, list[str]]]:
    parsed = {}
    for part in filter(None, fingerprint.split(",")):
        head, _, columns = part.partition(":")
        parsed[head[0]] = (int(head[1:]), [columns[i : i + 4] for i in range(0, len(columns), 4)])
    return parsed


@dataclass(frozen=True)
class SealDifference:
    table: str
    field: str
    detail: str


def seal_compare(sealed: str, found: str) -> SealDifference | None:
    """Name the table and field where the rows stored now differ from the sealed ones."""
    before, now = _parse(sealed), _parse(found)
    for code, table in TABLES.items():
        if code not in before and code not in now:
            continue
        count_before, columns_before = before.get(code, (0, []))
        count_now, columns_now = now.get(code, (0, []))
        if count_before != count_now:
            what = "deleted" if count_now < count_before else "inserted"
            return SealDifference(
                table.table,
                "(rows)",
                f"{count_before} row(s) sealed, {count_now} stored: a row was {what}",
            )
        for (lookup, _), old, new in zip(table.fields, columns_before, columns_now, strict=False):
            if old != new:
                field = f"{lookup.split('__')[0]}_id" if "__" in lookup else lookup
                return SealDifference(table.table, field, f"{field} differs from the sealed value")
    return None
