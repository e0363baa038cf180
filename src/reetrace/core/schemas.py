"""The API's error shape, and the error answers an operation may document.

Every app's API declares its error answers with `errors(...)`, from the one set
below, each rendered as `ErrorOut` by `reetrace/api.py` (domain errors, batch
rejections, shape errors, refusals).
"""

from __future__ import annotations

from ninja import Schema
from pydantic import BaseModel, ConfigDict

__all__ = ["ERROR_STATUSES", "ErrorItem", "ErrorOut", "Record", "errors"]


class Record(BaseModel):
    """An answer the service builds as plain dicts (genealogy, stock). Ninja's `Schema`
    wraps every nested object in a resolver that looks up Django model attributes; with
    a thousand nested values that wrapper was a quarter of a genealogy request, and
    dicts do not need it."""

    model_config = ConfigDict(from_attributes=True)


class ErrorItem(Schema):
    index: int | None
    record: str | None
    field: str | None
    code: str
    message: str


class ErrorOut(Schema):
    code: str
    message: str
    errors: list[ErrorItem] = []


# Every error status the API answers, and when.
ERROR_STATUSES = {
    400: "a rule refused the input; the errors name the record and the field",
    401: "no usable token and no session",
    403: "the caller's role or scope does not allow it",
    404: "no such record, or none the caller may see",
    409: "it conflicts with what is stored (an event id reused, a state changed)",
    413: "the body is larger than the limit",
    414: "the URL is longer than the limit",
    422: "the request does not have the expected shape",
}


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error answers an operation documents: `response={200: X, **errors(400, 404)}`."""
    unknown = sorted(set(statuses) - set(ERROR_STATUSES))
    if unknown:
        raise ValueError(f"undocumented error statuses {unknown}; see ERROR_STATUSES")
    return dict.fromkeys(statuses, ErrorOut)
