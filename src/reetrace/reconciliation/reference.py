"""Reference tables shipped as data: HS-6 lines in scope and their product groups,
national lines (EU CN8, China 10-digit) with descriptions, the EU-27 aggregate, and
country codes as partner files write them (ISO alpha-2/alpha-3, Eurostat's EL/UK,
GEONOM and UN M49 numbers), all resolved to ISO 3166 alpha-2.
"""

from __future__ import annotations

import csv
import re
import tomllib
from functools import cache
from pathlib import Path

import pycountry

from reetrace.core.errors import ErrorCode, ReetraceError

__all__ = [
    "EU27",
    "country_iso2",
    "group_name",
    "groups",
    "hs6_of",
    "hs6_table",
    "national_lines",
    "product_key",
]

DATA = Path(__file__).parent / "data"
EU27 = "EU27"
_CODE = re.compile(r"^\d{6}(\d{2}){0,2}$")


def _csv(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def hs6_table() -> dict[str, dict]:
    """HS-6 subheadings in scope -> {group, description, source}."""
    return {row["hs6"]: row for row in _csv("hs6.csv")}


@cache
def national_lines() -> dict[str, dict]:
    """CN8 and China 10-digit codes we know -> {system, hs6, description, source}."""
    return {row["code"]: row for row in _csv("national_lines.csv")}


@cache
def _groups_file() -> dict:
    with (DATA / "groups.toml").open("rb") as handle:
        return tomllib.load(handle)


def groups() -> dict[str, dict]:
    return _groups_file()["groups"]


def group_name(key: str) -> str:
    return groups().get(key, {}).get("name", key)


@cache
def area_members(area: str = EU27) -> frozenset[str]:
    return frozenset(_groups_file()["areas"][area]["members"])


@cache
def _area_aliases() -> frozenset[str]:
    return frozenset(_groups_file()["areas"][EU27]["aliases"])


def hs6_of(code: str, *, field: str = "product") -> str | None:
    """The HS-6 of a 6-, 8- or 10-digit code, or None when it is outside our lines.

    CN8 and national 10-digit lines subdivide HS-6, so the first six digits are the
    subheading by construction; the tables add descriptions and sources.
    """
    code = code.strip().replace(".", "").replace(" ", "")
    if not _CODE.match(code):
        raise ReetraceError(
            ErrorCode.INVALID, f"{code!r} is not a 6, 8 or 10-digit product code", field=field
        )
    hs6 = code[:6]
    return hs6 if hs6 in hs6_table() else None


def product_key(hs6: str, by: str) -> str:
    """The row key of a comparison: the HS-6 itself or its product group."""
    return hs6 if by == "hs6" else hs6_table()[hs6]["group"]


@cache
def _code_overrides() -> dict[tuple[str, str], str]:
    return {(row["system"], row["code"]): row["iso2"] for row in _csv("country_codes.csv")}


def country_iso2(code: str, *, field: str, system: str = "iso") -> str:
    """ISO alpha-2 for a country as a partner file writes it, or EU27 for the aggregate.

    `system` is "geonom" for Comext numeric declarants and "m49" for Comtrade codes;
    alphabetic codes are read as ISO alpha-2 or alpha-3 (Eurostat's EL and UK too).
    """
    raw = code.strip().upper()
    if raw in _area_aliases():
        return EU27
    overrides = _code_overrides()
    if raw.isdigit():
        found = overrides.get((system, raw.zfill(3))) or _numeric(raw)
    else:
        found = overrides.get(("eurostat", raw)) or _alpha(raw)
    if not found:
        raise ReetraceError(
            ErrorCode.COUNTRY_INVALID, f"{code!r} is not a known country code", field=field
        )
    return found


def _numeric(raw: str) -> str | None:
    country = pycountry.countries.get(numeric=raw.zfill(3))
    return country.alpha_2 if country else None


def _alpha(raw: str) -> str | None:
    if len(raw) == 2:
        country = pycountry.countries.get(alpha_2=raw)
    elif len(raw) == 3:
        country = pycountry.countries.get(alpha_3=raw)
    else:
        country = None
    return country.alpha_2 if country else None
