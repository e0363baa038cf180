"""Running the checks and turning findings into alerts, idempotently.

An alert's fingerprint is its rule and what it is about (a run, a shipment, a
quota and level, an enterprise-month), so upserting on it means a second run
over the same ledger adds nothing, and a run after new events adds only the new
findings. Existing alerts are never rewritten: an analyst may already be working
on them, and their evidence must stay what it was when they were raised.

Runs are incremental: each run records the highest event pk and the latest
`recorded_at` it saw (its watermark) and the highest pk of the other tables its
rules read (`SOURCES`). The next run of a rule starts from the latest finished
run that judged that rule over a window covering its own: only the months of
events recorded since (their periods and the months their postings are dated
in, widened by the check's `affected()`) are judged again. No new event means
nothing to judge. Rules that depend on the clock or on other data
(`incremental = False`), a run with `full=True` (`reetrace detect --full`), and
a rule whose source table gained rows, judge the whole window.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterable
from datetime import date, datetime

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from reetrace.accounts.models import User
from reetrace.compliance.checks import CHECKS, Finding, Window
from reetrace.compliance.choices import RunStatus
from reetrace.compliance.models import Alert, CustomsDeclaration, DetectionRun, ReferencePrice
from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.ledger.models import Event, Posting

__all__ = ["alerts_upsert", "detect", "run_create", "run_execute"]

Progress = Callable[[str, int, int], None]

# Tables other than the ledger that rules read (Check.sources): name -> model.
SOURCES = {"customs": CustomsDeclaration, "prices": ReferencePrice}


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
    full: bool = False,
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
        full=full,
    )


def run_execute(
    *,
    run: DetectionRun,
    overrides: dict | None = None,
    progress: Progress | None = None,
    source=None,
) -> DetectionRun:
    """Run the run's checks and upsert their alerts; the run records counts and log.

    Counts, months judged and log are saved after each rule (a poller sees the
    rules done and the alerts so far); status and finish time at the end.
    `source` reads the checks' aggregates elsewhere than the database (see
    checks/ledger.py DatabaseSource); the alerts are written here all the same.
    """
    run.status, run.started_at = RunStatus.RUNNING, timezone.now()
    watermark = Event.objects.aggregate(pk=Max("pk"), at=Max("recorded_at"))
    run.last_event_pk, run.last_recorded_at = watermark["pk"] or 0, watermark["at"]
    run.sources = {
        name: model.objects.aggregate(m=Max("pk"))["m"] or 0 for name, model in SOURCES.items()
    }
    run.save(update_fields=["status", "started_at", "last_event_pk", "last_recorded_at", "sources"])
    window = Window(run.start, run.end, run.as_of)
    log: list[str] = []
    try:
        for index, name in enumerate(run.rules):
            if progress:
                progress(name, index, len(run.rules))
            started = time.perf_counter()
            check = CHECKS[name]((overrides or {}).get(name), source=source)
            months = _months_to_judge(run, check)
            run.periods[name] = "all" if months is None else [f"{m:%Y-%m}" for m in sorted(months)]
            if months is not None and not months:
                run.counts[name] = {"found": 0, "new": 0}
                log.append(f"{name}: no new events, nothing judged")
            else:
                scoped = Window(window.start, window.end, window.as_of, months)
                found, created = alerts_upsert(run=run, findings=check.findings(scoped))
                run.counts[name] = {"found": found, "new": created}
                scope = "all months" if months is None else f"{len(months)} month(s)"
                log.append(
                    f"{name}: {found} found, {created} new over {scope} in "
                    f"{time.perf_counter() - started:.2f} s"
                )
            _progress_save(run, log)
        run.status = RunStatus.DONE
    except Exception:
        log.append(traceback.format_exc(limit=5))
        run.status = RunStatus.FAILED
        raise
    finally:
        run.finished_at, run.log = timezone.now(), "\n".join(log)
        run.save(update_fields=["status", "finished_at", "log", "counts", "periods"])
    return run


def _progress_save(run: DetectionRun, log: list[str]) -> None:
    """Record the rules done so far (their counts) for whoever polls the run row.

    The portal's progress bar and the API read `counts` while the job runs: one
    entry per finished rule, so they move rule by rule rather than jump at the end.
    """
    run.log = "\n".join(log)
    run.save(update_fields=["counts", "periods", "log"])


def _covers(previous: DetectionRun, run: DetectionRun) -> bool:
    starts = previous.start is None or (run.start is not None and previous.start <= run.start)
    ends = previous.end is None or (run.end is not None and previous.end >= run.end)
    return starts and ends


def _previous(run: DetectionRun, rule: str) -> DetectionRun | None:
    """The latest finished run that judged `rule` over a window covering this run's."""
    earlier = DetectionRun.objects.filter(
        status=RunStatus.DONE, last_event_pk__isnull=False, pk__lt=run.pk
    ).order_by("-pk")
    for previous in earlier.only("pk", "rules", "start", "end", "last_event_pk", "sources")[:50]:
        if rule in previous.rules and _covers(previous, run):
            return previous
    return None


def _months_to_judge(run: DetectionRun, check) -> set[date] | None:
    """None for the whole window, else the months new events touch (maybe none)."""
    if run.full or not check.incremental:
        return None
    previous = _previous(run, check.name)
    if previous is None:
        return None
    for source in check.sources:
        if run.sources.get(source, 0) > previous.sources.get(source, 0):
            return None
    new = Q(pk__gt=previous.last_event_pk, pk__lte=run.last_event_pk)
    if previous.last_recorded_at is not None:
        # an event committed late under a lower pk still shows by its recorded_at
        new |= Q(recorded_at__gt=previous.last_recorded_at, pk__lte=run.last_event_pk)
    events = Event.objects.filter(new)
    months = set(events.values_list("period", flat=True).distinct())
    months |= set(
        Posting.objects.filter(event__in=events).values_list("period", flat=True).distinct()
    )
    if not months:
        return set()
    return {m for m in check.affected(months) if Window(run.start, run.end, run.as_of).contains(m)}


def detect(
    *,
    rules: Iterable[str] | None = None,
    start: date | None = None,
    end: date | None = None,
    as_of: datetime | None = None,
    actor: User | None = None,
    overrides: dict | None = None,
    progress: Progress | None = None,
    full: bool = False,
    source=None,
) -> DetectionRun:
    """Run the checks now (CLI, tests, the background task) and return the finished run.

    With a `source` that serves only some rules (`source.rules`), the rules asked
    for must be among them (all of them when none are named).
    """
    served = getattr(source, "rules", None)
    if served is not None:
        rules = list(rules) if rules else sorted(served, key=list(CHECKS).index)
        other = [name for name in rules_validate(rules) if name not in served]
        if other:
            raise ReetraceError(
                ErrorCode.INVALID,
                f"rule(s) {', '.join(other)} not available on the {source.name} engine; "
                f"it runs {', '.join(sorted(served))}",
                field="rules",
            )
    run = run_create(actor=actor, rules=rules, start=start, end=end, as_of=as_of, full=full)
    return run_execute(run=run, overrides=overrides, progress=progress, source=source)


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
