"""One form per event kind; each builds the event dict that `batch_capture` takes.

Forms check only what a browser can get wrong (required fields, the composition
shorthand). Every ledger rule is capture's: its errors name a field path such as
`lot.mass` or `inputs.0.lot`, and `capture_errors_show` puts each message next to
the input that path names, so the explanation sits where the fix is typed.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reetrace.core.errors import FieldError
from reetrace.ledger.choices import AdjustReason, EventKind, Process
from reetrace.portal.forms.fields import (
    CompositionField,
    event_id_new,
    event_time_field,
    lookup,
    mass_field,
    now_local,
)

__all__ = ["EVENT_FORMS", "EventForm", "capture_errors_show"]


class EventForm(forms.Form):
    """Fields every event has; subclasses add theirs and say how to build the event."""

    kind: str = ""
    title = ""
    event_id = forms.CharField(widget=forms.HiddenInput, max_length=64)
    event_time = event_time_field()

    def __init__(self, *args, products=(), **kwargs):
        kwargs.setdefault("initial", {"event_id": event_id_new(), "event_time": now_local()})
        super().__init__(*args, **kwargs)
        if "lot_product" in self.fields:
            self.fields["lot_product"].choices = [("", "—")] + [
                (p.code, f"{p.code} · {p.description}") for p in products
            ]

    def event(self) -> dict:
        data = self.cleaned_data
        return {
            "event_id": data["event_id"],
            "kind": self.kind,
            "event_time": data["event_time"].isoformat(),
            **self.body(data),
        }

    def body(self, data: dict) -> dict:
        raise NotImplementedError

    def field_for(self, path: str) -> str | None:
        """The form field a capture error path names: 'lot.mass' -> 'lot_mass'."""
        parts = path.split(".")
        while parts:
            name = "_".join(parts)
            if name in self.fields:
                return name
            parts.pop()
        return None


def _lot_spec(data: dict) -> dict:
    spec = {
        "product": data["lot_product"],
        "mass": data["lot_mass"],
        "composition": data["lot_composition"],
    }
    for key in ("code", "site", "external_ref"):
        if data.get(f"lot_{key}"):
            spec[key] = data[f"lot_{key}"]
    return spec


class OriginForm(EventForm):
    """The new lot an origin event brings into the chain."""

    lot_code = forms.CharField(
        label=_("Lot code"),
        required=False,
        max_length=20,
        help_text=_("leave empty to have one assigned"),
    )
    lot_product = forms.ChoiceField(label=_("Product"))
    lot_mass = mass_field(_("Mass"))
    lot_composition = CompositionField()
    lot_site = lookup(_("Site"), "own-sites", required=False)
    lot_external_ref = forms.CharField(label=_("Your batch number"), required=False, max_length=64)

    def body(self, data: dict) -> dict:
        return {**self.origin(data), "lot": _lot_spec(data)}

    def origin(self, data: dict) -> dict:
        raise NotImplementedError


class MineForm(OriginForm):
    kind = EventKind.MINE
    title = _("Mining: a lot mined under your quota")
    quota = lookup(_("Mining quota"), "own-quotas")
    field_order = ["event_id", "event_time", "quota"]

    def origin(self, data: dict) -> dict:
        return {"quota": data["quota"]}


class ImportForm(OriginForm):
    kind = EventKind.IMPORT
    title = _("Import: a lot brought in through customs")
    customs_declaration = forms.CharField(label=_("Customs declaration number"), max_length=200)
    origin_country = forms.CharField(
        label=_("Country of origin"), max_length=2, help_text=_("two letters, e.g. MM, US")
    )
    field_order = ["event_id", "event_time", "customs_declaration", "origin_country"]

    def origin(self, data: dict) -> dict:
        return {
            "customs_declaration": data["customs_declaration"],
            "origin_country": data["origin_country"].upper(),
        }


class RecycleForm(OriginForm):
    kind = EventKind.RECYCLE
    title = _("Recycling: a lot recovered from scrap")
    source = forms.CharField(
        label=_("What was collected"), max_length=200, help_text=_("e.g. sintered NdFeB swarf")
    )
    field_order = ["event_id", "event_time", "source"]

    def origin(self, data: dict) -> dict:
        return {"source": data["source"]}


class ShipForm(EventForm):
    kind = EventKind.SHIP
    title = _("Shipment: a sale to a domestic customer")
    lot = lookup(_("Lot"), "held-lots")
    mass = mass_field(_("Mass shipped"))
    buyer = lookup(
        _("Customer"), "domestic-parties", help_text=_("the buyer's registered identifier")
    )
    unit_price = forms.DecimalField(label=_("Unit price (per kg)"), min_value=0, decimal_places=4)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="CNY")
    contract = forms.CharField(label=_("Contract or invoice number"), max_length=200)

    def body(self, data: dict) -> dict:
        return {
            "lot": data["lot"],
            "mass": data["mass"],
            "buyer": data["buyer"],
            "unit_price": str(data["unit_price"]),
            "currency": data["currency"].upper(),
            "contract": data["contract"],
        }


class ReceiveForm(EventForm):
    kind = EventKind.RECEIVE
    title = _("Receipt: goods a supplier shipped to you arrived")
    shipment = lookup(
        _("Shipment"), "incoming-shipments", help_text=_("the supplier's shipment event id")
    )
    mass = mass_field(_("Mass received"))

    def body(self, data: dict) -> dict:
        return {"shipment": data["shipment"], "mass": data["mass"]}


class ExportForm(EventForm):
    kind = EventKind.EXPORT
    title = _("Export: goods declared to customs for a foreign buyer")
    lot = lookup(_("Lot"), "held-lots")
    mass = mass_field(_("Mass exported"))
    customs_declaration = forms.CharField(label=_("Customs declaration number"), max_length=200)
    hs_code = forms.CharField(label=_("HS code"), max_length=10, help_text=_("6 to 10 digits"))
    destination = forms.CharField(
        label=_("Destination country"), max_length=2, help_text=_("two letters, e.g. DE")
    )
    consignee = forms.CharField(label=_("Consignee"), max_length=200)
    end_user = forms.CharField(label=_("End user"), max_length=200)
    licence = forms.CharField(label=_("Export licence number"), required=False, max_length=64)
    fob_value = forms.DecimalField(label=_("FOB value"), min_value=0, decimal_places=2)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="USD")

    def body(self, data: dict) -> dict:
        return {
            **{k: data[k] for k in ("lot", "mass", "customs_declaration", "hs_code")},
            "destination": data["destination"].upper(),
            **{k: data[k] for k in ("consignee", "end_user", "licence")},
            "fob_value": str(data["fob_value"]),
            "currency": data["currency"].upper(),
        }


class AdjustForm(EventForm):
    kind = EventKind.ADJUST
    title = _("Stock adjustment: a counted difference or a loss")
    lot = lookup(_("Lot"), "held-lots")
    mass = mass_field(_("Change"), signed=True)
    reason = forms.ChoiceField(label=_("Reason"), choices=AdjustReason.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def body(self, data: dict) -> dict:
        return {k: data[k] for k in ("lot", "mass", "reason", "note")}


class InputRow(forms.Form):
    lot = lookup(_("Input lot"), "held-lots")
    mass = mass_field(_("Mass used"))


class OutputRow(forms.Form):
    code = forms.CharField(
        label=_("Lot code"), required=False, max_length=20, help_text=_("empty: assigned")
    )
    product = forms.ChoiceField(label=_("Product"))
    mass = mass_field(_("Mass made"))
    composition = CompositionField()
    site = lookup(_("Site"), "own-sites", required=False)

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [("", "—")] + [
            (p.code, f"{p.code} · {p.description}") for p in products
        ]


InputRows = forms.formset_factory(InputRow, extra=1, min_num=1, validate_min=True, max_num=200)
OutputRows = forms.formset_factory(OutputRow, extra=1, min_num=1, validate_min=True, max_num=200)


class TransformForm(EventForm):
    """Inputs consumed and outputs made; rows are formsets that JavaScript can extend."""

    kind = EventKind.TRANSFORM
    title = _("Transformation: inputs consumed, outputs made")
    process = forms.ChoiceField(label=_("Process"), choices=Process.choices)
    quota = lookup(
        _("Separation quota"),
        "own-quotas",
        required=False,
        help_text=_("separation only"),
    )

    def __init__(self, data=None, *, products=(), **kwargs):
        super().__init__(data, products=products, **kwargs)
        self.inputs = InputRows(data, prefix="inputs")
        self.outputs = OutputRows(data, prefix="outputs", form_kwargs={"products": products})

    def is_valid(self) -> bool:
        valid = [super().is_valid(), self.inputs.is_valid(), self.outputs.is_valid()]
        return all(valid)

    def body(self, data: dict) -> dict:
        outputs = []
        for row in _filled(self.outputs):
            spec = {k: row[k] for k in ("product", "mass", "composition")}
            spec.update({k: row[k] for k in ("code", "site") if row.get(k)})
            outputs.append(spec)
        body = {
            "process": data["process"],
            "inputs": [{"lot": r["lot"], "mass": r["mass"]} for r in _filled(self.inputs)],
            "outputs": outputs,
        }
        if data.get("quota"):
            body["quota"] = data["quota"]
        return body

    def row_error(self, path: str, message: str) -> bool:
        """Put 'inputs.1.mass' on the second filled input row's mass field."""
        group, _, rest = path.partition(".")
        formset = {"inputs": self.inputs, "outputs": self.outputs}.get(group)
        number, _, name = rest.partition(".")
        if formset is None or not number.isdigit():
            return False
        forms_filled = [f for f in formset.forms if f.has_changed()]
        if int(number) >= len(forms_filled):
            return False
        row = forms_filled[int(number)]
        name = name.split(".")[0] or ("lot" if group == "inputs" else "code")
        row.add_error(name if name in row.fields else None, message)
        return True


def _filled(formset) -> list[dict]:
    return [f.cleaned_data for f in formset.forms if f.has_changed() and f.cleaned_data]


EVENT_FORMS: dict[str, type[EventForm]] = {
    form.kind: form
    for form in (
        MineForm,
        ImportForm,
        RecycleForm,
        ShipForm,
        ReceiveForm,
        ExportForm,
        AdjustForm,
        TransformForm,
    )
}


def capture_errors_show(form: EventForm, errors: list[FieldError]) -> None:
    """Each capture error next to the field its path names, or above the form."""
    for error in errors:
        path = error.field or ""
        if isinstance(form, TransformForm) and form.row_error(path, error.message):
            continue
        form.add_error(form.field_for(path) if path else None, error.message)
