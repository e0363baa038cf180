"""Government reads of confidential commercial data, recorded where every API
operation and portal page checks its permission (`core.access.requires`,
`portal.access.portal_page`): a successful GET by a government role of anything
guarded by one of `CONFIDENTIAL` (customer names and prices in events, stock,
genealogy across enterprises, registers, monthly reports, alert evidence,
partner submissions). The enterprise concerned is taken from the request: the
enterprise in the path or filter, the reporter of an event, the producer of a lot;
a national listing names none."""

from __future__ import annotations

from reetrace.audit.choices import AuditAction
from reetrace.audit.journal import audit_record
from reetrace.core.permissions import Permission as P

CONFIDENTIAL = frozenset(
    {
        P.LEDGER_EVENT_READ,
        P.LEDGER_LOT_READ,
        P.TRACE_STOCK_READ,
        P.TRACE_GENEALOGY_READ,
        P.TRACE_REGISTER_READ,
        P.TRACE_EXPORT_READ,
        P.REPORTING_REPORT_READ,
        P.COMPLIANCE_ALERT_READ,
        P.RECONCILIATION_READ,
    }
)
FILTERS = ("enterprise", "reporter", "holder", "exporter", "identifier")


def _enterprise_concerned(request, kwargs: dict) -> str:
    from reetrace.ledger.models import Event, Lot

    if kwargs.get("identifier"):
        return str(kwargs["identifier"])[:64]
    if kwargs.get("event_id"):
        event = Event.objects.filter(event_id=kwargs["event_id"]).select_related("reporter")
        found = event.first()
        return found.reporter.identifier if found else ""
    if kwargs.get("code"):
        lot = Lot.objects.filter(code=str(kwargs["code"]).upper()).select_related("producer")
        found = lot.first()
        return found.producer.identifier if found else ""
    for name in FILTERS:
        if request.GET.get(name):
            return request.GET[name][:64]
    return ""


def government_read_record(request, permissions, kwargs: dict, status: int) -> None:
    """Journal the read if it was a government role's successful GET of confidential data."""
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    if request.method != "GET" or status != 200 or user is None:
        return
    if not getattr(user, "is_national", False) or not CONFIDENTIAL & set(permissions):
        return
    audit_record(
        AuditAction.READ,
        request.resolver_match.view_name if request.resolver_match else "",
        request.path[:200],
        fields={"query": dict(request.GET.lists()), "permissions": sorted(map(str, permissions))},
        enterprise=_enterprise_concerned(request, kwargs),
        user=user,
        request=request,
    )
