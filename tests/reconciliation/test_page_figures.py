"""The portal page shows the command line's figures, cell by cell and in total."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from reetrace.accounts.permissions import UserRole as R
from reetrace.reconciliation.models import PartnerDataset
from tests.portal.conftest import signed_in
from tests.reconciliation.helpers import SCENARIO, comtrade_csv, export_magnets, injected_rows


def _figures(cells: list[dict]) -> list[tuple]:
    keys = ("ours_kg", "theirs_kg", "gap_kg", "ours_value", "theirs_value", "gap_value")
    return [
        (c["product"], c["country"], c["month"], *(str(c[k]) for k in keys))
        + tuple(str(v) for v in c["parts_kg"].values())
        + tuple(str(v) for v in c["parts_value"].values())
        for c in cells
    ]


def test_the_page_and_the_command_give_the_same_figures(world, tmp_path):
    export_magnets(world, SCENARIO)
    path = tmp_path / "partner.csv"
    path.write_text(comtrade_csv(injected_rows()))
    out = StringIO()
    call_command(
        "reconcile", "--partner", str(path), "--format", "comtrade", "--vintage", "2025-06-01",
        "--from", "2025-01", "--to", "2025-02", "--json", stdout=out,
    )  # fmt: skip
    cli = json.loads(out.getvalue())
    dataset = PartnerDataset.objects.get()
    page = signed_in(world.users[R.REGULATOR]).get(
        reverse("reconciliation:comparison", args=[dataset.pk]),
        {"start": "2025-01", "end": "2025-02"},
    )
    assert page.status_code == 200
    shown = page.context["report"]
    assert _figures(shown["cells"]) == _figures(cli["cells"])
    assert _figures([shown["totals"] | {"product": "", "country": "", "month": ""}]) == _figures(
        [cli["totals"] | {"product": "", "country": "", "month": ""}]
    )
    table = page.context["tables"]["cells"].rows
    assert [str(r["unexplained_kg"]) for r in table] == [
        c["parts_kg"]["unexplained"] for c in cli["cells"]
    ]
