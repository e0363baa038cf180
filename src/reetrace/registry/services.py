"""Writes to the registry: registering enterprises and sites, suspending, issuing quotas."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from reetrace.core.errors import ErrorCode, NotFound, ReetraceError
from reetrace.registry.choices import EnterpriseRole
from reetrace.registry.identifiers import country_validate, uscc_validate
from reetrace.registry.models import (
    Enterprise,
    EnterpriseGroup,
    EnterpriseRoleGrant,
    Quota,
    Site,
)


def enterprise_identifier(*, country: str, identifier: str | None, foreign_id: str | None) -> str:
    """USCC for Chinese enterprises; 'CC:id' for foreign parties."""
    country = country_validate(country)
    if country == "CN":
        return uscc_validate(identifier or "", field="identifier")
    local = (foreign_id or identifier or "").strip()
    if not local:
        raise ReetraceError(
            ErrorCode.IDENTIFIER_INVALID, "a foreign party needs foreign_id", field="foreign_id"
        )
    return f"{country}:{local}"


@transaction.atomic
def enterprise_register(
    *,
    country: str,
    identifier: str | None,
    foreign_id: str | None = None,
    name_zh: str = "",
    name_en: str = "",
    province: str = "",
    group: str | None = None,
    roles: list[str],
    sites: list[dict] | None = None,
) -> Enterprise:
    """Register an enterprise with its roles and sites."""
    code = enterprise_identifier(country=country, identifier=identifier, foreign_id=foreign_id)
    if not (name_zh or name_en):
        raise ReetraceError(
            ErrorCode.INVALID, "a name (Chinese or English) is required", field="name_en"
        )
    domestic = country.upper() == "CN"
    if domestic == (EnterpriseRole.FOREIGN_BUYER in roles) or (
        not domestic and len(set(roles)) > 1
    ):
        raise ReetraceError(
            ErrorCode.INVALID,
            "a foreign party has exactly the role foreign_buyer; a Chinese enterprise never has it",
            field="roles",
        )
    group_row = None
    if group:
        group_row = EnterpriseGroup.objects.filter(code=group).first()
        if group_row is None:
            raise ReetraceError(ErrorCode.INVALID, f"group {group!r} does not exist", field="group")
    if Enterprise.objects.filter(identifier=code).exists():
        raise ReetraceError(
            ErrorCode.IDENTIFIER_TAKEN,
            f"enterprise {code} is already registered",
            field="identifier",
            status=409,
        )
    enterprise = Enterprise.objects.create(
        identifier=code,
        country=country.upper(),
        name_zh=name_zh,
        name_en=name_en,
        province=province,
        group=group_row,
    )
    EnterpriseRoleGrant.objects.bulk_create(
        EnterpriseRoleGrant(enterprise=enterprise, role=r) for r in sorted(set(roles))
    )
    for index, site in enumerate(sites or []):
        site_add(enterprise=enterprise, field_prefix=f"sites.{index}", **site)
    return enterprise


def site_add(
    *,
    enterprise: Enterprise,
    code: str,
    name: str,
    kind: str,
    province: str = "",
    field_prefix: str = "site",
) -> Site:
    try:
        with transaction.atomic():
            return Site.objects.create(
                enterprise=enterprise, code=code, name=name, kind=kind, province=province
            )
    except IntegrityError as exc:
        raise ReetraceError(
            ErrorCode.IDENTIFIER_TAKEN,
            f"site code {code!r} is already in use",
            field=f"{field_prefix}.code",
            status=409,
        ) from exc


@transaction.atomic
def enterprise_status_set(*, identifier: str, status: str) -> Enterprise:
    enterprise = Enterprise.objects.select_for_update().filter(identifier=identifier).first()
    if enterprise is None:
        raise NotFound("enterprise", identifier)
    enterprise.status = status
    enterprise.save(update_fields=["status"])
    return enterprise


@transaction.atomic
def quota_issue(
    *, code: str, enterprise: str, year: int, kind: str, light_t, medium_heavy_t, document: str
) -> Quota:
    """Record a quota issued by the ministries to one enterprise for one year."""
    holder = Enterprise.objects.filter(identifier=enterprise).first()
    if holder is None:
        raise ReetraceError(
            ErrorCode.UNKNOWN_ENTERPRISE,
            f"enterprise {enterprise!r} is not registered",
            field="enterprise",
        )
    if Quota.objects.filter(code=code).exists():
        raise ReetraceError(
            ErrorCode.IDENTIFIER_TAKEN, f"quota {code} already exists", field="code", status=409
        )
    return Quota.objects.create(
        code=code,
        enterprise=holder,
        year=year,
        kind=kind,
        light_t=light_t,
        medium_heavy_t=medium_heavy_t,
        document=document,
    )
