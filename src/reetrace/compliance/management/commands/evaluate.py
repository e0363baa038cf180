"""`reetrace evaluate --truth ground_truth.json`: precision and recall per fraud type."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from reetrace.compliance.evaluation import score, stored_alerts


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


class Command(BaseCommand):
    help = "Score the stored alerts against a synthetic dataset's ground truth."

    def add_arguments(self, parser):
        parser.add_argument("--truth", type=Path, required=True, help="ground_truth.json")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, truth: Path, json: bool, **options):
        if truth.is_dir():
            truth = truth / "ground_truth.json"
        try:
            data = _load(truth)
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {truth}: {exc}") from exc
        cases = data["cases"] if isinstance(data, dict) else data
        scores = score(cases, stored_alerts())
        if json:
            self.stdout.write(_dumps([s.as_dict() for s in scores]))
            return
        table = Table(title=f"alerts against {truth}")
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
