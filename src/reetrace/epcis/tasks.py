"""Background work of the EPCIS app: sending webhook reports, which wait on a
subscriber's server and retry, so they stay out of the capture request. Enqueued only
when a queued backend is configured (`TASKS`); otherwise `reetrace epcis
subscriptions`, run each minute, sends them."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from reetrace.epcis.webhooks import delivery_send_due


@task()
def delivery_send(delivery_id: int) -> str:
    """One attempt at a kept report if still pending and due; retries left to cron."""
    delivery = delivery_send_due(delivery_id, timezone.now())
    return "not due" if delivery is None else delivery.status
