"""Sending a webhook report: an EPCISQueryDocument POSTed to the subscription's
`dest` with `GS1-Signature: sha256=<hex HMAC-SHA256 of the body under the
subscription's signatureToken>` (the header the REST bindings' OpenAPI names; HMAC
with SHA-256 is the example it gives), retried on failure with a doubling wait.

Sending is out of band: a capture only keeps the report as a pending `Delivery`; the
cron command (or a queued task backend's worker) makes the attempts."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import urllib.error
import urllib.request
from collections import Counter
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from reetrace.epcis.models import Delivery

__all__ = [
    "SIGNATURE_HEADER",
    "DestRefused",
    "deliveries_send_due",
    "delivery_attempt",
    "delivery_send_due",
    "dest_refusal",
    "signature",
]

SIGNATURE_HEADER = "GS1-Signature"


def signature(secret: str, body: bytes) -> str:
    """The `GS1-Signature` value a subscriber recomputes to trust a report."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class DestRefused(Exception):
    """A report not sent because its `dest` resolves into the internal network."""


def dest_refusal(url: str) -> str | None:
    """Why reetrace must not call `url`, or None: a subscriber chooses `dest`, so a
    host resolving to a loopback, private, link-local, multicast, reserved or
    unspecified address would let it make reetrace call the internal network (a
    cloud's metadata service at 169.254.169.254, an admin port on 127.0.0.1). Checked
    at subscription and again before each attempt, as DNS may have changed since.
    REETRACE_EPCIS_WEBHOOK_PRIVATE_OK allows them for on-premise test rigs."""
    if settings.REETRACE_EPCIS_WEBHOOK_PRIVATE_OK:
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError, UnicodeError) as exc:
        return f"{host!r} does not resolve ({exc})"
    for *_, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if getattr(address, "ipv4_mapped", None):
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast or address.is_reserved:
            return f"{host!r} resolves to {address}, an internal (non-public) address"
    return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an error: following it would reach a host never checked."""

    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _post(delivery: Delivery) -> None:
    if (refusal := dest_refusal(delivery.subscription.dest)) is not None:
        raise DestRefused(refusal)
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
    with _OPENER.open(request, timeout=settings.REETRACE_WEBHOOK_TIMEOUT_SECONDS):
        pass


def delivery_attempt(delivery: Delivery, moment: datetime) -> Delivery:
    """Make one attempt at a pending report. A failure (error status, refused or
    timed-out connection) waits REETRACE_WEBHOOK_BACKOFF_SECONDS, doubling after each,
    recorded as `next_attempt_at`, until REETRACE_WEBHOOK_ATTEMPTS are spent: nothing
    here sleeps, so whoever calls it (cron, a task worker) never waits on a retry."""
    delivery.attempts += 1
    try:
        _post(delivery)
    except DestRefused as exc:
        delivery.status = Delivery.Status.REFUSED
        delivery.last_error = f"dest refused: {exc}"
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
            wait = settings.REETRACE_WEBHOOK_BACKOFF_SECONDS * 2 ** (delivery.attempts - 1)
            delivery.next_attempt_at = moment + timedelta(seconds=wait)
    delivery.save(
        update_fields=["status", "attempts", "last_error", "delivered_at", "next_attempt_at"]
    )
    return delivery


def _claim(delivery_id: int, moment: datetime) -> Delivery | None:
    """The delivery if it is pending and due at `moment`, leased to this caller: its
    next attempt is pushed past the request's timeout in one conditional UPDATE, so a
    second cron run or worker that overlaps does not send it twice."""
    lease = moment + timedelta(seconds=2 * settings.REETRACE_WEBHOOK_TIMEOUT_SECONDS + 60)
    due = Delivery.objects.filter(
        pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=moment
    )
    if not due.update(next_attempt_at=lease):
        return None
    return Delivery.objects.select_related("subscription").get(pk=delivery_id)


def delivery_send_due(delivery_id: int, moment: datetime) -> Delivery | None:
    """One attempt at one report if it is due (what the queued task runs)."""
    delivery = _claim(delivery_id, moment)
    return None if delivery is None else delivery_attempt(delivery, moment)


def deliveries_send_due(moment: datetime) -> Counter[str]:
    """An attempt at every report pending and due at `moment` (first sends and retries
    alike), oldest first; how they ended, by status (`reetrace epcis subscriptions`)."""
    ended: Counter[str] = Counter()
    due = Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=moment)
    for delivery_id in due.order_by("next_attempt_at", "pk").values_list("pk", flat=True):
        if (delivery := delivery_send_due(delivery_id, moment)) is not None:
            ended[delivery.status] += 1
    return ended
