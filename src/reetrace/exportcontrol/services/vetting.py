"""Vetted exporters: the ministry's list of enterprises that may hold general licences.

A general licence (one named customer, a kg cap, a year) trusts the exporter's own
controls instead of each deal's papers, so only an exporter the licensing officers
have vetted may get one. Vetting is data the officers control: they vet an
enterprise for a period and may revoke it; the workflow asks `vetting_require` at
submission (the applicant learns at once, before documents are reviewed) and again
at approval (a vetting revoked or expired while the application waited must not
become a licence).
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from reetrace.accounts.models import User
from reetrace.core.errors import ErrorCode, Forbidden, NotFound, ReetraceError
from reetrace.core.permissions import Permission
from reetrace.exportcontrol.models import Application, VettedExporter
from reetrace.exportcontrol.services.applications import china_date
from reetrace.registry.models import Enterprise

__all__ = ["exporter_vet", "vetting_on", "vetting_require", "vetting_revoke"]


def _authorise(actor: User) -> None:
    if not actor.has_permission(Permission.EXPORTCONTROL_APPLICATION_DECIDE):
        raise Forbidden(f"your role does not allow {Permission.EXPORTCONTROL_APPLICATION_DECIDE}")


def _covering(on: date) -> Q:
    return Q(since__lte=on) & (Q(until__isnull=True) | Q(until__gte=on))


def vetting_on(enterprise: Enterprise, on: date) -> VettedExporter | None:
    """The enterprise's unrevoked vetting covering `on`, if any."""
    return (
        VettedExporter.objects.filter(enterprise=enterprise, revoked_at__isnull=True)
        .filter(_covering(on))
        .first()
    )


def _why_not(enterprise: Enterprise, on: date) -> str:
    """Why no vetting covers `on`: revoked, ended, not begun, or never vetted."""
    rows = VettedExporter.objects.filter(enterprise=enterprise)
    revoked = rows.filter(_covering(on), revoked_at__isnull=False).first()
    if revoked is not None:
        return f"its vetting since {revoked.since} was revoked on {china_date(revoked.revoked_at)}"
    ended = rows.filter(until__lt=on, revoked_at__isnull=True).order_by("-until").first()
    if ended is not None:
        return f"its vetting ended on {ended.until}"
    later = rows.filter(since__gt=on, revoked_at__isnull=True).order_by("since").first()
    if later is not None:
        return f"its vetting starts on {later.since}"
    return "it has never been vetted"


def vetting_require(application: Application, on: date, step: str) -> None:
    """Refuse (409 on `kind`) a general-licence `step` by an applicant not vetted on `on`."""
    applicant = application.applicant
    if vetting_on(applicant, on) is not None:
        return
    raise ReetraceError(
        ErrorCode.INVALID,
        f"cannot {step} application {application.number}: a general licence needs a vetted "
        f"exporter, and applicant {applicant.identifier} ({applicant.display_name}) is not "
        f"vetted on {on}: {_why_not(applicant, on)}; apply for an individual licence instead",
        field="kind",
        record=application.number,
        status=409,
    )


@transaction.atomic
def exporter_vet(
    *,
    actor: User,
    enterprise: str,
    since: date,
    until: date | None,
    basis: str,
    now: datetime | None = None,
) -> VettedExporter:
    """Vet an enterprise from `since` (until `until`, or open-ended).

    Periods of one enterprise's unrevoked vettings may not overlap, so every date has
    at most one vetting answering for it; to change a period, revoke and vet again."""
    _authorise(actor)
    found = Enterprise.objects.select_for_update().filter(identifier=enterprise).first()
    if found is None:
        raise NotFound("enterprise", enterprise, field="enterprise")
    if not basis.strip():
        raise ReetraceError(
            ErrorCode.INVALID, "basis is required: why the exporter is vetted", field="basis"
        )
    if until is not None and until < since:
        raise ReetraceError(
            ErrorCode.INVALID, f"until {until} is before since {since}", field="until"
        )
    overlap = VettedExporter.objects.filter(enterprise=found, revoked_at__isnull=True).filter(
        Q(until__isnull=True) | Q(until__gte=since)
    )
    if until is not None:
        overlap = overlap.filter(since__lte=until)
    clash = overlap.first()
    if clash is not None:
        ends = clash.until or "open-ended"
        raise ReetraceError(
            ErrorCode.INVALID,
            f"enterprise {found.identifier} is already vetted from {clash.since} to {ends} "
            f"(vetting {clash.pk}); revoke it first to change the period",
            field="since",
            record=found.identifier,
            status=409,
        )
    return VettedExporter.objects.create(
        enterprise=found,
        since=since,
        until=until,
        basis=basis.strip(),
        vetted_by=actor,
        vetted_at=now or timezone.now(),
    )


@transaction.atomic
def vetting_revoke(
    *, actor: User, vetting_id: int, reason: str, now: datetime | None = None
) -> VettedExporter:
    """Revoke a vetting from now on: later submissions and approvals of general licences
    are refused; licences already issued are a separate decision and stay as they are."""
    _authorise(actor)
    vetting = (
        VettedExporter.objects.select_for_update()
        .select_related("enterprise")
        .filter(pk=vetting_id)
        .first()
    )
    if vetting is None:
        raise NotFound("vetting", str(vetting_id), field="vetting")
    if not reason.strip():
        raise ReetraceError(ErrorCode.INVALID, "reason is required", field="reason")
    if vetting.revoked_at is not None:
        raise ReetraceError(
            ErrorCode.INVALID,
            f"vetting {vetting.pk} of {vetting.enterprise.identifier} was already revoked "
            f"on {china_date(vetting.revoked_at)}",
            field="vetting",
            record=str(vetting.pk),
            status=409,
        )
    vetting.revoked_at = now or timezone.now()
    vetting.revoked_by = actor
    vetting.revocation_reason = reason.strip()
    vetting.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    return vetting
