"""Shape and content of incoming events: validation errors, canonical content, references."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from django.db import models
from pydantic import TypeAdapter, ValidationError

from reetrace.core.errors import ErrorCode, FieldError, ReetraceError
from reetrace.core.quantities import parse_mass
from reetrace.ledger import rules
from reetrace.ledger.choices import EventKind
from reetrace.ledger.models import (
    Adjustment,
    Correction,
    ExportDeclaration,
    Lot,
    LotConstituent,
    Origin,
    Receipt,
    Shipment,
    Transformation,
)
from reetrace.ledger.schemas import (
    AdjustIn,
    EventIn,
    EventItem,
    ExportIn,
    ImportIn,
    LotIn,
    MineIn,
    RecycleIn,
    ShipIn,
    TransformIn,
)

EVENT_ADAPTER: TypeAdapter = TypeAdapter(EventIn)
# Insert order respects foreign keys between the rows of one batch (lot elements,
# postings and links follow as plain rows: `session.plans_write`).
WRITE_ORDER: list[type[models.Model]] = [
    Lot,
    LotConstituent,
    Origin,
    Transformation,
    Shipment,
    Receipt,
    ExportDeclaration,
    Adjustment,
    Correction,
]


def error_from_validation(exc: ValidationError, index: int | None) -> list[FieldError]:
    """Pydantic's errors as FieldErrors, naming the field by its dotted path."""
    found = []
    for err in exc.errors():
        path = [str(p) for p in err["loc"] if p not in EventKind.values]
        found.append(
            FieldError(ErrorCode.INVALID, f"{'.'.join(path)}: {err['msg']}", ".".join(path), index)
        )
    return found


def positive_mass(raw: Any, field_name: str) -> Decimal:
    kg = parse_mass(raw, field=field_name)
    if kg <= 0:
        raise ReetraceError(
            ErrorCode.QUANTITY_NOT_POSITIVE,
            f"{field_name} must be more than 0 kg",
            field=field_name,
        )
    return kg


def content_digest(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def masses_normalise(content: Any, path: str = "") -> None:
    """Write every mass as exact kg and every fraction as a plain decimal, in place."""
    if isinstance(content, dict):
        for key, value in content.items():
            where = f"{path}{key}"
            if key == "mass" and value is not None:
                content[key] = str(parse_mass(value, field=where))
            elif key == "composition" and isinstance(value, dict):
                parsed = rules.composition_parse(value, field=where)
                content[key] = {el: str(parsed[el]) for el in sorted(parsed)}
            else:
                masses_normalise(value, f"{where}.")
    elif isinstance(content, list):
        for n, value in enumerate(content):
            masses_normalise(value, f"{path}{n}.")


def code_clean(raw: str) -> str:
    return (raw or "").strip().upper().replace("-", "").replace(" ", "")


def lot_refs(item: EventItem) -> list[str]:
    """Codes of the existing lots an event spends or adjusts, as sent."""
    if isinstance(item, TransformIn):
        return [line.lot for line in item.inputs]
    if isinstance(item, ShipIn | ExportIn | AdjustIn):
        return [item.lot]
    return []


def output_lots(items: list[EventItem]) -> list[LotIn]:
    """The lots the events make."""
    found = []
    for item in items:
        if isinstance(item, MineIn | ImportIn | RecycleIn):
            found.append(item.lot)
        elif isinstance(item, TransformIn):
            found.extend(item.outputs)
    return found
