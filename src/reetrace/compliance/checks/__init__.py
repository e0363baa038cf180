"""The compliance rules, one module per family, each rule a `Check` class.

`CHECKS` lists them most important first; its keys are the rule names used by
`reetrace detect --rules`, the API and config.toml.
"""

from __future__ import annotations

from reetrace.compliance.checks.balance import MassBalance
from reetrace.compliance.checks.base import Check, Finding, Window
from reetrace.compliance.checks.counterparties import ShipmentUnconfirmed, ShortReceipt
from reetrace.compliance.checks.evasion import (
    HsCodeUncontrolled,
    LicenceOverdrawn,
    PhantomStock,
    SplitBelowThreshold,
    YieldAboveHistory,
)
from reetrace.compliance.checks.exports import LicenceMismatch, Transshipment
from reetrace.compliance.checks.losses import LossAdjustment
from reetrace.compliance.checks.mirrors import ExportReimported, SupplierNeverShipped
from reetrace.compliance.checks.origins import OriginUnverified, RecyclingVolume
from reetrace.compliance.checks.prices import PriceAboveValue, PriceBelowValue
from reetrace.compliance.checks.provenance import ImportDeclaration, RecycledOreProfile
from reetrace.compliance.checks.quotas import QuotaUsage
from reetrace.compliance.checks.reporting import ReportLate, ReportMissing, VolumeDrop
from reetrace.compliance.checks.yields import ElementDropped, YieldAboveRange, YieldOutOfRange

__all__ = ["CHECKS", "Check", "Finding", "Window"]

CHECKS: dict[str, type[Check]] = {
    check.name: check
    for check in (
        YieldOutOfRange,
        YieldAboveRange,
        ElementDropped,
        LossAdjustment,
        MassBalance,
        QuotaUsage,
        ShipmentUnconfirmed,
        ShortReceipt,
        RecycledOreProfile,
        ImportDeclaration,
        RecyclingVolume,
        OriginUnverified,
        LicenceMismatch,
        Transshipment,
        PriceBelowValue,
        PriceAboveValue,
        ReportLate,
        ReportMissing,
        VolumeDrop,
        SplitBelowThreshold,
        PhantomStock,
        YieldAboveHistory,
        LicenceOverdrawn,
        HsCodeUncontrolled,
        SupplierNeverShipped,
        ExportReimported,
    )
}
