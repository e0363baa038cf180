"""Composition arithmetic for honest lots: exact decimals rounded towards less material.

The ledger refuses any output holding more of an element than its inputs, so
every fraction is floored to nine decimals and every mass to the gram: an
honest lot made here can only ever contain a hair less than its inputs did.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_UP, Decimal

from reetrace.registry.elements import ELEMENTS, ElementGroup

Comp = dict[str, Decimal]
NINE = Decimal("0.000000001")
GRAM = Decimal("0.001")
ZERO = Decimal(0)

# Separation products: which elements each single-oxide product gathers.
OXIDE_FAMILIES: list[tuple[str, tuple[str, ...]]] = [
    ("OXIDE-LA", ("La",)),
    ("OXIDE-CE", ("Ce",)),
    ("OXIDE-PRND", ("Pr", "Nd")),
    ("OXIDE-SM", ("Sm",)),
    ("OXIDE-GD", ("Gd",)),
    ("OXIDE-TB", ("Tb",)),
    ("OXIDE-DY", ("Dy",)),
    ("OXIDE-Y", ("Y",)),
    ("MIXED-OXIDE-MHREE", ("Eu", "Ho", "Er", "Tm", "Yb", "Lu", "Sc", "Pm")),
]
HEAVY_PRODUCTS = frozenset(
    {"OXIDE-SM", "OXIDE-GD", "OXIDE-TB", "OXIDE-DY", "MIXED-OXIDE-MHREE", "METAL-TB", "METAL-SM"}
)


def dec(value: float | str | Decimal) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def floor9(value: Decimal) -> Decimal:
    return value.quantize(NINE, rounding=ROUND_DOWN)


def grams(value: Decimal) -> Decimal:
    return value.quantize(GRAM, rounding=ROUND_DOWN)


def grams_up(value: Decimal) -> Decimal:
    """Masses made from metal are rounded up, so the fractions derived stay below 1."""
    return value.quantize(GRAM, rounding=ROUND_UP)


def fmt(value: Decimal) -> str:
    """Plain decimal text (never '1E-9'), the way a client sends it."""
    return f"{value:f}"


def comp_text(comp: Comp) -> dict[str, str]:
    return {el: fmt(comp[el]) for el in comp}


def ore_composition(distribution: dict[str, float], treo: Decimal) -> Comp:
    """Metal fractions of a concentrate from its TREO grade and REO distribution (%)."""
    total = sum(dec(v) for v in distribution.values())
    comp = {}
    for el, share in distribution.items():
        fraction = floor9(treo * dec(share) / total / ELEMENTS[el].metal_to_oxide)
        if fraction > 0:
            comp[el] = fraction
    return comp


def metal_in(kg: Decimal, comp: Comp) -> dict[str, Decimal]:
    return {el: kg * f for el, f in comp.items()}


def add_metal(total: dict[str, Decimal], kg: Decimal, comp: Comp) -> None:
    for el, f in comp.items():
        total[el] = total.get(el, ZERO) + kg * f


def reo_of_metal(metal: dict[str, Decimal]) -> Decimal:
    return sum((m * ELEMENTS[el].metal_to_oxide for el, m in metal.items()), ZERO)


def reo(kg: Decimal, comp: Comp) -> Decimal:
    return reo_of_metal(metal_in(kg, comp))


def reo_split(kg: Decimal, comp: Comp) -> tuple[Decimal, Decimal]:
    """(light, medium/heavy) REO kg: the two columns of a quota."""
    light = heavy = ZERO
    for el, f in comp.items():
        amount = kg * f * ELEMENTS[el].metal_to_oxide
        if ELEMENTS[el].group == ElementGroup.LIGHT:
            light += amount
        else:
            heavy += amount
    return light, heavy


def comp_for(metal: dict[str, Decimal], kg: Decimal) -> Comp:
    """Fractions of a `kg` lot holding at most `metal` kg of each element."""
    comp = {el: floor9(m / kg) for el, m in metal.items() if m > 0}
    return {el: f for el, f in comp.items() if f > 0}


def oxide_mass(metal: dict[str, Decimal], purity: Decimal) -> Decimal:
    """Mass of an oxide product whose REO is `purity` of it."""
    return grams_up(reo_of_metal(metal) / purity)


def split_masses(total: Decimal, sizes: list[Decimal]) -> list[Decimal]:
    """Cut `total` kg into lots of roughly `sizes`, the last lot taking the rest."""
    masses, left = [], total
    for size in sizes:
        if left <= size * dec("1.5"):
            break
        masses.append(size)
        left -= size
    if left > 0:
        masses.append(grams(left))
    return masses


def contained_value(kg: Decimal, comp: Comp, element_prices: dict[str, Decimal]) -> Decimal:
    """CNY value of the rare-earth metal in a lot: the floor a fair price cannot go under."""
    return sum((kg * f * element_prices.get(el, ZERO) for el, f in comp.items()), ZERO)
