"""`reetrace evaluate --truth ground_truth.json`: precision and recall per fraud type,
on the stored alerts of a synthetic dataset; `--scenarios DIR`: the same on the
library of hand-built scenarios (compliance/scenarios.py), each twin built through
the API and judged in a transaction that is rolled back. Given both, it answers both,
each in a table of its own: a generator's figures and a library's are never added
up (the library's one case per type is a check, not a rate)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from reetrace.compliance.evaluation import Score, score, stored_alerts
from reetrace.compliance.scenarios import ScenarioError, run_library


@dataclass
class LibraryScores:
    """The library's scores per fraud type, how many scenarios, alerts on honest twins."""

    scores: list[Score]
    count: int
    honest: list[dict]

    def as_dict(self) -> dict:
        return {"scores": [s.as_dict() for s in self.scores], "honest_twin_alerts": self.honest}


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


class Command(BaseCommand):
    help = "Score the stored alerts against a synthetic dataset's ground truth."

    def add_arguments(self, parser):
        parser.add_argument("--truth", type=Path, help="ground_truth.json (or its directory)")
        parser.add_argument(
            "--scenarios", type=Path, help="directory of scenario files (tests/scenarios/library)"
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, truth: Path | None, scenarios: Path | None, json: bool, **options):
        if truth is None and scenarios is None:
            raise CommandError("give one of --truth FILE or --scenarios DIR (or both)")
        # The truth is scored on the stored alerts first; the library's twins are each
        # rolled back, so they leave the stored alerts as they were.
        generator = self._generator(truth) if truth is not None else None
        library = self._library(scenarios) if scenarios is not None else None
        if json:
            rows = [s.as_dict() for s in generator] if generator is not None else None
            found = library.as_dict() if library is not None else None
            if library is None:
                self.stdout.write(_dumps(rows))
            elif generator is None:
                self.stdout.write(_dumps(found))
            else:
                self.stdout.write(_dumps({"generator": rows, "scenarios": found}))
            return
        if generator is not None:
            self._table(generator, f"generator: alerts against {truth}")
        if library is not None:
            self._table(
                library.scores, f"scenario library: {scenarios} ({library.count} scenarios)"
            )
            self.stdout.write(f"alerts on honest twins: {len(library.honest)}")
            for alert in library.honest:
                self.stdout.write(
                    f"  {alert['scenario']}: {alert['rule']} {alert['enterprise']} "
                    f"{alert['period']}"
                )

    def _generator(self, truth: Path) -> list[Score]:
        if truth.is_dir():
            truth = truth / "ground_truth.json"
        try:
            data = _load(truth)
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {truth}: {exc}") from exc
        cases = data["cases"] if isinstance(data, dict) else data
        return score(cases, stored_alerts())

    def _library(self, directory: Path) -> LibraryScores:
        try:
            scores, outcomes = run_library(directory)
        except ScenarioError as exc:
            raise CommandError(str(exc)) from exc
        honest = [
            {"scenario": o.scenario, "rule": a.rule, "enterprise": a.enterprise, "period": a.period}
            for o in outcomes
            if o.twin == "honest"
            for a in o.alerts
        ]
        return LibraryScores(scores, len(outcomes) // 2, honest)

    def _table(self, scores: list[Score], title: str) -> None:
        table = Table(title=title)
        for column in ("fraud type", "rules", "truth", "alerts", "true", "precision", "recall"):
            table.add_column(
                column, justify="left" if column in ("fraud type", "rules") else "right"
            )
        for s in scores:
            table.add_row(
                s.fraud_type,
                ", ".join(s.rules) or "(no rule yet)",
                str(s.truth),
                str(s.alerts),
                str(s.matched_alerts),
                _pct(s.precision),
                _pct(s.recall),
            )
        Console(file=self.stdout, width=140).print(table)


def _load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def _dumps(value) -> str:
    return json.dumps(value, indent=1)
