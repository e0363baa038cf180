"""The ledger's export guard: a controlled export must cite a licence that covers it,
and is drawn down from it in the same transaction as the export event.

The licence row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite's
IMMEDIATE transactions already serialise writers) before its remaining kg is
read, so two concurrent exports cannot both spend the last kilograms. Exports of
one batch share the guard's state dict, so they draw from the same balance.
Refused attempts are kept by a rejection listener for customs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from reetrace.core.errors import ErrorCode, FieldError, ReetraceError
from reetrace.exportcontrol.classification import Classification, classify
from reetrace.exportcontrol.models import Drawdown, Licence, LicenceItem, RefusedExport
from reetrace.ledger.capture import ExportCheck
from reetrace.ledger.rules import CHINA_TIME

__all__ = ["export_guard", "licence_remaining", "refused_exports_record"]


def kg_text(kg: Decimal) -> str:
    """'200' for 200.000000: masses in messages read as people write them."""
    return f"{kg.normalize():f}"


def _same_party(a: str, b: str) -> bool:
    return " ".join((a or "").casefold().split()) == " ".join((b or "").casefold().split())


@dataclass
class Balance:
    licence: Licence
    items: list[LicenceItem]
    remaining: dict[int | None, Decimal]  # item pk (None: a general licence's cap) -> kg


def licence_remaining(licence: Licence) -> dict[int | None, Decimal]:
    """Kg left per licence item (general licences: one cap under key None).

    Drawdowns of export events later voided by a correction give their kg back.
    """
    return _remaining(licence, list(licence.items.all()), _drawn([licence]))


def _drawn(licences: list[Licence]) -> dict[tuple[int, int | None], Decimal]:
    """Kg drawn per (licence, item) by exports that still stand."""
    rows = (
        Drawdown.objects.filter(licence__in=licences, event__corrected_by__isnull=True)
        .values("licence_id", "item_id")
        .annotate(kg=Sum("kg"))
    )
    return {(row["licence_id"], row["item_id"]): row["kg"] for row in rows}


def _remaining(
    licence: Licence, items: list[LicenceItem], drawn: dict[tuple[int, int | None], Decimal]
) -> dict[int | None, Decimal]:
    used = {item: kg for (number, item), kg in drawn.items() if number == licence.pk}
    if licence.kg_cap is not None:
        return {None: licence.kg_cap - sum(used.values(), Decimal(0))}
    return {i.pk: i.kg - used.get(i.pk, Decimal(0)) for i in items}


def _balance(number: str, state: dict) -> Balance:
    """The licence's balance for this batch; the first call reads every licence the
    batch cites (`state["cited"]`, seeded by the ledger), locked in key order."""
    if number not in state:
        _balances_read({number, *state.pop("cited", ())}, state)
    if number not in state:
        raise ReetraceError(
            ErrorCode.LICENCE_UNKNOWN, f"licence {number!r} does not exist", field="licence"
        )
    return state[number]


def _balances_read(numbers: set[str], state: dict) -> None:
    rows = Licence.objects.filter(number__in=numbers).order_by("pk")
    if connection.features.has_select_for_update:
        rows = rows.select_for_update()
    licences = [licence for licence in rows if licence.number not in state]
    items: dict[int, list[LicenceItem]] = {licence.pk: [] for licence in licences}
    for item in LicenceItem.objects.filter(licence__in=licences).order_by("licence", "position"):
        items[item.licence_id].append(item)
    drawn = _drawn(licences)
    for licence in licences:
        remaining = _remaining(licence, items[licence.pk], drawn)
        state[licence.number] = Balance(licence, items[licence.pk], remaining)


def _refuse(message: str, code: ErrorCode = ErrorCode.LICENCE_SCOPE_MISMATCH) -> ReetraceError:
    return ReetraceError(code, message, field="licence", status=403)


def _check_scope(check: ExportCheck, licence: Licence, on: date) -> None:
    if licence.exporter_id != check.reporter.pk:
        raise _refuse(
            f"licence {licence.number} was issued to another exporter", ErrorCode.LICENCE_NOT_VALID
        )
    if not licence.valid_from <= on <= licence.valid_until:
        raise _refuse(
            f"licence {licence.number} is valid {licence.valid_from} to {licence.valid_until}, "
            f"not on {on}",
            ErrorCode.LICENCE_NOT_VALID,
        )
    if licence.destination != check.destination:
        raise _refuse(
            f"licence {licence.number} covers destination {licence.destination}, "
            f"not {check.destination}"
        )
    if not _same_party(licence.consignee_name, check.consignee):
        raise _refuse(
            f"licence {licence.number} names consignee {licence.consignee_name!r}, "
            f"not {check.consignee!r}"
        )
    if not _same_party(licence.end_user_name, check.end_user):
        raise _refuse(
            f"licence {licence.number} names end user {licence.end_user_name!r}, "
            f"not {check.end_user!r}"
        )


def _covering_item(balance: Balance, form: str, result: Classification) -> int | None:
    if balance.licence.kg_cap is not None:
        return None  # a general licence covers any controlled item
    codes = set(result.codes)
    for item in balance.items:
        if item.form == form and codes <= set(item.control_codes):
            return item.pk
    raise _refuse(
        f"licence {balance.licence.number} does not cover a {form} item controlled under "
        f"{', '.join(sorted(codes))}"
    )


def export_guard(check: ExportCheck, state: dict) -> list[Any]:
    """Refuse an unlicensed controlled export; otherwise return its Drawdown row."""
    on = check.event.event_time.astimezone(CHINA_TIME).date()
    form = check.lot.product.form
    result = classify(form, check.composition, check.hs_code, on)
    if not result.licence_required:
        return []
    if not check.licence:
        reasons = "; ".join(m.reason for m in result.matches)
        raise _refuse(
            f"lot {check.lot.code} is controlled on {on} ({reasons}); "
            "the export must cite a licence",
            ErrorCode.LICENCE_REQUIRED,
        )
    balance = _balance(check.licence, state)
    _check_scope(check, balance.licence, on)
    key = _covering_item(balance, form, result)
    left = balance.remaining.get(key, Decimal(0))
    if check.kg > left:
        raise _refuse(
            f"licence {balance.licence.number} has {kg_text(left)} kg left; "
            f"this export needs {kg_text(check.kg)} kg",
            ErrorCode.LICENCE_EXHAUSTED,
        )
    balance.remaining[key] = left - check.kg
    item = next((i for i in balance.items if i.pk == key), None)
    return [Drawdown(event=check.event, licence=balance.licence, item=item, kg=check.kg)]


def refused_exports_record(actor: Any, items: list[Any], errors: list[FieldError]) -> None:
    """Keep every refused export item of a refused batch, in its own transaction."""
    by_index: dict[int, list[FieldError]] = {}
    for error in errors:
        if error.index is not None:
            by_index.setdefault(error.index, []).append(error)
    rows = []
    now = timezone.now()
    for index, item in enumerate(items):
        if getattr(item, "kind", None) != "export" or index not in by_index:
            continue
        found = by_index[index]
        exporter = item.reporter or (actor.enterprise.identifier if actor.enterprise_id else "")
        rows.append(
            RefusedExport(
                event_id=item.event_id,
                exporter=exporter,
                submitted_by=actor,
                lot=str(item.lot)[:32],
                mass=str(item.mass)[:64],
                destination=str(item.destination)[:8],
                consignee=item.consignee,
                end_user=item.end_user,
                licence_cited=item.licence,
                reason="; ".join(e.message for e in found),
                codes=sorted({str(e.code) for e in found}),
                at=now,
            )
        )
    if rows:
        with transaction.atomic():
            RefusedExport.objects.bulk_create(rows)
