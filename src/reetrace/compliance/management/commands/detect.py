"""`reetrace detect`: run the compliance rules over the ledger and print what they found."""

from __future__ import annotations

import json
from datetime import date, datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from reetrace.compliance.checks import CHECKS
from reetrace.compliance.engines import DATABASE, engine_names, engine_source, engines_help
from reetrace.compliance.models import Alert
from reetrace.compliance.services.detection import detect
from reetrace.core.errors import ReetraceError
from reetrace.ledger.rules import CHINA_TIME


def _date(raw: str) -> date:
    try:
        return date.fromisoformat(raw if len(raw) > 7 else f"{raw}-01")
    except ValueError as exc:
        raise CommandError(f"{raw!r} is not a date like 2025-03 or 2025-03-01") from exc


class Command(BaseCommand):
    help = f"Run compliance rules ({', '.join(CHECKS)}) and upsert their alerts."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", type=_date, help="first month")
        parser.add_argument("--to", dest="end", type=_date, help="last month")
        parser.add_argument("--rules", help="comma-separated rule names (default: all)")
        parser.add_argument("--as-of", type=_date, help="judge ages and deadlines on this date")
        parser.add_argument("--json", action="store_true", help="print the run as JSON")
        parser.add_argument(
            "--full",
            action="store_true",
            help="judge every month, not only those touched by events recorded since the last run",
        )
        parser.add_argument(
            "--engine",
            default=DATABASE,
            choices=engine_names(),
            help=(
                "where the set-based aggregates are computed (the database by default; "
                "another engine always judges every month of the window). "
                + engines_help(list(CHECKS))
            ),
        )
        parser.add_argument("--lake", metavar="PATH", help="the lake another engine reads")

    def handle(self, *args, start, end, rules, as_of, json: bool, full: bool, **options):
        console = Console(file=self.stdout, width=120)
        try:
            source = engine_source(options["engine"], options["lake"])
        except ReetraceError as exc:
            raise CommandError(exc.message) from exc
        moment = datetime.combine(as_of, time(23, 59), CHINA_TIME) if as_of else None
        names = [r.strip() for r in rules.split(",") if r.strip()] if rules else None
        columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
        with Progress(*columns, TimeElapsedColumn(), console=console, disable=json) as progress:
            served = getattr(source, "rules", None)
            task = progress.add_task("rules", total=len(names or served or CHECKS))

            def step(name: str, index: int, total: int) -> None:
                progress.update(task, completed=index, description=name)

            try:
                run = detect(
                    rules=names,
                    start=start,
                    end=end,
                    as_of=moment,
                    progress=step,
                    full=full or source is not None,
                    source=source,
                )
            except ReetraceError as exc:
                raise CommandError(exc.message) from exc
            progress.update(task, completed=len(run.rules), description="done")
        if json:
            self.stdout.write(_json(run))
        else:
            console.print(_table(run))


def _json(run) -> str:
    return json.dumps(
        {
            "run": run.pk,
            "status": run.status,
            "full": run.full,
            "last_event_pk": run.last_event_pk,
            "counts": run.counts,
            "periods": run.periods,
            "log": run.log.splitlines(),
        },
        indent=1,
    )


def _table(run) -> Table:
    rows = (
        Alert.objects.filter(rule__in=run.rules)
        .values("rule", "severity")
        .annotate(n=Count("id"))
        .order_by("rule", "severity")
    )
    per_rule: dict[str, dict[str, int]] = {}
    for row in rows:
        per_rule.setdefault(row["rule"], {})[row["severity"]] = row["n"]
    table = Table(title=f"detection run {run.pk}: {run.status}")
    for column in ("rule", "new this run", "high", "medium", "low", "info"):
        table.add_column(column, justify="left" if column == "rule" else "right")
    for name in run.rules:
        counts = per_rule.get(name, {})
        table.add_row(
            name,
            str(run.counts.get(name, {}).get("new", 0)),
            *(str(counts.get(s, 0)) for s in ("high", "medium", "low", "info")),
        )
    return table
