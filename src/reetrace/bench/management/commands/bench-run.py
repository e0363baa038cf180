"""The measuring half of `reetrace bench`, run in a child bound to the scratch database."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from rich.progress import Progress

from reetrace.bench.measure import machine
from reetrace.bench.steps.balance import balance
from reetrace.bench.steps.epcis import epcis_ingest
from reetrace.bench.steps.genealogy import traces
from reetrace.bench.steps.http_ingest import api_ingest
from reetrace.bench.steps.http_load import http_load
from reetrace.bench.steps.ledger_rows import ledger_rows_baseline
from reetrace.bench.steps.load import bulk_load, raw_baseline
from reetrace.synth.window import month_parse


class Command(BaseCommand):
    help = "Internal: run the benchmark steps against the configured (scratch) database."

    def add_arguments(self, parser):
        for name, kind in (
            ("--scale", str),
            ("--seed", int),
            ("--end-month", month_parse),
            ("--steps", str),
            ("--lots", int),
            ("--api-batches", int),
            ("--clients", int),
            ("--duration", float),
            ("--levels", str),
            ("--epcis-events", int),
            ("--out", str),
        ):
            parser.add_argument(name, type=kind, required=True)
        parser.add_argument("--no-epcis-peer", dest="epcis_peer", action="store_false")

    def handle(self, *args, **o):
        call_command("migrate", verbosity=0)
        steps = o["steps"].split(",")
        results = {
            "scale": o["scale"],
            "seed": o["seed"],
            "end_month": f"{o['end_month']:%Y-%m}",
            "database": connection.vendor,
            "machine": machine(),
            "steps": {},
        }
        if "bulk" in steps:
            with Progress(transient=True) as progress:
                task = progress.add_task("bulk load through the ledger rules (events)")
                results["steps"]["bulk"] = bulk_load(
                    o["scale"], o["seed"], o["end_month"], lambda: progress.advance(task)
                )
        if "raw" in steps:
            results["steps"]["raw"] = raw_baseline(o["scale"], o["seed"], o["end_month"])
        if "rows" in steps:
            results["steps"]["rows"] = ledger_rows_baseline()
        if "api" in steps:
            results["steps"]["api"] = api_ingest(o["api_batches"], o["clients"])
        if "genealogy" in steps:
            results["steps"]["genealogy"] = traces(o["lots"], o["seed"])
        if "balance" in steps:
            results["steps"]["balance"] = balance()
        if "lake" in steps or "spark" in steps:
            from reetrace.bench.steps.lake import lake, spark

            results["steps"]["lake"] = lake()
            if "spark" in steps:
                results["steps"]["spark"] = spark(results["steps"]["lake"]["path"])
        if "epcis" in steps:
            results["steps"]["epcis"] = epcis_ingest(
                o["scale"],
                o["seed"],
                o["end_month"],
                o["epcis_events"],
                o["clients"],
                peer=o["epcis_peer"],
            )
        if "pages" in steps:
            from reetrace.bench.steps.pages import pages

            results["steps"]["pages"] = pages()
        if "load" in steps:
            levels = tuple(int(level) for level in o["levels"].split(","))
            results["steps"]["load"] = http_load(o["duration"], levels, o["seed"])
        Path(o["out"]).write_text(json.dumps(results, indent=2) + "\n")
