"""Applications, licences and vettings as the API and the portal show them."""

from __future__ import annotations

from datetime import date

from reetrace.accounts.models import User
from reetrace.exportcontrol.drawdown import licence_remaining
from reetrace.exportcontrol.models import Application, Licence, VettedExporter
from reetrace.exportcontrol.selectors import today
from reetrace.exportcontrol.services.workflow import application_clock, documents_missing
from reetrace.exportcontrol.workdays import WorkCalendar

__all__ = ["application_brief", "application_out", "licence_out", "vetting_out"]


def _clock(application: Application, on: date, calendar: WorkCalendar | None = None) -> dict:
    clock = application_clock(application, on, calendar)
    if clock is None:
        return {}
    return {
        "due_date": clock.due,
        "due_date_provisional": clock.provisional,
        "days_elapsed": clock.elapsed,
        "days_left": clock.left,
        "overdue": clock.overdue,
        "clock_paused": clock.paused,
        "clock_note": clock.note,
    }


def _detail(application: Application) -> dict:
    licence = getattr(application, "licence", None)
    return {
        "applicant": application.applicant.identifier,
        "applicant_name": application.applicant.display_name,
        "consignee": {"name": application.consignee_name, "country": application.consignee_country},
        "end_user": {"name": application.end_user_name, "country": application.end_user_country},
        "end_use": application.end_use,
        "destination": application.destination,
        "contract_number": application.contract_number,
        "items": [
            {
                "product": i.product_code,
                "form": i.form,
                "composition": i.composition,
                "lot": i.lot.code if i.lot else None,
                "kg": i.kg,
                "value": i.value,
                "currency": i.currency,
                "control_codes": i.control_codes,
            }
            for i in application.items.select_related("lot")
        ],
        "documents": [
            {"kind": d.kind, "filename": d.filename, "sha256": d.sha256, "size": d.size}
            for d in application.documents.order_by("pk")
        ],
        "documents_missing": documents_missing(application),
        "history": [
            {
                "action": t.action,
                "from_state": t.from_state,
                "to_state": t.to_state,
                "actor": t.actor.username,
                "at": t.at,
                "comment": t.comment,
            }
            for t in application.transitions.select_related("actor")
        ],
        "licence": licence.number if licence else None,
    }


def application_brief(
    application: Application, on: date, calendar: WorkCalendar | None = None
) -> dict:
    """State, dates and the statutory clock: what a list shows (prefetch `transitions`;
    one `calendar` for the list looks each uncovered year up once)."""
    return {
        "number": application.number,
        "kind": application.kind,
        "state": application.state,
        "created_at": application.created_at,
        "submitted_at": application.submitted_at,
        "accepted_on": application.accepted_on,
        "decided_at": application.decided_at,
        **_clock(application, on, calendar),
    }


def application_out(application: Application, *, actor: User, on: date | None = None) -> dict:
    """State, dates and the statutory clock for everyone; the rest unless a partner reads."""
    body = {**application_brief(application, on or today()), "detail": None}
    if not actor.scope.partner:
        body["detail"] = _detail(application)
    return body


def licence_out(licence: Licence) -> dict:
    remaining = licence_remaining(licence)
    return {
        "number": licence.number,
        "kind": licence.kind,
        "application": licence.application.number,
        "exporter": licence.exporter.identifier,
        "consignee": licence.consignee_name,
        "end_user": licence.end_user_name,
        "destination": licence.destination,
        "valid_from": licence.valid_from,
        "valid_until": licence.valid_until,
        "kg_cap": licence.kg_cap,
        "kg_left": remaining.get(None) if licence.kg_cap is not None else None,
        "retroactive_reason": licence.retroactive_reason,
        "retroactive_exports": licence.retroactive_exports,
        "items": [
            {
                "form": i.form,
                "elements": i.elements,
                "control_codes": i.control_codes,
                "kg": i.kg,
                "kg_left": remaining.get(i.pk),
            }
            for i in licence.items.all()
        ],
    }


def vetting_out(vetting: VettedExporter, on: date) -> dict:
    """A vetting with its status on `on`: valid, revoked, ended or not yet begun."""
    if vetting.revoked_at is not None:
        status = "revoked"
    elif vetting.until is not None and vetting.until < on:
        status = "ended"
    elif vetting.since > on:
        status = "pending"
    else:
        status = "valid"
    return {
        "id": vetting.pk,
        "enterprise": vetting.enterprise.identifier,
        "enterprise_name": vetting.enterprise.display_name,
        "since": vetting.since,
        "until": vetting.until,
        "basis": vetting.basis,
        "status": status,
        "vetted_by": vetting.vetted_by.username,
        "vetted_at": vetting.vetted_at,
        "revoked_by": vetting.revoked_by.username if vetting.revoked_by else None,
        "revoked_at": vetting.revoked_at,
        "revocation_reason": vetting.revocation_reason,
    }
