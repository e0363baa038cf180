"""Registry endpoints: reference tables, enterprises and their sites, quotas."""

from __future__ import annotations

from ninja import Query, Router, Status

from reetrace.core.access import requires
from reetrace.core.errors import Forbidden
from reetrace.core.paging import limit_query, offset_query
from reetrace.core.permissions import Permission
from reetrace.core.schemas import errors
from reetrace.registry import selectors, services
from reetrace.registry.elements import ELEMENTS
from reetrace.registry.models import Product
from reetrace.registry.outputs import enterprise_out, quota_out
from reetrace.registry.schemas import (
    ElementOut,
    EnterpriseIn,
    EnterpriseOut,
    ProductOut,
    QuotaIn,
    QuotaOut,
    SiteIn,
    SiteOut,
    StatusIn,
)

router = Router(tags=["registry"])
ERRORS = errors(400, 401, 403, 404, 409, 422)


@router.get("/elements", response={200: list[ElementOut], **ERRORS}, operation_id="elements_list")
@requires(Permission.REGISTRY_REFERENCE_READ)
def elements_list(request):
    """The 17 rare-earth elements with their oxide and metal-to-oxide factor."""
    return [
        {**e.__dict__, "oxide_to_metal": e.oxide_to_metal, "group": str(e.group)}
        for e in ELEMENTS.values()
    ]


@router.get("/products", response={200: list[ProductOut], **ERRORS}, operation_id="products_list")
@requires(Permission.REGISTRY_REFERENCE_READ)
def products_list(request):
    return list(Product.objects.all())  # reference table: public within the system


@router.get(
    "/enterprises", response={200: list[EnterpriseOut], **ERRORS}, operation_id="enterprises_list"
)
@requires(Permission.REGISTRY_ENTERPRISE_READ)
def enterprises_list(
    request,
    role: str | None = None,
    limit: int = limit_query(200, 1000),
    offset: int = offset_query(),
):
    """Registered enterprises (an enterprise user sees names and roles of all parties)."""
    rows = selectors.enterprises_page(role=role, limit=limit, offset=offset)
    return [enterprise_out(e) for e in rows]


@router.post(
    "/enterprises", response={201: EnterpriseOut, **ERRORS}, operation_id="enterprises_register"
)
@requires(Permission.REGISTRY_ENTERPRISE_WRITE)
def enterprises_register(request, body: EnterpriseIn):
    """Register an enterprise: a USCC with a valid check character, or a foreign party."""
    data = body.dict()
    data["sites"] = [dict(s) for s in data["sites"]]
    enterprise = services.enterprise_register(**data)
    return Status(201, enterprise_out(enterprise))


@router.get(
    "/enterprises/{identifier}",
    response={200: EnterpriseOut, **ERRORS},
    operation_id="enterprises_get",
)
@requires(Permission.REGISTRY_ENTERPRISE_READ)
def enterprises_get(request, identifier: str):
    return enterprise_out(selectors.enterprise_get(identifier))


@router.post(
    "/enterprises/{identifier}/sites",
    response={201: SiteOut, **ERRORS},
    operation_id="enterprises_site_add",
)
@requires(Permission.REGISTRY_ENTERPRISE_READ)
def enterprises_site_add(request, identifier: str, body: SiteIn):
    """Add a site; an enterprise user may add sites to its own enterprise only."""
    enterprise = selectors.enterprise_get(identifier)
    actor = request.auth
    own = actor.enterprise_id == enterprise.pk
    if not (own or actor.has_permission(Permission.REGISTRY_ENTERPRISE_WRITE)):
        raise Forbidden("you may add sites to your own enterprise only")
    site = services.site_add(enterprise=enterprise, **body.dict())
    return Status(
        201, {"code": site.code, "name": site.name, "kind": site.kind, "province": site.province}
    )


@router.post(
    "/enterprises/{identifier}/status",
    response={200: EnterpriseOut, **ERRORS},
    operation_id="enterprises_status_set",
)
@requires(Permission.REGISTRY_ENTERPRISE_WRITE)
def enterprises_status_set(request, identifier: str, body: StatusIn):
    """Suspend or reactivate an enterprise; a suspended one cannot report events."""
    return enterprise_out(services.enterprise_status_set(identifier=identifier, status=body.status))


@router.get("/quotas", response={200: list[QuotaOut], **ERRORS}, operation_id="quotas_list")
@requires(Permission.REGISTRY_QUOTA_READ)
def quotas_list(request, year: int | None = Query(None, ge=2000, le=2100, description="e.g. 2025")):
    return [quota_out(q) for q in selectors.quotas_of_year(year)]


@router.post("/quotas", response={201: QuotaOut, **ERRORS}, operation_id="quotas_issue")
@requires(Permission.REGISTRY_QUOTA_WRITE)
def quotas_issue(request, body: QuotaIn):
    """Record an annual mining or smelting-separation quota (t REO, light and medium/heavy)."""
    return Status(201, quota_out(services.quota_issue(**body.dict())))
