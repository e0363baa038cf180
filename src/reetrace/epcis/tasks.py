"""Background work of the EPCIS app: sending webhook reports, which wait on a
subscriber's server and retry, so they stay out of the capture request."""

from __future__ import annotations

from django_tasks import task

from reetrace.epcis.models import Delivery
from reetrace.epcis.webhooks import delivery_attempt_all


@task()
def delivery_send(delivery_id: int) -> str:
    """Send one kept report; a report already delivered or given up is left alone."""
    delivery = Delivery.objects.select_related("subscription").get(pk=delivery_id)
    return delivery_attempt_all(delivery).status
