"""Request size limits answered as the API answers everything: a JSON error naming
the limit, 413 for a body over `DATA_UPLOAD_MAX_MEMORY_SIZE` (a 5,000-event batch
fits well within it), 414 for a URL over `MAX_URL_LENGTH`. Multipart uploads are
bounded by their own forms (documents, event files). Both statuses are documented on
the API's operations (`reetrace.api`)."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse

from reetrace.core.errors import ErrorCode

MAX_URL_LENGTH = 8192


def _refusal(status: int, message: str) -> JsonResponse:
    return JsonResponse(
        {"code": str(ErrorCode.INVALID), "message": message, "errors": []}, status=status
    )


class RequestLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        url = request.get_full_path()
        if len(url) > MAX_URL_LENGTH:
            return _refusal(414, f"the URL is {len(url):,} characters; at most {MAX_URL_LENGTH:,}")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _refusal(400, "Content-Length is not a number")
        if length > limit and not request.content_type.startswith("multipart/"):
            return _refusal(
                413, f"the body is {length:,} bytes; at most {limit:,} bytes (send smaller batches)"
            )
        return self.get_response(request)
