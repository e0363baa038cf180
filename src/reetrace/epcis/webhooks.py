"""Sending a webhook report: an EPCISQueryDocument POSTed to the subscription's
`dest` with `GS1-Signature: sha256=<hex HMAC-SHA256 of the body under the
subscription's signatureToken>` (the header the REST bindings' OpenAPI names; HMAC
with SHA-256 is the example it gives), retried on failure with a doubling wait."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.utils import timezone

from reetrace.epcis.models import Delivery

__all__ = ["SIGNATURE_HEADER", "delivery_attempt_all", "signature"]

SIGNATURE_HEADER = "GS1-Signature"


def signature(secret: str, body: bytes) -> str:
    """The `GS1-Signature` value a subscriber recomputes to trust a report."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _post(delivery: Delivery) -> None:
    body = json.dumps(delivery.document, default=str).encode()
    request = urllib.request.Request(
        delivery.subscription.dest,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/ld+json",
            "GS1-EPCIS-Version": "2.0.0",
            SIGNATURE_HEADER: signature(delivery.subscription.secret, body),
        },
    )
    with urllib.request.urlopen(request, timeout=settings.REETRACE_WEBHOOK_TIMEOUT_SECONDS):
        pass


def delivery_attempt_all(delivery: Delivery) -> Delivery:
    """Send a report, retrying a failure (error status, refused or timed-out connection)
    up to REETRACE_WEBHOOK_ATTEMPTS times with a doubling wait; every attempt counted."""
    wait = settings.REETRACE_WEBHOOK_BACKOFF_SECONDS
    while delivery.status == Delivery.Status.PENDING:
        delivery.attempts += 1
        try:
            _post(delivery)
        except urllib.error.HTTPError as exc:
            delivery.last_error = f"HTTP {exc.code} {exc.reason}"
        except (urllib.error.URLError, OSError) as exc:
            delivery.last_error = str(getattr(exc, "reason", exc))
        else:
            delivery.status = Delivery.Status.DELIVERED
            delivery.delivered_at = timezone.now()
        if delivery.status == Delivery.Status.PENDING:
            if delivery.attempts >= settings.REETRACE_WEBHOOK_ATTEMPTS:
                delivery.status = Delivery.Status.FAILED
            else:
                time.sleep(wait)
                wait *= 2
        delivery.save(update_fields=["status", "attempts", "last_error", "delivered_at"])
    return delivery
