"""`reetrace evaluate --truth ground_truth.json`: precision and recall per fraud type,
on the stored alerts of a synthetic dataset; `--scenarios DIR`: the same on the
library of hand-built scenarios (compliance/scenarios.py), each twin built through
the API and judged in a transaction that is rolled back."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from reetrace.compliance.evaluation import Score, score, stored_alerts, unexplained
from reetrace.compliance.scenarios import ScenarioError, run_library


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
        if (truth is None) == (scenarios is None):
            raise CommandError("give one of --truth FILE or --scenarios DIR")
        if scenarios is not None:
            self._scenarios(scenarios, json)
            return
        if truth.is_dir():
            truth = truth / "ground_truth.json"
        try:
            data = _load(truth)
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {truth}: {exc}") from exc
        cases = data["cases"] if isinstance(data, dict) else data
        alerts = stored_alerts()
        scores = score(cases, alerts)
        if json:
            self.stdout.write(_dumps([s.as_dict() for s in scores]))
            return
        self._table(scores, f"alerts against {truth}")
        others = unexplained(cases, alerts)
        self.stdout.write(
            f"alerts above notice level matching no truth record: {sum(others.values())}"
        )
        for rule, count in others.items():
            self.stdout.write(f"  {rule}: {count}")

    def _scenarios(self, directory: Path, json: bool) -> None:
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
        if json:
            rows = [s.as_dict() for s in scores]
            self.stdout.write(_dumps({"scores": rows, "honest_twin_alerts": honest}))
            return
        self._table(scores, f"scenarios in {directory} ({len(outcomes) // 2} scenarios)")
        self.stdout.write(f"alerts on honest twins: {len(honest)}")
        for alert in honest:
            self.stdout.write(
                f"  {alert['scenario']}: {alert['rule']} {alert['enterprise']} {alert['period']}"
            )

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
