"""Data migration: the default reference prices (docs/facts.md section 7), so that the
price rule works from a clean clone; `reetrace import-prices` replaces or adds rows."""

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import migrations

CSV = Path(__file__).resolve().parent.parent / "data" / "reference_prices.csv"


def load(apps, schema_editor):
    ReferencePrice = apps.get_model("compliance", "ReferencePrice")
    with CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            ReferencePrice.objects.update_or_create(
                element=row["element"],
                form=row["form"],
                valid_from=date.fromisoformat(row["valid_from"]),
                defaults={"cny_per_kg": Decimal(row["cny_per_kg"]), "source": row["source"]},
            )


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
