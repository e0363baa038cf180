"""`reetrace generate`: the synthetic national chain with injected fraud, to files
and/or straight into the database through the ledger's capture rules.

The data covers the twelve months ending with `--end-month`, by default the last
complete month in China time, so a demo loaded today has data in every page's
default period; tests and benchmarks pass a fixed month."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from reetrace.core.errors import BatchRejected, ReetraceError
from reetrace.synth.config import PROFILES, SCALES, load_config, profile_overrides
from reetrace.synth.dataset import produce
from reetrace.synth.partner import RateMissing
from reetrace.synth.window import Window, last_complete_month, month_parse

# Capture refuses event times before REETRACE_EVENT_TIME_FLOOR (2000-01-01).
EARLIEST_END_MONTH = date(2000, 12, 1)


def end_month_option(text: str | None, *, load: bool) -> date:
    """The --end-month given (or the last complete month), checked against what the
    ledger will accept: no month before 2000, and for --load none still running."""
    latest = last_complete_month(timezone.now())
    if text is None:
        return latest
    try:
        month = month_parse(text)
    except ValueError as exc:
        raise CommandError(f"--end-month: {exc}") from exc
    if month < EARLIEST_END_MONTH:
        raise CommandError(f"--end-month {text}: the ledger accepts events from 2000-01 on")
    if load and month > latest:
        raise CommandError(
            f"--end-month {text}: with --load the twelve months must have passed; "
            f"the last complete month is {latest:%Y-%m} (China time)"
        )
    return month


class Command(BaseCommand):
    help = "Generate the synthetic rare-earth chain (files with --out, database with --load)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=SCALES, default="tiny")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--end-month",
            help="last month of the twelve generated, YYYY-MM (default: the last complete "
            "month in China time)",
        )
        parser.add_argument("--out", type=Path, help="directory for the dataset files")
        parser.add_argument("--load", action="store_true", help="load into the database")
        parser.add_argument(
            "--profile",
            choices=PROFILES,
            default="default",
            help="default: with injected fraud; honest: every fraud rate 0; business: honest, "
            "with seasons, stockpiles, dispersed prices, partial receipts, recycled feed and "
            "late corrections (synth/business.py)",
        )
        parser.add_argument(
            "--honest", action="store_true", help="no fraud at all (the same as --profile honest)"
        )

    def handle(self, *args, scale, seed, out, load, profile, honest=False, **options):
        if out is None and not load:
            raise CommandError("nothing to do: give --out DIR, --load, or both")
        if honest and profile != "default":
            raise CommandError(f"--honest and --profile {profile}: give one of them")
        profile = "honest" if honest else profile
        end_month = end_month_option(options.get("end_month"), load=load)
        console = Console(file=self.stdout, force_terminal=None)
        expected = load_config(scale).scale["expected_events"]
        started = time.perf_counter()
        columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
        with Progress(*columns, TimeElapsedColumn(), console=console) as progress:
            label = Window(end_month).label()
            task = progress.add_task(f"{scale} seed {seed}, {label}: events", total=expected)
            try:
                result = produce(
                    scale=scale,
                    seed=seed,
                    end_month=end_month,
                    out=out,
                    load=load,
                    overrides=profile_overrides(profile),
                    on_event=lambda n: progress.advance(task, n),
                )
            except BatchRejected as exc:
                first = "; ".join(f"{e.record} {e.field}: {e.message}" for e in exc.errors[:5])
                raise CommandError(f"the ledger refused a batch: {first}") from exc
            except ReetraceError as exc:
                raise CommandError(
                    f"{exc.message} (a dataset can be loaded once per database)"
                ) from exc
            except RateMissing as exc:
                raise CommandError(str(exc)) from exc
            done = result.counts.get("event", 0)
            progress.update(task, completed=done, total=done)
        seconds = time.perf_counter() - started
        events = result.counts.get("event", 0)
        frauds = len(result.chain.fraud.cases)
        console.print(
            f"{events} events, {result.counts.get('enterprise', 0)} enterprises, "
            f"{result.counts.get('closing', 0)} month closings, {frauds} fraud cases "
            f"in {seconds:.1f} s ({events / seconds:,.0f} events/s)"
            + (f"; written to {out}" if out else "")
            + (f"; loaded, {result.reports} monthly reports" if load else "")
            + (f" ({result.pending} closings still to come)" if result.pending else "")
        )
