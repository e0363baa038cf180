"""The EPCIS query interface over everything reetrace holds, scoped like every read.

The events are the ledger's, whoever captured them and however (`render.py`), and
the EPCIS events that changed no custody; the actor sees what `ledger.selectors.
events_visible` lets it see (its own events and the shipments addressed to it; all
for national roles), and the non-custody events of its own enterprise. Time bounds
narrow the rows in SQL; the other standard parameters are evaluated on the EPCIS
events themselves, comparing identifiers and CBV terms in their canonical form so
that a URN matches its Digital Link and a bare term its URI.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from django.db.models import Q, QuerySet
from django.utils import timezone

from reetrace.accounts.models import User
from reetrace.core.access import visible_to
from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.epcis.identifiers import canonical_uri
from reetrace.epcis.models import EpcisEvent
from reetrace.epcis.pushdown import SQL_EXACT, narrowed
from reetrace.epcis.render import CONTEXT, epcis_events_of
from reetrace.epcis.tree import EVENT_TYPES
from reetrace.epcis.vocabulary import BIZ_STEP, DISPOSITION, SOURCE_DESTINATION_TYPE
from reetrace.ledger.models import Event
from reetrace.ledger.selectors import events_visible

__all__ = [
    "QUERY_PARAMETERS",
    "Among",
    "QueryPage",
    "query_document",
    "query_events",
    "query_matching",
    "query_parameters_check",
]

QUERY_PARAMETERS = frozenset(
    {
        "eventType",
        "GE_eventTime",
        "LT_eventTime",
        "GE_recordTime",
        "LT_recordTime",
        "EQ_bizStep",
        "EQ_disposition",
        "EQ_action",
        "MATCH_epc",
        "MATCH_epcClass",
        "MATCH_anyEPCClass",
        "MATCH_inputEPCClass",
        "MATCH_outputEPCClass",
        "MATCH_anyEPC",
        "EQ_bizLocation",
        "EQ_readPoint",
        "EQ_source_owning_party",
        "EQ_destination_owning_party",
        "EQ_eventID",
        "EXISTS_errorDeclaration",
        "orderBy",
        "orderDirection",
        "eventCountLimit",
        "perPage",
        "nextPageToken",
    }
)
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 1000
TOKEN_SALT = "epcis-next-page"
EPC_KEYS = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
CLASS_KEYS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")


class QueryParameterError(ReetraceError):
    def __init__(self, message: str, field: str):
        super().__init__(ErrorCode.INVALID, message, field=field)


@dataclass
class QueryPage:
    events: list[dict]
    next_token: str | None


def _values(raw: str) -> list[str]:
    return [v for v in raw.replace("|", ",").split(",") if v]


def _time(params: dict, name: str) -> datetime | None:
    raw = params.get(name)
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace(" ", "+").replace("Z", "+00:00"))
    except ValueError as exc:
        raise QueryParameterError(f"{name}: {raw!r} is not an ISO 8601 time", name) from exc
    if moment.utcoffset() is None:
        raise QueryParameterError(f"{name}: {raw!r} needs a UTC offset", name)
    return moment


def _int(params: dict, name: str, default: int | None, most: int | None = None) -> int | None:
    raw = params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1 or (most is not None and int(raw) > most):
        limit = f" (at most {most})" if most else ""
        raise QueryParameterError(f"{name}: {raw!r} is not a positive integer{limit}", name)
    return int(raw)


def _epcs(event: dict, keys: Iterable[str]) -> list[str]:
    found = [str(e) for key in keys for e in event.get(key) or []]
    if "epcList" in keys and event.get("parentID"):
        found.append(str(event["parentID"]))
    return [canonical_uri(e) for e in found]


def _classes(event: dict, keys: Iterable[str]) -> list[str]:
    return [
        canonical_uri(str(q.get("epcClass", "")))
        for key in keys
        for q in event.get(key) or []
        if isinstance(q, dict)
    ]


def _matches(values: list[str], patterns: list[str]) -> bool:
    wanted = [canonical_uri(p) for p in patterns]
    return any(v == w or (w.endswith("*") and v.startswith(w[:-1])) for v in values for w in wanted)


def _party(event: dict, key: str, member: str) -> list[str]:
    return [
        canonical_uri(str(entry.get(member, "")))
        for entry in event.get(key) or []
        if SOURCE_DESTINATION_TYPE.term(str(entry.get("type", ""))) == "owning_party"
    ]


def _keep(event: dict, params: dict) -> bool:
    """Whether `event` passes every parameter given (all of them: they are and-ed)."""
    if "eventType" in params and event.get("type") not in _values(params["eventType"]):
        return False
    if "EQ_bizStep" in params:
        wanted = {BIZ_STEP.uri(v) for v in _values(params["EQ_bizStep"])}
        if BIZ_STEP.uri(str(event.get("bizStep", ""))) not in wanted:
            return False
    if "EQ_disposition" in params:
        wanted = {DISPOSITION.uri(v) for v in _values(params["EQ_disposition"])}
        if DISPOSITION.uri(str(event.get("disposition", ""))) not in wanted:
            return False
    if "EQ_action" in params and event.get("action") not in _values(params["EQ_action"]):
        return False
    tests = {
        "MATCH_epc": lambda: _epcs(event, ("epcList", "childEPCs")),
        "MATCH_anyEPC": lambda: _epcs(event, EPC_KEYS),
        "MATCH_epcClass": lambda: _classes(event, ("quantityList", "childQuantityList")),
        "MATCH_inputEPCClass": lambda: _classes(event, ("inputQuantityList",)),
        "MATCH_outputEPCClass": lambda: _classes(event, ("outputQuantityList",)),
        "MATCH_anyEPCClass": lambda: _classes(event, CLASS_KEYS),
        "EQ_bizLocation": lambda: [canonical_uri(str((event.get("bizLocation") or {}).get("id")))],
        "EQ_readPoint": lambda: [canonical_uri(str((event.get("readPoint") or {}).get("id")))],
        "EQ_source_owning_party": lambda: _party(event, "sourceList", "source"),
        "EQ_destination_owning_party": lambda: _party(event, "destinationList", "destination"),
    }
    for name, values in tests.items():
        if name in params and not _matches(values(), _values(params[name])):
            return False
    if "EQ_eventID" in params and event.get("eventID") not in _values(params["EQ_eventID"]):
        return False
    return "EXISTS_errorDeclaration" not in params or "errorDeclaration" in event


@dataclass(frozen=True)
class Among:
    """Restrict a query to these events (a stream subscription's new ones): ledger
    event keys and keys of stored EPCIS events that changed no custody."""

    ledger: frozenset[int]
    stored: frozenset[int]


# (order key, record time, event): the key is the row's time column (event or record
# time, as ordered), ledger before stored, the row's key, then the order rendered.
Candidate = tuple[tuple, datetime, dict]


def _column(params: dict) -> str:
    return "event_time" if params.get("orderBy", "eventTime") == "eventTime" else "recorded_at"


def _querysets(
    actor: User, params: dict, among: Among | None, sql: bool
) -> tuple[QuerySet[Event], QuerySet[EpcisEvent]]:
    """What the actor may see within the time bounds, narrowed in SQL by every other
    filter that maps to columns (`pushdown.py`) unless `sql` is off."""
    ledger = events_visible(actor=actor).select_related("reporter", "correction")
    stored = visible_to(
        actor,
        EpcisEvent.objects.filter(ledger_event__isnull=True),
        own=lambda enterprise: Q(reporter_id=enterprise),
    ).select_related("capture")
    if among is not None:
        ledger = ledger.filter(pk__in=among.ledger)
        stored = stored.filter(pk__in=among.stored)
    if low := _time(params, "GE_eventTime"):
        ledger, stored = ledger.filter(event_time__gte=low), stored.filter(event_time__gte=low)
    if high := _time(params, "LT_eventTime"):
        ledger, stored = ledger.filter(event_time__lt=high), stored.filter(event_time__lt=high)
    if low := _time(params, "GE_recordTime"):
        ledger, stored = ledger.filter(recorded_at__gte=low), stored.filter(recorded_at__gte=low)
    if high := _time(params, "LT_recordTime"):
        ledger, stored = ledger.filter(recorded_at__lt=high), stored.filter(recorded_at__lt=high)
    return narrowed(params, ledger, stored) if sql else (ledger, stored)


def _rendered(rows: list[Event], kept: list[EpcisEvent], column: str) -> list[Candidate]:
    out: list[Candidate] = [
        ((getattr(event, column), 0, event.pk, i), event.recorded_at, served)
        for i, (event, served) in enumerate(epcis_events_of(rows))
    ]
    out += [((getattr(k, column), 1, k.pk, 0), k.recorded_at, k.served()) for k in kept]
    return out


def query_parameters_check(params: dict[str, str]) -> None:
    """Refuse unknown parameters and malformed values, naming the parameter."""
    unknown = sorted(set(params) - QUERY_PARAMETERS)
    if unknown:
        raise QueryParameterError(
            f"unknown query parameter {unknown[0]!r} (see docs/epcis.md)", unknown[0]
        )
    for name in ("eventType",):
        for value in _values(params.get(name, "")):
            if value not in EVENT_TYPES:
                raise QueryParameterError(f"{name}: {value!r} is no EPCIS event type", name)
    _int(params, "perPage", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    _int(params, "eventCountLimit", None)
    for name in ("GE_eventTime", "LT_eventTime", "GE_recordTime", "LT_recordTime"):
        _time(params, name)
    if params.get("orderBy", "eventTime") not in {"eventTime", "recordTime"}:
        raise QueryParameterError("orderBy: eventTime or recordTime", "orderBy")
    if params.get("orderDirection", "ASC") not in {"ASC", "DESC"}:
        raise QueryParameterError("orderDirection: ASC or DESC", "orderDirection")


def query_events(*, actor: User, params: dict[str, str], sql: bool = True) -> QueryPage:
    """One page of the events matching the standard query parameters. `sql=False`
    filters every rendered event in Python: the reference the SQL path is tested on."""
    query_parameters_check(params)
    per_page = _int(params, "perPage", DEFAULT_PER_PAGE, MAX_PER_PAGE) or DEFAULT_PER_PAGE
    limit = _int(params, "eventCountLimit", None)
    offset = 0
    query = {k: v for k, v in params.items() if k not in {"nextPageToken", "perPage"}}
    if "nextPageToken" in params:
        try:
            token = signing.loads(params["nextPageToken"], salt=TOKEN_SALT, max_age=3600)
        except signing.BadSignature as exc:
            raise QueryParameterError(
                "nextPageToken is not valid (or expired)", "nextPageToken"
            ) from exc
        if token["query"] != query:
            raise QueryParameterError("nextPageToken belongs to another query", "nextPageToken")
        offset = token["offset"]
    stop = offset + per_page + 1 if limit is None else min(offset + per_page + 1, limit)
    found = _matching(actor, query, None, sql, stop)
    if limit is not None:
        found = found[:limit]
    page = found[offset : offset + per_page]
    events = [e | {"recordTime": recorded.isoformat()} for recorded, e in page]
    more = offset + per_page < len(found)
    token = (
        signing.dumps({"query": query, "offset": offset + per_page}, salt=TOKEN_SALT)
        if more
        else None
    )
    return QueryPage(events, token)


def _matching(
    actor: User, params: dict, among: Among | None, sql: bool = True, stop: int | None = None
) -> list[tuple[datetime, dict]]:
    """(record time, event) of every match, in the query's order. When every parameter
    is decided in SQL, only the first `stop` rows of each table are read and rendered
    (at least `stop` events: a row renders one or more)."""
    descending = params.get("orderDirection", "ASC") == "DESC"
    column = _column(params)
    ledger, stored = _querysets(actor, params, among, sql)
    if sql and stop is not None and set(params) <= SQL_EXACT:
        order = [f"-{column}", "-pk"] if descending else [column, "pk"]
        rows, kept = list(ledger.order_by(*order)[:stop]), list(stored.order_by(*order)[:stop])
    else:
        rows, kept = list(ledger), list(stored)
    found = [c for c in _rendered(rows, kept, column) if _keep(c[2], params)]
    found.sort(key=lambda c: c[0], reverse=descending)
    return [(recorded, event) for _, recorded, event in found]


def query_matching(*, actor: User, params: dict[str, str], among: Among | None) -> list[dict]:
    """Every event matching a saved query's parameters (no paging: a webhook report
    carries them all), as `actor` may see them, optionally among given events."""
    query_parameters_check(params)
    params = {k: v for k, v in params.items() if k not in {"perPage", "nextPageToken"}}
    found = _matching(actor, params, among)
    if (limit := _int(params, "eventCountLimit", None)) is not None:
        found = found[:limit]
    return [e | {"recordTime": recorded.isoformat()} for recorded, e in found]


def query_document(events: list[dict]) -> dict:
    """An EPCISQueryDocument carrying `events`."""
    return {
        "@context": CONTEXT,
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": timezone.now().isoformat(),
        "epcisBody": {
            "queryResults": {
                "queryName": "SimpleEventQuery",
                "resultsBody": {"eventList": events},
            }
        },
    }
