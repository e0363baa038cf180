"""`reetrace calendar load FILE`: a year's official working-day schedule (the State
Council's holidays and adjusted working days) for a year chinesecalendar lacks;
`reetrace calendar clocks`: the open applications' clocks as they stand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from reetrace.accounts.management.console import ReetraceCommand
from reetrace.exportcontrol.selectors import today
from reetrace.exportcontrol.services.calendar import open_clocks, schedule_load


class Command(ReetraceCommand):
    help = "Load a year's official working-day schedule (TOML), or list the open clocks."

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["load", "clocks"])
        parser.add_argument("file", nargs="?", help="load: the schedule's TOML file")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "clocks":
            for clock in open_clocks(today()):
                self._clock(clock)
            return
        if not options["file"]:
            raise CommandError("load needs the schedule's file")
        try:
            text = Path(options["file"]).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot read {options['file']}: {exc.strerror}") from exc
        loaded = schedule_load(text=text, actor=None, today=today())
        self.stdout.write(
            f"{loaded['year']}: {loaded['days_off']} days off, "
            f"{loaded['adjusted_working_days']} adjusted working days ({loaded['notice']}, "
            f"issued {loaded['issued']}); {len(loaded['recomputed'])} open clocks recomputed"
        )
        for clock in loaded["recomputed"]:
            self._clock(clock, before=clock["due_date_before"])

    def _clock(self, clock: dict, before=None) -> None:
        mark = " (provisional)" if clock["provisional"] else ""
        moved = f" (was {before})" if before is not None and before != clock["due_date"] else ""
        self.stdout.write(f"  {clock['number']}: due {clock['due_date']}{mark}{moved}")
