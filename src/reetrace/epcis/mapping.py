"""EPCIS 2.0 events as reetrace ledger events: the one place the mapping is written.

`docs/epcis.md` has this as a table. An event that changes custody becomes one
ledger event (the same dict the JSON API takes), so it passes through
`ledger.capture.batch_capture` and every invariant there; an event that changes no
custody (inspection, packing, sensor readings) becomes none and is kept as EPCIS
only, linked to the lots it names.

- ObjectEvent ADD, bizStep commissioning or creating_class_instance: `mine` (ILMD
  `rt:quota`), `import` (`rt:customsDeclaration`) or `recycle` (`rt:recyclingSource`),
  without these by the reporter's role;
- TransformationEvent: `transform` (`rt:process`; inputs and outputs by LGTIN);
- ObjectEvent or TransactionEvent, bizStep shipping or departing: `export` with a
  customs-declaration business transaction, otherwise `ship` (buyer: the
  destination `owning_party`);
- bizStep receiving or arriving: `receive` (of the open shipment of the lot);
- any event with an `errorDeclaration`: `correct`, void or replace (by a corrective
  event of the same document);
- anything else: no ledger event; stored and queryable.

Quantities are UN/ECE Rec. 20 KGM, TNE or GRM, converted exactly; composition is the
ILMD's `rt:composition` (element -> mass fraction) or, per element, a `sensorReport`
with `chemicalSubstance` `rt:element/Nd` and a `value` in `uom` P1 (percent) or
C62 (fraction). `rt:` is `EXTENSION_NAMESPACE`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from reetrace.core.errors import ErrorCode, FieldError
from reetrace.epcis.models import EpcisEvent
from reetrace.epcis.scheme import gln_party, gln_site, lgtin_parse
from reetrace.epcis.tree import STANDARD_PREFIXES
from reetrace.epcis.vocabulary import (
    BIZ_STEP,
    BIZ_TRANSACTION_TYPE,
    ERROR_REASON,
    SOURCE_DESTINATION_TYPE,
)
from reetrace.ledger.models import Event, Shipment
from reetrace.registry.models import Enterprise, Product

__all__ = ["EXTENSION_NAMESPACE", "MappedEvent", "document_glns", "event_id_for", "events_map"]

EXTENSION_NAMESPACE = "https://ns.reetrace.org/epcis/"
UNITS = {"KGM": "kg", "TNE": "t", "GRM": "g"}
FRACTION_UNITS = {"P1": Decimal("0.01"), "C62": Decimal(1), "59": Decimal("0.000001")}
ORIGIN_STEPS = {"commissioning", "creating_class_instance"}
SHIPPING_STEPS = {"shipping", "departing"}
RECEIVING_STEPS = {"receiving", "arriving"}
CUSTOMS_DECLARATION = EXTENSION_NAMESPACE + "btt/customs_declaration"
EXPORT_LICENCE = EXTENSION_NAMESPACE + "btt/export_licence"
CONTRACT_TYPES = {"po", "inv", "prodorder"}
ROLE_ORIGINS = {"miner": "mine", "recycler": "recycle"}


class MappingError(Exception):
    """One event that cannot become a reetrace event: the field and why."""

    def __init__(self, field_name: str, message: str, code: ErrorCode = ErrorCode.INVALID):
        super().__init__(message)
        self.field = field_name
        self.message = message
        self.code = code


@dataclass
class Known:
    """What a document's events refer to, read once for the document: the shipments
    its own events made (by lot and buyer identifier) and the ledger events the
    shipment hashes its receipts name."""

    shipped: dict[tuple[str, str], str] = field(default_factory=dict)
    shipments: dict[str, str] = field(default_factory=dict)


@dataclass
class MappedEvent:
    """One EPCIS event and the ledger event it becomes (None: changes no custody)."""

    index: int
    hash_id: str
    event: dict
    item: dict | None = None
    lots: list[str] = field(default_factory=list)
    corrects_hash: str | None = None


def event_id_for(hash_id: str, *, correction: bool = False) -> str:
    """The ledger event id of an EPCIS event: its hash, so a resend is a replay (an
    error declaration hashes as the event it declares wrong, so it gets its own)."""
    digest = hash_id.split(";", 1)[1].split("?", 1)[0]
    return f"epcis-err-{digest[:54]}" if correction else f"epcis-{digest[:58]}"


def ledger_event_id(hash_id: str) -> str:
    """The ledger event an Event Hash ID names: the one captured or served under it; for
    the corrective event of a replacing correction, the correction that applied it (a
    receipt names the shipment as the correction replaced it by its corrective event)."""
    known = (
        EpcisEvent.objects.filter(hash_id=hash_id, ledger_event__isnull=False)
        .values_list("ledger_event__event_id", flat=True)
        .first()
    )
    return known or _correction_applying(hash_id) or event_id_for(hash_id)


def ledger_event_ids(hash_ids: set[str]) -> dict[str, str]:
    """`ledger_event_id` of many hashes: those captured or served under their hash in
    one query, the rest one by one (a document's receipts name their shipments by
    hash; one query each was a third of the mapping's cost)."""
    if not hash_ids:
        return {}
    found = dict(
        EpcisEvent.objects.filter(hash_id__in=hash_ids, ledger_event__isnull=False).values_list(
            "hash_id", "ledger_event__event_id"
        )
    )
    return found | {h: ledger_event_id(h) for h in hash_ids - found.keys()}


def _correction_applying(hash_id: str) -> str | None:
    corrective = EpcisEvent.objects.filter(hash_id=hash_id, ledger_event__isnull=True).first()
    if corrective is None:
        return None
    declarations = EpcisEvent.objects.filter(
        capture_id=corrective.capture_id, hash_id__endswith="#error", ledger_event__isnull=False
    ).values_list("document", "ledger_event__event_id")
    names = {hash_id, corrective.event_id}
    for document, event_id in declarations:
        named = (document.get("errorDeclaration") or {}).get("correctiveEventIDs") or []
        if names & {str(n) for n in named}:
            return event_id
    return None


class Reader:
    """Reads an event's fields, extension fields by namespace whatever their prefix."""

    def __init__(self, event: dict, prefixes: dict[str, str], hash_id: str = ""):
        self.event = event
        self.prefixes = prefixes
        self.hash_id = hash_id
        self.plain_hashes: set[str] = set()  # hashes of the document's undeclared events

    def ext(self, obj: dict | None, local: str):
        """The value of the reetrace extension field `local` in `obj`."""
        if not isinstance(obj, dict):
            return None
        for key, value in obj.items():
            prefix, sep, name = key.partition(":")
            if sep and name == local and self.prefixes.get(prefix) == EXTENSION_NAMESPACE:
                return value
        return None

    def ext_key(self, local: str) -> str:
        prefix = next((p for p, ns in self.prefixes.items() if ns == EXTENSION_NAMESPACE), "rt")
        return f"{prefix}:{local}"


def _mass(element: dict, where: str) -> str:
    quantity = element.get("quantity")
    uom = element.get("uom")
    if quantity is None:
        raise MappingError(f"{where}.quantity", "a quantity is required")
    if uom not in UNITS:
        raise MappingError(
            f"{where}.uom", f"unit {uom!r} is not a mass in kg, t or g (KGM, TNE, GRM)"
        )
    try:
        amount = Decimal(str(quantity))
    except InvalidOperation as exc:
        raise MappingError(f"{where}.quantity", f"{quantity!r} is not a number") from exc
    return f"{amount} {UNITS[uom]}"


def _lot(epc_class: str, where: str, *, new: bool = False) -> tuple[str | None, str]:
    product, lot = lgtin_parse(epc_class or "")
    if lot is None:
        raise MappingError(where, f"{epc_class!r} is no LGTIN (GTIN with a lot number)")
    if new and product is None:
        raise MappingError(
            where, f"{epc_class!r}: the GTIN is not a product of reetrace's catalogue"
        )
    return product, lot


def _single_quantity(event: dict, key: str) -> tuple[dict, str]:
    elements = event.get(key) or []
    if len(elements) != 1:
        instances = (
            " (instance EPCs such as SGTINs or SSCCs are no lots)" if event.get("epcList") else ""
        )
        raise MappingError(
            key,
            f"reetrace tracks lots by mass: one {key} element naming the lot's LGTIN with its "
            f"quantity is needed, not {len(elements)}{instances}",
        )
    return elements[0], f"{key}.0"


def _composition(reader: Reader, holder: dict | None, where: str) -> dict[str, str]:
    declared = reader.ext(holder, "composition")
    if isinstance(declared, dict) and declared:
        return {str(k): str(v) for k, v in declared.items()}
    found: dict[str, str] = {}
    for i, element in enumerate(reader.event.get("sensorElementList") or []):
        for j, report in enumerate(element.get("sensorReport") or []):
            substance = str(report.get("chemicalSubstance", ""))
            if not substance.startswith(EXTENSION_NAMESPACE + "element/"):
                continue
            unit = FRACTION_UNITS.get(report.get("uom", "C62"))
            if unit is None or report.get("value") is None:
                raise MappingError(
                    f"sensorElementList.{i}.sensorReport.{j}.uom",
                    "a mass fraction is a value in P1 (percent) or C62 (fraction)",
                )
            symbol = substance.rsplit("/", 1)[1]
            found[symbol] = str(Decimal(str(report["value"])) * unit)
    if not found:
        raise MappingError(
            where,
            f"composition is required: ILMD {reader.ext_key('composition')} or "
            "sensorReports with chemicalSubstance rt:element/<symbol>",
        )
    return found


def _site(event: dict) -> str | None:
    location = (event.get("bizLocation") or {}).get("id")
    if not location:
        return None
    site = gln_site(location)
    if site is None:
        raise MappingError("bizLocation.id", f"{location!r} is no site registered with a GLN")
    return site.code


def _parties(event: dict, key: str, member: str) -> list[tuple[int, str, str]]:
    out = []
    for i, entry in enumerate(event.get(key) or []):
        kind = SOURCE_DESTINATION_TYPE.term(str(entry.get("type", ""))) or entry.get("type")
        out.append((i, kind, str(entry.get(member, ""))))
    return out


def _transactions(reader: Reader) -> list[tuple[int, str, str]]:
    """(position, type, id) of each business transaction; a type in a namespace of
    the sender's context (`rt:btt/customs_declaration`) is read as its full URI."""
    out = []
    for i, entry in enumerate(reader.event.get("bizTransactionList") or []):
        raw = str(entry.get("type", ""))
        kind = BIZ_TRANSACTION_TYPE.term(raw)
        if kind is None:
            prefix, sep, local = raw.partition(":")
            expand = sep and prefix in reader.prefixes and not local.startswith("//")
            kind = reader.prefixes[prefix] + local if expand else raw
        out.append((i, kind, str(entry.get("bizTransaction", ""))))
    return out


def _own_custody(event: dict, reporter: Enterprise) -> None:
    """The sender reports only what it holds: a source owning party must be itself."""
    for i, kind, party in _parties(event, "sourceList", "source"):
        if kind != "owning_party":
            continue
        enterprise = gln_party(party)
        if enterprise is None:
            raise MappingError(f"sourceList.{i}.source", f"{party!r} is no registered party")
        if enterprise.pk != reporter.pk:
            raise MappingError(
                f"sourceList.{i}.source",
                f"{party!r} is {enterprise.identifier}; an enterprise reports only its own custody",
                ErrorCode.REPORTER_NOT_ALLOWED,
            )


def _origin(reader: Reader, event: dict, reporter: Enterprise) -> dict:
    element, where = _single_quantity(event, "quantityList")
    product, code = _lot(element.get("epcClass", ""), f"{where}.epcClass", new=True)
    ilmd = event.get("ilmd") or {}
    lot = {
        "code": code,
        "product": product,
        "mass": _mass(element, where),
        "composition": _composition(reader, ilmd, "ilmd"),
        "site": _site(event),
    }
    item: dict = {"lot": lot}
    if (quota := reader.ext(ilmd, "quota")) is not None:
        return item | {"kind": "mine", "quota": str(quota)}
    if (declaration := reader.ext(ilmd, "customsDeclaration")) is not None:
        country = reader.ext(ilmd, "originCountry")
        if not country:
            raise MappingError(f"ilmd.{reader.ext_key('originCountry')}", "required for an import")
        return item | {
            "kind": "import",
            "customs_declaration": str(declaration),
            "origin_country": str(country),
        }
    if (source := reader.ext(ilmd, "recyclingSource")) is not None:
        return item | {"kind": "recycle", "source": str(source)}
    roles = reporter.role_set()
    kinds = {ROLE_ORIGINS[r] for r in roles if r in ROLE_ORIGINS}
    if kinds == {"recycle"}:
        return item | {"kind": "recycle", "source": "reported through EPCIS"}
    raise MappingError(
        "ilmd",
        f"a new lot needs ILMD {reader.ext_key('quota')} (mining), "
        f"{reader.ext_key('customsDeclaration')} (import) or "
        f"{reader.ext_key('recyclingSource')} (recycling)",
    )


def _transform(reader: Reader, event: dict) -> dict:
    ilmd = event.get("ilmd") or {}
    process = reader.ext(event, "process") or reader.ext(ilmd, "process")
    if not process:
        raise MappingError(reader.ext_key("process"), "a transformation needs its process")
    inputs = []
    for i, element in enumerate(event.get("inputQuantityList") or []):
        where = f"inputQuantityList.{i}"
        _, code = _lot(element.get("epcClass", ""), f"{where}.epcClass")
        inputs.append({"lot": code, "mass": _mass(element, where)})
    outputs = []
    per_lot = reader.ext(ilmd, "compositions") or {}
    elements = event.get("outputQuantityList") or []
    for i, element in enumerate(elements):
        where = f"outputQuantityList.{i}"
        product, code = _lot(element.get("epcClass", ""), f"{where}.epcClass", new=True)
        if isinstance(per_lot, dict) and code in per_lot:
            composition = {str(k): str(v) for k, v in per_lot[code].items()}
        elif len(elements) == 1:
            composition = _composition(reader, ilmd, "ilmd")
        else:
            raise MappingError(
                f"ilmd.{reader.ext_key('compositions')}", f"no composition for output lot {code}"
            )
        outputs.append(
            {
                "code": code,
                "product": product,
                "mass": _mass(element, where),
                "composition": composition,
                "site": _site(event),
            }
        )
    if not inputs:
        raise MappingError("inputQuantityList", "a transformation needs input lots")
    if not outputs:
        raise MappingError("outputQuantityList", "a transformation needs output lots")
    item = {"kind": "transform", "process": str(process), "inputs": inputs, "outputs": outputs}
    if (quota := reader.ext(event, "quota") or reader.ext(ilmd, "quota")) is not None:
        item["quota"] = str(quota)
    return item


def _departure(reader: Reader, event: dict, reporter: Enterprise) -> dict:
    element, where = _single_quantity(event, "quantityList")
    product, code = _lot(element.get("epcClass", ""), f"{where}.epcClass")
    mass = _mass(element, where)
    transactions = _transactions(reader)
    declaration = [t for t in transactions if t[1] == CUSTOMS_DECLARATION]
    buyers = [
        p for p in _parties(event, "destinationList", "destination") if p[1] == "owning_party"
    ]
    if declaration:
        return _export(reader, event, code, product, mass, declaration[0], transactions, buyers)
    if not buyers:
        raise MappingError(
            "destinationList", "a shipment needs a destination of type owning_party (the buyer)"
        )
    i, _, party = buyers[0]
    buyer = gln_party(party)
    if buyer is None:
        raise MappingError(f"destinationList.{i}.destination", f"{party!r} is no registered party")
    contracts = [t for t in transactions if t[1] in CONTRACT_TYPES]
    if not contracts:
        raise MappingError(
            "bizTransactionList",
            "a shipment needs its contract: a po, inv or prodorder transaction",
        )
    return {
        "kind": "ship",
        "lot": code,
        "mass": mass,
        "buyer": buyer.identifier,
        "unit_price": _required_ext(reader, event, "unitPrice"),
        "currency": _required_ext(reader, event, "currency"),
        "contract": transaction_id(contracts[0][2])[:64],
    }


def transaction_id(value: str) -> str:
    """The business transaction's own number: `urn:epcglobal:cbv:bt:<GLN>:<id>` -> id."""
    if value.startswith("urn:epcglobal:cbv:bt:"):
        parts = value.split(":", 5)
        return parts[5] if len(parts) == 6 else parts[-1]
    return value


def _required_ext(reader: Reader, event: dict, local: str) -> str:
    value = reader.ext(event, local)
    if value is None or value == "":
        raise MappingError(reader.ext_key(local), "required")
    return str(value)


def _export(reader, event, code, product, mass, declaration, transactions, buyers) -> dict:
    licences = [t[2] for t in transactions if t[1] == EXPORT_LICENCE]
    consignee = reader.ext(event, "consignee")
    destination = reader.ext(event, "destinationCountry")
    if buyers and (consignee is None or destination is None):
        party = gln_party(buyers[0][2])
        if party is not None:
            consignee = consignee or (party.name_en or party.name_zh)
            destination = destination or party.country
    hs_code = reader.ext(event, "hsCode")
    if hs_code is None and product is not None:
        hs_code = Product.objects.filter(code=product).values_list("hs_code", flat=True).first()
    if not consignee or not destination or not hs_code:
        raise MappingError(
            reader.ext_key(
                "consignee"
                if not consignee
                else "destinationCountry"
                if not destination
                else "hsCode"
            ),
            "an export needs its consignee, destination country and HS code",
        )
    return {
        "kind": "export",
        "lot": code,
        "mass": mass,
        "customs_declaration": transaction_id(declaration[2])[:200],
        "hs_code": str(hs_code),
        "destination": str(destination),
        "consignee": str(consignee),
        "end_user": _required_ext(reader, event, "endUser"),
        "licence": transaction_id(licences[0])[:64] if licences else "",
        "fob_value": _required_ext(reader, event, "fobValue"),
        "currency": _required_ext(reader, event, "currency"),
    }


def _lots_named(event: dict) -> list[str]:
    names = []
    for key in ("epcList", "inputEPCList", "outputEPCList", "childEPCs"):
        names += [str(e) for e in event.get(key) or []]
    for key in ("quantityList", "inputQuantityList", "outputQuantityList", "childQuantityList"):
        names += [str(e.get("epcClass", "")) for e in event.get(key) or [] if isinstance(e, dict)]
    if event.get("parentID"):
        names.append(str(event["parentID"]))
    codes = []
    for name in names:
        _, lot = lgtin_parse(name)
        if lot and lot not in codes:
            codes.append(lot)
    return codes


def _custody_change(reader: Reader, event: dict, reporter: Enterprise, known: Known) -> dict | None:
    """The ledger event `event` becomes, or None when it changes no custody."""
    step = BIZ_STEP.term(str(event.get("bizStep", "")))
    kind = event.get("type")
    if kind == "TransformationEvent":
        return _transform(reader, event)
    if kind == "ObjectEvent" and event.get("action") == "ADD" and step in ORIGIN_STEPS:
        return _origin(reader, event, reporter)
    if kind in {"ObjectEvent", "TransactionEvent"} and step in SHIPPING_STEPS:
        _own_custody(event, reporter)
        return _departure(reader, event, reporter)
    if kind in {"ObjectEvent", "TransactionEvent"} and step in RECEIVING_STEPS:
        return _receipt(reader, event, reporter, known)
    if kind == "ObjectEvent" and (adjustment := reader.ext(event, "adjustment")) is not None:
        return _adjustment(reader, event, adjustment)
    return None


def _adjustment(reader: Reader, event: dict, adjustment) -> dict:
    """A stock count difference or loss: `rt:adjustment` with reason and direction."""
    element, where = _single_quantity(event, "quantityList")
    _, code = _lot(element.get("epcClass", ""), f"{where}.epcClass")
    direction = reader.ext(adjustment, "direction")
    if direction not in {"loss", "gain"}:
        raise MappingError(f"{reader.ext_key('adjustment')}.direction", "'loss' or 'gain'")
    mass = _mass(element, where)
    return {
        "kind": "adjust",
        "lot": code,
        "mass": f"-{mass}" if direction == "loss" else mass,
        "reason": str(reader.ext(adjustment, "reason") or "other"),
        "note": str(reader.ext(adjustment, "note") or "")[:300],
    }


def _receipt(reader: Reader, event: dict, reporter: Enterprise, known: Known) -> dict:
    element, where = _single_quantity(event, "quantityList")
    _, code = _lot(element.get("epcClass", ""), f"{where}.epcClass")
    shipment = reader.ext(event, "shipment")
    if _is_hash(shipment):
        shipment = known.shipments.get(shipment) or ledger_event_id(shipment)
    shipment = shipment or known.shipped.get((code, reporter.identifier))
    if shipment is None:
        found = (
            Shipment.objects.filter(
                lot__code=code, buyer=reporter, event__corrected_by__isnull=True
            )
            .order_by("-event__event_time")
            .values_list("event__event_id", flat=True)
            .first()
        )
        shipment = found
    if shipment is None:
        raise MappingError(
            f"{where}.epcClass", f"no shipment of lot {code} to {reporter.identifier} to receive"
        )
    return {"kind": "receive", "shipment": str(shipment), "mass": _mass(element, where)}


def _is_hash(value) -> bool:
    return isinstance(value, str) and value.startswith("ni:///")


def document_glns(events: list[dict]) -> set[str]:
    """The GS1 keys a document's events name as parties or sites, to read in one go."""
    named = set()
    for event in events:
        named |= {str(s.get("source", "")) for s in event.get("sourceList") or []}
        named |= {str(d.get("destination", "")) for d in event.get("destinationList") or []}
        if location := (event.get("bizLocation") or {}).get("id"):
            named.add(str(location))
    return named


def events_map(
    events: list[tuple[int, str, dict]], prefixes: dict[str, str], reporter: Enterprise
) -> tuple[list[MappedEvent], list[FieldError]]:
    """Map (index, hash ID, JSON event) triples; errors name the index and field."""
    all_prefixes = dict(STANDARD_PREFIXES) | prefixes
    mapped: list[MappedEvent] = []
    errors: list[FieldError] = []
    named = {Reader(e, all_prefixes).ext(e, "shipment") for _, _, e in events}
    known = Known(shipments=ledger_event_ids({n for n in named if _is_hash(n)}))
    by_hash = {hash_id: (index, event) for index, hash_id, event in events}
    plain = {h for _, h, e in events if e.get("errorDeclaration") is None}
    corrective = {
        str(c)
        for _, _, e in events
        for c in ((e.get("errorDeclaration") or {}).get("correctiveEventIDs") or [])
    }
    for index, hash_id, event in events:
        reader = Reader(event, all_prefixes, hash_id)
        reader.plain_hashes = plain
        out = MappedEvent(index, hash_id, event, lots=_lots_named(event))
        try:
            if event.get("errorDeclaration") is not None:
                out.corrects_hash = hash_id
                out.item = _correction(reader, event, by_hash, reporter, known)
            elif hash_id in corrective or str(event.get("eventID", "")) in corrective:
                out.item = None  # applied as the replacement of the correction that names it
            else:
                out.item = _custody_change(reader, event, reporter, known)
        except MappingError as exc:
            errors.append(FieldError(exc.code, f"{exc.field}: {exc.message}", exc.field, index))
            continue
        if out.item is not None:
            out.item |= {
                "event_id": event_id_for(hash_id, correction=out.corrects_hash is not None),
                "event_time": str(
                    (event.get("errorDeclaration") or {}).get("declarationTime")
                    or event.get("eventTime")
                ),
            }
            if out.item["kind"] == "ship":
                known.shipped[(out.item["lot"], out.item["buyer"])] = out.item["event_id"]
        mapped.append(out)
    return mapped, errors


def _correction(
    reader: Reader, event: dict, by_hash: dict, reporter: Enterprise, known: Known
) -> dict:
    declaration = event["errorDeclaration"]
    reason = (
        reader.ext(declaration, "reason")
        or ERROR_REASON.term(str(declaration.get("reason", "")))
        or str(declaration.get("reason") or "error declared through EPCIS")
    )
    corrects = ledger_event_id(reader.hash_id)
    if (
        reader.hash_id not in reader.plain_hashes
        and not Event.objects.filter(event_id=corrects).exists()
    ):
        raise MappingError(
            "errorDeclaration", "declares an error in an event reetrace does not hold"
        )
    item = {
        "kind": "correct",
        "corrects": corrects,
        "action": "void",
        "reason": str(reason)[:200],
    }
    for corrective_id in declaration.get("correctiveEventIDs") or []:
        found = by_hash.get(str(corrective_id)) or next(
            (
                (i, e)
                for i, e in by_hash.values()
                if str(e.get("eventID", "")) == str(corrective_id)
            ),
            None,
        )
        if found is None:
            raise MappingError(
                "errorDeclaration.correctiveEventIDs",
                f"corrective event {corrective_id} is not in this document",
            )
        replacement = _custody_change(Reader(found[1], reader.prefixes), found[1], reporter, known)
        if replacement is None:
            raise MappingError(
                "errorDeclaration.correctiveEventIDs",
                f"corrective event {corrective_id} changes no custody",
            )
        replacement.pop("kind")
        item |= {"action": "replace", "replacement": replacement}
    return item
