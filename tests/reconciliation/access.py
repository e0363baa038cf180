"""The reconciliation operations in the access matrix (tests/test_access_matrix.py).

Product rules: partner statistics are loaded by the regulator, the administrator
and the foreign partner analyst; comparisons, drill-downs and submission status are
read by the national readers, the licensing and customs officers and the partner
analyst (who sees aggregates only); partner enterprise submissions are uploaded by
the partner analyst and the administrator; a case is opened from a cell by those who
work compliance cases (regulator and administrator). Enterprise users see none of it.
"""

from __future__ import annotations

from datetime import date

from reetrace.reconciliation.services.datasets import dataset_load
from tests.reconciliation.helpers import MIRROR_HEADER


def allowed(R, EVERYONE, READ_ALL, WRITERS, ANON) -> dict[str, frozenset[str]]:
    readers = READ_ALL | {R.LICENSING_OFFICER, R.CUSTOMS_OFFICER, R.PARTNER}
    return {
        "reconciliation_datasets_load": WRITERS | {R.PARTNER},
        "reconciliation_datasets_list": readers,
        "reconciliation_datasets_get": readers,
        "reconciliation_comparison": readers,
        "reconciliation_cell_declarations": readers,
        "reconciliation_cell_case_open": WRITERS,
        "reconciliation_submissions_upload": frozenset({R.PARTNER, R.ADMIN}),
        "reconciliation_submissions_status": readers,
    }


def _partner_file(n: int) -> str:
    return MIRROR_HEADER + f"DEU,CHN,M,850511,202501,{1000 + n},{50000 + n}\n"


def prepare(scene) -> dict[str, str]:
    """A loaded dataset and the cell of the scene's export to Germany (January 2025)."""
    dataset = dataset_load(
        actor=None,
        content=_partner_file(0).encode(),
        filename="matrix.csv",
        format="comtrade",
        vintage=date(2025, 6, 1),
    )
    return {
        "dataset_id": str(dataset.pk),
        "cell_product": "253090",
        "cell_country": "DE",
        "cell_month": "2025-01",
    }


def request_body(scene, operation_id: str, role: str, n: int) -> dict | None:
    if operation_id == "reconciliation_datasets_load":
        return {
            "format": "comtrade",
            "vintage": "2025-06-01",
            "name": f"matrix {n}",
            "content": _partner_file(n),
        }
    if operation_id == "reconciliation_cell_case_open":
        return {"title": f"matrix case {n}"}
    if operation_id == "reconciliation_submissions_upload":
        return {
            "filename": f"orders-{n}.csv",
            "content": "importer,supplier,product,kg_ordered,kg_received\n"
            f"Motoren GmbH,Ningbo Magnets,MAGNET-NDFEB-SINTERED,{n},0\n",
        }
    return None
