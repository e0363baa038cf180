"""Background work: a detection run over a national year does not fit a web request,
nor does verifying a national ledger's hash chain (scheduled by `reetrace integrity`).

The API records a queued DetectionRun and enqueues this task on commit; the
task is idempotent (alerts upsert by fingerprint), so a retried job adds nothing.
"""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from reetrace.compliance.choices import RunStatus
from reetrace.compliance.models import DetectionRun
from reetrace.compliance.services.detection import run_execute
from reetrace.compliance.services.integrity import chain_alert


@task()
def detection_run(run_id: int) -> dict:
    """Execute a queued detection run; returns its counts per rule."""
    run = DetectionRun.objects.get(pk=run_id)
    if run.status != RunStatus.QUEUED:
        return run.counts
    return run_execute(run=run).counts


def detection_enqueue(run: DetectionRun) -> None:
    """Start the run's job once the transaction that created the run has committed."""
    transaction.on_commit(lambda: detection_run.enqueue(run.pk))


@task()
def chain_verification() -> dict:
    """Verify the ledger's hash chain; a break becomes a critical alert (`services/integrity`)."""
    checked, alert = chain_alert()
    return {"events_checked": checked, "alert": alert.pk if alert else None}
