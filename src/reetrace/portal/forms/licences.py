"""Forms of the licence pages: an application with its items, documents, and the
applicant's and the officer's actions. The services decide what is allowed; errors
they name (`items.0.mass`, `consignee.country`) are put back next to the field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reetrace.core.errors import ReetraceError
from reetrace.exportcontrol.choices import DocumentKind, LicenceKind
from reetrace.portal.forms.fields import CompositionField, mass_field

__all__ = [
    "ApplicationForm",
    "DecisionForm",
    "DocumentForm",
    "ItemRows",
    "application_data",
    "application_errors_show",
]

COUNTRY = {"maxlength": 2, "autocomplete": "off", "style": "text-transform:uppercase"}
COUNTRY_HELP = _("two-letter ISO code, e.g. DE")


def _country(label) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=2, help_text=COUNTRY_HELP, widget=forms.TextInput(attrs=COUNTRY)
    )


class ApplicationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Licence kind"), choices=LicenceKind.choices)
    consignee_name = forms.CharField(label=_("Consignee"), max_length=200)
    consignee_country = _country(_("Consignee country"))
    end_user_name = forms.CharField(label=_("End user"), max_length=200)
    end_user_country = _country(_("End-user country"))
    end_use = forms.CharField(
        label=_("End use"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    destination = _country(_("Destination country"))
    contract_number = forms.CharField(label=_("Contract number"), max_length=64)


class OptionalComposition(CompositionField):
    """Empty means 'not given' (so an untouched item row stays ignored)."""

    def has_changed(self, initial, data) -> bool:
        return bool((data or "").strip())


class ItemForm(forms.Form):
    lot = forms.CharField(
        label=_("Lot code"),
        required=False,
        max_length=32,
        help_text=_("a lot you hold; or leave empty and give the product"),
    )
    product = forms.ChoiceField(label=_("Catalogue product"), required=False)
    composition = OptionalComposition(required=False)
    mass = mass_field(_("Mass applied for"))
    value = forms.DecimalField(label=_("Contract value"), min_value=0, decimal_places=2)
    currency = forms.CharField(label=_("Currency"), max_length=3, help_text=_("e.g. USD, EUR, CNY"))

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [("", "—")] + [
            (p.code, f"{p.code} · {p.description}") for p in products
        ]


ItemRows = forms.formset_factory(ItemForm, extra=2, min_num=1, validate_min=True, max_num=20)


def application_data(form: ApplicationForm, items) -> dict:
    """The service's shape (as the API takes it) from the form and its item rows."""
    d = form.cleaned_data
    rows = [f.cleaned_data for f in items.forms if f.has_changed() and f.cleaned_data]
    return {
        "kind": d["kind"],
        "consignee": {"name": d["consignee_name"], "country": d["consignee_country"].upper()},
        "end_user": {"name": d["end_user_name"], "country": d["end_user_country"].upper()},
        "end_use": d["end_use"],
        "destination": d["destination"].upper(),
        "contract_number": d["contract_number"],
        "items": [
            {
                "lot": r["lot"],
                "product": r["product"],
                "composition": r["composition"],
                "mass": r["mass"],
                "value": str(r["value"]),
                "currency": r["currency"].upper(),
            }
            for r in rows
        ],
    }


def application_errors_show(form: ApplicationForm, items, exc: ReetraceError) -> None:
    """'consignee.country' -> consignee_country; 'items.1.mass' -> row 2's mass."""
    path = (exc.field or "").split(".")
    if path[0] == "items" and len(path) > 2 and path[1].isdigit():
        filled = [f for f in items.forms if f.has_changed()]
        n = int(path[1])
        if n < len(filled):
            name = path[2] if path[2] in filled[n].fields else None
            filled[n].add_error(name, exc.message)
            return
    name = "_".join(path[:2]) if len(path) > 1 else path[0]
    form.add_error(name if name in form.fields else None, exc.message)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document kind"), choices=DocumentKind.choices)
    file = forms.FileField(label=_("File (at most 20 MiB)"))


class ActionForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=1000)


class DecisionForm(forms.Form):
    action = forms.ChoiceField(label=_("Decision"))
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=1000,
        help_text=_("required when requesting information or rejecting"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = list(actions)

    def clean(self):
        data = super().clean()
        needs_reason = data.get("action") in ("request_information", "reject")
        if needs_reason and not data.get("comment", "").strip():
            self.add_error("comment", _("Say what is missing or why it is rejected."))
        return data
