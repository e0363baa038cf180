"""Writes of licence applications: creation with its items, and document uploads.

The workflow (submit, accept, review, decide) is in workflow.py.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from reetrace.accounts.models import User
from reetrace.core.errors import ErrorCode, Forbidden, NotFound, ReetraceError
from reetrace.core.quantities import parse_mass
from reetrace.exportcontrol.choices import EDITABLE_STATES, DocumentKind, LicenceKind
from reetrace.exportcontrol.classification import classify
from reetrace.exportcontrol.control_list import CONTROL_FORMS
from reetrace.exportcontrol.models import Application, ApplicationItem, Document
from reetrace.ledger.codes import lot_code_validate
from reetrace.ledger.models import Lot, Posting
from reetrace.ledger.rules import CHINA_TIME, ceiling_check, composition_parse, compound_of
from reetrace.registry.choices import ProductForm
from reetrace.registry.identifiers import country_validate
from reetrace.registry.models import Enterprise, Product

__all__ = ["application_create", "china_date", "document_add", "lot_classify", "number_next"]

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
_FORMS = CONTROL_FORMS | set(ProductForm.values)


def china_date(moment: datetime):
    return moment.astimezone(CHINA_TIME).date()


def number_next(model: Any, prefix: str, year: int, create) -> Any:
    """Create a row with the next free number `PREFIX-YYYY-NNNNNN` (retries on a race)."""
    for _ in range(5):
        stem = f"{prefix}-{year}-"
        taken = model.objects.filter(number__startswith=stem).count()
        try:
            with transaction.atomic():
                return create(f"{stem}{taken + 1:06d}")
        except IntegrityError:
            continue
    raise ReetraceError(ErrorCode.INVALID, f"could not allocate a {prefix} number; retry")


def _applicant(actor: User, identifier: str | None) -> Enterprise:
    if actor.enterprise_id:
        if identifier and identifier != actor.enterprise.identifier:
            raise Forbidden(f"you may apply only for your own enterprise, not {identifier}")
        return actor.enterprise
    if not identifier:
        raise ReetraceError(
            ErrorCode.INVALID,
            "applicant is required for users without an enterprise",
            field="applicant",
        )
    enterprise = Enterprise.objects.filter(identifier=identifier).first()
    if enterprise is None:
        raise NotFound("enterprise", identifier, field="applicant")
    return enterprise


def _item_lot(raw: str, applicant: Enterprise, where: str) -> Lot:
    code = lot_code_validate(raw, field=f"{where}.lot")
    lot = Lot.objects.filter(code=code).select_related("product").first()
    held = lot and Posting.objects.filter(lot=lot, holder=applicant).exists()
    if not held:
        raise NotFound("lot", code, field=f"{where}.lot")
    return lot


def _item(raw: dict, n: int, applicant: Enterprise, today) -> ApplicationItem:
    """One applied-for item from a lot, a catalogue product or a bare form + composition."""
    where = f"items.{n}"
    product_code, lot = raw.get("product") or "", None
    if raw.get("lot"):
        lot = _item_lot(raw["lot"], applicant, where)
        form, composition = lot.product.form, lot.composition()
        product_code = lot.product.code
    else:
        form = raw.get("form") or ""
        if product_code:
            product = Product.objects.filter(code=product_code).first()
            if product is None:
                raise ReetraceError(
                    ErrorCode.UNKNOWN_PRODUCT,
                    f"product {product_code!r} is not in the catalogue",
                    field=f"{where}.product",
                )
            form = form or product.form
        if form not in _FORMS:
            raise ReetraceError(
                ErrorCode.INVALID,
                f"{where}: form {form!r} is not one of {sorted(_FORMS)}",
                field=f"{where}.form",
            )
        composition = composition_parse(raw.get("composition") or {}, field=f"{where}.composition")
        ceiling_check(composition, compound_of(form, product_code), field=f"{where}.composition")
    kg = parse_mass(raw.get("mass"), field=f"{where}.mass")
    if kg <= 0:
        raise ReetraceError(
            ErrorCode.QUANTITY_NOT_POSITIVE,
            f"{where}.mass must be more than 0 kg",
            field=f"{where}.mass",
        )
    result = classify(form, composition, None, today)
    return ApplicationItem(
        position=n,
        product_code=product_code,
        form=form,
        lot=lot,
        kg=kg,
        composition={el: str(f) for el, f in sorted(composition.items())},
        value=Decimal(str(raw.get("value", "0"))),
        currency=raw.get("currency", "CNY"),
        control_codes=sorted({m.code for m in result.matches + result.suspended_matches}),
    )


@transaction.atomic
def application_create(*, actor: User, data: dict, now: datetime | None = None) -> Application:
    """A draft application with its items, classified on the day it is written."""
    now = now or timezone.now()
    applicant = _applicant(actor, data.get("applicant"))
    if not data.get("items"):
        raise ReetraceError(
            ErrorCode.INVALID, "an application needs at least one item", field="items"
        )
    items = [_item(raw, n, applicant, china_date(now)) for n, raw in enumerate(data["items"])]
    fields = {
        "kind": data.get("kind") or LicenceKind.INDIVIDUAL,
        "applicant": applicant,
        "created_by": actor,
        "consignee_name": data["consignee"]["name"],
        "consignee_country": country_validate(
            data["consignee"]["country"], field="consignee.country"
        ),
        "end_user_name": data["end_user"]["name"],
        "end_user_country": country_validate(data["end_user"]["country"], field="end_user.country"),
        "end_use": data["end_use"],
        "destination": country_validate(data["destination"], field="destination"),
        "contract_number": data["contract_number"],
        "created_at": now,
    }
    if fields["destination"] == "CN":
        raise ReetraceError(
            ErrorCode.COUNTRY_INVALID, "destination cannot be CN", field="destination"
        )
    application = number_next(
        Application,
        "EA",
        china_date(now).year,
        lambda number: Application.objects.create(number=number, **fields),
    )
    for item in items:
        item.application = application
    ApplicationItem.objects.bulk_create(items)
    return application


def _own(actor: User, application: Application) -> None:
    if not actor.scope.acts_for(application.applicant_id):
        raise Forbidden("only the applicant may change its application")


@transaction.atomic
def document_add(
    *, actor: User, application: Application, kind: str, filename: str, content: bytes
) -> Document:
    """Store a document with its SHA-256 and size; only while the applicant may edit."""
    _own(actor, application)
    if kind not in DocumentKind.values:
        raise ReetraceError(
            ErrorCode.INVALID, f"kind {kind!r} is not one of {DocumentKind.values}", field="kind"
        )
    if application.state not in EDITABLE_STATES:
        raise ReetraceError(
            ErrorCode.INVALID,
            f"documents can be added only while the application is draft or information "
            f"requested; {application.number} is {application.state}",
            field="kind",
            status=409,
        )
    if not content or len(content) > MAX_DOCUMENT_BYTES:
        raise ReetraceError(
            ErrorCode.INVALID, f"a document must have 1 to {MAX_DOCUMENT_BYTES} bytes", field="file"
        )
    document = Document(
        application=application,
        kind=kind,
        filename=filename[:200] or "document",
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        uploaded_by=actor,
        uploaded_at=timezone.now(),
    )
    document.file.save(
        f"{application.number}-{kind}-{document.sha256[:12]}", ContentFile(content), save=False
    )
    document.save()
    return document


def lot_classify(*, lot: Lot, on_date, hs_code: str | None = None):
    """Classify an existing lot: its catalogue form and its recorded composition."""
    return classify(lot.product.form, lot.composition(), hs_code or lot.product.hs_code, on_date)
