"""The audit journal: who did or read what, when, from where and why.

Entries are appended, never changed: the model refuses updates and deletes, and
each entry's hash covers its content and the entry before it (`audit/journal.py`),
so an edit made behind the application's back (raw SQL) is found by
`reetrace audit verify`. Actor and enterprise are kept as text, not keys: the
journal must read the same after a user or enterprise is renamed or removed.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reetrace.audit.choices import AuditAction


class AppendOnly(Exception):
    pass


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("audit entries are never changed")

    def delete(self):
        raise AppendOnly("audit entries are never deleted")


class AuditEntry(models.Model):
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.CharField(_("actor"), max_length=150)
    actor_role = models.CharField(_("role"), max_length=32, blank=True)
    office = models.CharField(_("office"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(_("object"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=200, blank=True)
    fields = models.JSONField(_("what"), default=dict)
    enterprise = models.CharField(_("enterprise concerned"), max_length=64, blank=True)
    address = models.CharField(_("from address"), max_length=45, blank=True)
    via = models.CharField(_("via"), max_length=32, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    entry_hash = models.CharField(max_length=64)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["enterprise", "action", "at"]),
            models.Index(fields=["action", "at"]),
            models.Index(fields=["actor", "at"]),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly(f"audit entry {self.pk} is never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly(f"audit entry {self.pk} is never deleted")


class AuditHead(models.Model):
    """The journal's last hash; its row lock orders appends."""

    last_hash = models.CharField(max_length=64)
    length = models.PositiveBigIntegerField(default=0)
