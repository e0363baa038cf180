"""Domain errors: each carries an HTTP status, a stable code and the field it concerns.

API handlers render them; CLI commands print them; nothing catches them broadly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ErrorCode(StrEnum):
    """Stable machine-readable error codes; the documentation lists each one."""

    BATCH_REJECTED = "batch_rejected"
    COMPOSITION_INVALID = "composition_invalid"
    CONSERVATION_VIOLATED = "conservation_violated"
    COUNTRY_INVALID = "country_invalid"
    DUPLICATE_EVENT_CONFLICT = "duplicate_event_conflict"
    ENTERPRISE_SUSPENDED = "enterprise_suspended"
    EVENT_ALREADY_VOIDED = "event_already_voided"
    EVENT_NOT_CORRECTABLE = "event_not_correctable"
    FORBIDDEN = "forbidden"
    FUTURE_EVENT_TIME = "future_event_time"
    IDENTIFIER_INVALID = "identifier_invalid"
    IDENTIFIER_TAKEN = "identifier_taken"
    INSUFFICIENT_BALANCE = "insufficient_balance"
    INVALID = "invalid"
    LICENCE_EXHAUSTED = "licence_exhausted"
    LICENCE_NOT_VALID = "licence_not_valid"
    LICENCE_REQUIRED = "licence_required"
    LICENCE_SCOPE_MISMATCH = "licence_scope_mismatch"
    LICENCE_UNKNOWN = "licence_unknown"
    LOT_CODE_INVALID = "lot_code_invalid"
    LOT_CODE_TAKEN = "lot_code_taken"
    LOT_NOT_HELD = "lot_not_held"
    MONTH_CLOSED = "month_closed"
    MONTH_NOT_CLOSABLE = "month_not_closable"
    NOT_FOUND = "not_found"
    QUANTITY_NOT_POSITIVE = "quantity_not_positive"
    QUOTA_MISMATCH = "quota_mismatch"
    RECEIPT_EXCEEDS_TRANSIT = "receipt_exceeds_transit"
    REPORTER_NOT_ALLOWED = "reporter_not_allowed"
    ROLE_NOT_ALLOWED = "role_not_allowed"
    UNAUTHENTICATED = "unauthenticated"
    UNKNOWN_ENTERPRISE = "unknown_enterprise"
    UNKNOWN_LOT = "unknown_lot"
    UNKNOWN_PRODUCT = "unknown_product"
    UNKNOWN_QUOTA = "unknown_quota"
    UNKNOWN_SHIPMENT = "unknown_shipment"
    UNKNOWN_UNIT = "unknown_unit"


@dataclass
class FieldError:
    """One problem with one field of one record (index = position in a batch)."""

    code: ErrorCode
    message: str
    field: str | None = None
    index: int | None = None
    record: str | None = None

    def as_dict(self) -> dict:
        return {
            "index": self.index,
            "record": self.record,
            "field": self.field,
            "code": str(self.code),
            "message": self.message,
        }


class ReetraceError(Exception):
    """Base domain error; `status` is the HTTP status the API answers with."""

    status = 400

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        field: str | None = None,
        record: str | None = None,
        status: int | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.record = record
        if status is not None:
            self.status = status

    def as_field_error(self, index: int | None = None) -> FieldError:
        return FieldError(self.code, self.message, self.field, index, self.record)


class NotFound(ReetraceError):
    status = 404

    def __init__(self, what: str, key: str, *, field: str | None = None):
        super().__init__(ErrorCode.NOT_FOUND, f"{what} {key!r} does not exist", field=field)


class Forbidden(ReetraceError):
    status = 403

    def __init__(self, message: str = "your role does not allow this"):
        super().__init__(ErrorCode.FORBIDDEN, message)


@dataclass
class BatchRejected(Exception):
    """A batch failed validation: every error is reported and nothing was written."""

    errors: list[FieldError] = field(default_factory=list)

    @property
    def status(self) -> int:
        if any(e.code == ErrorCode.DUPLICATE_EVENT_CONFLICT for e in self.errors):
            return 409
        return 400

    def __str__(self) -> str:
        return "; ".join(
            f"item {e.index}" + (f" field {e.field}" if e.field else "") + f": {e.message}"
            for e in self.errors
        )
