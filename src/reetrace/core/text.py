"""One rejection of control characters in every text input (JSON bodies, query strings,
paths, portal forms): PostgreSQL cannot store NUL, and no field of the ledger means
a bell or an escape. Tab, line feed and carriage return stay allowed."""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpRequest, JsonResponse

from reetrace.core.errors import ErrorCode

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character(value: str) -> str | None:
    """The first control character in `value`, as U+XXXX, or None."""
    found = _CONTROL.search(value)
    return None if found is None else f"U+{ord(found.group()):04X}"


def control_character_path(content: Any, path: tuple = ()) -> tuple[tuple, str] | None:
    """Where in parsed JSON (keys included) the first control character is."""
    if isinstance(content, str):
        character = control_character(content)
        return None if character is None else (path, character)
    if isinstance(content, dict):
        for key, value in content.items():
            found = control_character_path(key, path) or control_character_path(value, (*path, key))
            if found:
                return found
    if isinstance(content, list):
        for n, value in enumerate(content):
            found = control_character_path(value, (*path, n))
            if found:
                return found
    return None


def _refusal(where: str, character: str, *, index=None, status=400) -> JsonResponse:
    message = f"{where} contains the control character {character}"
    error = {"index": index, "record": None, "field": where, "code": "invalid", "message": message}
    body = {"code": str(ErrorCode.INVALID), "message": message, "errors": [error]}
    return JsonResponse(body, status=status)


def _body_refusal(path: tuple, character: str) -> JsonResponse:
    """A JSON body's field, named as the API names fields: a batch item's index apart."""
    index = None
    if len(path) >= 2 and path[0] == "events" and isinstance(path[1], int):
        index, path = path[1], path[2:]
    where = ".".join(str(p) for p in path) or "body"
    return _refusal(where, character, index=index, status=422)


class ControlCharacterMiddleware:
    """Refuse a request whose path, query parameters, form fields or JSON body hold
    control characters before any view (or database) sees them: 400 for the URL and
    forms, 422 naming the field for a JSON body (as for any invalid field)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        found = control_character(request.path)
        if found:
            return _refusal("the path", found)
        sources = [("query parameter", request.GET)]
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            sources.append(("form field", request.POST))
        for kind, values in sources:
            for name, items in values.lists():
                for text in (name, *items):
                    found = control_character(text)
                    if found:
                        return _refusal(f"{kind} {name!r}", found)
        if request.content_type == "application/json" and request.body:
            try:
                content = json.loads(request.body)
            except ValueError:
                content = None  # the view answers a body that is not JSON
            in_body = control_character_path(content)
            if in_body is not None:
                return _body_refusal(*in_body)
        return self.get_response(request)
