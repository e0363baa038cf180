"""Form fields shared by the event forms: masses with units, compositions, look-ups."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reetrace.ledger.rules import CHINA_TIME
from reetrace.registry.periodic import is_element

__all__ = [
    "CompositionField",
    "event_id_new",
    "event_time_field",
    "lookup",
    "mass_field",
    "now_local",
]


def event_id_new() -> str:
    """A fresh id per form display: resubmitting the same page replays, never duplicates."""
    return f"web-{uuid.uuid4().hex[:20]}"


def now_local() -> str:
    return timezone.now().astimezone(CHINA_TIME).strftime("%Y-%m-%dT%H:%M")


def event_time_field() -> forms.DateTimeField:
    return forms.DateTimeField(
        label=_("Event time (China Standard Time)"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def mass_field(label, *, help_text=None, signed: bool = False) -> forms.CharField:
    """Mass as typed: '12.5', '12.5 kg', '0.3 t'; capture parses it and names the field."""
    return forms.CharField(
        label=label,
        max_length=40,
        help_text=help_text
        or (
            _("kg; negative for a loss, or with a unit: -300 g")
            if signed
            else _("kg, or with a unit: 0.3 t, 300 g")
        ),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def lookup(label, datalist: str, *, required: bool = True, help_text="") -> forms.CharField:
    """A text input with suggestions (an HTML datalist), so codes need not be typed."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=200,
        help_text=help_text,
        widget=forms.TextInput(attrs={"list": datalist, "autocomplete": "off"}),
    )


class CompositionField(forms.CharField):
    """'Nd=0.235; Pr=0.07' (mass fraction of each element as metal) -> dict."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Composition (mass fraction as metal)"))
        kwargs.setdefault(
            "help_text", _("element=fraction separated by ';', e.g. Nd=0.235;Pr=0.07")
        )
        kwargs.setdefault("max_length", 400)
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return {}
        composition: dict[str, str] = {}
        for part in filter(None, (p.strip() for p in text.split(";"))):
            symbol, equals, fraction = (s.strip() for s in part.partition("="))
            if not equals or not symbol or not fraction:
                raise forms.ValidationError(
                    _("%(part)s is not element=fraction; write e.g. Nd=0.25;Pr=0.08"),
                    params={"part": part},
                )
            if not is_element(symbol):
                raise forms.ValidationError(
                    _("%(symbol)s is not an element symbol of the periodic table"),
                    params={"symbol": symbol},
                )
            composition[symbol] = fraction
        return composition
