"""The journal as rows: one shape for the API, the portal table and the downloads."""

from __future__ import annotations

import json

from django.utils.translation import gettext_lazy as _

from reetrace.audit.models import AuditEntry

COLUMNS = [
    ("id", _("Entry")),
    ("at", _("At")),
    ("actor", _("Actor")),
    ("actor_role", _("Role")),
    ("office", _("Office")),
    ("action", _("Action")),
    ("object_type", _("Object")),
    ("object_id", _("Object id")),
    ("fields", _("What")),
    ("enterprise", _("Enterprise concerned")),
    ("address", _("From address")),
    ("via", _("Via")),
    ("reason", _("Reason")),
]


def entry_out(entry: AuditEntry) -> dict:
    return {"id": entry.pk, **{name: getattr(entry, name) for name, _ in COLUMNS[1:]}}


def entry_row(entry: AuditEntry) -> dict:
    """A table row: what was done, as compact JSON text."""
    row = entry_out(entry)
    row["fields"] = json.dumps(entry.fields, ensure_ascii=False, sort_keys=True)
    return row
