"""The compliance operations in the access matrix (tests/test_access_matrix.py).

Product rules: alerts are read by the national readers (regulator, admin, auditor)
and by enterprise users, who see only alerts shared with them about their own
enterprise; risk scores and cases are for the national readers only; triage,
cases and detection runs are the regulator's (and the administrator's) work.
"""

from __future__ import annotations

import base64
from datetime import date

from reetrace.compliance.models import Alert
from reetrace.compliance.services.cases import case_open
from reetrace.compliance.services.detection import run_create


def allowed(R, EVERYONE, READ_ALL, WRITERS, ANON) -> dict[str, frozenset[str]]:
    return {
        "detection_runs_start": WRITERS,
        "detection_runs_get": WRITERS,
        "alerts_list": READ_ALL | {R.ENTERPRISE},
        "alerts_get": READ_ALL | {R.ENTERPRISE},
        "alerts_triage": WRITERS,
        "alerts_dismiss": WRITERS,
        "alerts_share": WRITERS,
        "risk_ranking": READ_ALL,
        "compliance_balance": READ_ALL | {R.ENTERPRISE},
        "cases_open": WRITERS,
        "cases_list": READ_ALL,
        "cases_get": READ_ALL,
        "cases_assign": WRITERS,
        "cases_note": WRITERS,
        "cases_attach": WRITERS,
        "cases_close": WRITERS,
    }


def prepare(scene) -> dict[str, str]:
    """An alert about the enterprise user's own enterprise, shared with it; a case
    opened from another alert; a queued run."""
    world = scene.world
    alert = Alert.objects.create(
        rule="report_late",
        severity="low",
        enterprise=scene.own,
        period=date(2025, 1, 1),
        figures={"expected": "2025-02-10", "observed": "2025-02-20", "unit": "date"},
        explanation="closed late",
        shared_with_enterprise=True,
        fingerprint="access-matrix-alert",
    )
    in_case = Alert.objects.create(
        rule="report_missing",
        severity="medium",
        enterprise=scene.own,
        period=date(2025, 2, 1),
        explanation="not closed",
        fingerprint="access-matrix-case-alert",
    )
    regulator = world.users["regulator"]
    case = case_open(actor=regulator, title="matrix case", alerts=[in_case])
    run = run_create(actor=regulator, rules=["report_late"])
    return {"alert_id": str(alert.pk), "case_id": str(case.pk), "run_id": str(run.pk)}


def request_body(scene, operation_id: str, role: str, n: int) -> dict | None:
    bodies = {
        "detection_runs_start": {"rules": ["report_late"], "start": "2025-01-01"},
        "alerts_triage": {"reason": f"matrix {n}"},
        "alerts_dismiss": {"reason": f"matrix {n}"},
        "alerts_share": {"shared": True, "reason": f"matrix {n}"},
        "cases_open": {"title": f"matrix {n}", "alerts": [_alert_id()]},
        "cases_assign": {"assignee": "regulator-user"},
        "cases_note": {"text": f"note {n}"},
        "cases_attach": {
            "name": f"doc-{n}.txt",
            "content_base64": base64.b64encode(f"doc {n}".encode()).decode(),
        },
        "cases_close": {"outcome": f"outcome {n}"},
    }
    return bodies.get(operation_id)


def _alert_id() -> int:
    return Alert.objects.get(fingerprint="access-matrix-alert").pk
