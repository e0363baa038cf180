"""`reetrace demo`: load the synthetic dataset if the ledger is empty, create one
demo login per role, and print the logins with the address to open."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand
from rich.console import Console
from rich.table import Table

from reetrace.ledger.models import Event
from reetrace.synth.config import SCALES
from reetrace.synth.demo import demo_users

DEMO_URL = "http://127.0.0.1:8000/"


class Command(BaseCommand):
    help = "Load the demo dataset (once) and print demo logins for every role."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=SCALES, default="small")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--end-month", help="last month of the demo's twelve (default: last complete month)"
        )
        parser.add_argument(
            "--out", type=Path, help="also write the dataset files and ground truth here"
        )

    def handle(self, *args, scale, seed, **options):
        console = Console(file=self.stdout)
        if Event.objects.exists():
            console.print("The ledger already holds events; the dataset is not loaded again.")
        else:
            call_command(
                "generate",
                scale=scale,
                seed=seed,
                end_month=options.get("end_month"),
                out=options.get("out"),
                load=True,
                stdout=self.stdout,
            )
        table = Table(title="reetrace demo logins")
        for column in ("username", "password", "role", "enterprise"):
            table.add_column(column)
        for login in demo_users():
            table.add_row(login.username, login.password, str(login.role), login.enterprise)
        console.print(table)
        console.print(f"Open {DEMO_URL} and sign in with one of the logins above.")
