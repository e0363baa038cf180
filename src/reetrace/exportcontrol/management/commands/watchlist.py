"""`reetrace watchlist import ENTRIES.csv [--ownership OWNERSHIP.csv]` and
`reetrace watchlist screen NAME`: the lists applicants are screened against."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from reetrace.accounts.management.console import ReetraceCommand
from reetrace.exportcontrol.services.screening import screen_name, watchlist_import


class Command(ReetraceCommand):
    help = "Import watch-list CSVs (name, aliases, country, list, listed_since) or screen a name."

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["import", "screen"])
        parser.add_argument("target", help="CSV file to import, or the name to screen")
        parser.add_argument("--ownership", help="CSV with owner, owned, percent[, owned_country]")
        parser.add_argument("--country", default="", help="screen: the party's country")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "screen":
            for hit in screen_name(options["target"], country=options["country"].upper()):
                self.stdout.write(
                    f"{hit.score:3d}  {hit.entry.list_name}: {hit.entry.name} "
                    f"({hit.entry.country or '--'}), matched {hit.matched_name!r} via {hit.via}"
                )
            return
        entries = _read(options["target"])
        ownership = _read(options["ownership"]) if options["ownership"] else None
        counts = watchlist_import(entries_csv=entries, ownership_csv=ownership)
        self.stdout.write(
            f"{counts['created']} entries created, {counts['updated']} updated, "
            f"{counts['ownership_links']} ownership links"
        )


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
