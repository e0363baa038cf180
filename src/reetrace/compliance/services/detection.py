"""Running the checks and turning findings into alerts, idempotently.

An alert's fingerprint is its rule and what it is about (a run, a shipment, a
quota and level, an enterprise-month), so upserting on it means a second run
over the same ledger adds nothing, and a run after new events adds only the new
findings. Existing alerts are never rewritten: an analyst may already be working
on them, and their evidence must stay what it was when they were raised.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterable
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from reetrace.accounts.models import User
from reetrace.compliance.checks import CHECKS, Finding, Window
from reetrace.compliance.choices import RunStatus
from reetrace.compliance.models import Alert, DetectionRun
from reetrace.core.errors import ErrorCode, ReetraceError

__all__ = ["alerts_upsert", "detect", "run_create", "run_execute"]

Progress = Callable[[str, int, int], None]


def rules_validate(rules: Iterable[str] | None) -> list[str]:
    """The rule names asked for (all when None), or an error naming the unknown one."""
    names = list(rules) if rules else list(CHECKS)
    unknown = [name for name in names if name not in CHECKS]
    if unknown:
        raise ReetraceError(
            ErrorCode.INVALID,
            f"unknown rule(s) {', '.join(unknown)}; known: {', '.join(CHECKS)}",
            field="rules",
        )
    return names


def run_create(
    *,
    actor: User | None,
    rules: Iterable[str] | None = None,
    start: date | None = None,
    end: date | None = None,
    as_of: datetime | None = None,
) -> DetectionRun:
    """Record a queued run (the background job's row) after validating its arguments."""
    if start and end and start > end:
        raise ReetraceError(ErrorCode.INVALID, "start is after end", field="start")
    return DetectionRun.objects.create(
        rules=rules_validate(rules),
        start=start.replace(day=1) if start else None,
        end=end.replace(day=1) if end else None,
        as_of=as_of or timezone.now(),
        requested_by=actor,
    )


def run_execute(
    *, run: DetectionRun, overrides: dict | None = None, progress: Progress | None = None
) -> DetectionRun:
    """Run the run's checks and upsert their alerts; the run records counts and log."""
    run.status, run.started_at = RunStatus.RUNNING, timezone.now()
    run.save(update_fields=["status", "started_at"])
    window = Window(run.start, run.end, run.as_of)
    log: list[str] = []
    try:
        for index, name in enumerate(run.rules):
            if progress:
                progress(name, index, len(run.rules))
            started = time.perf_counter()
            check = CHECKS[name]((overrides or {}).get(name))
            found, created = alerts_upsert(run=run, findings=check.findings(window))
            run.counts[name] = {"found": found, "new": created}
            log.append(
                f"{name}: {found} found, {created} new in {time.perf_counter() - started:.2f} s"
            )
        run.status = RunStatus.DONE
    except Exception:
        log.append(traceback.format_exc(limit=5))
        run.status = RunStatus.FAILED
        raise
    finally:
        run.finished_at, run.log = timezone.now(), "\n".join(log)
        run.save(update_fields=["status", "finished_at", "log", "counts"])
    return run


def detect(
    *,
    rules: Iterable[str] | None = None,
    start: date | None = None,
    end: date | None = None,
    as_of: datetime | None = None,
    actor: User | None = None,
    overrides: dict | None = None,
    progress: Progress | None = None,
) -> DetectionRun:
    """Run the checks now (CLI, tests, the background task) and return the finished run."""
    run = run_create(actor=actor, rules=rules, start=start, end=end, as_of=as_of)
    return run_execute(run=run, overrides=overrides, progress=progress)


@transaction.atomic
def alerts_upsert(*, run: DetectionRun, findings: Iterable[Finding]) -> tuple[int, int]:
    """Insert the findings not yet alerted (by fingerprint); returns (found, new)."""
    batch: dict[str, Alert] = {}
    for finding in findings:
        batch.setdefault(finding.fingerprint, _alert(run, finding))
    existing: set[str] = set()
    keys = list(batch)
    for chunk in range(0, len(keys), 500):
        existing |= set(
            Alert.objects.filter(fingerprint__in=keys[chunk : chunk + 500]).values_list(
                "fingerprint", flat=True
            )
        )
    new = [alert for key, alert in batch.items() if key not in existing]
    Alert.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    return len(batch), len(new)


def _alert(run: DetectionRun, finding: Finding) -> Alert:
    return Alert(
        rule=finding.rule,
        severity=finding.severity,
        enterprise_id=finding.enterprise_id,
        period=finding.period,
        elements=finding.elements,
        figures=finding.figures,
        lots=finding.lots,
        events=finding.events,
        explanation=finding.explanation,
        shared_with_enterprise=finding.shared,
        fingerprint=finding.fingerprint,
        run=run,
    )
