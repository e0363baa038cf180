"""Builders for reconciliation tests: uncontrolled magnet exports in the ledger and
partner files written from them with known causes injected."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.management import call_command

from reetrace.reconciliation.models import PartnerDataset
from reetrace.reconciliation.services.datasets import dataset_load
from tests.factories.world import World, at, code

ND_PR_MAGNET = {"Nd": "0.24", "Pr": "0.07"}  # no Dy/Tb: not on the control list
PRICE = Decimal(50)  # USD FOB per kg


@dataclass(frozen=True)
class Shipment:
    """One of our exports: n, destination, (month, day) in 2025, kg."""

    n: int
    destination: str
    month: int
    day: int
    kg: int

    @property
    def fob(self) -> Decimal:
        return PRICE * self.kg


# The measured-quality scenario: each declaration carries one known cause.
NORMAL_JAN = Shipment(1, "DE", 1, 10, 1000)
LAGGED = Shipment(2, "DE", 1, 25, 400)  # the partner records it in February
TRANSIT = Shipment(3, "DE", 1, 15, 300)  # recorded by the Netherlands
MISCLASSIFIED = Shipment(4, "DE", 1, 12, 200)  # recorded under 7202.99
GROSS = Shipment(5, "JP", 2, 5, 500)  # recorded as gross weight (x 1.04)
SHORT = Shipment(6, "US", 2, 10, 600)  # the partner records 150 kg less
NORMAL_FEB = Shipment(7, "DE", 2, 10, 800)
SCENARIO = [NORMAL_JAN, LAGGED, TRANSIT, MISCLASSIFIED, GROSS, SHORT, NORMAL_FEB]
UPLIFT = {"DE": Decimal("1.05"), "NL": Decimal("1.05"), "JP": Decimal("1.03")}
UPLIFT |= {"US": Decimal("1.06")}


def export_magnets(world: World, shipments: list[Shipment], *, exporter=None) -> None:
    """Import one Nd-Pr magnet lot per shipment (December 2024), then export it."""
    exporter = exporter or world.magnet_maker
    events = []
    for s in shipments:
        events.append(
            {
                "event_id": f"recon-imp-{exporter.pk}-{s.n}",
                "kind": "import",
                "event_time": at(12, 1, year=2024),
                "customs_declaration": f"CDI-R{exporter.pk}-{s.n}",
                "origin_country": "JP",
                "lot": {
                    "code": code(7000 + 100 * exporter.pk + s.n),
                    "product": "MAGNET-NDFEB-SINTERED",
                    "mass": str(s.kg),
                    "composition": ND_PR_MAGNET,
                },
            }
        )
        events.append(export_event(s, exporter))
    world.capture(exporter, *events)


def export_event(s: Shipment, exporter) -> dict:
    return {
        "event_id": f"recon-x-{exporter.pk}-{s.n}",
        "kind": "export",
        "event_time": at(s.month, s.day),
        "lot": code(7000 + 100 * exporter.pk + s.n),
        "mass": str(s.kg),
        "customs_declaration": f"CD-R{exporter.pk}-{s.n}",
        "hs_code": "8505111000",
        "destination": s.destination,
        "consignee": f"Secret Consignee {s.n}",
        "end_user": f"End user {s.n}",
        "licence": "",
        "fob_value": f"{s.fob:f}",
        "currency": "USD",
    }


def partner_row(s: Shipment, **changes) -> dict:
    """What an honest partner records for `s`: same month, country, line, net kg, CIF."""
    row = {
        "reporter": s.destination,
        "hs": "850511",
        "month": s.month,
        "kg": Decimal(s.kg),
        "gross": False,
        "value": s.fob * UPLIFT[s.destination],
        "basis": "cif",
    }
    return row | changes


def injected_rows() -> list[dict]:
    return [
        partner_row(NORMAL_JAN),
        partner_row(LAGGED, month=2),
        partner_row(TRANSIT, reporter="NL"),
        partner_row(MISCLASSIFIED, hs="720299"),
        partner_row(GROSS, kg=Decimal(520), gross=True),
        partner_row(SHORT, kg=Decimal(450), value=PRICE * 450 * UPLIFT["US"]),
        partner_row(NORMAL_FEB),
    ]


def mirror_rows(shipments=SCENARIO) -> list[dict]:
    """No cause at all: the partner's record equals our declaration, valued FOB."""
    return [partner_row(s, value=s.fob, basis="fob") for s in shipments]


ISO3 = {"DE": "DEU", "NL": "NLD", "JP": "JPN", "US": "USA"}


def comtrade_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    columns = ["reporterISO", "partnerISO", "flowCode", "cmdCode", "period"]
    columns += ["netWgt", "grossWgt", "cifvalue", "fobvalue"]
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow(
            {
                "reporterISO": ISO3[r["reporter"]],
                "partnerISO": "CHN",
                "flowCode": "M",
                "cmdCode": r["hs"],
                "period": f"2025{r['month']:02d}",
                "netWgt": "" if r["gross"] else f"{r['kg']:f}",
                "grossWgt": f"{r['kg']:f}" if r["gross"] else "",
                "cifvalue": f"{r['value']:.2f}" if r["basis"] == "cif" else "",
                "fobvalue": f"{r['value']:.2f}" if r["basis"] == "fob" else "",
            }
        )
    return out.getvalue()


def comext_csv(rows: list[dict], eur_per_usd: dict[int, Decimal]) -> str:
    out = io.StringIO()
    columns = ["DECLARANT_ISO", "PARTNER_ISO", "PRODUCT_NC", "FLOW", "PERIOD"]
    columns += ["VALUE_IN_EUROS", "QUANTITY_IN_KG"]
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow(
            {
                "DECLARANT_ISO": r["reporter"],
                "PARTNER_ISO": "CN",
                "PRODUCT_NC": r["hs"] + ("10" if r["hs"] == "850511" else "99"),
                "FLOW": "1",
                "PERIOD": f"2025{r['month']:02d}",
                "VALUE_IN_EUROS": f"{r['value'] * eur_per_usd[r['month']]:.2f}",
                "QUANTITY_IN_KG": f"{r['kg']:f}",
            }
        )
    return out.getvalue()


def load(text: str, fmt: str = "comtrade", vintage: date = date(2025, 6, 1), **kw):
    return dataset_load(
        actor=None,
        content=text.encode(),
        filename=f"partner.{fmt}.csv",
        format=fmt,
        vintage=vintage,
        **kw,
    )


MIRROR_HEADER = "reporterISO,partnerISO,flowCode,cmdCode,period,netWgt,fobvalue\n"


def cli_report(tmp_path) -> tuple[dict, int]:
    """`reetrace reconcile --json` over the injected partner file for Jan-Feb 2025: the
    command's report and the pk of the dataset it loaded (the page and API compare)."""
    path = tmp_path / "partner.csv"
    path.write_text(comtrade_csv(injected_rows()))
    out = io.StringIO()
    call_command(
        "reconcile", "--partner", str(path), "--format", "comtrade", "--vintage", "2025-06-01",
        "--from", "2025-01", "--to", "2025-02", "--json", stdout=out,
    )  # fmt: skip
    return json.loads(out.getvalue()), PartnerDataset.objects.get().pk
