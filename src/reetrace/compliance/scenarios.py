"""Hand-built scenarios: small chains reported through the public API, one honest and
one fraudulent twin each, that detection is scored on beside the generator.

A scenario file (JSON) names its fraud type, the enterprises and quotas (registered
through `POST /enterprises` and `/quotas` by a regulator account), the steps of each
twin, the moment detection is run `as_of`, and the alert it `expect`s on the fraud
twin (rule, enterprise, period, lots). A step is one of:

- `{"as": ENTERPRISE, "events": [...]}`: a batch posted through `POST /events` by a
  user of the reporting enterprise;
- `{"as": ENTERPRISE, "application": {...}, "name": NAME, "decision": {...}}`: a
  licence application filed by the enterprise through `POST /applications` with its
  documents, submitted, accepted and reviewed, then decided (`approve` with its
  validity, or `reject`) by a licensing officer through `/decisions`; later steps
  cite its numbers as `{licence:NAME}` and `{application:NAME}`;
- `{"customs": [...]}`: customs records loaded with `reetrace import-customs` (rows
  in its CSV columns);
- `{"as": ENTERPRISE, "close": "YYYY-MM"}`: the month's report closed through
  `POST /enterprises/{id}/reports/{period}/close`.

A step may say `at` when it happens (ISO time): the system's clock reads that moment
while the step is performed, as if the enterprise and the officer acted then, so a
report is closed before or after its deadline and an application is decided before
the exports that follow it. Without `at` the step happens now.

Each twin is built and judged inside a transaction that is rolled back, so the
database is left as it was.

The report rules (`REPORT_RULES`) run only on scenarios that close months: in the
others closing months is not part of the story, and every month would be missing.
"""

from __future__ import annotations

import contextlib
import csv
import json
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from reetrace.accounts.models import User
from reetrace.accounts.tokens import token_issue
from reetrace.compliance.checks import CHECKS
from reetrace.compliance.evaluation import AlertRef, Score, score, stored_alerts
from reetrace.compliance.models import Alert
from reetrace.compliance.services.detection import detect
from reetrace.exportcontrol.choices import REQUIRED_DOCUMENTS
from reetrace.ledger.models import Event

API = "/api/v1"
REPORT_RULES = frozenset({"report_late", "report_missing", "volume_drop"})
TWINS = ("honest", "fraud")
CUSTOMS_COLUMNS = (
    "declaration", "flow", "enterprise", "country", "product", "kg", "date", "fob_usd",
    "consignee", "arrival_country",
)  # fmt: skip
# The officer's steps from a submitted application to the review its decision ends.
REVIEW_STEPS = ("accept", "start_review")
CITED = re.compile(r"\{(licence|application):([A-Za-z0-9_-]+)\}")


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
    stored = Event.objects.count()
    if stored or Alert.objects.exists():
        # Detection judges the whole ledger: a twin beside a loaded dataset would be
        # scored on the dataset's alerts too.
        raise ScenarioError(
            f"scenario {scenario.name}: the database already holds {stored} event(s) or "
            "alerts; scenarios are judged on an empty ledger (a fresh database)"
        )
    with transaction.atomic():
        _build(scenario, twin)
        closes = any("close" in step for step in scenario.spec[twin])
        rules = [name for name in CHECKS if closes or name not in REPORT_RULES]
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
    cited: dict[tuple[str, str], str] = {}
    # Accounts and tokens are made on the real clock: a token issued at a step's `at`
    # would have expired by the steps that happen now.
    call_command("user", "create", "scenario-licensing", role="licensing_officer", stdout=_Null())
    clients["officer"] = _client(User.objects.get(username="scenario-licensing"))
    for n, step in enumerate(spec[twin]):
        step = _cite(step, cited, f"{where} step {n}")
        reporter = step.get("as")
        if reporter is not None and reporter not in clients:
            username = f"scenario-{len(clients)}"
            call_command(
                "user", "create", username, role="enterprise", enterprise=reporter, stdout=_Null()
            )
            clients[reporter] = _client(User.objects.get(username=username))
        with _clock(step.get("at"), f"{where} step {n}"):
            cited |= _perform(step, clients, f"{where} step {n}")


def _perform(step: dict, clients: dict[str, Client], where: str) -> dict[tuple[str, str], str]:
    """One step through the API or the CLI; the numbers of an application it filed."""
    if "customs" in step:
        _customs_load(step["customs"])
        return {}
    if "as" not in step:
        raise ScenarioError(f"{where}: a step names who acts ('as') or loads 'customs'")
    client = clients[step["as"]]
    if "application" in step:
        numbers = _licence_apply(client, clients["officer"], step, where)
        return {(kind, step["name"]): number for kind, number in numbers.items()}
    if "close" in step:
        path = f"/enterprises/{step['as']}/reports/{step['close']}/close"
        _post(client, path, {}, 201, where)
        return {}
    _post(client, "/events", {"events": step["events"]}, 200, where)
    return {}


def _clock(moment: str | None, where: str):
    """The system's clock at `moment` while a step is performed (None: the real one)."""
    if moment is None:
        return contextlib.nullcontext()
    try:
        at = datetime.fromisoformat(moment)
    except ValueError:
        at = None
    if at is None or at.utcoffset() is None:
        raise ScenarioError(f"{where}: 'at' {moment!r} is not an ISO time with a UTC offset")
    return mock.patch.object(timezone, "now", lambda: at)


def _cite(step: Any, cited: dict[tuple[str, str], str], where: str) -> Any:
    """The step with `{licence:NAME}` and `{application:NAME}` replaced by the numbers
    the named application was given."""

    def number(match: re.Match) -> str:
        key = (match.group(1), match.group(2))
        if key not in cited:
            raise ScenarioError(f"{where}: {match.group(0)} names no earlier application")
        return cited[key]

    if isinstance(step, str):
        return CITED.sub(number, step)
    if isinstance(step, list):
        return [_cite(value, cited, where) for value in step]
    if isinstance(step, dict):
        return {key: _cite(value, cited, where) for key, value in step.items()}
    return step


def _licence_apply(applicant: Client, officer: Client, step: dict, where: str) -> dict[str, str]:
    """File, document and submit the application as the applicant, take it through
    review and decide it as a licensing officer; its numbers by kind."""
    created = _post(applicant, "/applications", step["application"], 201, f"{where} application")
    number = created["number"]
    base = f"/applications/{number}"
    for kind in REQUIRED_DOCUMENTS:
        upload = SimpleUploadedFile(f"{kind}.pdf", b"%PDF-1.7 scenario " + kind.encode())
        response = applicant.post(f"{API}{base}/documents", {"kind": kind, "file": upload})
        if response.status_code != 201:
            raise ScenarioError(
                f"{where}: document {kind} answered {response.status_code}: "
                f"{response.content[:500]!r}"
            )
    _post(applicant, f"{base}/actions", {"action": "submit"}, 200, f"{where} submit")
    for action in REVIEW_STEPS:
        _post(officer, f"{base}/decisions", {"action": action}, 200, f"{where} {action}")
    decided = _post(officer, f"{base}/decisions", step["decision"], 200, f"{where} decision")
    numbers = {"application": number}
    if decided["detail"]["licence"]:
        numbers["licence"] = decided["detail"]["licence"]
    return numbers


def _customs_load(rows: list[dict]) -> None:
    """Customs records through the CLI, as customs data arrives."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "customs.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=CUSTOMS_COLUMNS, restval="")
            writer.writeheader()
            writer.writerows(rows)
        call_command("import-customs", str(path), stdout=_Null())


def _client(user: User) -> Client:
    _, raw = token_issue(user=user, name="scenario")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _post(client: Client, path: str, body: dict, status: int, where: str) -> dict:
    response = client.post(f"{API}{path}", body, content_type="application/json")
    if response.status_code != status:
        raise ScenarioError(
            f"{where}: POST {path} answered {response.status_code}: {response.content[:500]!r}"
        )
    return response.json()


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
