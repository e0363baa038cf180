"""An alert's figures as label, value and unit, so every number on the page has one.

The checks store their evidence as JSON (`expected`, `observed`, `tolerance`,
`unit` and rule-specific extras such as `missing_reo_kg`); the unit of an extra is
read from its name's suffix, because the checks name them that way consistently.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reetrace.portal.templatetags.portal import number

__all__ = ["figure_rows", "unit_of"]

LABELS = {
    "expected": gettext_lazy("Expected"),
    "observed": gettext_lazy("Observed"),
    "tolerance": gettext_lazy("Tolerance"),
}
SUFFIXES = (
    ("reo_kg", "REO kg"),
    ("_kg", "kg"),
    ("_t", "t REO"),
    ("_cny", "CNY"),
    ("_share", "%"),
    ("days_late", "days"),
)


def unit_of(key: str, default: str = "") -> str:
    """The unit a figure's name implies (`missing_reo_kg` -> 'REO kg')."""
    for suffix, unit in SUFFIXES:
        if key.endswith(suffix):
            return unit
    return default


def _show(value, unit: str) -> str:
    """One value with its unit; shares become percentages, nested values are listed."""
    if isinstance(value, dict):
        return " · ".join(f"{k} {_show(v, unit)}" for k, v in value.items())
    if isinstance(value, list):
        return " – ".join(_show(v, unit) for v in value)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return str(value)
    try:
        numeric = float(value)
    except ValueError:
        return str(value)
    if unit == "%":
        return f"{number(numeric * 100, 1)} %"
    places = 0 if float(numeric).is_integer() and unit in ("days", "") else 3
    return f"{number(numeric, places)} {unit}".strip()


def _tolerance(value, unit: str) -> str:
    if unit == "date":
        return _show(value, "days") if value is not None else "—"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _show(value, "%")
    return _show(value, "")


def figure_rows(figures: dict) -> list[dict]:
    """Rows of (label, shown value): the main three first, then the rule's extras."""
    unit = str(figures.get("unit") or "")
    main_unit = "" if unit == "date" else unit
    rows = []
    for key in ("expected", "observed"):
        if key in figures:
            rows.append({"label": LABELS[key], "value": _show(figures[key], main_unit)})
    if "tolerance" in figures:
        rows.append({"label": LABELS["tolerance"], "value": _tolerance(figures["tolerance"], unit)})
    for key, value in figures.items():
        if key in ("expected", "observed", "tolerance", "unit"):
            continue
        rows.append({"label": key.replace("_", " "), "value": _show(value, unit_of(key))})
    if unit:
        rows.append({"label": _("Unit of the expected and observed figures"), "value": unit})
    return rows
