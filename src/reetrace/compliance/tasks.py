"""Background work: a detection run over a national year does not fit a web request.

The API records a queued DetectionRun and enqueues this task on commit; the
task is idempotent (alerts upsert by fingerprint), so a retried job adds nothing.
"""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from reetrace.compliance.choices import RunStatus
from reetrace.compliance.models import DetectionRun
from reetrace.compliance.services.detection import run_execute


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
