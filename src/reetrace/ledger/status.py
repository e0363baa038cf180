"""The admin status page (/admin/status/): the databases, the chain's length and the
read replica's lag. It lives with the ledger, whose chain head it reads."""

from __future__ import annotations

from django.contrib import admin
from django.db import connection
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from reetrace.core.replication import replica_status
from reetrace.ledger.models import ChainHead


def status_page(request):
    """Staff only (wrapped by admin_view in urls.py)."""
    head = ChainHead.objects.filter(pk=1).first()
    context = {
        **admin.site.each_context(request),
        "title": _("System status"),
        "vendor": connection.vendor,
        "chain_length": head.length if head else 0,
        "replica": replica_status(),
    }
    return TemplateResponse(request, "admin/reetrace_status.html", context)
