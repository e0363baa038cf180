import os

from django.core.asgi import get_asgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reetrace.settings")
application = get_asgi_application()
# As in wsgi.py: the URL modules and the API's schemas load now, not on the first request.
get_resolver().url_patterns  # noqa: B018 (the import is the point)
