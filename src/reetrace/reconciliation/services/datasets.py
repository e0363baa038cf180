"""Loading a partner file as a dataset: all rows or none, with source and vintage."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from reetrace.accounts.models import User
from reetrace.core.errors import BatchRejected, ErrorCode, FieldError, ReetraceError
from reetrace.core.quantities import round_kg
from reetrace.reconciliation import reference
from reetrace.reconciliation.config import settings_for
from reetrace.reconciliation.loaders import PARSERS, Parsed
from reetrace.reconciliation.models import PartnerDataset, PartnerRecord

__all__ = ["dataset_load"]

DEFAULT_SOURCES = {
    "comext": ("Eurostat Comext", "imports (FLOW 1) by EU member state (declarant) from {o}, CN8"),
    "comtrade": ("UN Comtrade", "imports (flowCode M) by reporter from {o}, HS"),
    "national": ("national customs totals", "exports by product group and destination"),
}
MAX_BYTES = 50 * 1024 * 1024


def _text(content: bytes) -> str:
    if not content or len(content) > MAX_BYTES:
        raise ReetraceError(
            ErrorCode.INVALID, "a partner file must have 1 byte to 50 MiB", field="file"
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReetraceError(ErrorCode.INVALID, "the file is not UTF-8 text", field="file") from exc


def _check_aggregates(parsed: Parsed) -> None:
    """A file with both member states and the EU-27 total would count goods twice."""
    reporters = {r["reporter"] for r in parsed.records}
    if reference.EU27 in reporters and len(reporters) > 1:
        first = next(r for r in parsed.records if r["reporter"] == reference.EU27)
        parsed.errors.append(
            FieldError(
                ErrorCode.INVALID,
                f"line {first['line']}: the file mixes the EU-27 aggregate with member "
                "states; load them as separate datasets",
                "reporter",
                first["line"],
                f"line {first['line']}",
            )
        )


def _check_options(format: str, weight_basis: str) -> None:
    if format not in PARSERS:
        raise ReetraceError(
            ErrorCode.INVALID, f"format must be one of {sorted(PARSERS)}", field="format"
        )
    if weight_basis not in ("net", "gross"):
        raise ReetraceError(
            ErrorCode.UNKNOWN_UNIT, "weight_basis: use net or gross", field="weight_basis"
        )


def _parse(text: str, format: str, origin: str, weight_basis: str) -> Parsed:
    parsed = PARSERS[format](text, origin=origin, weight_basis=weight_basis)
    _check_aggregates(parsed)
    parsed.raise_if_failed()
    if not parsed.records:
        raise BatchRejected(
            [FieldError(ErrorCode.INVALID, f"no rows in scope ({dict(parsed.skipped)})", None)]
        )
    return parsed


@transaction.atomic
def dataset_load(
    *,
    actor: User | None,
    content: bytes,
    filename: str,
    format: str,
    vintage: date,
    name: str = "",
    source: str = "",
    aggregate: str = "",
    weight_basis: str = "net",
) -> PartnerDataset:
    """Parse and store a partner file; the same file and vintage loaded again is the
    same dataset (nothing is duplicated)."""
    _check_options(format, weight_basis)
    text = _text(content)
    digest = hashlib.sha256(content).hexdigest()
    existing = PartnerDataset.objects.filter(sha256=digest, format=format, vintage=vintage).first()
    if existing is not None:
        return existing
    origin = settings_for().raw["origin"]
    parsed = _parse(text, format, origin, weight_basis)
    default_source, default_aggregate = DEFAULT_SOURCES[format]
    dataset, created = PartnerDataset.objects.get_or_create(
        sha256=digest,
        format=format,
        vintage=vintage,
        defaults={
            "name": (name or filename)[:200],
            "source": (source or default_source)[:200],
            "aggregate": (aggregate or default_aggregate.format(o=origin))[:300],
            "weight_basis": weight_basis,
            "filename": filename[:200],
            "rows_read": parsed.rows_read,
            "rows_loaded": len(parsed.records),
            "skipped": dict(parsed.skipped),
            "notes": parsed.notes,
            "loaded_by": actor,
            "loaded_at": timezone.now(),
        },
    )
    if created:
        PartnerRecord.objects.bulk_create(_record(dataset, r) for r in parsed.records)
    return dataset


def _record(dataset: PartnerDataset, row: dict) -> PartnerRecord:
    fixed = {"kg": round_kg(row["kg"]), "value": row["value"].quantize(Decimal("0.01"))}
    return PartnerRecord(dataset=dataset, **(row | fixed))
