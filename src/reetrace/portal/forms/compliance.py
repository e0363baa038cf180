"""Forms of the compliance pages: alert filters, triage, cases and detection runs.

Services validate the meaning (a dismissal needs a reason, a case an alert); these
forms only check the shape so that errors from either appear next to the field.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reetrace.compliance.checks import CHECKS
from reetrace.compliance.choices import AlertStatus, Severity
from reetrace.core.errors import ReetraceError
from reetrace.core.periods import period_parse

__all__ = [
    "AlertFilterForm",
    "AssignForm",
    "AttachForm",
    "CaseOpenForm",
    "CloseForm",
    "DismissForm",
    "NoteForm",
    "ReasonForm",
    "RunForm",
    "ShareForm",
]

MONTH = forms.TextInput(attrs={"type": "month"})


def _any(choices) -> list[tuple[str, object]]:
    return [("", _("any"))] + list(choices)


def rule_choices() -> list[tuple[str, str]]:
    return [(name, f"{name} · {check.title}") for name, check in CHECKS.items()]


def _month(form: forms.Form, name: str):
    raw = form.cleaned_data.get(name)
    if not raw:
        return None
    try:
        return period_parse(raw, field=name)
    except ReetraceError as exc:
        raise forms.ValidationError(exc.message) from exc


class AlertFilterForm(forms.Form):
    rule = forms.ChoiceField(label=_("Rule"), required=False)
    severity = forms.ChoiceField(label=_("Severity"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    enterprise = forms.CharField(label=_("Enterprise identifier"), required=False, max_length=64)
    period = forms.CharField(label=_("Month"), required=False, widget=MONTH)

    def __init__(self, *args, national: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = _any(rule_choices())
        self.fields["severity"].choices = _any(Severity.choices)
        self.fields["status"].choices = _any(AlertStatus.choices)
        if not national:  # an enterprise user sees its own alerts only
            del self.fields["enterprise"]

    def clean_period(self):
        return _month(self, "period")


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for dismissing"),
        max_length=2000,
        help_text=_("Auditors read it: say why this is not a finding."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ShareForm(forms.Form):
    shared = forms.TypedChoiceField(
        label=_("Visible to the enterprise"),
        choices=[("1", _("share with the enterprise")), ("0", _("hide from the enterprise"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label=_("Note"), required=False, max_length=1000)


class RunForm(forms.Form):
    rules = forms.MultipleChoiceField(
        label=_("Rules"),
        required=False,
        help_text=_("None selected: every rule."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    start = forms.CharField(label=_("From month"), required=False, widget=MONTH)
    end = forms.CharField(label=_("To month"), required=False, widget=MONTH)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rules"].choices = rule_choices()

    def clean_start(self):
        return _month(self, "start")

    def clean_end(self):
        return _month(self, "end")


class CaseOpenForm(forms.Form):
    title = forms.CharField(label=_("Case title"), max_length=200)
    alerts = forms.TypedMultipleChoiceField(
        label=_("Alerts"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    assignee = forms.ChoiceField(label=_("Assign to"), required=False)
    hold_disclosure = forms.BooleanField(
        label=_("Delay disclosure of government reads to the enterprises concerned"),
        required=False,
    )

    def __init__(self, *args, alert_ids=(), analysts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alerts"].choices = [(pk, f"#{pk}") for pk in alert_ids]
        self.fields["assignee"].choices = [("", _("nobody yet"))] + [
            (u.username, u.username) for u in analysts
        ]


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Assign to"))

    def __init__(self, *args, analysts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [(u.username, u.username) for u in analysts]


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AttachForm(forms.Form):
    file = forms.FileField(label=_("Document (at most 20 MiB)"))


class CloseForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"),
        max_length=10000,
        help_text=_("What the case established; closing again amends it."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
