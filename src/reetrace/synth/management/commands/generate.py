"""`reetrace generate`: the synthetic national chain with injected fraud, to files
and/or straight into the database through the ledger's capture rules."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from reetrace.core.errors import BatchRejected, ReetraceError
from reetrace.synth.config import SCALES, honest_overrides, load_config
from reetrace.synth.dataset import produce


class Command(BaseCommand):
    help = "Generate the synthetic rare-earth chain (files with --out, database with --load)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=SCALES, default="tiny")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--year", type=int, default=2025)
        parser.add_argument("--out", type=Path, help="directory for the dataset files")
        parser.add_argument("--load", action="store_true", help="load into the database")
        parser.add_argument(
            "--honest", action="store_true", help="no fraud at all (every fraud rate 0)"
        )

    def handle(self, *args, scale, seed, year, out, load, honest=False, **options):
        if out is None and not load:
            raise CommandError("nothing to do: give --out DIR, --load, or both")
        console = Console(file=self.stdout, force_terminal=None)
        expected = load_config(scale).scale["expected_events"]
        started = time.perf_counter()
        columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
        with Progress(*columns, TimeElapsedColumn(), console=console) as progress:
            task = progress.add_task(f"{scale} seed {seed}: events", total=expected)
            try:
                result = produce(
                    scale=scale,
                    seed=seed,
                    year=year,
                    out=out,
                    load=load,
                    overrides=honest_overrides() if honest else None,
                    on_event=lambda n: progress.advance(task, n),
                )
            except BatchRejected as exc:
                first = "; ".join(f"{e.record} {e.field}: {e.message}" for e in exc.errors[:5])
                raise CommandError(f"the ledger refused a batch: {first}") from exc
            except ReetraceError as exc:
                raise CommandError(
                    f"{exc.message} (a dataset can be loaded once per database)"
                ) from exc
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
        )
