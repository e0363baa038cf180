"""Forms of the officers' export-control pages: vetting exporters for general licences,
revoking a vetting, and filtering the refused export attempts customs sees."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

__all__ = ["RefusedFilterForm", "RevokeForm", "VettingForm"]

DATE = forms.DateInput(attrs={"type": "date"})


class VettingForm(forms.Form):
    enterprise = forms.CharField(
        label=_("Exporter identifier"), max_length=64, help_text=_("the enterprise's USCC")
    )
    since = forms.DateField(label=_("Vetted since"), widget=DATE)
    until = forms.DateField(
        label=_("Vetted until"),
        required=False,
        widget=DATE,
        help_text=_("last day vetted; leave empty for no end"),
    )
    basis = forms.CharField(
        label=_("Basis of the vetting"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. the audit of its internal compliance programme"),
    )


class RevokeForm(forms.Form):
    vetting = forms.TypedChoiceField(label=_("Vetting to revoke"), coerce=int)
    reason = forms.CharField(label=_("Reason for revoking"), max_length=500)

    def __init__(self, *args, vettings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vetting"].choices = [
            (v.pk, f"{v.enterprise.identifier} · {v.enterprise.display_name} · {v.since}")
            for v in vettings
        ]


class RefusedFilterForm(forms.Form):
    exporter = forms.CharField(label=_("Exporter identifier"), required=False, max_length=64)
    start = forms.DateField(label=_("From (China date)"), required=False, widget=DATE)
    end = forms.DateField(label=_("To (China date)"), required=False, widget=DATE)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end date is before the start date."))
        return data
