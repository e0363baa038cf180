"""plotly.js, served from the pinned `plotly` package: the portal never loads code
from the internet, so charts work on a closed network."""

from __future__ import annotations

from functools import cache
from importlib.metadata import version
from pathlib import Path

import plotly
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
PLOTLY_VERSION = version("plotly")
YEAR = 365 * 24 * 3600


@cache
def plotly_bytes() -> bytes:
    """Read once per process (about 4.6 MB); browsers then keep it for a year."""
    return PLOTLY_JS.read_bytes()


@require_GET
def plotly_js(request: HttpRequest, release: str) -> HttpResponse:
    """The file under a versioned URL, so a new plotly release gets a new URL."""
    if release != PLOTLY_VERSION or not PLOTLY_JS.exists():
        raise Http404
    response = HttpResponse(plotly_bytes(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response
