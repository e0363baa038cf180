"""`reetrace bench`: measure ingest, API ingest, genealogy, mass balance and load over
HTTP against baselines.

The parent prepares a scratch database (a fresh SQLite file under var/bench, or
the `reetrace_bench` database on the PostgreSQL server given), runs the steps in
a child process bound to it, then prints the figures with their ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.console import Console

from reetrace.bench.report import report_table
from reetrace.bench.scratch import scratch_url
from reetrace.conf import CONFIG
from reetrace.synth.window import REFERENCE_END_MONTH, last_complete_month, month_parse

STEPS = ("bulk", "raw", "rows", "api", "genealogy", "balance", "load")
# asked for by name: `spark` needs the [spark] extra and Java, and both export the year;
# `epcis` loads the dataset's first --epcis-events events through the own API, EPCIS
# capture and the peer (QU4RTET's quartet-epcis, in its own virtualenv);
# `pages` times every page of every demo role over the year the bulk step loaded
OPTIONAL_STEPS = ("lake", "spark", "epcis", "pages")


def end_month_choose(text: str | None, *, pages: bool, now: datetime | None = None) -> date:
    """The generated year's last month: pinned (2025-12) unless the pages are timed.

    The pages open on their default period, the twelve months before today (as in
    `make demo`), so the pages step loads the year ending with the last complete
    month: a pinned year would leave every default period empty and time empty pages.
    """
    last = last_complete_month(now or timezone.now())
    if text is None:
        return last if pages else REFERENCE_END_MONTH
    try:
        chosen = month_parse(text)
    except ValueError as exc:
        raise CommandError(f"--end-month: {exc}") from exc
    if pages and chosen != last:
        raise CommandError(
            f"--end-month {text}: the pages step times each page's default period, the "
            f"twelve months ending {last:%Y-%m}; load that year (leave --end-month out "
            f"or give {last:%Y-%m})"
        )
    return chosen


class Command(BaseCommand):
    help = "Benchmark reetrace on a generated dataset; figures as ratios to raw baselines."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", default="tiny", choices=["tiny", "small", "medium", "national"]
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--end-month",
            help="last month of the generated twelve (default 2025-12, pinned so figures "
            "compare across runs; with the pages step the last complete month, which the "
            "pages' default periods end with)",
        )
        parser.add_argument("--database", help="database URL (default: SQLite under var/bench)")
        parser.add_argument("--json", dest="json_out", help="write the results here")
        parser.add_argument("--steps", default=",".join(STEPS))
        parser.add_argument("--lots", type=int, default=1000, help="lots traced")
        parser.add_argument("--api-batches", type=int, default=20)
        parser.add_argument("--clients", type=int, default=4)
        parser.add_argument(
            "--epcis-events",
            type=int,
            default=5_000,
            help="events of the dataset, in chain order, the epcis step captures three ways",
        )
        parser.add_argument(
            "--epcis-peer",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="also capture them into the peer, QU4RTET's quartet-epcis (default: yes)",
        )
        parser.add_argument(
            "--duration", type=float, default=10.0, help="seconds per phase of the load step"
        )
        parser.add_argument(
            "--levels", default="1,4,16", help="client counts of the load step, e.g. 1,4,16"
        )

    def handle(self, *args, **options):
        unknown = set(options["steps"].split(",")) - set(STEPS) - set(OPTIONAL_STEPS)
        if unknown:
            known = ", ".join((*STEPS, *OPTIONAL_STEPS))
            raise CommandError(f"unknown steps {sorted(unknown)}; choose from {known}")
        steps = options["steps"].split(",")
        if "pages" in steps and "bulk" not in steps:
            raise CommandError(
                "--steps pages times the pages over the year the bulk step loads: "
                "ask for --steps bulk,pages"
            )
        options["end_month"] = (
            f"{end_month_choose(options['end_month'], pages='pages' in steps):%Y-%m}"
        )
        levels = options["levels"].split(",")
        if not all(level.isdigit() and 0 < int(level) <= 256 for level in levels):
            raise CommandError(
                f"--levels {options['levels']!r}: client counts from 1 to 256, e.g. 1,4,16"
            )
        if not 0 < options["duration"] <= 3600:
            raise CommandError("--duration: seconds per phase, more than 0 and at most 3600")
        url = scratch_url(options["database"] or "sqlite://", CONFIG.var_dir)
        out = Path(options["json_out"] or tempfile.mkstemp(suffix=".json")[1])
        command = [sys.executable, "-m", "reetrace", "bench-run", "--out", str(out)]
        if options["epcis_events"] < 1:
            raise CommandError("--epcis-events: at least 1")
        keys = ("scale", "seed", "end_month", "steps", "lots", "api_batches", "clients", "duration")
        for key in (*keys, "levels", "epcis_events"):
            command += [f"--{key.replace('_', '-')}", str(options[key])]
        if not options["epcis_peer"]:
            command.append("--no-epcis-peer")
        env = os.environ | {"REETRACE_DATABASE_URL": url}
        if subprocess.run(command, env=env, check=False).returncode != 0:
            raise CommandError("the benchmark run failed; see the output above")
        results = json.loads(out.read_text())
        Console().print(report_table(results))
        self.stdout.write(f"results written to {out}")
