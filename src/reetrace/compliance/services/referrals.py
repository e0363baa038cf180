"""Referrals from the trade reconciliation: a gap an analyst wants investigated becomes
alerts about the exporters behind it and one case holding them.

The partner's import statistics and our export declarations disagree by what the
decomposition cannot explain (where smuggling and misdeclaration hide); a cell of that
comparison (product, partner country, month) names no one by itself, but the export
declarations behind it do. So a referral raises one `trade_gap` alert per exporter of
the cell, each carrying the cell's figures (both series, the gap and every part of it,
with units and the parameters used) and that exporter's declarations and lots, and
opens a case from them assigned to the analyst; the case journal keeps who and when.

Compliance does not import the reconciliation app (reconciliation is built on it):
the caller hands the cell over as plain data (`GapCell`), with the figures exactly as
the comparison report shows them.

Referring the same cell twice adds nothing: alerts are keyed by fingerprint (rule,
cell, exporter) and never rewritten (their evidence stays what it was when raised),
and while a case holding them is open, that case is the answer. Once it is closed, a
new referral opens a new case from the same alerts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from reetrace.accounts.models import User
from reetrace.compliance.choices import AlertStatus, CaseStatus, Severity
from reetrace.compliance.models import Alert, Case
from reetrace.compliance.services.cases import case_open
from reetrace.core.errors import ErrorCode, Forbidden, NotFound, ReetraceError
from reetrace.core.permissions import Permission
from reetrace.registry.models import Enterprise

__all__ = ["RULE", "Declaration", "GapCell", "referral_open", "severity_of"]

RULE = "trade_gap"
# Severity by the unexplained share of our exports in the cell, |unexplained kg| / our
# kg, whichever its sign: a partner recording more than we declared (undeclared
# exports) and one recording less (goods declared but not arriving) both need a look.
SEVERITY_FROM = (
    (Decimal("0.50"), Severity.HIGH),
    (Decimal("0.20"), Severity.MEDIUM),
    (Decimal("0.05"), Severity.LOW),
)
MAX_TITLE = 200
KG = Decimal("0.001")


@dataclass(frozen=True)
class Declaration:
    """One export declaration behind the cell."""

    event_id: str
    exporter: str  # the exporting enterprise's identifier
    lot: str
    kg: Decimal


@dataclass(frozen=True)
class GapCell:
    """A reconciliation cell as the comparison report shows it.

    `key` identifies the cell for good (dataset, keying, product, country, month): it
    makes the alerts' fingerprints. `source` (dataset, scope, cell) and `parameters`
    are JSON-ready and go into every alert as they are. Values are in `currency`.
    """

    key: str
    label: str
    month: date
    ours_kg: Decimal
    theirs_kg: Decimal
    ours_value: Decimal
    theirs_value: Decimal
    currency: str
    parts_kg: dict[str, Decimal]
    parts_value: dict[str, Decimal]
    parameters: dict
    source: dict
    declarations: tuple[Declaration, ...]

    @property
    def unexplained_share(self) -> Decimal:
        """|unexplained kg| / our kg (a cell with declarations has our kg)."""
        return (abs(self.parts_kg["unexplained"]) / self.ours_kg).quantize(Decimal("0.0001"))


def severity_of(share: Decimal) -> str:
    return next((s for floor, s in SEVERITY_FROM if share >= floor), Severity.INFO)


@transaction.atomic
def referral_open(
    *, actor: User, cell: GapCell, assignee: User | None = None, title: str = ""
) -> tuple[Case, bool]:
    """Raise the cell's alerts (one per exporter) and open a case from them, assigned
    to `assignee` or else the analyst; returns (case, opened now?)."""
    if not actor.has_permission(Permission.COMPLIANCE_CASE_MANAGE):
        raise Forbidden("opening a case needs the compliance case permission")
    if len(title) > MAX_TITLE:
        raise ReetraceError(
            ErrorCode.INVALID, f"a case title has at most {MAX_TITLE} characters", field="title"
        )
    if not cell.declarations:
        raise ReetraceError(
            ErrorCode.INVALID,
            f"{cell.label}: no export declaration of ours is behind this cell, so there is "
            "no exporter to refer (the partner's figure names no one)",
            field="cell",
            status=409,
        )
    alerts = _alerts_raise(cell)
    held = Case.objects.filter(status=CaseStatus.OPEN, alerts__in=alerts).order_by("pk").first()
    if held is not None:
        return held, False
    for alert in alerts:
        if alert.status == AlertStatus.DISMISSED:
            raise ReetraceError(
                ErrorCode.INVALID,
                f"alert {alert.pk} about {alert.enterprise.identifier} for this cell was "
                f"dismissed ({alert.status_reason}); triage it again to open a case from it",
                field="alerts",
                record=str(alert.pk),
                status=409,
            )
    case = case_open(
        actor=actor,
        title=title.strip() or f"Trade gap: {cell.label}"[:MAX_TITLE],
        alerts=alerts,
        assignee=assignee or actor,
    )
    return case, True


def _fingerprint(cell: GapCell, exporter: str) -> str:
    return hashlib.sha256(f"{RULE}|{cell.key}|{exporter}".encode()).hexdigest()


def _alerts_raise(cell: GapCell) -> list[Alert]:
    """The cell's alerts, one per exporter in declaration order; existing ones are kept
    as they were raised (an analyst may be working on them)."""
    by_exporter: dict[str, list[Declaration]] = {}
    for d in cell.declarations:
        by_exporter.setdefault(d.exporter, []).append(d)
    enterprises = Enterprise.objects.in_bulk(list(by_exporter), field_name="identifier")
    for identifier in by_exporter:
        if identifier not in enterprises:
            raise NotFound("enterprise", identifier, field="exporter")
    severity = severity_of(cell.unexplained_share)
    fingerprints = {e: _fingerprint(cell, e) for e in by_exporter}
    Alert.objects.bulk_create(
        [
            Alert(
                rule=RULE,
                severity=severity,
                enterprise=enterprises[exporter],
                period=cell.month,
                figures=_figures(cell, declarations),
                lots=list(dict.fromkeys(d.lot for d in declarations)),
                events=[d.event_id for d in declarations],
                explanation=_explanation(cell, enterprises[exporter], declarations),
                fingerprint=fingerprints[exporter],
            )
            for exporter, declarations in by_exporter.items()
        ],
        ignore_conflicts=True,
    )
    found = Alert.objects.select_related("enterprise").in_bulk(
        list(fingerprints.values()), field_name="fingerprint"
    )
    return [found[fingerprints[e]] for e in by_exporter]


def _figures(cell: GapCell, declarations: list[Declaration]) -> dict:
    """The cell's figures with units: `expected` is what our declarations imply the
    partner records, `observed` what it did record."""
    exporter_kg = sum((d.kg for d in declarations), Decimal(0)).quantize(KG)
    return {
        "expected": str(cell.ours_kg),
        "observed": str(cell.theirs_kg),
        "unit": "kg",
        "gap_kg": str(cell.theirs_kg - cell.ours_kg),
        "unexplained_kg": str(cell.parts_kg["unexplained"]),
        "unexplained_share": str(cell.unexplained_share),
        "parts_kg": {part: str(kg) for part, kg in cell.parts_kg.items()},
        "ours_value": str(cell.ours_value),
        "theirs_value": str(cell.theirs_value),
        "gap_value": str(cell.theirs_value - cell.ours_value),
        "parts_value": {part: str(value) for part, value in cell.parts_value.items()},
        "value_currency": cell.currency,
        "exporter_kg": str(exporter_kg),
        "exporter_declarations": len(declarations),
        "cell": cell.source,
        "parameters": cell.parameters,
    }


def _pct(part: Decimal, whole: Decimal) -> str:
    return f"{part * 100 / whole:.1f} %"


def _explanation(cell: GapCell, exporter: Enterprise, declarations: list[Declaration]) -> str:
    gap = cell.theirs_kg - cell.ours_kg
    unexplained = cell.parts_kg["unexplained"]
    exporter_kg = sum((d.kg for d in declarations), Decimal(0)).quantize(KG)
    parts = ", ".join(f"{part} {kg} kg" for part, kg in cell.parts_kg.items())
    values = ", ".join(f"{part} {v}" for part, v in cell.parts_value.items())
    if unexplained > 0:
        direction = (
            "the partner recorded more than our declarations and the modelled causes "
            "account for (goods exported undeclared or under another description)"
        )
    elif unexplained < 0:
        direction = (
            "the partner recorded less than we declared beyond the modelled causes (goods "
            "declared but not arriving, or arriving under another origin or destination)"
        )
    else:
        direction = "the modelled causes account for the whole gap"
    return (
        f"{cell.label}: the partner recorded {cell.theirs_kg} kg, our export declarations "
        f"show {cell.ours_kg} kg; the gap of {gap} kg ({_pct(gap, cell.ours_kg)} of ours) "
        f"splits into {parts}. In value ({cell.currency}): ours {cell.ours_value}, theirs "
        f"{cell.theirs_value}, parts {values}. The unexplained {unexplained} kg "
        f"({_pct(abs(unexplained), cell.ours_kg)} of our exports) means {direction}. "
        f"{exporter.display_name} ({exporter.identifier}) declared {exporter_kg} kg of the "
        f"cell ({_pct(exporter_kg, cell.ours_kg)}) in {len(declarations)} declaration(s): "
        + ", ".join(d.event_id for d in declarations)
        + "."
    )
