"""`reetrace import FILE`: load a JSON-lines or CSV file of events, batch by batch.

Each batch is one call to capture, so it is saved whole or not at all, exactly as
an API batch would be. A rejected batch stops the load with every error and the
line to resume from; batches before it stay saved, and resending them is
harmless because capture replays event ids it already holds.
"""

from __future__ import annotations

import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.db import transaction
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from reetrace.accounts.management.console import ReetraceCommand, acting_user
from reetrace.accounts.models import User
from reetrace.core.errors import BatchRejected, FieldError
from reetrace.core.permissions import Permission
from reetrace.ledger.capture import batch_capture
from reetrace.ledger.eventfiles import FORMATS, EventFileError, events_read, format_guess

MAX_BATCH = 5000  # the API's own limit: a batch the CLI sends could also be sent over HTTP


@dataclass
class Tally:
    rows: int = 0  # sent and accepted (committed, or validated in a dry run)
    created: int = 0
    replayed: int = 0
    resume_line: int = 1
    pending: list[tuple[int, dict]] = field(default_factory=list)


class ImportStopped(Exception):
    """The load stopped; `details` are the per-row errors to print before the summary."""

    def __init__(self, summary: str, details: list[str] | None = None):
        super().__init__(summary)
        self.details = details or []


class Command(ReetraceCommand):
    help = "Capture the events of a JSON-lines or CSV file in all-or-nothing batches."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of a .jsonl or .csv file")
        parser.add_argument("--format", choices=FORMATS, help="default: from the file name")
        parser.add_argument("--batch-size", type=int, default=1000, help="events per batch")
        parser.add_argument("--as", dest="username", help="acting user (default: the admin)")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate everything, then roll back"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        fmt = options["format"] or format_guess(path.name)
        size = options["batch_size"]
        if not 1 <= size <= MAX_BATCH:
            raise CommandError(f"--batch-size must be between 1 and {MAX_BATCH}")
        actor = acting_user(options["username"], Permission.LEDGER_EVENT_CAPTURE)
        tally, started = Tally(), time.monotonic()
        try:
            self._run(path, fmt, actor, size, tally, dry_run=options["dry_run"])
        except ImportStopped as stop:
            for line in stop.details:
                self.stderr.write(line)
            raise CommandError(str(stop)) from stop.__cause__
        self._summary(tally, time.monotonic() - started, dry_run=options["dry_run"])

    def _run(self, path: Path, fmt: str, actor: User, size: int, tally: Tally, *, dry_run: bool):
        with ExitStack() as stack:
            stream = stack.enter_context(_opened(path))
            progress = stack.enter_context(self._progress())
            task = progress.add_task("import", total=path.stat().st_size, rows=0)
            if dry_run:
                stack.enter_context(transaction.atomic())
            events = events_read(stream, fmt, on_bytes=lambda n: progress.advance(task, n))
            self._load(
                events,
                actor,
                size,
                tally,
                dry_run=dry_run,
                tick=lambda: progress.update(task, rows=tally.rows),
            )
            if dry_run:
                transaction.set_rollback(True)

    def _load(self, events, actor: User, size: int, tally: Tally, *, dry_run: bool, tick) -> None:
        try:
            for line, item in events:
                tally.pending.append((line, item))
                if len(tally.pending) == size:
                    self._send(actor, tally, dry_run=dry_run)
                    tick()
            if tally.pending:
                self._send(actor, tally, dry_run=dry_run)
                tick()
        except EventFileError as exc:
            raise ImportStopped(f"{exc.message}\n{_resume_hint(tally, dry_run)}") from exc

    def _send(self, actor: User, tally: Tally, *, dry_run: bool) -> None:
        batch = tally.pending
        try:
            result = batch_capture(actor=actor, items=[item for _, item in batch])
        except BatchRejected as exc:
            raise ImportStopped(
                f"the batch of lines {batch[0][0]}-{batch[-1][0]} was rejected with "
                f"{len(exc.errors)} error(s); nothing from it was saved.\n"
                + _resume_hint(tally, dry_run),
                [_error_line(error, batch) for error in exc.errors],
            ) from exc
        tally.rows += len(batch)
        tally.created += result.created
        tally.replayed += result.replayed
        tally.resume_line = batch[-1][0] + 1
        tally.pending = []

    @contextmanager
    def _progress(self):
        columns = (
            TextColumn("importing"),
            BarColumn(),
            DownloadColumn(),
            TextColumn("{task.fields[rows]:,} rows"),
            TransferSpeedColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=self.console(stderr=True)) as progress:
            yield progress

    def _summary(self, tally: Tally, elapsed: float, *, dry_run: bool) -> None:
        title = "dry run: validated, nothing saved" if dry_run else "import finished"
        table = Table("", "value", title=title)
        table.add_row("created", str(tally.created))
        table.add_row("replayed", str(tally.replayed))
        table.add_row("rows", str(tally.rows))
        table.add_row("elapsed s", f"{elapsed:.2f}")
        table.add_row("events/s", f"{tally.rows / elapsed:.0f}" if elapsed else "-")
        self.console().print(table)


@contextmanager
def _opened(path: Path):
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from exc
    with stream:
        yield stream


def _error_line(error: FieldError, batch: list[tuple[int, dict]]) -> str:
    line, item = batch[error.index] if error.index is not None else ("?", {})
    event_id = error.record or item.get("event_id") or "?"
    message = error.message
    if error.field and message.startswith(f"{error.field}: "):
        message = message.removeprefix(f"{error.field}: ")
    where = f" field {error.field}" if error.field else ""
    return f"line {line} (event {event_id}){where}: {message}"


def _resume_hint(tally: Tally, dry_run: bool) -> str:
    if dry_run:
        return f"dry run: nothing was saved ({tally.rows} rows before this validated)."
    if not tally.rows:
        return "no rows were committed; fix the file and run the import again."
    return (
        f"{tally.rows} rows were committed (up to line {tally.resume_line - 1}). "
        f"Fix the file and resume from line {tally.resume_line}; rerunning the whole file "
        "is also safe, as events already saved are replayed, not duplicated."
    )
