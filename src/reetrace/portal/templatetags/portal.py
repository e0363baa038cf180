"""Template helpers: figures with their units and dates in one style, formatted for
the active language."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from reetrace.portal.navigation import nav_groups_for

register = template.Library()


def _number(value, places: int) -> str:
    if value is None or value == "":
        return ""
    return number_format(Decimal(str(value)), places, use_l10n=True, force_grouping=True)


@register.filter
def kg(value, places: int = 3) -> str:
    """1234.5 -> '1,234.500 kg' (grouping and decimal mark of the active locale)."""
    text = _number(value, places)
    return f"{text} kg" if text else ""


@register.filter
def reo_kg(value, places: int = 3) -> str:
    text = _number(value, places)
    unit = _("REO kg")
    return f"{text} {unit}" if text else ""


@register.filter
def number(value, places: int = 3) -> str:
    return _number(value, places)


@register.filter
def reo_summary(reo: dict | None) -> str:
    """{'Nd': 1.2, 'Dy': 0.1} -> 'Dy 0.100 · Nd 1.200 REO kg'."""
    if not reo:
        return ""
    parts = [f"{el} {_number(v, 3)}" for el, v in sorted(reo.items())]
    unit = _("REO kg")
    return " · ".join(parts) + f" {unit}"


@register.simple_tag(takes_context=True)
def portal_nav(context) -> list[dict]:
    """The signed-in user's navigation, grouped by task."""
    request = context.get("request")
    if request is None:
        return []
    return nav_groups_for(request.user, request.path)


@register.simple_tag
def plotly_src() -> str:
    """The versioned URL of plotly.js served by the portal (never a CDN)."""
    from django.urls import reverse

    from reetrace.portal.views.assets import PLOTLY_VERSION

    return reverse("portal:plotly", args=[PLOTLY_VERSION])


def _chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


@register.filter
def when(value, part: str = "") -> str:
    """The one date style of the portal, in China Standard Time.

    English: ISO 8601 with a 24-hour clock, '2025-12-31 23:59', '2025-12-31',
    '2025-12' (`|when:"month"`); zh-Hans: '2025年12月31日 23:59', '2025年12月31日',
    '2025年12月'. A datetime shows its time unless `|when:"day"` asks for the day only.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        clock = "" if part in ("day", "month") else f" {local:%H:%M}"
        value = local.date()
    elif isinstance(value, date):
        clock = ""
    else:
        return str(value)
    if part == "month":
        return f"{value.year}年{value.month}月" if _chinese() else f"{value:%Y-%m}"
    day = f"{value.year}年{value.month}月{value.day}日" if _chinese() else value.isoformat()
    return day + clock


@register.filter
def get(mapping, key):
    """mapping[key] in a template, or None (sort links and directions by column key)."""
    return mapping.get(key) if mapping else None
