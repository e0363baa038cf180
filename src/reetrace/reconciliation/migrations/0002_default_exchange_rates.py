"""Data migration: the default monthly exchange rates (approximate, each row says so),
so that comparisons work from a clean clone; `reetrace import-rates` replaces rows."""

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import migrations

CSV = Path(__file__).resolve().parent.parent / "data" / "exchange_rates.csv"


def load(apps, schema_editor):
    ExchangeRate = apps.get_model("reconciliation", "ExchangeRate")
    with CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            year, month = (int(p) for p in row["month"].split("-"))
            ExchangeRate.objects.update_or_create(
                month=date(year, month, 1),
                currency=row["currency"],
                defaults={
                    "units_per_usd": Decimal(row["units_per_usd"]),
                    "approximate": row["approximate"] == "yes",
                    "source": row["source"],
                },
            )


class Migration(migrations.Migration):
    dependencies = [("reconciliation", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
