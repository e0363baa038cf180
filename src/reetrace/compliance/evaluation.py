"""Scoring alerts against the synthetic generator's ground truth.

An alert matches a truth record when it names the same enterprise and period
(a truth period 'YYYY' - a quota year - matches any month of that year) and, when
the truth names lots, shares at least one lot with it. Per fraud type, precision
is the share of the alerts of the type's rules that match a record of that type,
recall the share of its records matched by some alert. Notices (severity info)
are not findings and are left out. A fraud type without a rule would be reported
with no alerts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from reetrace.compliance.choices import Severity
from reetrace.compliance.models import Alert

# Which rules find which fraud type of synth/fraud.py FRAUD_TYPES.
FRAUD_RULES: dict[str, tuple[str, ...]] = {
    "laundering_scrap": ("recycled_ore_profile",),
    "laundering_import": ("import_declaration",),
    "quota_overrun": ("quota_usage",),
    "hidden_sales_loss": ("yield_out_of_range",),
    "hidden_sales_adjust": ("loss_adjustment",),
    "unconfirmed_shipment": ("shipment_unconfirmed",),
    "short_receipt": ("short_receipt",),
    "misdeclared_export": ("element_dropped",),
    "licence_mismatch": ("licence_mismatch",),
    "transshipment": ("transshipment",),
    "under_invoicing": ("price_below_value",),
    "late_report": ("report_late",),
    "missing_report": ("report_missing",),
    "split_sale": ("split_below_threshold",),
    "phantom_stock": ("phantom_stock",),
    "yield_topup": ("yield_above_history",),
    "licence_redraw": ("licence_overdrawn",),
    "hs_misdeclared": ("hs_code_uncontrolled",),
    "paper_receipt": ("supplier_never_shipped",),
    "round_trip": ("export_reimported",),
}


@dataclass(frozen=True)
class AlertRef:
    rule: str
    enterprise: str
    period: str  # YYYY-MM
    lots: frozenset[str]


@dataclass
class Score:
    fraud_type: str
    rules: tuple[str, ...]
    truth: int
    alerts: int
    matched_alerts: int
    found: int

    @property
    def precision(self) -> float | None:
        return self.matched_alerts / self.alerts if self.alerts else None

    @property
    def recall(self) -> float | None:
        return self.found / self.truth if self.truth else None

    def as_dict(self) -> dict:
        return {
            "fraud_type": self.fraud_type,
            "rules": list(self.rules),
            "truth": self.truth,
            "alerts": self.alerts,
            "true_alerts": self.matched_alerts,
            "found": self.found,
            "precision": self.precision,
            "recall": self.recall,
        }


def matches(alert: AlertRef, record: dict) -> bool:
    if alert.enterprise != record["enterprise"]:
        return False
    period = record["period"]
    if alert.period != period and not (len(period) == 4 and alert.period[:4] == period):
        return False
    return not record.get("lots") or bool(alert.lots & set(record["lots"]))


def score(truth: list[dict], alerts: Iterable[AlertRef]) -> list[Score]:
    """Precision and recall per fraud type (types in the truth or with rules)."""
    alerts = list(alerts)
    types = list(FRAUD_RULES) + sorted({r["type"] for r in truth} - set(FRAUD_RULES))
    scores = []
    for fraud_type in types:
        rules = FRAUD_RULES.get(fraud_type, ())
        records = [r for r in truth if r["type"] == fraud_type]
        mine = [a for a in alerts if a.rule in rules]
        true_alerts = sum(1 for a in mine if any(matches(a, r) for r in records))
        found = sum(1 for r in records if any(matches(a, r) for a in mine))
        scores.append(Score(fraud_type, rules, len(records), len(mine), true_alerts, found))
    return scores


def unexplained(truth: list[dict], alerts: Iterable[AlertRef]) -> dict[str, int]:
    """Per rule, the alerts (notices left out) that match no truth record of a fraud
    type the rule finds: false alarms, and every alert of a rule without a fraud type.
    On an honest chain (no truth at all) it is every alert: each one a rule's defect."""
    found: dict[str, int] = {}
    for alert in alerts:
        records = [r for r in truth if alert.rule in FRAUD_RULES.get(r["type"], ())]
        if not any(matches(alert, r) for r in records):
            found[alert.rule] = found.get(alert.rule, 0) + 1
    return dict(sorted(found.items()))


def stored_alerts() -> list[AlertRef]:
    """Every alert in the database except notices, as the scorer sees it."""
    rows = Alert.objects.exclude(severity=Severity.INFO).values_list(
        "rule", "enterprise__identifier", "period", "lots"
    )
    return [
        AlertRef(rule, ent, f"{period:%Y-%m}", frozenset(lots)) for rule, ent, period, lots in rows
    ]
