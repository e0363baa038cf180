"""Access rules of the export-control endpoints for tests/test_access_matrix.py.

* classification is a reference service: every signed-in role;
* enterprise users apply (and administrators on behalf of one); licensing officers and
  administrators decide, manage watch lists and load working-day schedules;
* applications are read by national roles, by the applicant and by a partner analyst
  whose country is the consignee's (state and dates only);
* licences and refused exports by national roles and the exporter itself;
* statistics by national readers, the licensing officer and partner analysts;
* vetted exporters: vetted and revoked by licensing officers and administrators, read by
  national roles and by the enterprise itself (its own vettings).
"""

from __future__ import annotations

import base64
from datetime import date
from pathlib import Path

from reetrace.exportcontrol.choices import ApplicationState
from reetrace.exportcontrol.models import Application, VettedExporter
from tests.exportcontrol.helpers import application_body, licensed, vet

SCHEDULE_2027 = Path(__file__).with_name("data") / "schedule-2027.toml"


def allowed(R, EVERYONE, READ_ALL, WRITERS, ANON) -> dict[str, frozenset]:
    national = READ_ALL | {R.LICENSING_OFFICER, R.CUSTOMS_OFFICER}
    applicant = frozenset({R.ENTERPRISE, R.ADMIN})
    officer = frozenset({R.LICENSING_OFFICER, R.ADMIN})
    return {
        "exportcontrol_classify": EVERYONE,
        "exportcontrol_classify_lot": national | {R.ENTERPRISE},  # partners see no lots
        "applications_create": applicant,
        "applications_list": national | {R.ENTERPRISE, R.PARTNER},
        "applications_get": national | {R.ENTERPRISE, R.PARTNER},
        "applications_documents_upload": applicant,
        "applications_act": applicant,
        "applications_decide": officer,
        "applications_screen": officer,
        "licences_list": national | {R.ENTERPRISE},
        "licences_get": national | {R.ENTERPRISE},
        "refused_exports_list": national | {R.ENTERPRISE},
        "exportcontrol_stats": READ_ALL | {R.LICENSING_OFFICER, R.PARTNER},
        "watchlist_import": officer,
        "exportcontrol_calendar_load": officer,
        "watchlist_screen": officer,
        "vetted_exporters_list": national | {R.ENTERPRISE},
        "vetted_exporters_vet": officer,
        "vetted_exporters_revoke": officer,
    }


def prepare(scene) -> dict[str, str]:
    """An approved application of the magnet maker (consignee in DE) and its licence;
    the partner analyst follows German importers."""
    world = scene.world
    partner = world.users["partner"]
    partner.partner_country = "DE"
    partner.save(update_fields=["partner_country"])
    application, licence = licensed(world)
    vetting = vet(world)
    return {
        "application_id": application.number,
        "licence_number": licence.number,
        "product_form": "sintered_ndfeb",
        "vetting_id": str(vetting.pk),
    }


def _reset(scene, state: str) -> None:
    """Put the shared application back where the operation under test can act on it."""
    number = scene.extra_params["application_id"]
    Application.objects.filter(number=number).update(state=state)


def request_body(scene, operation_id: str, role: str, n: int) -> dict | None:
    world = scene.world
    if operation_id == "applications_create":
        body = application_body(world, contract_number=f"C-MATRIX-{n}")
        if role == "admin":
            body["applicant"] = scene.own.identifier
        return body
    if operation_id == "applications_documents_upload":
        _reset(scene, ApplicationState.DRAFT)
        content = base64.b64encode(f"contract {n}".encode()).decode()
        return {"kind": "contract", "filename": f"c{n}.pdf", "content_base64": content}
    if operation_id == "applications_act":
        _reset(scene, ApplicationState.SUBMITTED)
        return {"action": "withdraw", "comment": f"matrix {n}"}
    if operation_id == "applications_decide":
        _reset(scene, ApplicationState.UNDER_REVIEW)
        return {"action": "request_information", "comment": f"matrix {n}"}
    if operation_id == "watchlist_import":
        return {
            "entries_csv": f"name,aliases,country,list,listed_since\nMatrix {n},,US,L,2024-01-01\n"
        }
    if operation_id == "vetted_exporters_vet":
        # one year per call, after the shared vetting's open-ended period is closed
        VettedExporter.objects.filter(until__isnull=True).update(until=date(2025, 12, 31))
        since = date(2030 + n, 1, 1)
        return {
            "enterprise": scene.own.identifier,
            "since": f"{since}",
            "until": f"{since.year}-12-31",
            "basis": f"matrix {n}",
        }
    if operation_id == "vetted_exporters_revoke":
        VettedExporter.objects.filter(pk=scene.extra_params["vetting_id"]).update(revoked_at=None)
        return {"reason": f"matrix {n}"}
    if operation_id == "exportcontrol_calendar_load":
        return {"toml": SCHEDULE_2027.read_text(encoding="utf-8")}
    if operation_id == "watchlist_screen":
        return {"name": f"Matrix {n}"}
    return None
