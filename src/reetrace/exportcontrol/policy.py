"""Licensing policy figures read from policy.toml (UNCONFIRMED facts are data, not code)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources

__all__ = ["Policy", "policy"]


@dataclass(frozen=True)
class Policy:
    review_working_days: int
    individual_validity_days: int
    general_validity_days: int
    screening_min_score: int
    ownership_threshold_pct: Decimal


@cache
def policy() -> Policy:
    text = resources.files(__package__).joinpath("policy.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return Policy(
        review_working_days=int(data["review_working_days"]),
        individual_validity_days=int(data["individual_validity_days"]),
        general_validity_days=int(data["general_validity_days"]),
        screening_min_score=int(data["screening_min_score"]),
        ownership_threshold_pct=Decimal(str(data["ownership_threshold_pct"])),
    )
