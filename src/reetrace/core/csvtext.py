"""Reading uploaded CSV text: one place that turns the csv module's own errors (a stray
carriage return, an unclosed quote, a NUL) into a 400 naming the line, instead of a 500."""

from __future__ import annotations

import csv
import io

from reetrace.core.errors import ErrorCode, ReetraceError


def csv_records(text: str, *, what: str, delimiter: str = ",") -> tuple[list[str], list[dict]]:
    """The header and the rows of a CSV text as dicts; any line the csv module cannot
    read is a ReetraceError naming `what` and the line."""
    reader = csv.DictReader(
        io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter, strict=True
    )
    try:
        header = list(reader.fieldnames or [])
        return header, list(reader)
    except csv.Error as exc:
        raise ReetraceError(
            ErrorCode.INVALID,
            f"{what}, line {reader.line_num}: not readable as CSV ({exc})",
            field=what,
            record=f"line {reader.line_num}",
        ) from exc
