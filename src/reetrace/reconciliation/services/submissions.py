"""Partner enterprise submissions: what a partner's companies say they ordered and
received, matched to our licence applications and the exports drawn on them.

CSV columns (any case): importer; supplier (our exporter's name or identifier);
product (catalogue code, HS code or text); kg_ordered; kg_received;
application_reference (our application number, if the importer has it);
application_date (YYYY-MM-DD). An application is matched by its number, else by
supplier = applicant and importer = consignee (and the product when it names an
item), the one applied for closest to the given date.

A line only ever matches an application for that importer (its consignee or end
user) bound for the partner's country: the status shown to the partner (state,
kg shipped, since when) is otherwise another party's business, and application
numbers can be guessed.
"""

from __future__ import annotations

import hashlib
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from reetrace.accounts.models import User
from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.core.quantities import round_kg
from reetrace.exportcontrol.models import Application
from reetrace.reconciliation.loaders.common import Parsed, columns, number, read_rows
from reetrace.reconciliation.models import Submission, SubmissionLine

__all__ = ["submission_upload"]

ALIASES = {
    "importer": ("importer", "importer_name"),
    "supplier": ("supplier", "exporter", "supplier_name"),
    "product": ("product", "product_code", "hs_code"),
    "kg_ordered": ("kg_ordered", "ordered_kg"),
    "kg_received": ("kg_received", "received_kg"),
    "reference": ("application_reference", "licence_application", "application"),
    "date": ("application_date", "applied_on"),
}
REQUIRED = {"importer", "supplier", "product", "kg_ordered", "kg_received"}


def _line(row: dict, col: dict) -> dict:
    for name in ("importer", "supplier", "product"):
        if not row[col[name]]:
            raise ReetraceError(ErrorCode.INVALID, f"{col[name]} is empty", field=col[name])
    raw_date = row.get(col.get("date", ""), "")
    try:
        applied = date.fromisoformat(raw_date) if raw_date else None
    except ValueError as exc:
        raise ReetraceError(
            ErrorCode.INVALID, f"{raw_date!r} is not a date YYYY-MM-DD", field=col["date"]
        ) from exc
    return {
        "importer": row[col["importer"]][:200],
        "supplier": row[col["supplier"]][:200],
        "product": row[col["product"]][:64],
        "kg_ordered": round_kg(number(row[col["kg_ordered"]], column=col["kg_ordered"])),
        "kg_received": round_kg(number(row[col["kg_received"]], column=col["kg_received"])),
        "application_reference": row.get(col.get("reference", ""), "")[:64],
        "application_date": applied,
    }


def _parse(text: str) -> list[dict]:
    header, rows = read_rows(text)
    col = columns(header, ALIASES, REQUIRED)
    parsed = Parsed(rows_read=len(rows))
    for line, row in rows:
        try:
            parsed.records.append(_line(row, col) | {"line": line})
        except ReetraceError as exc:
            parsed.fail(line, exc.field, exc)
    parsed.raise_if_failed()
    if not parsed.records:
        raise ReetraceError(ErrorCode.INVALID, "the file has no lines", field="file")
    return parsed.records


def application_match(line: dict, country: str = "") -> tuple[Application | None, str]:
    """Our application behind a partner's line, and how it was found; `country` is
    the partner's (applications bound elsewhere are not its business)."""
    reference = line["application_reference"]
    ours = Application.objects.all()
    if country:
        ours = ours.filter(Q(destination=country) | Q(consignee_country=country))
    if reference:
        found = ours.filter(
            Q(consignee_name__iexact=line["importer"]) | Q(end_user_name__iexact=line["importer"]),
            number=reference,
        ).first()
        if found:
            return found, "reference"
    supplier = line["supplier"]
    candidates = ours.filter(
        Q(applicant__identifier__iexact=supplier)
        | Q(applicant__name_en__iexact=supplier)
        | Q(applicant__name_zh=supplier),
        consignee_name__iexact=line["importer"],
    )
    with_product = candidates.filter(items__product_code=line["product"]).distinct()
    if with_product.exists():
        candidates = with_product
    chosen = _closest(list(candidates), line["application_date"])
    return chosen, ("supplier+importer" if chosen else "")


def _closest(candidates: list[Application], applied: date | None) -> Application | None:
    if not candidates:
        return None
    if applied is None:
        return max(candidates, key=lambda a: (a.created_at, a.pk))
    return min(candidates, key=lambda a: (abs((a.created_at.date() - applied).days), -a.pk))


@transaction.atomic
def submission_upload(
    *, actor: User, content: bytes, filename: str, partner_country: str = ""
) -> Submission:
    """Store a partner's submission with each line's matched application; all or nothing."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReetraceError(ErrorCode.INVALID, "the file is not UTF-8 text", field="file") from exc
    lines = _parse(text)
    submission = Submission.objects.create(
        partner_country=(actor.partner_country or partner_country).upper()[:8],
        filename=filename[:200],
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=actor,
        uploaded_at=timezone.now(),
    )
    for line in lines:
        application, how = application_match(line, submission.partner_country)
        SubmissionLine.objects.create(
            submission=submission, application=application, matched_by=how, **line
        )
    return submission
