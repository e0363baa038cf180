"""Reads of reconciliation data, scoped to the actor: datasets (published
statistics, visible to every reader), submissions (a partner sees its own
country's), and the per-importer status of submitted orders."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from reetrace.accounts.models import User
from reetrace.core.access import visible_to
from reetrace.core.errors import NotFound
from reetrace.exportcontrol.choices import OPEN_STATES, ApplicationState
from reetrace.ledger.models import ExportDeclaration
from reetrace.reconciliation.choices import LineStatus
from reetrace.reconciliation.models import PartnerDataset, Submission, SubmissionLine

__all__ = ["dataset_get", "datasets_visible", "importer_status", "submissions_visible"]


def datasets_visible(*, actor: User | None) -> QuerySet[PartnerDataset]:
    return PartnerDataset.objects.all()


def dataset_get(*, actor: User | None, dataset_id: int) -> PartnerDataset:
    found = datasets_visible(actor=actor).filter(pk=dataset_id).first()
    if found is None:
        raise NotFound("dataset", str(dataset_id))
    return found


def submissions_visible(*, actor: User) -> QuerySet[Submission]:
    """Every submission for national roles, a partner's country's, else one's own uploads."""
    rows = Submission.objects.all()
    scope = actor.scope
    if scope.every_enterprise or scope.partner_country:
        return visible_to(actor, rows, country=lambda country: Q(partner_country=country))
    return rows.filter(uploaded_by=actor)


def _shipped(licence_number: str) -> tuple[Decimal, object]:
    exports = ExportDeclaration.objects.filter(
        licence_number=licence_number, event__corrected_by__isnull=True
    )
    first = exports.order_by("event__event_time").values_list("event__event_time", flat=True)
    return exports.aggregate(kg=Sum("kg"))["kg"] or Decimal(0), first.first()


def line_status(line: SubmissionLine) -> dict:
    """Where the order stands on our side, and since when."""
    app = line.application
    shipped, since = Decimal(0), line.application_date or line.submission.uploaded_at.date()
    if app is None:
        status = LineStatus.UNMATCHED
    elif app.state in OPEN_STATES:
        status, since = LineStatus.PENDING, app.submitted_at or app.created_at
    elif app.state in (ApplicationState.REJECTED, ApplicationState.WITHDRAWN):
        status = (
            LineStatus.REFUSED if app.state == ApplicationState.REJECTED else LineStatus.WITHDRAWN
        )
        since = app.decided_at or app.created_at
    else:
        licence = getattr(app, "licence", None)
        shipped, first = _shipped(licence.number) if licence else (Decimal(0), None)
        status, since = LineStatus.LICENSED, app.decided_at
        if shipped:
            status, since = LineStatus.SHIPPED, first
        if line.kg_received:
            status = LineStatus.RECEIVED
    return {
        "line": line.line,
        "importer": line.importer,
        "supplier": line.supplier,
        "product": line.product,
        "kg_ordered": line.kg_ordered,
        "kg_received": line.kg_received,
        "kg_shipped": shipped,
        "application": app.number if app else None,
        "application_state": app.state if app else None,
        "matched_by": line.matched_by or None,
        "status": str(status),
        "since": since.date() if hasattr(since, "date") else since,
    }


def importer_status(*, actor: User) -> list[dict]:
    """Per importer: kg ordered, pending, refused, licensed, shipped, received, since when."""
    lines = (
        SubmissionLine.objects.filter(submission__in=submissions_visible(actor=actor))
        .select_related("submission", "application", "application__licence")
        .order_by("importer", "submission_id", "line")
    )
    grouped: dict[str, list[dict]] = defaultdict(list)
    for line in lines:
        grouped[line.importer].append(line_status(line))
    return [_importer(name, rows) for name, rows in grouped.items()]


def _importer(name: str, rows: list[dict]) -> dict:
    out = {"importer": name, "lines": rows, "kg_ordered": Decimal(0), "kg_shipped": Decimal(0)}
    out["kg_received"] = Decimal(0)
    by_status: dict[str, dict] = {}
    for r in rows:
        out["kg_ordered"] += r["kg_ordered"]
        out["kg_shipped"] += r["kg_shipped"]
        out["kg_received"] += r["kg_received"]
        entry = by_status.setdefault(
            r["status"], {"lines": 0, "kg_ordered": Decimal(0), "since": r["since"]}
        )
        entry["lines"] += 1
        entry["kg_ordered"] += r["kg_ordered"]
        if r["since"] and (entry["since"] is None or r["since"] < entry["since"]):
            entry["since"] = r["since"]
    out["by_status"] = by_status
    return out
