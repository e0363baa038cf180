"""The decomposition's parameters: config.toml in this app, read once, with per-run
overrides written as dotted keys (`timing.lag_days.DE=40`)."""

from __future__ import annotations

import tomllib
from copy import deepcopy
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.reconciliation import reference
from reetrace.reconciliation.rules import Params

__all__ = ["Settings", "settings_for"]

CONFIG_PATH = Path(__file__).with_name("config.toml")


@cache
def _defaults() -> dict[str, Any]:
    with CONFIG_PATH.open("rb") as handle:
        return tomllib.load(handle)


class Settings:
    """The parameters of one run, as a dict for the report and as rules.Params."""

    def __init__(self, raw: dict[str, Any]):
        self.raw = raw

    def lag_days(self, country: str) -> int:
        table = self.raw["timing"]["lag_days"]
        area = reference.EU27 if country in reference.area_members() else None
        for key in (country, area, "default"):
            if key and key in table:
                return int(table[key])
        return 0

    def params(self, by: str) -> Params:
        areas = {a: reference.area_members(a) for a in self.raw["transit"]["areas"]}
        return Params(
            cif_uplift=_decimals(self.raw["valuation"]["cif_uplift"]),
            gross_to_net=_decimals(self.raw["units"]["gross_to_net"]),
            product_group={h: row["group"] for h, row in reference.hs6_table().items()},
            classification=tuple(
                (rule["from"], tuple(rule["to"])) for rule in self.raw["classification"][by]
            ),
            transit_areas=areas,
        )

    def as_report(self) -> dict[str, Any]:
        return deepcopy(self.raw)


def _decimals(table: dict[str, Any]) -> dict[str, Decimal]:
    return {k: Decimal(str(v)) for k, v in table.items()}


def settings_for(overrides: list[str] | None = None) -> Settings:
    """The defaults with `key.path=value` overrides applied (numbers or words)."""
    raw = deepcopy(_defaults())
    for item in overrides or []:
        path, _, value = item.partition("=")
        keys = [k for k in path.strip().split(".") if k]
        if not keys or not value.strip():
            raise ReetraceError(
                ErrorCode.INVALID, f"{item!r}: write a parameter as key.path=value", field="set"
            )
        node = raw
        for key in keys[:-1]:
            node = node.setdefault(key, {})
            if not isinstance(node, dict):
                raise ReetraceError(ErrorCode.INVALID, f"{path!r} is not a table", field="set")
        node[keys[-1]] = _value(value.strip())
    return Settings(raw)


def _value(text: str) -> Any:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    return int(number) if number == number.to_integral_value() and "." not in text else float(text)
