"""What the EPCIS interface keeps beside the ledger.

The ledger holds what changed custody; these tables hold what EPCIS needs on top:
the GS1 location numbers that name enterprises and sites (`GlnAssignment`), every
event received as EPCIS with its Event Hash ID and the ledger event it became, or
none when it changes no custody (`EpcisEvent`), and the capture jobs a sender polls
(`CaptureJob`).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reetrace.ledger.models import Event
from reetrace.registry.models import Enterprise, Site


class GlnAssignment(models.Model):
    """A GS1 Global Location Number naming an enterprise (PGLN, AI 417) or a site
    (SGLN, AI 414). Enterprises that hold their own GS1 prefix register theirs;
    others get one under reetrace's prefix (`identifiers_scheme.gln_next`)."""

    gln = models.CharField(_("GLN"), max_length=13, unique=True)
    enterprise = models.OneToOneField(
        Enterprise, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    site = models.OneToOneField(
        Site, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(enterprise__isnull=False, site__isnull=True)
                | models.Q(enterprise__isnull=True, site__isnull=False),
                name="gln_names_one_party_or_site",
            )
        ]

    def __str__(self) -> str:
        return self.gln


class CaptureJob(models.Model):
    """One EPCIS capture request: its state and, if refused, the errors."""

    class State(models.TextChoices):
        RUNNING = "running"
        SUCCESS = "success"
        FAILED = "failed"
        # Not sent: its dest resolved into the internal network when it was due.
        REFUSED = "refused"

    capture_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reporter = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=8, choices=State.choices, default=State.RUNNING)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    event_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)
    # The document's @context, which its events' extension fields are read with.
    context = models.JSONField(default=list)

    class Meta:
        indexes = [models.Index(fields=["reporter", "created_at"])]


class EpcisEvent(models.Model):
    """An event received as EPCIS 2.0, keyed by its CBV 2.0 Event Hash ID."""

    hash_id = models.CharField(_("event hash ID"), max_length=100, unique=True)
    event_id = models.CharField(_("EPCIS eventID as sent"), max_length=200, blank=True)
    event_type = models.CharField(max_length=24)
    reporter = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    event_time = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    ledger_event = models.OneToOneField(
        Event, null=True, blank=True, on_delete=models.PROTECT, related_name="epcis"
    )
    lots = models.JSONField(_("lot codes the event names"), default=list)
    document = models.JSONField(_("the event as sent (JSON-LD)"))
    capture = models.ForeignKey(
        CaptureJob, null=True, on_delete=models.PROTECT, related_name="events"
    )

    class Meta:
        indexes = [models.Index(fields=["reporter", "event_time"])]

    def served(self) -> dict:
        """The event as sent, with its document's context and its Event Hash ID."""
        context = self.capture.context if self.capture_id else []
        body = {k: v for k, v in self.document.items() if k != "eventID"}
        return {"eventID": self.hash_id.removesuffix("#error"), "@context": context} | body


class NamedQuery(models.Model):
    """A query saved under a name (`POST /epcis/queries`), run by
    `GET /epcis/queries/{name}/events` with the runner's own visibility."""

    name = models.CharField(max_length=100, unique=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    parameters = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)


class Subscription(models.Model):
    """A webhook standing on a named query (`POST /epcis/queries/{name}/subscriptions`):
    each report runs the query with its owner's visibility, so a subscriber never
    receives what its owner could not read, and is signed with its secret."""

    subscription_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    query = models.ForeignKey(NamedQuery, on_delete=models.CASCADE, related_name="subscriptions")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    dest = models.URLField(_("callback URL"), max_length=500)
    secret = models.CharField(_("signature token"), max_length=200)
    stream = models.BooleanField(default=False)
    schedule = models.JSONField(null=True, blank=True)
    report_if_empty = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Scheduled reports carry what was recorded since the previous one.
    reported_until = models.DateTimeField(null=True, blank=True)


class Delivery(models.Model):
    """One report sent (or being sent) to a subscription's callback, as the subscriber
    would see it, with how the attempts went."""

    class Status(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"
        # Not sent: its dest resolved into the internal network when it was due.
        REFUSED = "refused"

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    document = models.JSONField()
    event_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # When a pending report is next due: at once, then after each failure the doubling
    # backoff, so the sender (cron or a task worker) never sleeps between attempts.
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
