"""The one JSON API (Django Ninja) under /api/v1/: auth, error rendering, routers."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from reetrace import __version__
from reetrace.accounts.api import router as accounts_router
from reetrace.accounts.auth import API_AUTH
from reetrace.audit.api import router as audit_router
from reetrace.compliance.api import router as compliance_router
from reetrace.core.errors import BatchRejected, ErrorCode, ReetraceError
from reetrace.core.rendering import ORJSONRenderer
from reetrace.core.schemas import ErrorOut
from reetrace.exportcontrol.api import router as exportcontrol_router
from reetrace.ledger.api import router as ledger_router
from reetrace.ledger.choices import EventKind
from reetrace.reconciliation.api import router as reconciliation_router
from reetrace.registry.api import router as registry_router
from reetrace.reporting.api import router as reporting_router
from reetrace.trace.api import public_router
from reetrace.trace.api import router as trace_router

api = NinjaAPI(
    title="reetrace",
    version=__version__,
    description=(
        "Rare-earth product traceability and export control. Authenticate with "
        "`Authorization: Bearer <token>` (tokens from `reetrace token create` or POST /tokens) "
        "or a portal session. Masses are kg unless a unit is given; errors name the record "
        "(batch index) and the field."
    ),
    auth=API_AUTH,
    renderer=ORJSONRenderer(),
    urls_namespace="api-v1",
)


@api.exception_handler(ReetraceError)
def _domain_error(request, exc: ReetraceError):
    body = {
        "code": str(exc.code),
        "message": exc.message,
        "errors": [exc.as_field_error().as_dict()],
    }
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(BatchRejected)
def _batch_rejected(request, exc: BatchRejected):
    body = {
        "code": str(ErrorCode.BATCH_REJECTED),
        "message": f"{len(exc.errors)} error(s); nothing was saved",
        "errors": [e.as_dict() for e in exc.errors],
    }
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(NinjaValidationError)
def _shape_error(request, exc: NinjaValidationError):
    errors = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ())]
        index = next((int(p) for p in loc if p.isdigit()), None)
        path = [p for p in loc[1:] if p not in {"batch", "body", "filters"}]
        if index is not None and "events" in path:
            path = path[path.index("events") + 2 :]
            path = [p for p in path if p not in _EVENT_TAGS]
        errors.append(
            {
                "index": index,
                "record": None,
                "field": ".".join(path) or None,
                "code": str(ErrorCode.INVALID),
                "message": f"{'.'.join(path)}: {err.get('msg')}",
            }
        )
    body = {
        "code": str(ErrorCode.INVALID),
        "message": "the request does not have the expected shape",
        "errors": errors,
    }
    return api.create_response(request, body, status=422)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    """Ninja's own refusals (e.g. a body that is not JSON) in the common error shape."""
    body = {"code": str(ErrorCode.INVALID), "message": exc.message, "errors": []}
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    body = {
        "code": str(ErrorCode.UNAUTHENTICATED),
        "message": "send 'Authorization: Bearer <token>' or log in",
        "errors": [],
    }
    return api.create_response(request, body, status=401)


_EVENT_TAGS = frozenset(EventKind.values)  # the union tags pydantic puts in error paths

api.add_router("/", accounts_router)
api.add_router("/", registry_router)
api.add_router("/", ledger_router)
api.add_router("/", trace_router)
api.add_router("/", reporting_router)
api.add_router("/", compliance_router)
api.add_router("/", exportcontrol_router)
api.add_router("/", reconciliation_router)
api.add_router("/", audit_router)
api.add_router("/", public_router)


def _document_limits() -> None:
    """Every operation may be answered 400 (a control character in the URL,
    `core/text.py`) and 414 (URL too long), and one with a body 413 (`core/limits.py`),
    before any view runs: the published schema says so."""
    for _, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                statuses = [400, 414]
                if set(operation.methods) & {"POST", "PUT", "PATCH"}:
                    statuses.append(413)
                for status in statuses:
                    operation.response_models.setdefault(
                        status, operation._create_response_model(ErrorOut)
                    )


_document_limits()
