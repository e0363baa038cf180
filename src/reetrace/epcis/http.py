"""What every /epcis/ endpoint shares: who is calling, the GS1 headers, problem+json.

The EPCIS REST bindings are not reetrace's /api/v1: their bodies are JSON-LD
documents and their errors RFC 7807 problems typed as the standard names them
(`epcisException:ValidationException`, ...), so they are plain Django views. Access
is reetrace's all the same: a bearer token (or a portal session for reads), one
`Permission` per operation checked on the role, and `core.access.access_record`
told what was answered, so the audit journal sees EPCIS reads like any other.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from reetrace.accounts.tokens import token_authenticate
from reetrace.core.access import access_record
from reetrace.core.errors import ReetraceError
from reetrace.core.permissions import Permission
from reetrace.epcis.capture import CAPTURE_LIMIT, FILE_SIZE_LIMIT, CaptureRefused
from reetrace.epcis.validation import SchemaUnavailable

__all__ = ["PROBLEM", "discovery_headers", "endpoint", "problem"]

PROBLEM = "application/problem+json"
EPCIS_VERSION = "2.0.0"
CBV_VERSION = "2.0.0"
EXCEPTIONS = {
    400: "epcisException:ValidationException",
    401: "epcisException:SecurityException",
    403: "epcisException:SecurityException",
    404: "epcisException:NoSuchResourceException",
    406: "epcisException:NotAcceptableException",
    409: "epcisException:ResourceAlreadyExistsException",
    413: "epcisException:CaptureLimitExceededException",
    415: "epcisException:UnsupportedMediaTypeException",
}


def discovery_headers(response: HttpResponse, allow: str) -> HttpResponse:
    response["Allow"] = allow
    response["GS1-EPCIS-Version"] = EPCIS_VERSION
    response["GS1-EPCIS-Min"] = EPCIS_VERSION
    response["GS1-EPCIS-Max"] = EPCIS_VERSION
    response["GS1-CBV-Version"] = CBV_VERSION
    response["GS1-CBV-Min"] = CBV_VERSION
    response["GS1-CBV-Max"] = CBV_VERSION
    response["GS1-EPC-Format"] = "Always_GS1_Digital_Link"
    response["GS1-EPCIS-Capture-Limit"] = str(CAPTURE_LIMIT)
    response["GS1-EPCIS-Capture-File-Size-Limit"] = str(FILE_SIZE_LIMIT)
    response["GS1-Capture-Error-Behaviour"] = "rollback"
    return response


def problem(status: int, detail: str, *, kind: str | None = None, errors=None) -> JsonResponse:
    """An RFC 7807 problem; `errors` (index, field, message) when events are at fault."""
    body = {
        "type": kind or EXCEPTIONS.get(status, "epcisException:ImplementationException"),
        "title": detail,
        "status": status,
    }
    if errors:
        body["errors"] = errors
    response = JsonResponse(body, status=status, content_type=PROBLEM)
    response["GS1-EPCIS-Version"] = EPCIS_VERSION
    return response


def _caller(request: HttpRequest):
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return token_authenticate(header[7:].strip())
    user = getattr(request, "user", None)
    if request.method in {"GET", "HEAD", "OPTIONS"} and user is not None and user.is_authenticated:
        return user
    return None


def endpoint(permission: Permission | None, methods: set[str]) -> Callable:
    """An EPCIS view: methods allowed, the caller authenticated (bearer token; a session
    for reads), `permission` checked, versions honoured, errors as problems."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if request.method not in methods:
                response = problem(405, f"{request.method} is not allowed here")
                response["Allow"] = ", ".join(sorted(methods))
                return response
            for header, served in (
                ("GS1-EPCIS-Version", EPCIS_VERSION),
                ("GS1-CBV-Version", CBV_VERSION),
            ):
                asked = request.headers.get(header)
                if asked and asked not in {"2.0", served}:
                    return problem(406, f"{header} {asked} is not served; {served} is")
            if permission is None:
                return view(request, *args, **kwargs)
            user = _caller(request)
            if user is None:
                return problem(401, "authenticate with `Authorization: Bearer <token>`")
            if not user.has_permission(permission):
                return problem(403, f"your role does not allow {permission}")
            request.auth = user
            try:
                response = view(request, *args, **kwargs)
            except CaptureRefused as refused:
                response = problem(
                    refused.status, refused.title, kind=refused.kind, errors=refused.errors
                )
            except ReetraceError as exc:
                response = problem(exc.status, exc.message, errors=[exc.as_field_error().as_dict()])
            except SchemaUnavailable as exc:
                response = problem(503, str(exc), kind="epcisException:ImplementationException")
            access_record(request, [permission], kwargs, response.status_code)
            response["GS1-EPCIS-Version"] = EPCIS_VERSION
            response["GS1-CBV-Version"] = CBV_VERSION
            return response

        return wrapper

    return decorate


def json_body(data) -> HttpResponse:
    return HttpResponse(json.dumps(data, default=str), content_type="application/ld+json")
