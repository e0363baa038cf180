"""Masses as exact decimals: parsing at the edges, fixed-point storage inside.

The ledger stores every mass as an integer number of milligrams, so that sums in
SQLite and PostgreSQL are exact (SQLite keeps DECIMAL columns as floating
point). Python code sees `Decimal` kilograms with six decimal places.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django.db import models
from django.db.models.expressions import Combinable

from reetrace.core.errors import ErrorCode, ReetraceError

MG_PER_KG = 1_000_000
KG_QUANTUM = Decimal("0.000001")
UNIT_TO_KG = {"kg": Decimal(1), "t": Decimal(1000), "g": Decimal("0.001")}
# The largest single quantity accepted: 100,000 t, over a thousand times the largest lot
# the chain moves (an ore train load), so only a typing error reaches it, while sums of
# many such quantities in integer micrograms (the monthly summary) stay inside 64 bits.
MAX_KG = Decimal(100_000_000)
_QUANTITY = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")


def parse_mass(value: object, *, field: str = "mass") -> Decimal:
    """Turn 12.5, "12.5", "12.5 kg", "0.3 t" or "300 g" into exact kilograms."""
    if isinstance(value, bool) or value is None:
        raise ReetraceError(ErrorCode.INVALID, f"{field} must be a number of kg", field=field)
    if isinstance(value, (int, Decimal)):
        number, unit = Decimal(value), "kg"
    elif isinstance(value, float):
        number, unit = Decimal(repr(value)), "kg"
    else:
        match = _QUANTITY.match(str(value))
        if not match:
            raise ReetraceError(
                ErrorCode.INVALID,
                f"{field} {value!r} is not a quantity like '12.5 kg'",
                field=field,
            )
        number, unit = Decimal(match.group(1)), (match.group(2) or "kg").lower()
    if unit not in UNIT_TO_KG:
        raise ReetraceError(
            ErrorCode.UNKNOWN_UNIT,
            f"{field}: unknown unit {unit!r}; use kg, t or g",
            field=field,
        )
    if not number.is_finite() or abs(number * UNIT_TO_KG[unit]) > MAX_KG:
        raise ReetraceError(
            ErrorCode.INVALID, f"{field} {value!r} is beyond {MAX_KG:,} kg", field=field
        )
    kg = number * UNIT_TO_KG[unit]
    if kg != kg.quantize(KG_QUANTUM, rounding=ROUND_HALF_EVEN):
        raise ReetraceError(ErrorCode.INVALID, f"{field} {value!r} is finer than 1 mg", field=field)
    return kg.quantize(KG_QUANTUM)


def kg_to_mg(kg: Decimal) -> int:
    return int((kg * MG_PER_KG).to_integral_value(rounding=ROUND_HALF_EVEN))


def mg_to_kg(mg: int) -> Decimal:
    return (Decimal(mg) / MG_PER_KG).quantize(KG_QUANTUM)


def round_kg(kg: Decimal) -> Decimal:
    return kg.quantize(KG_QUANTUM, rounding=ROUND_HALF_EVEN)


def parse_decimal(value: object, *, field: str) -> Decimal:
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ReetraceError(
            ErrorCode.INVALID, f"{field} {value!r} is not a number", field=field
        ) from exc


class KilogramField(models.BigIntegerField):
    """A mass in kg (Decimal in Python), stored exactly as integer milligrams."""

    description = "Mass in kilograms, stored as integer milligrams"
    # How django-stubs types the field: set from kg in any form, read as Decimal (the
    # base integer field's types are what the database stores, hence the ignores).
    _pyi_private_set_type: Decimal | int | str | Combinable  # type: ignore[assignment]
    _pyi_private_get_type: Decimal  # type: ignore[assignment]

    def from_db_value(self, value, expression, connection):
        return None if value is None else mg_to_kg(int(value))

    def to_python(self, value):
        if value is None or isinstance(value, Decimal):
            return value
        return Decimal(str(value))

    def get_prep_value(self, value):
        if value is None:
            return None
        return kg_to_mg(Decimal(str(value)))


PPB = 1_000_000_000
FRACTION_QUANTUM = Decimal("0.000000001")


def fraction_to_ppb(fraction: Decimal) -> int:
    """A mass fraction as the integer parts per billion the database holds."""
    return int((Decimal(str(fraction)) * PPB).to_integral_value(rounding=ROUND_HALF_EVEN))


class MassFractionField(models.BigIntegerField):
    """A mass fraction 0..1 (Decimal in Python), stored exactly as parts per billion."""

    description = "Mass fraction, stored as integer parts per billion"
    _pyi_private_set_type: Decimal | int | str | Combinable  # type: ignore[assignment]
    _pyi_private_get_type: Decimal  # type: ignore[assignment]

    def from_db_value(self, value, expression, connection):
        return None if value is None else (Decimal(int(value)) / PPB).quantize(FRACTION_QUANTUM)

    def to_python(self, value):
        if value is None or isinstance(value, Decimal):
            return value
        return Decimal(str(value))

    def get_prep_value(self, value):
        if value is None:
            return None
        return fraction_to_ppb(value)
