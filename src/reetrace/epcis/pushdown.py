"""The standard query's filters as SQL, where they map to ledger columns.

`query._keep` decides on the EPCIS events themselves; rendering every visible event
to decide is what made a query cost the whole ledger. Each filter below narrows the
rows before rendering to a superset of what `_keep` accepts, so `_keep` still has the
last word and results are the same (`tests/epcis/test_query_sql.py`):

- event and record time bounds: the `event_time`/`recorded_at` columns;
- `eventType`, `EQ_bizStep`: a rendered event's type and step follow from its kind
  (`render.py`); an event captured as EPCIS is served as sent, so its stored type
  and step decide; a correction renders the event it corrects, so it always passes;
- `EQ_eventID`: the Event Hash ID kept for events captured as EPCIS (the others'
  are computed on rendering, so they pass);
- `MATCH_epcClass` and the other class filters: a lot's LGTIN names a lot code,
  and an event names the lots it posts to (patterns with `*` are left to Python);
- `EQ_source_owning_party`, `EQ_destination_owning_party`: the PGLN names an
  enterprise, the seller (reporter) or buyer of a shipment, the exporter.

The other parameters (`EQ_disposition`, `EQ_action`, `MATCH_epc`, locations,
`EXISTS_errorDeclaration`) are evaluated on the rendered events only.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from reetrace.epcis.models import EpcisEvent
from reetrace.epcis.scheme import gln_party, lgtin_parse
from reetrace.epcis.vocabulary import BIZ_STEP
from reetrace.ledger.models import Event, Posting

__all__ = ["SQL_EXACT", "narrowed"]

# Parameters that narrow nothing, or whose SQL form is exact (`_candidates` applies
# the time bounds): a query with only these pages in SQL and renders one page.
SQL_EXACT = frozenset(
    {
        "GE_eventTime",
        "LT_eventTime",
        "GE_recordTime",
        "LT_recordTime",
        "orderBy",
        "orderDirection",
        "eventCountLimit",
        "perPage",
        "nextPageToken",
    }
)
ORIGINS = {"mine", "import", "recycle"}
TYPE_KINDS = {
    "ObjectEvent": ORIGINS | {"ship", "receive", "export", "adjust"},
    "TransformationEvent": {"transform"},
}
STEP_KINDS = {
    "commissioning": ORIGINS | {"transform"},
    "shipping": {"ship"},
    "departing": {"export"},
    "receiving": {"receive"},
    "stock_taking": {"adjust"},
}
CLASS_PARAMETERS = (
    "MATCH_epcClass",
    "MATCH_anyEPCClass",
    "MATCH_inputEPCClass",
    "MATCH_outputEPCClass",
)

# The rendered events naming a party as source or destination owning party.
PARTY_PARAMETERS = {
    "EQ_source_owning_party": lambda parties: Q(kind__in={"ship", "export"}, reporter__in=parties),
    "EQ_destination_owning_party": lambda parties: Q(kind="ship", shipment__buyer__in=parties),
}


def _values(raw: str) -> list[str]:
    return [v for v in raw.replace("|", ",").split(",") if v]


def _rendered(kinds: set[str]) -> Q:
    """Ledger events not captured as EPCIS, rendered from one of `kinds`, or corrections."""
    return Q(epcis__isnull=True, kind__in=kinds | {"correct"})


def _lot_codes(raw: str) -> list[str] | None:
    codes = []
    for pattern in _values(raw):
        _, lot = lgtin_parse(pattern)
        if pattern.endswith("*") or lot is None:
            return None
        codes.append(lot)
    return codes


def _parties(raw: str) -> list[int] | None:
    found = [gln_party(v) for v in _values(raw)]
    return None if any(p is None for p in found) else [p.pk for p in found if p is not None]


def narrowed(
    params: dict[str, str], ledger: QuerySet[Event], stored: QuerySet[EpcisEvent]
) -> tuple[QuerySet[Event], QuerySet[EpcisEvent]]:
    """`ledger` and `stored` with every filter of `params` that maps to SQL applied."""
    if "eventType" in params:
        types = _values(params["eventType"])
        kinds = {k for t in types for k in TYPE_KINDS.get(t, set())}
        ledger = ledger.filter(_rendered(kinds) | Q(epcis__event_type__in=types))
        stored = stored.filter(event_type__in=types)
    if "EQ_bizStep" in params:
        steps = [BIZ_STEP.term(v) or v for v in _values(params["EQ_bizStep"])]
        forms = steps + [BIZ_STEP.uri(s) for s in steps]
        kinds = {k for s in steps for k in STEP_KINDS.get(s, set())}
        ledger = ledger.filter(_rendered(kinds) | Q(epcis__document__bizStep__in=forms))
        stored = stored.filter(document__bizStep__in=forms)
    if "EQ_eventID" in params:
        ids = _values(params["EQ_eventID"])
        keys = ids + [i + "#error" for i in ids]
        ledger = ledger.filter(Q(epcis__isnull=True) | Q(epcis__hash_id__in=keys))
        stored = stored.filter(hash_id__in=keys)
    for name in CLASS_PARAMETERS:
        if name in params and (codes := _lot_codes(params[name])) is not None:
            posting = Posting.objects.filter(lot__code__in=codes).values("event_id")
            ledger = ledger.filter(Q(pk__in=posting) | Q(kind="correct"))
    for name, party in PARTY_PARAMETERS.items():
        if name in params and (parties := _parties(params[name])) is not None:
            named = Q(epcis__isnull=True) & party(parties)
            ledger = ledger.filter(named | _rendered(set()) | Q(epcis__isnull=False))
    return ledger, stored
