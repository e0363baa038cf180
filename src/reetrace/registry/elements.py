"""The 17 rare-earth elements, their conventional oxides and metal-to-oxide factors.

Factors are M(oxide) / (n x M(metal)) from IUPAC atomic weights, as tabulated in
docs/facts.md section 6.1. A lot's composition is the mass fraction of
each element *as metal*; its REO equivalent multiplies by the factor. Pure data
and functions, no ORM: used on every hot path (capture, trace, mass balance).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from reetrace.core.quantities import round_kg

__all__ = [
    "ELEMENTS",
    "ElementGroup",
    "RareEarth",
    "contained_metal_kg",
    "contained_reo_kg",
    "reo_factor",
]


class ElementGroup(StrEnum):
    """Light vs medium/heavy split used by the quota system."""

    LIGHT = "light"
    MEDIUM_HEAVY = "medium_heavy"


@dataclass(frozen=True)
class RareEarth:
    symbol: str
    name: str
    name_zh: str
    atomic_weight: Decimal
    oxide: str
    metal_to_oxide: Decimal
    group: ElementGroup
    export_controlled_2025_18: bool

    @property
    def oxide_to_metal(self) -> Decimal:
        return (1 / self.metal_to_oxide).quantize(Decimal("0.0001"))


def _e(sym, name, zh, aw, oxide, factor, group, controlled=False) -> RareEarth:
    return RareEarth(sym, name, zh, Decimal(aw), oxide, Decimal(factor), group, controlled)


L, MH = ElementGroup.LIGHT, ElementGroup.MEDIUM_HEAVY
ELEMENTS: dict[str, RareEarth] = {
    e.symbol: e
    for e in [
        _e("La", "Lanthanum", "镧", "138.905", "La2O3", "1.1728", L),
        _e("Ce", "Cerium", "铈", "140.116", "CeO2", "1.2284", L),
        _e("Pr", "Praseodymium", "镨", "140.908", "Pr6O11", "1.2082", L),
        _e("Nd", "Neodymium", "钕", "144.242", "Nd2O3", "1.1664", L),
        _e("Pm", "Promethium", "钷", "145", "Pm2O3", "1.1655", L),
        _e("Sm", "Samarium", "钐", "150.36", "Sm2O3", "1.1596", MH, True),
        _e("Eu", "Europium", "铕", "151.964", "Eu2O3", "1.1579", MH),
        _e("Gd", "Gadolinium", "钆", "157.25", "Gd2O3", "1.1526", MH, True),
        _e("Tb", "Terbium", "铽", "158.925", "Tb4O7", "1.1762", MH, True),
        _e("Dy", "Dysprosium", "镝", "162.500", "Dy2O3", "1.1477", MH, True),
        _e("Ho", "Holmium", "钬", "164.930", "Ho2O3", "1.1455", MH),
        _e("Er", "Erbium", "铒", "167.259", "Er2O3", "1.1435", MH),
        _e("Tm", "Thulium", "铥", "168.934", "Tm2O3", "1.1421", MH),
        _e("Yb", "Ytterbium", "镱", "173.045", "Yb2O3", "1.1387", MH),
        _e("Lu", "Lutetium", "镥", "174.967", "Lu2O3", "1.1372", MH, True),
        _e("Sc", "Scandium", "钪", "44.956", "Sc2O3", "1.5338", MH, True),
        _e("Y", "Yttrium", "钇", "88.906", "Y2O3", "1.2699", MH, True),
    ]
}


def reo_factor(symbol: str) -> Decimal:
    return ELEMENTS[symbol].metal_to_oxide


def contained_metal_kg(mass_kg: Decimal, composition: dict[str, Decimal]) -> dict[str, Decimal]:
    """Per-element metal kg in a lot of `mass_kg` with the given mass fractions."""
    return {el: round_kg(mass_kg * fraction) for el, fraction in composition.items()}


def contained_reo_kg(mass_kg: Decimal, composition: dict[str, Decimal]) -> dict[str, Decimal]:
    """Per-element REO-equivalent kg: the unit in which quotas and balances are kept."""
    return {
        el: round_kg(mass_kg * fraction * ELEMENTS[el].metal_to_oxide)
        for el, fraction in composition.items()
    }
