"""What capture asks of the apps built on the ledger, and who answers.

The ledger does not import those apps (`tests/test_layers.py`); each point below is
called by capture at the place named, and filled from the answering app's
`AppConfig.ready()`:

- `EXPORT_GUARDS`, called by `kinds.export_apply` for each export: export control's
  licence check and drawdown (`exportcontrol.licence`).
- `REJECTION_LISTENERS`, called by `batch_capture` after a refused batch rolled back:
  export control keeps refused export attempts (`exportcontrol.refused_exports`).
- `CLOSED_MONTHS`, called by `prefetch.state_load`: the months whose report is
  closed (`reporting.closed_months`).
- `CAPTURE_LISTENERS`, called by `batch_capture` after a batch was written: the
  EPCIS stream subscriptions (`epcis.subscriptions`), told the new events' keys.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models

from reetrace.accounts.models import User
from reetrace.core.errors import FieldError
from reetrace.core.plugins import PlugPoint
from reetrace.ledger.models import Event, Lot
from reetrace.registry.models import Enterprise

__all__ = [
    "CAPTURE_LISTENERS",
    "CLOSED_MONTHS",
    "EXPORT_GUARDS",
    "REJECTION_LISTENERS",
    "CaptureListener",
    "ClosedMonths",
    "ExportCheck",
    "ExportGuard",
    "RejectionListener",
]


@dataclass
class ExportCheck:
    """What an export guard sees of an export being captured."""

    event: Event
    reporter: Enterprise
    lot: Lot
    composition: dict[str, Decimal]
    kg: Decimal
    destination: str
    consignee: str
    end_user: str
    licence: str
    hs_code: str


# An export guard raises ReetraceError to refuse an export, or returns rows to write
# with it (a licence drawdown). Its dict is its own working state for the batch,
# seeded with the licence numbers the batch cites (`cited`), so it can read them all
# in one go.
ExportGuard = Callable[[ExportCheck, dict], list[models.Model]]
# Called after a batch was refused and rolled back, with the parsed items and errors.
RejectionListener = Callable[[User, list[Any], list[FieldError]], None]
# The (enterprise pk, reporting month) pairs closed among the given enterprises: events
# in a closed month are refused unless they are corrections, which arrive late.
ClosedMonths = Callable[[Collection[int]], Iterable[tuple[int, date]]]
# Called after a batch was written (inside the caller's transaction, if any), with the
# primary keys of the events it created; resent events are not passed again.
CaptureListener = Callable[[User, list[int]], None]

EXPORT_GUARDS: PlugPoint[ExportGuard] = PlugPoint(
    "export guards", caller="ledger.capture.kinds.export_apply"
)
REJECTION_LISTENERS: PlugPoint[RejectionListener] = PlugPoint(
    "rejection listeners", caller="ledger.capture.batch_capture"
)
CLOSED_MONTHS: PlugPoint[ClosedMonths] = PlugPoint(
    "closed months", caller="ledger.capture.prefetch.state_load"
)
CAPTURE_LISTENERS: PlugPoint[CaptureListener] = PlugPoint(
    "capture listeners", caller="ledger.capture.batch_capture"
)
