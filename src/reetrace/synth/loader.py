"""Loading the stream into the database through the ledger's own capture rules.

Registry records go through registry.services; events go through
ledger.capture.batch_capture in batches, as the admin user `synth-loader`
(the only kind of user allowed to set `recorded_at`); month closings become
MonthlyReport rows with the totals the ledger held at their closing time, the
ones that have happened by `now` only (a dataset ending last month has reports
still to come, and a late one is not closed yet); customs
records go to the compliance app's customs table. An issued licence is written at
once (the export citing it follows in the batch); a refused application is written
after the events before it, so that its item can name the lot applied for.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from reetrace.accounts.models import User
from reetrace.accounts.permissions import UserRole
from reetrace.compliance.services.customs import customs_records_add
from reetrace.exportcontrol.models import Application
from reetrace.exportcontrol.services.workflow import decision_clocks_store
from reetrace.ledger.capture import batch_capture
from reetrace.registry.models import Enterprise, EnterpriseGroup
from reetrace.registry.services import enterprise_register, quota_issue
from reetrace.reporting.models import MonthlyReport
from reetrace.reporting.services import month_totals
from reetrace.synth.licensing import backlog_write, licence_write
from reetrace.synth.window import REFERENCE_END_MONTH

BACKLOG_SIZE = 12  # open applications left on the licensing desk at the dataset's end

LOADER_USERNAME = "synth-loader"


def loader_user() -> User:
    """The system administrator the synthetic data is loaded as (created once)."""
    user, created = User.objects.get_or_create(
        username=LOADER_USERNAME,
        defaults={"role": UserRole.ADMIN, "first_name": "Synthetic data loader"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


class Loader:
    def __init__(
        self,
        batch_size: int = 1000,
        *,
        end_month: date = REFERENCE_END_MONTH,
        now: datetime | None = None,
    ):
        self.actor = loader_user()
        self.batch_size = batch_size
        self.end_month = end_month
        self.now = now or timezone.now()
        self.closings_pending = 0
        self.batch: list[dict] = []
        self.closings: list[dict] = []
        self.loaded = 0
        self.exporters: dict = {}
        self.customs: list[dict] = []
        self.refusals: list[dict] = []
        self.issued: list[dict] = []

    def add(self, kind: str, record: dict) -> None:
        if kind == "event" and record.get("action") == "void":
            # A void is sent on its own, as an enterprise sends a correction: what it
            # gives back (a licence's kg, a lot's stock) is there for the next batch.
            self.flush()
            self.batch.append(record)
            self.flush()
        elif kind == "event":
            self.batch.append(record)
            if len(self.batch) >= self.batch_size:
                self.flush()
        elif kind == "closing":
            if datetime.fromisoformat(record["closed_at"]) <= self.now:
                self.closings.append(record)
            else:
                self.closings_pending += 1
        elif kind == "group":
            EnterpriseGroup.objects.get_or_create(code=record["code"], defaults=record)
        elif kind == "enterprise":
            self._enterprise(record)
        elif kind == "quota":
            quota_issue(**record)
        elif kind == "licence":
            if record["status"] == "issued":
                licence_write(record, self.actor, self.exporters)
                self.issued = [*self.issued[-(BACKLOG_SIZE - 1) :], record]
            else:
                self.refusals.append(record)
        elif kind == "customs":
            self.customs.append(record)
            if len(self.customs) >= self.batch_size:
                self._customs()

    def _enterprise(self, record: dict) -> None:
        foreign = record["country"] != "CN"
        enterprise_register(
            country=record["country"],
            identifier=None if foreign else record["identifier"],
            foreign_id=record["identifier"].split(":", 1)[1] if foreign else None,
            name_zh=record["name_zh"],
            name_en=record["name_en"],
            province=record["province"],
            group=record["group"] or None,
            roles=record["roles"],
            sites=record["sites"],
        )

    def flush(self) -> None:
        if self.batch:
            self.capture(self.batch)
            self.loaded += len(self.batch)
            self.batch = []
        for record in self.refusals:
            licence_write(record, self.actor, self.exporters)
        self.refusals = []

    def capture(self, events: list[dict]) -> None:
        batch_capture(actor=self.actor, items=events)

    def _customs(self) -> None:
        if self.customs:
            customs_records_add(self.customs, source="synthetic customs_declarations.csv")
            self.customs = []

    def finish(self) -> int:
        """Load the last events, then close the months; returns the reports written."""
        self.flush()
        self._customs()
        backlog_write(self.issued, self.actor, self.exporters, self.end_month)
        # the licences were written as decided rows, not walked through the workflow
        decision_clocks_store(Application.objects.filter(decision_working_days__isnull=True))
        return close_months(self.closings, self.actor)


@transaction.atomic
def close_months(closings: list[dict], actor: User) -> int:
    ids = dict(Enterprise.objects.values_list("identifier", "pk"))
    rows = []
    for closing in closings:
        enterprise = Enterprise(pk=ids[closing["enterprise"]], identifier=closing["enterprise"])
        period = date.fromisoformat(closing["period"] + "-01")
        closed_at = datetime.fromisoformat(closing["closed_at"])
        deadline = date.fromisoformat(closing["deadline"])
        totals = month_totals(enterprise=enterprise, period=period, as_of=closed_at)
        rows.append(
            MonthlyReport(
                enterprise=enterprise,
                period=period,
                closed_at=closed_at,
                closed_by=actor,
                deadline=deadline,
                is_late=closed_at.date() > deadline,
                event_count=sum(totals["events_by_kind"].values()),
                totals=totals,
            )
        )
    MonthlyReport.objects.bulk_create(rows, batch_size=500)
    return len(rows)
