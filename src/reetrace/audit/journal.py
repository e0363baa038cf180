"""Appending to the audit journal and verifying it.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's
canonical content (every stored field, times in UTC); appends take the AuditHead
row lock, so keys follow journal order. `journal_verify` recomputes every hash
from what is stored and names the first entry that does not match.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from django.db import transaction

from reetrace.audit.choices import AuditAction
from reetrace.audit.context import origin
from reetrace.audit.models import AuditEntry, AuditHead

GENESIS = "0" * 64
HASHED = [
    "at", "actor", "actor_role", "office", "action", "object_type", "object_id",
    "fields", "enterprise", "address", "via", "reason",
]  # fmt: skip


def entry_hash(previous: str, entry: AuditEntry) -> str:
    content = {name: getattr(entry, name) for name in HASHED}
    content["at"] = entry.at.astimezone(UTC).isoformat()
    material = previous + json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(material.encode()).hexdigest()


def audit_record(
    action: AuditAction,
    object_type: str,
    object_id: object = "",
    *,
    fields: dict | None = None,
    enterprise: str = "",
    reason: str = "",
    user=None,
    request=None,
) -> AuditEntry:
    """Append one entry; who and from where come from the request being served."""
    who = origin(user, request)
    entry = AuditEntry(
        actor=who.actor[:150],
        actor_role=who.actor_role,
        office=who.office,
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:200],
        fields=json.loads(json.dumps(fields or {}, default=str)),
        enterprise=enterprise or "",
        address=who.address,
        via=who.via[:32],
        reason=reason or "",
    )
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_hash": GENESIS}
        )
        entry.entry_hash = entry_hash(head.last_hash, entry)
        entry.save()
        head.last_hash = entry.entry_hash
        head.length += 1
        head.save(update_fields=["last_hash", "length"])
    return entry


@dataclass
class JournalBreak:
    entry: int
    position: int
    reason: str

    def __str__(self) -> str:
        return (
            f"audit journal broken at entry {self.entry} (position {self.position}): {self.reason}"
        )


def journal_verify() -> tuple[int, JournalBreak | None]:
    """How many entries were checked, and the first that does not verify."""
    previous, checked, last = GENESIS, 0, 0
    while chunk := list(AuditEntry.objects.filter(pk__gt=last).order_by("pk")[:5000]):
        for entry in chunk:
            checked += 1
            if entry_hash(previous, entry) != entry.entry_hash:
                return checked, JournalBreak(
                    entry.pk, checked, "its content or the entry before it was changed"
                )
            previous = entry.entry_hash
        last = chunk[-1].pk
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.length != checked or head.last_hash != previous):
        return checked, JournalBreak(
            last, checked, f"the journal holds {checked} entries but {head.length} were appended"
        )
    return checked, None
