"""The ledger's own integrity as a finding: a broken hash chain is a critical alert.

`reetrace verify-chain` proves the chain on demand; the scheduled task
(`compliance.tasks.chain_verification`, enqueued by `reetrace integrity` from cron)
runs the same verification and, if it finds a break, raises one critical
`chain_broken` alert to the regulator with the break as evidence: the event,
table, field and position. The alert is filed against the enterprise that
reported the broken event (for a break in the summary or at the chain's end, the
enterprise of the newest event), which is where an investigator starts; it
carries no risk weight, since a tampered record says nothing about its reporter.
"""

from __future__ import annotations

import hashlib

from django.utils import timezone

from reetrace.compliance.choices import Severity
from reetrace.compliance.models import Alert
from reetrace.ledger.chain import ChainBreak, chain_verify
from reetrace.ledger.models import Event

RULE = "chain_broken"


def _event_of(broken: ChainBreak) -> Event | None:
    event = Event.objects.filter(event_id=broken.event_id).first()
    return event or Event.objects.order_by("-pk").first()


def chain_alert() -> tuple[int, Alert | None]:
    """Verify the chain; on a break, raise (once per distinct break) a critical alert."""
    checked, broken = chain_verify()
    if broken is None:
        return checked, None
    event = _event_of(broken)
    if event is None:
        return checked, None
    key = f"{broken.event_id}|{broken.table}|{broken.field}|{broken.position}"
    alert, _ = Alert.objects.get_or_create(
        fingerprint=hashlib.sha256(f"{RULE}|{key}".encode()).hexdigest(),
        defaults={
            "rule": RULE,
            "severity": Severity.CRITICAL,
            "enterprise_id": event.reporter_id,
            "period": event.period,
            "events": [broken.event_id] if broken.event_id == event.event_id else [],
            "figures": {
                "position": broken.position,
                "events_checked": checked,
                "table": broken.table,
                "field": broken.field,
                "verified_at": timezone.now().isoformat(),
            },
            "explanation": str(broken),
        },
    )
    return checked, alert
