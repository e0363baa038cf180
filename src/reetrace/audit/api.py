"""The audit journal over the API: the auditor's entries (JSON, CSV or XLSX) and an
enterprise's view of the government reads of its data."""

from __future__ import annotations

from ninja import Query, Router

from reetrace.audit import selectors
from reetrace.audit.outputs import COLUMNS, entry_out, entry_row
from reetrace.audit.schemas import AuditEntryOut, EntryFilter, GovernmentReadsOut
from reetrace.core.access import requires
from reetrace.core.paging import limit_query, offset_query
from reetrace.core.permissions import Permission
from reetrace.core.schemas import errors
from reetrace.core.tables import Column, Table, table_file

router = Router(tags=["audit"])
ERRORS = errors(403, 422)


@router.get(
    "/audit/entries",
    response={200: list[AuditEntryOut], **ERRORS},
    operation_id="audit_entries_list",
    openapi_extra={
        "responses": {
            "200": {
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}
                    },
                }
            }
        }
    },
)
@requires(Permission.AUDIT_JOURNAL_READ)
def audit_entries_list(request, filters: Query[EntryFilter]):
    """Journal entries, newest first (auditor only); `format=csv|xlsx` downloads the page."""
    entries = selectors.entries_filter(
        actor=request.auth,
        action=filters.action,
        who=filters.actor,
        enterprise=filters.enterprise,
        since=filters.since,
        until=filters.until,
    )[filters.offset : filters.offset + filters.limit]
    if filters.format != "json":
        columns = [Column(name, header) for name, header in COLUMNS]
        table = Table("audit-journal", "audit journal", columns, [entry_row(e) for e in entries])
        return table_file(table, filters.format)
    return [entry_out(e) for e in entries]


@router.get(
    "/audit/government-reads",
    response={200: list[GovernmentReadsOut], **ERRORS},
    operation_id="audit_government_reads",
)
@requires(Permission.AUDIT_ACCESS_READ)
def audit_government_reads(
    request, limit: int = limit_query(366, 5000), offset: int = offset_query()
):
    """How many times each government office read the caller's enterprise's data, per
    day; reads since an open case that holds disclosure was opened are not shown yet."""
    reads = selectors.government_reads_of(actor=request.auth)
    return list(reads[offset : offset + limit])
