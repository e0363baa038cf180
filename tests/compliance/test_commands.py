"""`reetrace detect` and `reetrace import-prices`."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from reetrace.compliance.models import Alert, ReferencePrice
from tests.compliance.helpers import ore_at_separator, separation

pytestmark = pytest.mark.django_db


def test_detect_prints_the_run_as_json_and_a_second_run_adds_nothing(world, capsys):
    ore_at_separator(world)
    world.capture(world.separator, separation("sep-low", "40000", yield_="0.70"))
    call_command("detect", rules="yield_out_of_range,element_dropped", json=True)
    first = json.loads(capsys.readouterr().out)
    assert first["status"] == "done"
    assert first["counts"]["yield_out_of_range"] == {"found": 1, "new": 1}
    call_command("detect", rules="yield_out_of_range", json=True)
    assert json.loads(capsys.readouterr().out)["counts"]["yield_out_of_range"]["new"] == 0
    assert Alert.objects.count() == 1


def test_detect_prints_a_summary_table(world, capsys):
    call_command("detect", rules="report_late", **{"as_of": None})
    assert "report_late" in capsys.readouterr().out


def test_detect_refuses_an_unknown_rule(world):
    with pytest.raises(CommandError, match="unknown rule"):
        call_command("detect", rules="nope")


def test_the_default_price_table_is_loaded_and_reimport_is_idempotent(db, capsys):
    count = ReferencePrice.objects.count()
    assert count > 40
    assert (
        ReferencePrice.objects.get(element="Dy", form="oxide", valid_from="2025-11-13").cny_per_kg
        == 1490
    )
    call_command("import-prices")
    assert ReferencePrice.objects.count() == count
