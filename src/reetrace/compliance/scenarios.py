"""Hand-built scenarios: small chains reported through the public API, one honest and
one fraudulent twin each, that detection is scored on beside the generator.

A scenario file (JSON) names its fraud type, the enterprises and quotas (registered
through `POST /enterprises` and `/quotas` by a regulator account), the event
batches of each twin (posted through `POST /events` by a user of the reporting
enterprise), the moment detection is run `as_of`, and the alert it `expect`s on the
fraud twin (rule, enterprise, period, lots). Each twin is built and judged inside a
transaction that is rolled back, so the database is left as it was.

Monthly reports are not part of a scenario (closing a month is a separate duty with
rules of its own), so the report rules (`REPORT_RULES`) are not run on them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.core.management import call_command
from django.db import transaction
from django.test import Client

from reetrace.accounts.models import User
from reetrace.accounts.tokens import token_issue
from reetrace.compliance.checks import CHECKS
from reetrace.compliance.evaluation import AlertRef, Score, score, stored_alerts
from reetrace.compliance.services.detection import detect

API = "/api/v1"
REPORT_RULES = frozenset({"report_late", "report_missing", "volume_drop"})
TWINS = ("honest", "fraud")


class ScenarioError(ValueError):
    """A scenario file that cannot be built: names the file, twin and request."""


@dataclass
class Outcome:
    """What detection raised on one twin of one scenario."""

    scenario: str
    twin: str
    alerts: list[AlertRef] = field(default_factory=list)


@dataclass(frozen=True)
class Scenario:
    name: str
    spec: dict

    @property
    def fraud_type(self) -> str:
        return self.spec["fraud_type"]

    @property
    def truth(self) -> dict:
        """The fraud twin's ground truth, in the generator's truth shape."""
        expect = self.spec["expect"]
        return {
            "type": self.fraud_type,
            "enterprise": expect["enterprise"],
            "period": expect["period"],
            "lots": expect.get("lots", []),
        }


def load_scenarios(directory: Path) -> list[Scenario]:
    files = sorted(directory.glob("*.json"))
    if not files:
        raise ScenarioError(f"{directory}: no scenario files (*.json)")
    found = []
    for path in files:
        try:
            spec = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ScenarioError(f"{path}: not JSON: {exc}") from exc
        for key in ("fraud_type", "enterprises", "as_of", "expect", *TWINS):
            if key not in spec:
                raise ScenarioError(f"{path}: missing key {key!r}")
        found.append(Scenario(path.stem, spec))
    return found


def build_and_detect(scenario: Scenario, twin: str) -> Outcome:
    """Build `twin` through the API, run detection, keep its alerts, roll back."""
    outcome = Outcome(scenario.name, twin)
    with transaction.atomic():
        _build(scenario, twin)
        rules = [name for name in CHECKS if name not in REPORT_RULES]
        detect(rules=rules, as_of=datetime.fromisoformat(scenario.spec["as_of"]))
        outcome.alerts = stored_alerts()
        transaction.set_rollback(True)
    return outcome


def _build(scenario: Scenario, twin: str) -> None:
    spec = scenario.spec
    where = f"scenario {scenario.name} ({twin})"
    call_command("user", "create", "scenario-regulator", role="regulator", stdout=_Null())
    regulator = _client(User.objects.get(username="scenario-regulator"))
    for n, enterprise in enumerate(spec["enterprises"]):
        _post(regulator, "/enterprises", enterprise, 201, f"{where} enterprise {n}")
    for n, quota in enumerate(spec.get("quotas", [])):
        _post(regulator, "/quotas", quota, 201, f"{where} quota {n}")
    clients: dict[str, Client] = {}
    for n, batch in enumerate(spec[twin]):
        reporter = batch["as"]
        if reporter not in clients:
            username = f"scenario-{len(clients)}"
            call_command(
                "user", "create", username, role="enterprise", enterprise=reporter, stdout=_Null()
            )
            clients[reporter] = _client(User.objects.get(username=username))
        _post(clients[reporter], "/events", {"events": batch["events"]}, 200, f"{where} batch {n}")


def _client(user: User) -> Client:
    _, raw = token_issue(user=user, name="scenario")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _post(client: Client, path: str, body: dict, status: int, where: str) -> None:
    response = client.post(f"{API}{path}", body, content_type="application/json")
    if response.status_code != status:
        raise ScenarioError(
            f"{where}: POST {path} answered {response.status_code}: {response.content[:500]!r}"
        )


class _Null:
    def write(self, text: str) -> None:
        """call_command's output is not the scenario's."""


def run_library(directory: Path) -> tuple[list[Score], list[Outcome]]:
    """Per fraud type precision and recall over the library (each twin scored apart:
    the fraud twin against its expected alert, the honest twin against nothing),
    and every twin's alerts."""
    totals: dict[str, Score] = {}
    outcomes = []
    for scenario in load_scenarios(directory):
        for twin in TWINS:
            outcome = build_and_detect(scenario, twin)
            outcomes.append(outcome)
            truth = [scenario.truth] if twin == "fraud" else []
            for part in score(truth, outcome.alerts):
                total = totals.setdefault(
                    part.fraud_type, Score(part.fraud_type, part.rules, 0, 0, 0, 0)
                )
                total.truth += part.truth
                total.alerts += part.alerts
                total.matched_alerts += part.matched_alerts
                total.found += part.found
    return list(totals.values()), outcomes
