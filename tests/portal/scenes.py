"""What the compliance, licence and reconciliation pages need on top of the chain:
alerts (one shared with the magnet maker), a case with a document, a licence
application with its documents, and a partner dataset that mirrors the March export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reetrace.accounts.permissions import UserRole as R
from reetrace.compliance.models import Alert
from reetrace.compliance.services.cases import case_attach, case_open
from reetrace.compliance.services.detection import run_create
from reetrace.exportcontrol.choices import REQUIRED_DOCUMENTS
from reetrace.exportcontrol.services.applications import application_create, document_add
from reetrace.reconciliation.services.datasets import dataset_load
from tests.factories.world import World
from tests.portal.conftest import MAGNET

# Germany records 1,400 kg of the 1,500 kg exported in March (100 kg unexplained).
PARTNER_CSV = (
    "reporterISO,partnerISO,flowCode,cmdCode,period,netWgt,fobvalue\n"
    "DEU,CHN,M,850511,202503,1400,420000\n"
)


@dataclass
class Scene:
    shared: Alert
    private: Alert
    case: object
    application: object
    dataset: object
    run: object


def alert(world: World, n: int, *, shared: bool, enterprise=None, **changes) -> Alert:
    fields = {
        "rule": "short_receipt",
        "severity": "high",
        "enterprise": enterprise or world.magnet_maker,
        "period": date(2025, 3, 1),
        "figures": {
            "expected": "500",
            "observed": "450",
            "tolerance": 0.005,
            "unit": "kg",
            "missing_kg": "50",
        },
        "lots": [MAGNET],
        "events": ["x-1"],
        "explanation": f"finding {n}: 50 kg short",
        "shared_with_enterprise": shared,
        "fingerprint": f"portal-test-{n}",
    }
    return Alert.objects.create(**(fields | changes))


def application_draft(world: World, *, documents=REQUIRED_DOCUMENTS):
    owner = world.user_for(world.magnet_maker)
    application = application_create(
        actor=owner,
        data={
            "consignee": {"name": "Motoren GmbH", "country": "DE"},
            "end_user": {"name": "Motoren GmbH", "country": "DE"},
            "end_use": "traction motors",
            "destination": "DE",
            "contract_number": "C-1",
            "items": [
                {
                    "product": "MAGNET-NDFEB-SINTERED",
                    "composition": {"Nd": "0.29", "Dy": "0.021"},
                    "mass": "500",
                    "value": "60000",
                    "currency": "USD",
                }
            ],
        },
    )
    for kind in documents:
        document_add(
            actor=owner,
            application=application,
            kind=kind,
            filename=f"{kind}.pdf",
            content=b"%PDF " + kind.encode(),
        )
    return application


def partner_dataset():
    return dataset_load(
        actor=None,
        content=PARTNER_CSV.encode(),
        filename="destatis.csv",
        format="comtrade",
        vintage=date(2025, 6, 1),
    )


def build_scene(world: World) -> Scene:
    """Alerts, a case, an application and a dataset; the partner analyst is German."""
    partner = world.users[R.PARTNER]
    partner.partner_country = "DE"
    partner.save(update_fields=["partner_country"])
    shared = alert(world, 1, shared=True)
    private = alert(world, 2, shared=False, enterprise=world.miner, rule="quota_usage")
    regulator = world.users[R.REGULATOR]
    case = case_open(actor=regulator, title="Short receipts", alerts=[private])
    case_attach(actor=regulator, case=case, name="memo.txt", content=b"memo")
    run = run_create(actor=regulator, rules=["report_late"])
    return Scene(shared, private, case, application_draft(world), partner_dataset(), run)
