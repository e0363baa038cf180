"""Lots as the API, the pages and the label show them."""

from __future__ import annotations

from reetrace.core.quantities import round_kg
from reetrace.ledger.models import Lot
from reetrace.registry.elements import ELEMENTS


def lot_out(lot: Lot) -> dict:
    composition = lot.composition()
    return {
        "code": lot.code,
        "product": lot.product.code,
        "form": lot.product.form,
        "producer": lot.producer.identifier,
        "mass_kg": lot.mass_kg,
        "composition": lot.full_composition(),
        "reo_kg": {
            el: round_kg(lot.mass_kg * f * ELEMENTS[el].metal_to_oxide)
            for el, f in composition.items()
        },
        "made_at": lot.created_by.event_time,
        "created_by": lot.created_by.event_id,
    }
