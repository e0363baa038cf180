"""Fraud dice and the ground truth: which fraud happened, by whom, when, how big.

Each fraud type has a rate per opportunity (config.toml [fraud]); a rate of 0
never fires. So that a small dataset still shows every type, the first instance
of a type is forced once `guarantee_after` opportunities have passed without one.
The ground truth is what the analytics are later scored against.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from reetrace.synth.compositions import fmt
from reetrace.synth.config import SynthConfig

FRAUD_TYPES = {
    "laundering_scrap": "illegal ore laundered as recycled magnet scrap",
    "laundering_import": "illegal ore laundered as an import without a customs record",
    "quota_overrun": "mining or separation beyond the quota",
    "hidden_sales_loss": "unreported sales hidden as an inflated process loss",
    "hidden_sales_adjust": "unreported sales hidden as a stock write-off",
    "unconfirmed_shipment": "shipment the buyer never confirms",
    "short_receipt": "shipment confirmed with less than was shipped",
    "misdeclared_export": "magnet declared without Dy/Tb, exported without licence",
    "licence_mismatch": "declared as licensed, delivered to another consignee / end user",
    "transshipment": "refused export re-routed via a trader to a third country",
    "under_invoicing": "sale priced far below the contained elements' value",
    "late_report": "monthly report closed after the deadline",
    "missing_report": "monthly report never closed",
    "split_sale": "one lot sold in several shipments each just below the reporting threshold",
    "phantom_stock": "trader's lot received and sold off the books, left in its stock",
    "yield_topup": "separation runs topped up with unrecorded ore, yields above the plant's own",
    "licence_redraw": "licensed export voided after the goods left, the licence drawn again",
    "hs_misdeclared": "controlled export declared under a customs code no control entry names",
    "paper_receipt": "a supplier's lot booked in beyond what the supplier shipped (paper supplier)",
    "round_trip": "export re-imported from the country it went to, same composition and mass",
}
# Families whose dice come from a stream of their own (synth/evasion.py), so that
# adding them leaves the draws of the types above as they were.
EVASION_TYPES = frozenset(
    {
        "split_sale",
        "phantom_stock",
        "yield_topup",
        "licence_redraw",
        "hs_misdeclared",
        "paper_receipt",
        "round_trip",
    }
)
# Families added later, each with a stream of its own, so that adding them leaves the
# draws of every family above as they were.
OWN_STREAMS = frozenset({"paper_receipt", "round_trip"})


class FraudBook:
    def __init__(self, cfg: SynthConfig, seed: int):
        self.rates = {k: float(v) for k, v in cfg["fraud"].items() if k in FRAUD_TYPES}
        self.rates["licence_refusal"] = float(cfg["fraud"].get("licence_refusal", 0))
        guarantee = cfg.scale.get("guarantee_after", cfg["fraud"].get("guarantee_after", 0))
        self.guarantee_after = int(guarantee)
        self.rng = random.Random(f"fraud-{seed}")
        self.evasion_rng = random.Random(f"evasion-{seed}")
        self.streams = {kind: random.Random(f"{kind}-{seed}") for kind in OWN_STREAMS}
        self.opportunities: dict[str, int] = {}
        self.fired: dict[str, int] = {}
        self.cases: list[dict] = []

    def roll(self, kind: str) -> bool:
        """Whether this opportunity turns into fraud `kind` (or a refusal)."""
        rate = self.rates.get(kind, 0.0)
        if rate <= 0:
            return False
        seen = self.opportunities[kind] = self.opportunities.get(kind, 0) + 1
        forced = self.fired.get(kind, 0) == 0 and 0 < self.guarantee_after <= seen
        if forced or self._rng(kind).random() < rate:
            self.fired[kind] = self.fired.get(kind, 0) + 1
            return True
        return False

    def uniform(self, low: float, high: float, kind: str | None = None) -> float:
        return self._rng(kind).uniform(low, high)

    def _rng(self, kind: str | None) -> random.Random:
        if kind in self.streams:
            return self.streams[kind]
        return self.evasion_rng if kind in EVASION_TYPES else self.rng

    def record(
        self,
        kind: str,
        *,
        enterprise: str,
        period: str,
        lots: list[str] = (),
        events: list[str] = (),
        magnitude: Decimal | float | int,
        unit: str,
        **details: Any,
    ) -> dict:
        case = {
            "id": f"F{len(self.cases) + 1:06d}",
            "type": kind,
            "description": FRAUD_TYPES[kind],
            "enterprise": enterprise,
            "period": period,
            "lots": list(lots),
            "events": list(events),
            "magnitude": {"value": _num(magnitude), "unit": unit},
            "details": {k: _num(v) if isinstance(v, Decimal) else v for k, v in details.items()},
        }
        self.cases.append(case)
        return case

    def summary(self) -> dict:
        counts = {kind: 0 for kind in FRAUD_TYPES}
        for case in self.cases:
            counts[case["type"]] += 1
        return counts


def _num(value: Decimal | float | int) -> str:
    if isinstance(value, Decimal):
        return fmt(value.quantize(Decimal("0.001")))
    return str(value)
