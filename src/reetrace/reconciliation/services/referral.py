"""Opening a case from a cell: the cell's figures as the comparison report shows them
and the declarations the drill-down lists, handed to compliance, which raises one
alert per exporter and opens the case. The API, the portal and the command line all
call `cell_case_open`, so a case holds the figures every interface shows."""

from __future__ import annotations

from datetime import date

from reetrace.accounts.models import User
from reetrace.compliance.models import Case
from reetrace.compliance.services.referrals import Declaration, GapCell, referral_open
from reetrace.core.errors import NotFound
from reetrace.reconciliation.models import PartnerDataset
from reetrace.reconciliation.services.comparison import Scope, comparison_report
from reetrace.reconciliation.services.drilldown import cell_declarations

__all__ = ["cell_case_open"]


def cell_case_open(
    *,
    actor: User,
    dataset: PartnerDataset,
    scope: Scope,
    product: str,
    country: str,
    month: str,
    title: str = "",
    assignee: User | None = None,
) -> tuple[Case, bool]:
    """Alerts about the exporters behind the cell and one case holding them; returns
    (case, opened now?). The cell is compared over the whole dataset with the default
    parameters, as the drill-down reads it, so the same cell always gives the same
    figures (`scope` says only how products and countries are keyed)."""
    report = comparison_report(dataset=dataset, actor=actor, scope=scope)
    found = next(
        (
            c
            for c in report["cells"]
            if (c["product"], c["country"], c["month"]) == (product, country, month)
        ),
        None,
    )
    if found is None or found["confidential"]:
        raise NotFound("cell", f"{product}/{country}/{month}", field="cell")
    drill = cell_declarations(
        actor=actor, scope=scope, product=product, country=country, month=month
    )
    cell = GapCell(
        key=f"dataset={dataset.pk}|{scope.by}|{scope.level}|{product}|{country}|{month}",
        label=f"{product} to {country} in {month}, against {dataset.name} "
        f"(vintage {dataset.vintage:%Y-%m-%d})",
        month=date(int(month[:4]), int(month[5:7]), 1),
        ours_kg=found["ours_kg"],
        theirs_kg=found["theirs_kg"],
        ours_value=found["ours_value"],
        theirs_value=found["theirs_value"],
        currency=report["currency"],
        parts_kg=found["parts_kg"],
        parts_value=found["parts_value"],
        parameters=report["parameters"],
        source={
            "dataset": {k: str(v) for k, v in report["dataset"].items()},
            "by": scope.by,
            "level": scope.level,
            "product": product,
            "product_label": found["product_label"],
            "country": country,
            "month": month,
        },
        declarations=tuple(
            Declaration(event_id=d["event_id"], exporter=d["exporter"], lot=d["lot"], kg=d["kg"])
            for d in drill["items"]
        ),
    )
    return referral_open(actor=actor, cell=cell, assignee=assignee, title=title)
