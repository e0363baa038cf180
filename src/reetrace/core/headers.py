"""Security headers Django 5.2 does not set itself: a Content Security Policy.

Pages load only the project's own scripts and styles (Plotly is shipped with the
package); inline style attributes stay allowed (table heat cells, Plotly's own
styles). The API's interactive docs load Swagger UI from its CDN, so that one
path gets a policy naming the CDN. Frame denial, nosniff, the referrer policy and
HSTS (behind TLS) come from Django's SecurityMiddleware and settings.
"""

from __future__ import annotations

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: "
    "https://django-ninja.dev; object-src 'none'; frame-ancestors 'none'"
)
DOCS_PATH = "/api/v1/docs"


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = DOCS_POLICY if request.path.startswith(DOCS_PATH) else POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        return response
