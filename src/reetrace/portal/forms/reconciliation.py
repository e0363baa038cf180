"""Forms of the reconciliation pages: loading a partner file, the comparison's scope,
and a partner's submission of its companies' orders."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reetrace.core.errors import ReetraceError
from reetrace.core.periods import period_parse
from reetrace.reconciliation.choices import SourceFormat, WeightBasis

__all__ = ["DatasetForm", "ScopeForm", "SubmissionForm"]

MONTH = forms.TextInput(attrs={"type": "month"})


class DatasetForm(forms.Form):
    file = forms.FileField(label=_("Partner file (CSV, UTF-8)"))
    format = forms.ChoiceField(label=_("Format"), choices=SourceFormat.choices)
    vintage = forms.DateField(
        label=_("Vintage (publication date)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    weight_basis = forms.ChoiceField(
        label=_("Weight basis"), choices=WeightBasis.choices, initial="net"
    )


class ScopeForm(forms.Form):
    by = forms.ChoiceField(
        label=_("Products by"), choices=[("hs6", _("HS-6 code")), ("group", _("product group"))]
    )
    level = forms.ChoiceField(
        label=_("Countries as"),
        choices=[("country", _("each country")), ("eu27", _("EU-27 as one"))],
    )
    start = forms.CharField(label=_("From month"), required=False, widget=MONTH)
    end = forms.CharField(label=_("To month"), required=False, widget=MONTH)

    def _month(self, name: str):
        raw = self.cleaned_data.get(name)
        if not raw:
            return None
        try:
            return period_parse(raw, field=name)
        except ReetraceError as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean_start(self):
        return self._month("start")

    def clean_end(self):
        return self._month("end")


class SubmissionForm(forms.Form):
    file = forms.FileField(
        label=_("Submission (CSV, UTF-8)"),
        help_text=_(
            "columns: importer, supplier, product, kg_ordered, kg_received, "
            "application_reference, application_date"
        ),
    )
    partner_country = forms.CharField(
        label=_("Partner country or bloc"),
        required=False,
        max_length=8,
        help_text=_("only for users not bound to a partner country"),
    )
