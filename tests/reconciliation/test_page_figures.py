"""The portal page shows the command line's figures, cell by cell and in total."""

from __future__ import annotations

from django.urls import reverse

from reetrace.accounts.permissions import UserRole as R
from tests.portal.conftest import signed_in
from tests.reconciliation.helpers import SCENARIO, cli_report, export_magnets


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
    cli, dataset_id = cli_report(tmp_path)
    page = signed_in(world.users[R.REGULATOR]).get(
        reverse("reconciliation:comparison", args=[dataset_id]),
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
