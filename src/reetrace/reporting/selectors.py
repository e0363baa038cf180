"""Reads of monthly reports."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from reetrace.reporting.models import MonthlyReport


def months_closed(enterprise_ids: Collection[int]) -> set[tuple[int, date]]:
    """(enterprise pk, month) of every closed report of these enterprises."""
    return set(
        MonthlyReport.objects.filter(enterprise_id__in=enterprise_ids).values_list(
            "enterprise_id", "period"
        )
    )
