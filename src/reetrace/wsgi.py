import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reetrace.settings")
application = get_wsgi_application()
# Import the URL modules now, not on a worker's first request: the API builds the
# schemas of its seventy operations on import (about a second on an idle core, five
# on a busy one), which made the first page a worker served the slowest of its day.
get_resolver().url_patterns  # noqa: B018 (the import is the point)
